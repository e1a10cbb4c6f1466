// Package geo turns ship-to postal codes into coordinates and measures
// shipping distances. It is pure: the ZIP table is embedded in the binary so
// that sourcing needs neither a network nor a database to rank locations.
package geo

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"math"
	"strconv"
	"strings"
	"sync"
)

// EarthRadiusMiles is the mean Earth radius used by Distance.
const EarthRadiusMiles = 3958.8

// Distance returns the great-circle distance in miles between two points
// given in decimal degrees (haversine formula). Haversine is accurate to
// about 0.5%, far better than road distance correlates with it anyway.
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * EarthRadiusMiles * math.Asin(math.Min(1, math.Sqrt(a)))
}

// Point is a ZIP code centroid: latitude and longitude in decimal degrees
// and the two-letter state (or territory) code. Approx is true when the ZIP
// itself is not in the table and the point is its 3-digit prefix centroid,
// so that callers can say how good the coordinates are.
type Point struct {
	Lat    float64 `json:"lat"`
	Lon    float64 `json:"lon"`
	State  string  `json:"state"`
	Approx bool    `json:"approx,omitempty"`
}

//go:embed zipcodes.csv.gz
var zipData []byte

var (
	loadOnce sync.Once
	zips     map[string]Point
	prefixes map[string]Point
)

// load parses the embedded table on first use only, so programs that never
// look up a ZIP pay nothing at start-up.
func load() {
	zips = make(map[string]Point, 34000)
	prefixes = make(map[string]Point, 1000)
	zr, err := gzip.NewReader(bytes.NewReader(zipData))
	if err != nil {
		panic("geo: embedded ZIP table is corrupt: " + err.Error())
	}
	type sum struct {
		lat, lon float64
		n        int
		states   map[string]int
	}
	sums := map[string]*sum{}
	sc := bufio.NewScanner(zr)
	sc.Scan() // header
	for sc.Scan() {
		cols := strings.Split(sc.Text(), ",")
		if len(cols) != 4 || len(cols[0]) != 5 {
			continue
		}
		lat, err1 := strconv.ParseFloat(cols[1], 64)
		lon, err2 := strconv.ParseFloat(cols[2], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		zips[cols[0]] = Point{Lat: lat, Lon: lon, State: cols[3]}
		p := cols[0][:3]
		s := sums[p]
		if s == nil {
			s = &sum{states: map[string]int{}}
			sums[p] = s
		}
		s.lat += lat
		s.lon += lon
		s.n++
		s.states[cols[3]]++
	}
	if err := sc.Err(); err != nil {
		panic("geo: embedded ZIP table is corrupt: " + err.Error())
	}
	for p, s := range sums {
		best, n := "", 0
		for st, k := range s.states {
			if k > n || (k == n && st < best) {
				best, n = st, k
			}
		}
		prefixes[p] = Point{Lat: s.lat / float64(s.n), Lon: s.lon / float64(s.n), State: best, Approx: true}
	}
}

// LookupZIP returns the centroid of a US ZIP code. It accepts "75201",
// "75201-1234" and "752011234". A ZIP missing from the table (PO-box and
// unique ZIPs have no tabulation area) falls back to the average of the ZIPs
// sharing its 3-digit prefix, which is close enough to rank locations.
// The bool is false when neither is known.
func LookupZIP(zip string) (Point, bool) {
	zip = strings.TrimSpace(zip)
	if i := strings.IndexByte(zip, '-'); i >= 0 {
		zip = zip[:i]
	}
	if len(zip) == 9 {
		zip = zip[:5]
	}
	if len(zip) != 5 {
		return Point{}, false
	}
	for i := 0; i < 5; i++ {
		if zip[i] < '0' || zip[i] > '9' {
			return Point{}, false
		}
	}
	loadOnce.Do(load)
	if p, ok := zips[zip]; ok {
		return p, true
	}
	p, ok := prefixes[zip[:3]]
	return p, ok
}

// Census regions of the US Census Bureau, as returned by StateRegion.
const (
	RegionNortheast = "northeast"
	RegionMidwest   = "midwest"
	RegionSouth     = "south"
	RegionWest      = "west"
)

var stateRegions = map[string]string{
	"CT": RegionNortheast, "ME": RegionNortheast, "MA": RegionNortheast, "NH": RegionNortheast,
	"RI": RegionNortheast, "VT": RegionNortheast, "NJ": RegionNortheast, "NY": RegionNortheast,
	"PA": RegionNortheast,
	"IL": RegionMidwest, "IN": RegionMidwest, "MI": RegionMidwest, "OH": RegionMidwest,
	"WI": RegionMidwest, "IA": RegionMidwest, "KS": RegionMidwest, "MN": RegionMidwest,
	"MO": RegionMidwest, "NE": RegionMidwest, "ND": RegionMidwest, "SD": RegionMidwest,
	"DE": RegionSouth, "DC": RegionSouth, "FL": RegionSouth, "GA": RegionSouth,
	"MD": RegionSouth, "NC": RegionSouth, "SC": RegionSouth, "VA": RegionSouth,
	"WV": RegionSouth, "AL": RegionSouth, "KY": RegionSouth, "MS": RegionSouth,
	"TN": RegionSouth, "AR": RegionSouth, "LA": RegionSouth, "OK": RegionSouth,
	"TX": RegionSouth,
	"AZ": RegionWest, "CO": RegionWest, "ID": RegionWest, "MT": RegionWest,
	"NV": RegionWest, "NM": RegionWest, "UT": RegionWest, "WY": RegionWest,
	"AK": RegionWest, "CA": RegionWest, "HI": RegionWest, "OR": RegionWest,
	"WA": RegionWest,
}

// StateRegion returns the census region ("northeast", "midwest", "south",
// "west") of a two-letter US state code, case-insensitively, or "" for
// territories and unknown codes: the Census Bureau assigns no region to
// Puerto Rico or the other territories.
func StateRegion(state string) string {
	return stateRegions[strings.ToUpper(strings.TrimSpace(state))]
}
