package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// product is a kind of article with the variants it comes in.
type product struct {
	Name      string
	A, B      []string
	UOM       string // EA, BX or CS
	Contents  []int  // units per box or case
	PriceLo   float64
	PriceHi   float64
	GramsLo   int64
	GramsHi   int64
	Hazmat    bool
	Dropships bool // bulky or special: a vendor ships it direct
}

// category is a product family with its SKU prefix and dropship vendor.
type category struct {
	Prefix   string
	Vendor   string
	Products []product
}

var catalogue = []category{
	{"FST", "V-ACME", []product{
		{"Hex bolt", []string{"zinc", "18-8 stainless", "grade 5 zinc", "grade 8 yellow zinc", "hot-dip galvanized"}, []string{"1/4-20 x 1 in", "5/16-18 x 1-1/2 in", "3/8-16 x 2 in", "1/2-13 x 3 in", "5/8-11 x 4 in", "3/4-10 x 6 in"}, "BX", []int{25, 50, 100}, 9, 85, 400, 5000, false, false},
		{"Carriage bolt", []string{"zinc", "hot-dip galvanized", "18-8 stainless"}, []string{"1/4-20 x 2 in", "3/8-16 x 3 in", "1/2-13 x 4 in", "5/16-18 x 2-1/2 in"}, "BX", []int{25, 50, 100}, 10, 70, 500, 4000, false, false},
		{"Lag screw", []string{"zinc", "hot-dip galvanized"}, []string{"1/4 x 2 in", "5/16 x 3 in", "3/8 x 4 in", "1/2 x 6 in"}, "BX", []int{50, 100}, 12, 60, 600, 5000, false, false},
		{"Self-drilling screw", []string{"hex washer head, zinc", "pan head, zinc", "hex washer head, 410 stainless"}, []string{"#8 x 3/4 in", "#10 x 1 in", "#12 x 1-1/2 in", "#14 x 2 in"}, "BX", []int{100, 250, 500}, 8, 55, 300, 2500, false, false},
		{"Hex nut", []string{"zinc", "grade 8 yellow zinc", "18-8 stainless", "nylon insert, zinc"}, []string{"1/4-20", "5/16-18", "3/8-16", "1/2-13", "5/8-11"}, "BX", []int{100, 250}, 5, 45, 300, 3000, false, false},
		{"Flat washer", []string{"SAE, zinc", "USS, zinc", "18-8 stainless", "fender, zinc"}, []string{"1/4 in", "5/16 in", "3/8 in", "1/2 in", "5/8 in"}, "BX", []int{100, 250}, 4, 35, 250, 2500, false, false},
		{"Wedge anchor", []string{"zinc", "hot-dip galvanized", "304 stainless"}, []string{"3/8 x 3 in", "1/2 x 4-1/4 in", "5/8 x 6 in", "3/4 x 8-1/2 in"}, "BX", []int{25, 50}, 18, 140, 900, 6000, false, false},
		{"Threaded rod", []string{"zinc", "18-8 stainless", "B7 plain"}, []string{"3/8-16 x 6 ft", "1/2-13 x 6 ft", "5/8-11 x 10 ft", "1/4-20 x 3 ft"}, "EA", nil, 3, 45, 300, 4000, false, false},
	}},
	{"ELC", "V-ACME", []product{
		{"THHN wire", []string{"14 AWG stranded", "12 AWG stranded", "10 AWG stranded", "12 AWG solid"}, []string{"500 ft, black", "500 ft, white", "500 ft, green", "2500 ft reel, red"}, "EA", nil, 45, 420, 4000, 30000, false, true},
		{"Twist-on wire connector", []string{"yellow", "red", "orange", "blue"}, []string{"22-14 AWG", "18-10 AWG", "14-8 AWG"}, "BX", []int{100, 500}, 8, 60, 200, 1500, false, false},
		{"Duplex receptacle", []string{"15A 125V", "20A 125V", "15A 125V tamper-resistant", "20A 125V commercial grade"}, []string{"white", "ivory", "gray", "light almond"}, "EA", nil, 2, 14, 80, 150, false, false},
		{"GFCI receptacle", []string{"15A 125V", "20A 125V", "20A 125V weather-resistant"}, []string{"white", "ivory", "gray"}, "EA", nil, 14, 38, 200, 300, false, false},
		{"Toggle switch", []string{"single pole 15A", "single pole 20A", "3-way 15A", "4-way 20A"}, []string{"white", "ivory", "gray", "brown"}, "EA", nil, 2, 24, 60, 150, false, false},
		{"LED troffer", []string{"2x4 ft 4000K", "2x2 ft 3500K", "1x4 ft 4000K", "2x4 ft 5000K"}, []string{"dimmable", "selectable lumen", "emergency battery"}, "EA", nil, 65, 240, 4000, 9000, false, true},
		{"EMT conduit", []string{"1/2 in", "3/4 in", "1 in", "1-1/4 in"}, []string{"10 ft length", "galvanized steel, 10 ft"}, "EA", nil, 6, 40, 1500, 6000, false, false},
		{"Circuit breaker", []string{"1-pole 15A", "1-pole 20A", "2-pole 30A", "2-pole 50A"}, []string{"plug-on", "bolt-on", "AFCI plug-on", "GFCI plug-on"}, "EA", nil, 8, 95, 150, 400, false, false},
		{"Lithium battery", []string{"AA", "AAA", "CR123A", "9V"}, []string{"industrial", "bulk pack"}, "BX", []int{12, 24, 48}, 14, 90, 300, 1500, true, false},
	}},
	{"PLB", "V-ACME", []product{
		{"Ball valve", []string{"lead-free brass, full port", "lead-free brass, sweat", "PVC, socket", "stainless, threaded"}, []string{"1/2 in", "3/4 in", "1 in", "1-1/4 in", "2 in"}, "EA", nil, 7, 120, 150, 2500, false, false},
		{"PVC elbow", []string{"90 deg, sch 40", "45 deg, sch 40", "90 deg, sch 80"}, []string{"1/2 in", "3/4 in", "1 in", "1-1/2 in", "2 in", "4 in"}, "BX", []int{10, 25, 50}, 6, 90, 300, 4000, false, false},
		{"Copper coupling", []string{"with stop, wrot", "slip, wrot"}, []string{"1/2 in", "3/4 in", "1 in"}, "BX", []int{10, 25}, 9, 75, 200, 1500, false, false},
		{"PEX tubing", []string{"PEX-A, red", "PEX-A, blue", "PEX-B, white"}, []string{"1/2 in x 100 ft", "3/4 in x 100 ft", "1 in x 300 ft"}, "EA", nil, 32, 260, 2000, 12000, false, true},
		{"Faucet supply line", []string{"braided stainless", "braided polymer"}, []string{"3/8 comp x 1/2 FIP, 12 in", "3/8 comp x 1/2 FIP, 20 in", "3/8 comp x 7/8 ballcock, 12 in"}, "EA", nil, 4, 14, 100, 250, false, false},
		{"Tubular P-trap", []string{"white PVC", "chrome brass", "black ABS"}, []string{"1-1/4 in", "1-1/2 in"}, "EA", nil, 5, 28, 200, 600, false, false},
		{"Water heater", []string{"40 gal natural gas", "50 gal electric", "30 gal natural gas"}, []string{"6-year warranty", "commercial, 3-year"}, "EA", nil, 480, 1450, 45000, 70000, false, true},
	}},
	{"JAN", "V-NSTAR", []product{
		{"Trash can liner", []string{"33 gal, 1.5 mil, black", "44 gal, 1.2 mil, clear", "56 gal, 2 mil, black", "16 gal, 0.6 mil, natural"}, []string{"coreless roll", "flat pack"}, "CS", []int{100, 150, 250}, 24, 95, 5000, 15000, false, false},
		{"Roll paper towel", []string{"hardwound, 800 ft, white", "hardwound, 600 ft, natural", "multifold, white"}, []string{"recycled fiber", "premium"}, "CS", []int{6, 12, 16}, 32, 88, 8000, 14000, false, false},
		{"Toilet tissue", []string{"2-ply standard roll", "jumbo roll, 2-ply", "1-ply standard roll"}, []string{"500 sheets", "1000 ft"}, "CS", []int{12, 48, 96}, 38, 110, 6000, 16000, false, false},
		{"Nitrile exam gloves", []string{"4 mil, blue", "6 mil, black", "3 mil, blue"}, []string{"size S", "size M", "size L", "size XL"}, "BX", []int{100}, 9, 24, 500, 800, false, false},
		{"Neutral floor cleaner", []string{"concentrate, 1 gal", "RTU, 32 oz"}, []string{"citrus scent", "unscented"}, "CS", []int{4, 12}, 28, 90, 8000, 18000, false, false},
		{"Degreaser concentrate", []string{"butyl, 1 gal", "citrus, 1 gal", "alkaline, 5 gal pail"}, []string{"industrial strength"}, "CS", []int{1, 4}, 35, 160, 8000, 22000, true, false},
		{"Foam hand soap", []string{"1000 mL refill", "1200 mL refill"}, []string{"unscented", "antibacterial", "green certified"}, "CS", []int{2, 4, 6}, 30, 95, 2500, 8000, false, false},
		{"Bleach", []string{"6% sodium hypochlorite, 1 gal"}, []string{"disinfecting", "concentrated"}, "CS", []int{3, 6}, 15, 45, 12000, 24000, true, false},
	}},
	{"SAF", "V-NSTAR", []product{
		{"Safety glasses", []string{"clear anti-fog", "gray anti-scratch", "indoor/outdoor mirror"}, []string{"wraparound", "half-frame", "over-the-glass"}, "BX", []int{12}, 18, 70, 300, 700, false, false},
		{"Hard hat", []string{"Type I, ratchet suspension", "Type II, ratchet suspension", "cap style, pinlock"}, []string{"white", "yellow", "hi-vis orange", "blue"}, "EA", nil, 9, 45, 350, 500, false, false},
		{"Hi-vis safety vest", []string{"ANSI class 2, mesh", "ANSI class 3, solid"}, []string{"lime, size M", "lime, size L", "lime, size XL", "orange, size L"}, "EA", nil, 4, 28, 100, 300, false, true},
		{"Foam ear plugs", []string{"uncorded, NRR 32", "corded, NRR 29"}, []string{"dispenser refill", "individually wrapped"}, "BX", []int{200, 100}, 18, 60, 500, 1500, false, false},
		{"Cut-resistant gloves", []string{"ANSI A2, PU palm", "ANSI A4, nitrile palm", "ANSI A6, leather palm"}, []string{"size M", "size L", "size XL"}, "BX", []int{12}, 36, 190, 600, 1200, false, false},
		{"First aid kit", []string{"ANSI class A, 25 person", "ANSI class B, 50 person"}, []string{"plastic case", "metal cabinet"}, "EA", nil, 28, 160, 900, 3500, false, true},
		{"N95 respirator", []string{"NIOSH approved", "NIOSH approved, valved"}, []string{"one size", "size S/M", "size M/L"}, "BX", []int{20, 10}, 14, 55, 200, 500, false, false},
		{"Aerosol marking paint", []string{"inverted tip, 17 oz"}, []string{"fluorescent orange", "fluorescent pink", "APWA blue", "white"}, "CS", []int{12}, 48, 95, 5000, 7000, true, false},
	}},
	{"HVC", "V-ACME", []product{
		{"Pleated air filter", []string{"MERV 8", "MERV 11", "MERV 13"}, []string{"16x20x1 in", "20x20x1 in", "20x25x1 in", "16x25x2 in", "24x24x2 in"}, "CS", []int{12}, 28, 120, 2000, 6000, false, false},
		{"Condensate pump", []string{"115V, 1/30 hp", "230V, 1/50 hp"}, []string{"with safety switch", "with 20 ft tubing"}, "EA", nil, 55, 140, 1500, 3000, false, true},
		{"Refrigerant leak sealant", []string{"R-410A, 3 oz"}, []string{"with hose", "cartridge"}, "EA", nil, 22, 60, 200, 400, true, false},
		{"Foil HVAC tape", []string{"2.5 in x 60 yd", "1.89 in x 50 yd"}, []string{"UL 181A-P", "cold weather"}, "CS", []int{12, 24}, 60, 160, 4000, 8000, false, false},
		{"Thermostat", []string{"non-programmable, 1H/1C", "programmable, 2H/2C", "smart, Wi-Fi"}, []string{"white", "commercial lock-box"}, "EA", nil, 24, 210, 200, 500, false, false},
	}},
	{"TLS", "V-ACME", []product{
		{"Drill bit set", []string{"cobalt, 29 pc", "black oxide, 21 pc", "titanium, 15 pc"}, []string{"1/16-1/2 in", "metal index case"}, "EA", nil, 25, 160, 600, 1800, false, false},
		{"Utility knife", []string{"retractable", "folding lockback", "auto-retract safety"}, []string{"with 5 blades", "aluminum body"}, "EA", nil, 6, 28, 100, 250, false, false},
		{"Tape measure", []string{"25 ft", "30 ft", "35 ft"}, []string{"1 in blade", "1-1/4 in blade, magnetic"}, "EA", nil, 9, 38, 300, 700, false, false},
		{"Cordless drill", []string{"20V brushless", "12V compact"}, []string{"kit with 2 batteries", "tool only"}, "EA", nil, 89, 320, 1500, 3500, false, true},
		{"Aerosol lubricant", []string{"penetrating, 11 oz", "silicone, 11 oz", "white lithium, 10 oz"}, []string{"smart straw"}, "CS", []int{6, 12}, 36, 110, 2500, 6000, true, false},
	}},
	{"PKG", "V-NSTAR", []product{
		{"Stretch film", []string{"18 in x 1500 ft, 80 ga", "18 in x 1500 ft, 63 ga", "20 in x 5000 ft, machine"}, []string{"cast, clear", "blown, clear"}, "CS", []int{4, 1}, 55, 190, 7000, 18000, false, false},
		{"Carton sealing tape", []string{"2 in x 110 yd, clear", "3 in x 110 yd, clear", "2 in x 110 yd, tan"}, []string{"1.9 mil acrylic", "2.5 mil hot melt"}, "CS", []int{36, 24}, 42, 120, 6000, 12000, false, false},
		{"Corrugated box", []string{"12x12x12 in", "18x12x12 in", "24x18x18 in", "10x8x6 in"}, []string{"32 ECT, kraft", "44 ECT, kraft"}, "BX", []int{25}, 18, 95, 5000, 20000, false, true},
		{"Poly mailer", []string{"10x13 in", "14.5x19 in", "6x9 in"}, []string{"white, self-seal", "bubble-lined"}, "CS", []int{100, 250, 500}, 22, 120, 2000, 9000, false, false},
		{"Pallet", []string{"48x40 in GMA, wood", "48x40 in plastic, nestable"}, []string{"4-way entry"}, "EA", nil, 14, 95, 15000, 25000, false, true},
	}},
}

