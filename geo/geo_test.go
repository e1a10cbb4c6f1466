package geo

import (
	"math"
	"testing"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want, tolerance        float64
	}{
		{"NYCToLA", 40.7128, -74.0060, 34.0522, -118.2437, 2450, 0.02},
		{"DallasToChicago", 32.7767, -96.7970, 41.8781, -87.6298, 800, 0.03},
		{"SamePoint", 32.7767, -96.7970, 32.7767, -96.7970, 0, 0},
		{"Antipodes", 0, 0, 0, 180, math.Pi * EarthRadiusMiles, 1e-9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Distance(tt.lat1, tt.lon1, tt.lat2, tt.lon2)
			if math.Abs(got-tt.want) > tt.want*tt.tolerance+1e-9 {
				t.Errorf("Distance = %.1f mi, want %.0f ±%.0f%%", got, tt.want, tt.tolerance*100)
			}
			if back := Distance(tt.lat2, tt.lon2, tt.lat1, tt.lon1); math.Abs(back-got) > 1e-9 {
				t.Errorf("Distance is not symmetric: %v vs %v", got, back)
			}
		})
	}
}

func TestLookupZIP(t *testing.T) {
	tests := []struct {
		name     string
		zip      string
		lat, lon float64
		state    string
		approx   bool
	}{
		{"NewYork", "10001", 40.7506, -73.9972, "NY", false},
		{"Dallas", "75201", 32.7876, -96.7994, "TX", false},
		{"LosAngeles", "90012", 34.0614, -118.2385, "CA", false},
		{"ZIPPlus4", "75201-1234", 32.7876, -96.7994, "TX", false},
		{"NineDigits", "752011234", 32.7876, -96.7994, "TX", false},
		{"Spaces", " 10001 ", 40.7506, -73.9972, "NY", false},
		{"Anchorage", "99501", 61.2181, -149.9003, "AK", false},
		{"PuertoRico", "00901", 18.4655, -66.1057, "PR", false},
		// 75221 is a Dallas PO-box ZIP with no tabulation area: the
		// 752 prefix centroid stands in for it.
		{"PrefixFallback", "75221", 32.8, -96.8, "TX", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := LookupZIP(tt.zip)
			if !ok {
				t.Fatalf("LookupZIP(%q) not found", tt.zip)
			}
			if math.Abs(p.Lat-tt.lat) > 0.3 || math.Abs(p.Lon-tt.lon) > 0.3 {
				t.Errorf("LookupZIP(%q) = %.4f,%.4f, want about %.4f,%.4f", tt.zip, p.Lat, p.Lon, tt.lat, tt.lon)
			}
			if p.Approx != tt.approx {
				t.Errorf("LookupZIP(%q).Approx = %v, want %v", tt.zip, p.Approx, tt.approx)
			}
			if p.State != tt.state {
				t.Errorf("LookupZIP(%q).State = %q, want %q", tt.zip, p.State, tt.state)
			}
		})
	}
}

func TestLookupZIPNotFound(t *testing.T) {
	for _, zip := range []string{"", "1234", "ABCDE", "123456", "75-201", "00000"} {
		t.Run(zip, func(t *testing.T) {
			if p, ok := LookupZIP(zip); ok {
				t.Errorf("LookupZIP(%q) = %+v, want not found", zip, p)
			}
		})
	}
}

func TestTableSize(t *testing.T) {
	LookupZIP("10001")
	if _, exact := zips["75221"]; exact {
		t.Error("75221 is in the table, so the PrefixFallback case no longer tests the fallback")
	}
	if n := len(zips); n < 33000 || n > 42000 {
		t.Errorf("ZIP table has %d rows, want 33,000-42,000", n)
	}
	if len(zipData) > 1<<20 {
		t.Errorf("embedded table is %d bytes, want under 1 MB", len(zipData))
	}
	for zip, p := range zips {
		if p.State == "" {
			t.Fatalf("ZIP %s has no state", zip)
		}
	}
}

func TestStateRegion(t *testing.T) {
	tests := []struct{ state, want string }{
		{"NY", RegionNortheast}, {"pa", RegionNortheast},
		{"IL", RegionMidwest}, {"ND", RegionMidwest},
		{"TX", RegionSouth}, {"DC", RegionSouth}, {"DE", RegionSouth},
		{"CA", RegionWest}, {"AK", RegionWest}, {"HI", RegionWest},
		{"PR", ""}, {"", ""}, {"XX", ""},
	}
	for _, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			if got := StateRegion(tt.state); got != tt.want {
				t.Errorf("StateRegion(%q) = %q, want %q", tt.state, got, tt.want)
			}
		})
	}
	if len(stateRegions) != 51 {
		t.Errorf("stateRegions has %d entries, want 50 states + DC", len(stateRegions))
	}
}

func BenchmarkLookupZIP(b *testing.B) {
	LookupZIP("10001")
	for b.Loop() {
		LookupZIP("75201-1234")
	}
}

func BenchmarkDistance(b *testing.B) {
	for b.Loop() {
		Distance(40.7128, -74.0060, 34.0522, -118.2437)
	}
}

// TestLookupZIPConcurrent checks the lazy load under concurrent first use
// (go test -race -run Concurrent ./geo exercises the first load): plans run
// in many request goroutines at once.
func TestLookupZIPConcurrent(t *testing.T) {
	done := make(chan Point, 8)
	for range 8 {
		go func() {
			p, _ := LookupZIP("90012")
			done <- p
		}()
	}
	for range 8 {
		if p := <-done; p.State != "CA" {
			t.Errorf("LookupZIP(90012) = %+v", p)
		}
	}
}
