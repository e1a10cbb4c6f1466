package handlers_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/csvimport"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
)

const csvHeader = "customer_account,po_number,ship_to_code,ship_name,ship_line1,ship_line2,ship_city,ship_region,ship_postal_code,ship_country,requested_date,ship_method,ship_complete,sku,quantity,unit_price\n"

// upload posts content as the file of the import form.
func upload(tb testing.TB, c *testapp.Client, name, content string) (*http.Response, string) {
	tb.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		tb.Fatal(err)
	}
	fw.Write([]byte(content))
	w.WriteField("_csrf", c.CSRF)
	w.Close()
	req := httptest.NewRequest(http.MethodPost, "/orders/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.Do(req)
}

// waitForImport waits until the job has finished.
func waitForImport(tb testing.TB, a *testapp.App, id int64) store.ImportJob {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := a.DB.ImportJob(tb.Context(), id)
		if err != nil {
			tb.Fatal(err)
		}
		if j.Finished() {
			return j
		}
		if time.Now().After(deadline) {
			tb.Fatalf("import %d still %s", id, j.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestImportTemplate(t *testing.T) {
	a := newEntryApp(t)
	c := signedIn(t, a, "ops@demo.test")
	resp, body := c.Get("/orders/import/template.csv")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	b, err := csvimport.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if b.Rows != 2 || len(b.Orders) != 1 || b.Orders[0].Account != "C100" {
		t.Fatalf("template: %d rows, orders %+v", b.Rows, b.Orders)
	}
	// The template, uploaded as it is, imports.
	c.Get("/orders/import")
	resp, _ = upload(t, c, "template.csv", body)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload status %d", resp.StatusCode)
	}
	if j := waitForImport(t, a, 1); j.Accepted+j.Held != 1 {
		t.Fatalf("%+v", j)
	}
}

func TestImportUpload(t *testing.T) {
	a := newEntryApp(t)
	t.Run("Mixed", func(t *testing.T) {
		c := signedIn(t, a, "sales@demo.test")
		c.Get("/orders/import")
		resp, _ := upload(t, c, "mixed.csv", csvHeader+
			"C100,PO-1,MAIN,,,,,,,,,GROUND,no,FST-1001,50,\n"+
			"C100,PO-1,MAIN,,,,,,,,,GROUND,no,ELC-2002,2,\n"+
			"C200,PO-2,MAIN,,,,,,,,,,,ELC-2002,1,\n"+
			`C100,PO-3,MAIN,,,,,,,,,,,"<script>alert(1)</script>",1,`+"\n"+
			"C100,PO-4,MAIN,,,,,,,,,,,ELC-2002,1.5,\n")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/orders/import/1" {
			t.Fatalf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		j := waitForImport(t, a, 1)
		if j.Accepted != 1 || j.Held != 1 || j.Rejected != 2 {
			t.Fatalf("%+v", j)
		}
		// The poll answers with the panel only.
		_, body := c.HTMX("GET", "/orders/import/1?all=1", nil)
		d := testapp.Doc(t, body)
		if d.Find("header.topbar").Length() != 0 || d.Find(`[data-testid="import-result"]`).Length() != 4 {
			t.Fatalf("poll answer:\n%s", body)
		}
		if _, polling := d.Find(`#import-progress`).Attr("hx-trigger"); polling {
			t.Fatal("a finished import still polls")
		}
		_, body = c.Get("/orders/import/1")
		d = testapp.Doc(t, body)
		if got := d.Find(`[data-testid="progress-text"]`).Text(); !strings.Contains(got, "4 of 4 orders") {
			t.Fatalf("progress %q", got)
		}
		rows := d.Find(`[data-testid="import-result"]`)
		if rows.Length() != 3 {
			t.Fatalf("%d held and rejected rows", rows.Length())
		}
		text := rows.Text()
		for _, want := range []string{"Credit hold", "row 5, sku: <SCRIPT>ALERT(1)</SCRIPT> is not a known SKU", `row 6, quantity: "1.5" is not a whole number`} {
			if !strings.Contains(text, want) {
				t.Errorf("report lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<SCRIPT>") {
			t.Fatal("HTML from the file is not escaped")
		}
	})
	bad := []struct {
		name, content, want string
	}{
		{"Empty", "", "The file is empty"},
		{"WrongHeader", "account,po_number,sku,quantity\nC100,PO-1,FST-1001,25\n", `missing column customer_account; unknown column &#34;account&#34;`},
		{"NotUTF8", csvHeader + "C100,PO-1,,Caf\xe9,,,,,,,,,,FST-1001,25,\n", "not UTF-8"},
	}
	for _, tt := range bad {
		t.Run("Err"+tt.name, func(t *testing.T) {
			c := signedIn(t, a, "ops@demo.test")
			c.Get("/orders/import")
			resp, body := upload(t, c, "bad.csv", tt.content)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", resp.StatusCode)
			}
			got, _ := testapp.Doc(t, body).Find(`[data-testid="import-error"]`).Html()
			if !strings.Contains(got, tt.want) {
				t.Fatalf("error %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("ErrForbiddenForCSR", func(t *testing.T) {
		c := signedIn(t, a, "csr@demo.test")
		if resp, _ := c.Get("/orders/import"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("GET status %d", resp.StatusCode)
		}
		if resp, _ := c.Get("/orders/import/template.csv"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("template status %d", resp.StatusCode)
		}
		if resp, _ := upload(t, c, "x.csv", csvHeader); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("POST status %d", resp.StatusCode)
		}
	})
}
