package web_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/web"
)

// rawRequest writes raw bytes to a real listener of the app (fasthttp
// answers these before fiber's router, so app.Test does not reach them)
// and reads one response.
func rawRequest(t *testing.T, addr, raw string) (*http.Response, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

// TestAnswersBelowTheRouter checks the answers fasthttp and the first
// middleware make: each carries the security headers, and on /api/ is a
// JSON error like every other API error.
func TestAnswersBelowTheRouter(t *testing.T) {
	a := testapp.New(t, web.Config{BodyLimit: 4096})
	base := a.Serve(t)
	addr := strings.TrimPrefix(base, "http://")
	tests := []struct {
		name   string
		raw    string
		status int
		json   bool
	}{
		{"TwoContentLengths", "POST /api/v1/orders HTTP/1.1\r\nHost: oms.test\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x",
			http.StatusBadRequest, true},
		{"TwoContentLengthsPage", "POST /login HTTP/1.1\r\nHost: oms.test\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nab",
			http.StatusBadRequest, false},
		{"BodyTooLargeAPI", "POST /api/v1/orders HTTP/1.1\r\nHost: oms.test\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n" + strings.Repeat("x", 5000),
			http.StatusRequestEntityTooLarge, true},
		// fasthttp forgets the request (its path too) when it cannot read
		// a chunked body, so this answer cannot know it was for the API.
		{"BrokenChunkedBody", "POST /api/v1/orders HTTP/1.1\r\nHost: oms.test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
			http.StatusBadRequest, false},
		{"BrokenMultipartToAPI", "POST /api/v1/orders HTTP/1.1\r\nHost: oms.test\r\nContent-Type: multipart/form-data; boundary=json\r\nContent-Length: 12\r\n\r\n--json\r\nzzzz",
			http.StatusUnauthorized, true},
		{"HeadersTooLarge", "GET /login HTTP/1.1\r\nHost: oms.test\r\nX-Big: " + strings.Repeat("x", 10000) + "\r\n\r\n",
			http.StatusRequestHeaderFieldsTooLarge, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := rawRequest(t, addr, tt.raw)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %.200s", resp.StatusCode, tt.status, body)
			}
			if resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
				t.Fatalf("security headers missing: %v", resp.Header)
			}
			if tt.json {
				var e struct {
					Error string `json:"error"`
				}
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
					t.Fatalf("not a JSON error: %q %q", resp.Header.Get("Content-Type"), body)
				}
			}
			if strings.Contains(body, "xxxxxxxx") || strings.Contains(body, "zz") {
				t.Fatalf("the answer quotes the request: %.300s", body)
			}
		})
	}
}
