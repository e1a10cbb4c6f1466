package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

var (
	companyWords = []string{"Summit", "Pioneer", "Keystone", "Redwood", "Lakeshore", "Harbor", "Liberty", "Frontier",
		"Cardinal", "Meridian", "Ironwood", "Granite", "Cypress", "Heritage", "Northgate", "Riverbend", "Tri-County",
		"Metro", "Allied", "Premier", "Lone Star", "Peachtree", "Great Lakes", "Bluewater", "Sunbelt", "Prairie",
		"Coastal", "Mountain West", "Capitol", "Magnolia", "Evergreen", "Patriot", "Sterling", "Benchmark",
		"Crossroads", "Blue Ridge", "Gulf Coast", "Twin Rivers", "Old Town", "Bayside", "Horizon", "Anchor",
		"Red River", "Silver State", "Empire", "Pinnacle", "Canyon", "Highland", "Valley", "Union"}
	companyTrades = []string{"Mechanical", "Electric", "Plumbing & Heating", "Facility Services", "Construction",
		"Maintenance Supply", "Property Management", "Industrial Supply", "Builders", "HVAC Services",
		"Janitorial Supply", "Hospitality Group", "School District", "Medical Center", "Contractors",
		"Fabrication", "Logistics", "Apartments", "Manufacturing", "Restoration"}
	companySuffixes = []string{"", "", "", " Inc.", " LLC", " Co.", " Corp."}
	firstNames      = []string{"James", "Maria", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer",
		"William", "Elizabeth", "Carlos", "Susan", "Joseph", "Jessica", "Thomas", "Karen", "Daniel", "Nancy",
		"Anthony", "Lisa", "Kevin", "Angela", "Brian", "Melissa", "Jose", "Michelle", "Tyrone", "Kimberly",
		"Luis", "Amy", "Priya", "Wei", "Tanisha", "Hector", "Megan", "Aaron", "Rachel", "Omar", "Grace", "Derek"}
	lastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
		"Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
		"Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
		"Walker", "Young", "Allen", "King", "Wright", "Nguyen", "Patel", "Kim", "Okafor", "Schmidt"}
	streets = []string{"Main St", "Industrial Blvd", "Commerce Dr", "Oak St", "Elm Ave", "Park Rd", "Market St",
		"Airport Rd", "Distribution Way", "Enterprise Pkwy", "Lincoln Ave", "Washington St", "Maple Ave",
		"Railroad Ave", "Technology Dr", "Corporate Blvd", "Warehouse Rd", "Center St", "Highland Ave", "Lake St"}
	contactRoles = []string{"Purchasing", "Accounts payable", "Receiving", "Owner", "Facilities manager"}
)

