package x12

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// bigInterchange writes one interchange of n 850s with lines lines each.
func bigInterchange(n, lines int) []byte {
	var b strings.Builder
	b.WriteString(isa('*', '>', "U", "00401", "000000001") + "~\n")
	b.WriteString("GS*PO*BUYER*OMS*20260115*0830*1*X*004010~\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "ST*850*%04d~\nBEG*00*SA*PO-%d**20260115~\nREF*DP*042~\nDTM*002*20260201~\n", i, i)
		b.WriteString("N1*ST*Acme Fort Worth Yard*92*0042~\nN3*1200 Industrial Blvd~\nN4*Fort Worth*TX*76106*US~\n")
		for l := 1; l <= lines; l++ {
			fmt.Fprintf(&b, "PO1*%d*12*EA*4.25**BP*A-%d*UP*0123456%05d*VP*FAS-%d~\nPID*F****HEX BOLT M10 X 40 ZINC~\n", l, l, l, l)
		}
		fmt.Fprintf(&b, "CTT*%d*%d~\nSE*%d*%04d~\n", lines, 12*lines, 9+2*lines, i)
	}
	fmt.Fprintf(&b, "GE*%d*1~\nIEA*1*000000001~\n", n)
	return []byte(b.String())
}

// BenchmarkRead measures the reader's throughput on 850s (MB/s).
func BenchmarkRead(b *testing.B) {
	data := bigInterchange(200, 50)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Read(strings.NewReader(string(data)), func(*Transaction) error { return nil })
		if err != nil || !res.OK() {
			b.Fatal(err, res.AllErrors()[:1])
		}
	}
}

// BenchmarkRead100MB reads a 100 MB interchange of 850s streamed from a
// generator and reports the heap in use at its end.
func BenchmarkRead100MB(b *testing.B) {
	set := bigInterchange(1, 50)
	// Split the one-set interchange into envelope and set, and repeat the set.
	s := string(set)
	st := strings.Index(s, "ST*850")
	ge := strings.Index(s, "GE*")
	head, body := s[:st], s[st:ge]
	const size = 100 << 20
	n := size / len(body)
	tail := fmt.Sprintf("GE*%d*1~\nIEA*1*000000001~\n", n)
	b.SetBytes(int64(len(head) + n*len(body) + len(tail)))
	for b.Loop() {
		r := io.MultiReader(strings.NewReader(head), &repeat{s: body, n: n}, strings.NewReader(tail))
		var maxHeap uint64
		sets := 0
		_, err := Read(r, func(tx *Transaction) error {
			sets++
			if sets%2000 == 0 {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				maxHeap = max(maxHeap, m.HeapInuse)
			}
			return nil
		})
		if err != nil || sets != n {
			b.Fatal(err, sets)
		}
		b.ReportMetric(float64(maxHeap)/(1<<20), "MB-heap")
	}
}

// repeat reads s n times. (Set control numbers repeat, which the reader
// does not check across sets.)
type repeat struct {
	s   string
	n   int
	off int
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.s[r.off:])
	r.off += k
	if r.off == len(r.s) {
		r.off = 0
		r.n--
	}
	return k, nil
}
