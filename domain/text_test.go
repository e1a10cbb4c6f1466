package domain

import (
	"strings"
	"testing"
)

func TestTextProblem(t *testing.T) {
	tests := []struct {
		name, in, want string // want: "" for accepted, else a part of the message
	}{
		{"OK", "PO 4711 / Café Müller, 東京", ""},
		{"OKTabAndNewline", "line one\n\tline two", ""},
		{"ErrInvalidUTF8", "PO\xff", "UTF-8"},
		{"ErrTooLong", strings.Repeat("é", 41), "at most 40"},
		{"ErrNUL", "PO\x00", "U+0000"},
		{"ErrDEL", "PO\x7f", "control"},
		{"ErrC1", "PO\u0085", "U+0085"},
		{"ErrRightToLeftOverride", "abc\u202efdp.exe", "U+202E, at character 4"},
		{"ErrLeftToRightEmbedding", "\u202aabc", "U+202A"},
		{"ErrFirstStrongIsolate", "a\u2068b", "U+2068"},
		{"ErrPopDirectionalIsolate", "a\u2069", "U+2069"},
		{"ErrRightToLeftMark", "a\u200fb", "bidirectional mark"},
		{"ErrZeroWidthSpace", "a\u200bb", "zero-width"},
		{"ErrZeroWidthJoiner", "a\u200db", "zero-width"},
		{"ErrWordJoiner", "a\u2060b", "zero-width"},
		{"ErrByteOrderMark", "\ufeffPO-1", "byte-order mark"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TextProblem(tt.in, 40)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Fatalf("TextProblem(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("é", ExcerptLength)
	for _, tt := range []struct{ name, in, want string }{
		{"Short", "SKU-1", "SKU-1"},
		{"Exact", long, long},
		{"Long", long + "xyz", long + "…"},
		{"Empty", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Excerpt(tt.in); got != tt.want {
				t.Fatalf("Excerpt(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