// brands are the (fictional) house and vendor brands of the catalogue.
var brands = []string{"ProGrade", "Ironclad", "DuraLine", "Titan Industrial", "Keyway", "BluePeak", "Contractor Select"}

// eaPacks are the order multiples of items sold by the each.
var eaPacks = []int64{1, 1, 1, 1, 6, 10, 12, 24, 50}

// genItems builds the catalogue: about n items over every category.
func (g *Generator) genItems(n int, vendors map[string]int64) {
	r := g.rng
	seen := make(map[string]bool, n)
	next := make([]int, len(catalogue))
	for i := range next {
		next[i] = 10000 + r.IntN(100)
	}
	for len(g.m.Items) < n {
		ci := r.IntN(len(catalogue))
		c := catalogue[ci]
		p := c.Products[r.IntN(len(c.Products))]
		desc := p.Name + ", " + pick(r, p.A) + ", " + pick(r, p.B)
		contents := 0
		switch p.UOM {
		case "BX":
			contents = p.Contents[r.IntN(len(p.Contents))]
			desc += fmt.Sprintf(", box of %d", contents)
		case "CS":
			contents = p.Contents[r.IntN(len(p.Contents))]
			if contents > 1 {
				desc += fmt.Sprintf(", case of %d", contents)
			}
		}
		if chance(r, 0.6) {
			desc += ", " + pick(r, brands)
		}
		if seen[desc] {
			continue
		}
		seen[desc] = true
		next[ci] += 1 + r.IntN(9)
		it := Item{
			ID:          int64(len(g.m.Items) + 1),
			SKU:         fmt.Sprintf("%s-%d", c.Prefix, next[ci]),
			Description: desc,
			UOM:         p.UOM,
			PackQty:     1,
			Hazmat:      p.Hazmat,
			UpdatedAt:   g.start.Add(-time.Duration(r.IntN(365*24)) * time.Hour),
		}
		switch p.UOM {
		case "EA":
			it.PackQty = pick(r, eaPacks)
		case "BX":
			it.PackQty = pick(r, []int64{1, 1, 1, 5, 10})
		}
		it.MinQty = it.PackQty
		if r.IntN(100) < 12 {
			it.MinQty = it.PackQty * pick(r, []int64{2, 5})
		}
		price := p.PriceLo * math.Pow(p.PriceHi/p.PriceLo, r.Float64())
		it.ListPriceCents = roundPrice(price)
		it.WeightGrams = p.GramsLo + r.Int64N(p.GramsHi-p.GramsLo+1)
		if (p.Dropships && r.IntN(100) < 55) || r.IntN(100) < 5 {
			it.DropshipEligible = true
			it.DropshipVendorID = vendors[c.Vendor]
		}
		if r.IntN(100) < 3 {
			it.Discontinued = true
		}
		g.m.Items = append(g.m.Items, it)
	}
	// Prices, UPCs and substitutes.
	for i := range g.m.Items {
		it := &g.m.Items[i]
		g.m.Prices = append(g.m.Prices,
			Price{PriceList, it.ID, it.ListPriceCents},
			Price{PriceWholesale, it.ID, (it.ListPriceCents*85 + 50) / 100},
			Price{PriceDistributor, it.ID, (it.ListPriceCents*75 + 50) / 100})
		if r.IntN(100) < 70 {
			g.m.Xrefs = append(g.m.Xrefs, Xref{ItemID: it.ID, Kind: "upc", Value: upc(r)})
		}
		if it.Discontinued || r.IntN(100) < 3 {
			// A substitute from the same category, not itself discontinued.
			prefix := it.SKU[:3]
			for range 20 {
				s := &g.m.Items[r.IntN(len(g.m.Items))]
				if s.ID != it.ID && !s.Discontinued && s.SKU[:3] == prefix {
					g.m.Substitutes = append(g.m.Substitutes, Substitute{it.ID, s.ID, 1})
					break
				}
			}
		}
	}
}

// roundPrice turns dollars into cents ending in 9 or 5, as price lists do.
func roundPrice(dollars float64) int64 {
	c := int64(dollars * 100)
	if c < 100 {
		return c/5*5 + 4
	}
	return c/10*10 + 9
}

// upc returns a 12-digit UPC-A with a valid check digit.
func upc(r *rand.Rand) string {
	var d [12]int
	d[0] = 0
	for i := 1; i < 11; i++ {
		d[i] = r.IntN(10)
	}
	sum := 0
	for i := range 11 {
		if i%2 == 0 {
			sum += 3 * d[i]
		} else {
			sum += d[i]
		}
	}
	d[11] = (10 - sum%10) % 10
	b := make([]byte, 12)
	for i, x := range d {
		b[i] = byte('0' + x)
	}
	return string(b)
}