// genCustomers builds b2b accounts and b2c consumers with ship-tos,
// contacts, trading partners and buyer part numbers.
func (g *Generator) genCustomers(b2b, b2c int) {
	r := g.rng
	names := map[string]bool{}
	shipToID := int64(0)
	for i := range b2b + b2c {
		id := int64(i + 1)
		home := cities[r.IntN(len(cities))]
		c := Customer{ID: id, CreditStatus: "ok", BackorderPolicy: "allow",
			CreatedAt: g.start.Add(-time.Duration(200+r.IntN(2500)) * 24 * time.Hour)}
		if i < b2b {
			var name string
			for {
				name = pick(r, companyWords) + " " + pick(r, companyTrades) + pick(r, companySuffixes)
				if !names[name] {
					break
				}
			}
			names[name] = true
			c.Name, c.Type = name, "b2b"
			c.Account = fmt.Sprintf("C%d", 10000+i*37+r.IntN(30))
			domain := domainOf(name)
			for k := range 1 + r.IntN(3) {
				fn, ln := pick(r, firstNames), pick(r, lastNames)
				c.Contacts = append(c.Contacts, Contact{CustomerID: id, Name: fn + " " + ln,
					Email: strings.ToLower(fn+"."+ln) + "@" + domain,
					Phone: phone(r, home.AreaCode), Role: contactRoles[k%len(contactRoles)]})
			}
			c.Email, c.Phone = c.Contacts[0].Email, c.Contacts[0].Phone
			c.CreditLimitCents = int64(10+r.IntN(490)) * 100000
			c.OpenARCents = c.CreditLimitCents * int64(r.IntN(80)) / 100
			switch x := r.IntN(10); {
			case x < 2:
				c.PriceLevel = PriceList
			case x < 7:
				c.PriceLevel = PriceWholesale
			default:
				c.PriceLevel = PriceDistributor
			}
			c.ShipComplete = chance(r, 0.12)
			if chance(r, 0.15) {
				c.BackorderPolicy = "ship_available_cancel_rest"
			}
			// Ship-tos: the home city first, then branches and job sites.
			n := 1 + r.IntN(5)
			for k := range n {
				cy := home
				name := "Main warehouse"
				code := "MAIN"
				if k > 0 {
					cy = cities[r.IntN(len(cities))]
					code = fmt.Sprintf("BR%02d", k+1)
					name = cy.Name + " branch"
					if chance(r, 0.3) {
						code = fmt.Sprintf("JOB%02d", k+1)
						name = "Job site, " + cy.Name
					}
				}
				shipToID++
				c.ShipTos = append(c.ShipTos, g.shipTo(r, shipToID, id, code, c.Name+" - "+name, cy, k == 0))
			}
		} else {
			fn, ln := pick(r, firstNames), pick(r, lastNames)
			c.Name, c.Type = fn+" "+ln, "b2c"
			c.Account = fmt.Sprintf("W%d", 500000+(i-b2b)*53+r.IntN(50))
			c.Email = fmt.Sprintf("%s.%s%d@mail.example", strings.ToLower(fn), strings.ToLower(ln), r.IntN(100))
			c.Phone = phone(r, home.AreaCode)
			c.Contacts = []Contact{{CustomerID: id, Name: c.Name, Email: c.Email, Phone: c.Phone, Role: "Consumer"}}
			c.PriceLevel = PriceList
			shipToID++
			c.ShipTos = []ShipTo{g.shipTo(r, shipToID, id, "HOME", c.Name, home, true)}
		}
		g.m.Customers = append(g.m.Customers, c)
	}
	// A few accounts on credit hold: open AR over the limit.
	for _, i := range r.Perm(b2b)[:min(4, b2b)] {
		c := &g.m.Customers[i]
		c.CreditStatus = "hold"
		c.OpenARCents = c.CreditLimitCents + int64(1+r.IntN(40))*100000
	}
	// EDI trading partners for about fifteen accounts.
	for _, i := range r.Perm(b2b)[:min(15, b2b)] {
		c := &g.m.Customers[i]
		id := strings.ToUpper(strings.TrimSuffix(domainOf(c.Name), ".example"))
		if len(id) > 12 {
			id = id[:12]
		}
		id = fmt.Sprintf("%s%03d", id, c.ID)
		g.m.TradingPartners = append(g.m.TradingPartners,
			TradingPartner{CustomerID: c.ID, ISAQualifier: "ZZ", ISAID: id, GSID: id})
		g.edi[c.ID] = true
	}
	// Buyer part numbers: some accounts order by their own part numbers.
	for _, i := range r.Perm(b2b)[:b2b/5] {
		c := &g.m.Customers[i]
		prefix := strings.ToUpper(c.Name[:3])
		used := map[int64]bool{}
		for range 20 + r.IntN(40) {
			it := g.m.Items[g.itemWeights.pick(r)]
			if used[it.ID] {
				continue
			}
			used[it.ID] = true
			g.m.Xrefs = append(g.m.Xrefs, Xref{ItemID: it.ID, Kind: "buyer_part", CustomerID: c.ID,
				Value: fmt.Sprintf("%s-%06d", prefix, 100000+r.IntN(900000))})
		}
	}
}

// shipTo builds an address in city cy, a little off its centre.
func (g *Generator) shipTo(r *rand.Rand, id, customerID int64, code, name string, cy city, isDefault bool) ShipTo {
	return ShipTo{ID: id, CustomerID: customerID, Code: code, Name: name,
		Line1: fmt.Sprintf("%d %s", 100+r.IntN(9800), pick(r, streets)),
		City:  cy.Name, Region: cy.Region, PostalCode: cy.Zip,
		Latitude:  cy.Lat + (r.Float64()-0.5)*0.08,
		Longitude: cy.Lon + (r.Float64()-0.5)*0.08,
		IsDefault: isDefault}
}

// domainOf makes a company's e-mail domain from its name.
func domainOf(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		w = strings.ToLower(strings.Trim(w, ".,&"))
		if w == "" || w == "inc" || w == "llc" || w == "co" || w == "corp" {
			continue
		}
		for _, c := range w {
			if c >= 'a' && c <= 'z' {
				b.WriteRune(c)
			}
		}
	}
	return b.String() + ".example"
}

// phone returns a fictional number: 555-0100 to 555-0199 are reserved for
// fiction in every area code.
func phone(r *rand.Rand, area string) string {
	return fmt.Sprintf("(%s) 555-01%02d", area, r.IntN(100))
}
