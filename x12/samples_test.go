package x12

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// samplesDir is the public sample corpus beside the repository (in CI the
// clone has shared/ beside it); X12_SAMPLES names another folder, for a
// working copy that sits elsewhere.
func samplesDir() string {
	if d := os.Getenv("X12_SAMPLES"); d != "" {
		return d
	}
	// The package folder is one below the repository's root.
	return filepath.Join("..", "..", "shared", "x12", "samples")
}

// sampleVerdicts is the envelope verdict expected of each sample: true
// when every envelope and set in it reads without a rejecting error.
var sampleVerdicts = map[string]bool{
	"azoner_pyx12_x12testdata_837miss_source.txt":        false, // no GE, no IEA
	"azoner_pyx12_x12testdata_fail_no_IEA_source.txt":    false, // no IEA
	"azoner_pyx12_x12testdata_trailer_errors_source.txt": false, // SE01, GE02 and IEA wrong
	"xlate_staedi_invalid997_min.edi":                    false, // bad GE02
	"indice-co_EDI.Net_x12.850.edi":                      false, // IEA02 is not ISA13
	"indice-co_EDI.Net_x12.850a.edi":                     false, // IEA02 is not ISA13
	"indice-co_EDI.Net_x12.Issue101.edi":                 false, // IEA02, SE01 wrong
	"indice-co_EDI.Net_x12.810.mandatory-conditions.edi": false, // IEA02, SE01 wrong
	"indice-co_EDI.Net_x12.850.issue135.edi":             false, // no ISA16; a line lacks its terminator, so SE01 is off
	"xlate_staedi_x12_interchange_ack.txt":               false, // IEA01 is 1 with no GS
}

// TestSamples reads every public sample without a panic and checks its
// envelope verdict; it skips when the corpus is absent.
func TestSamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(samplesDir(), "*"))
	if len(files) == 0 {
		t.Skipf("no samples in %s", samplesDir())
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var sets int
			res, err := Read(bytes.NewReader(data), func(tx *Transaction) error { sets++; return nil })
			if err != nil {
				t.Fatal(err)
			}
			want, listed := sampleVerdicts[name]
			if !listed {
				want = true
			}
			if res.OK() != want {
				var msgs []string
				for _, e := range res.AllErrors() {
					msgs = append(msgs, e.Error())
				}
				t.Errorf("OK() = %v, want %v; %d interchanges, %d sets; errors:\n%s", res.OK(), want, len(res.Interchanges), sets, strings.Join(msgs, "\n"))
			}
			if len(res.Interchanges) == 0 {
				t.Errorf("no interchange read")
			}
			t.Logf("%d interchanges, %d sets, %d errors", len(res.Interchanges), sets, len(res.AllErrors()))
		})
	}
}
