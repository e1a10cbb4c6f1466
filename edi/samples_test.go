package edi_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oms/oms/edi"
	"github.com/oms/oms/x12"
)

// TestSample850s maps every 850 of the public samples beside the
// repository (skipped when they are absent): each set whose envelope is
// sound gives a PO number and its lines with product IDs.
func TestSample850s(t *testing.T) {
	dir := os.Getenv("X12_SAMPLES")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "x12", "samples")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Skipf("no samples in %s", dir)
	}
	mapped := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, err = x12.Read(bytes.NewReader(data), func(tx *x12.Transaction) error {
			if tx.ID() != "850" || !tx.Accepted() {
				return nil
			}
			po, ok := edi.Map850(tx)
			if !ok {
				t.Errorf("%s set %s: %v", filepath.Base(f), tx.Control(), tx.Ack.Errors)
				return nil
			}
			if po.Number == "" || len(po.Lines) == 0 {
				t.Errorf("%s set %s: PO %q with %d lines", filepath.Base(f), tx.Control(), po.Number, len(po.Lines))
			}
			for _, l := range po.Lines {
				if len(l.IDs) == 0 || strings.TrimSpace(l.Quantity) == "" {
					t.Errorf("%s PO %s: line %+v", filepath.Base(f), po.Number, l)
				}
			}
			mapped++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d sample 850s mapped", mapped)
	if mapped == 0 {
		t.Error("no 850 in the samples was mapped")
	}
}
