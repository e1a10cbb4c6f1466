package handlers_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/oms/oms/csvimport"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/intake"
	"github.com/oms/oms/internal/entrytest"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web"
	"github.com/oms/oms/wire"
)

// channelOrder is one order as a person or an integration means it; each
// channel's sender renders it the way that channel takes orders.
type channelOrder struct {
	Account       string
	PO            string
	ShipToCode    string         // a stored ship-to, or "" to send ShipTo
	ShipTo        intake.Address // when ShipToCode is ""
	RequestedDate string
	ShipMethod    string
	ShipComplete  bool
	Lines         []channelLine
}

// channelLine is one line of a channelOrder.
type channelLine struct {
	SKU      string
	Quantity int64
	Price    string // dollars; "" for the customer's price
	Reason   string // price override reason
}

// channelOutcome is what a channel made of an order, in terms every channel
// can be compared in.
type channelOutcome struct {
	Outcome string            // accepted, held or rejected
	Errors  map[string]string // when rejected: the message of each intake field key
	// Order is the accepted or held order as GET /api/v1/orders/{number}
	// shows it, less what rightly differs between channels: the channel,
	// who submitted it, and when.
	Order *wire.Order
}

// channel sends an order through one intake channel of an app, as a user
// (or API token) of a role, and reports the outcome.
type channel struct {
	name string
	send func(tb testing.TB, a *testapp.App, role domain.Role, o channelOrder) channelOutcome
}

// intakeChannels are the channels that must agree.
var intakeChannels = []channel{
	{"entry", sendEntry},
	{"api", sendAPI},
	{"csv", sendCSV},
}

// TestChannelsAgree sends the same order through the entry screen, the JSON
// API and a CSV upload, each on its own database built from the same
// fixture, and requires one outcome of all three: the same field errors for
// a bad order, the same holds for a held one, and for a good one the same
// plan (fulfilment groups, backorders, trace) and status.
func TestChannelsAgree(t *testing.T) {
	due := time.Now().UTC().AddDate(0, 0, 7).Format(store.DateFormat)
	harrisburg := intake.Address{Name: "Acme jobsite", Line1: "300 North St", City: "Harrisburg", Region: "pa", PostalCode: "17120"}
	tests := []struct {
		name string
		// role submits the order; the entry screen is taken only when the
		// role may use it.
		role domain.Role
		// prior orders are captured on every database first.
		prior    []channelOrder
		order    channelOrder
		want     string   // accepted, held or rejected
		wantErrs []string // rejected: the field keys at fault
		wantLocs []string // accepted or held: the groups' location codes
	}{
		{
			name:     "OneDC",
			order:    channelOrder{Account: entrytest.Account, PO: "PO-ONE", ShipToCode: "MAIN", Lines: []channelLine{{SKU: entrytest.SKUBolt, Quantity: 50}, {SKU: entrytest.SKULiner, Quantity: 8}}},
			want:     "accepted",
			wantLocs: []string{"DAL"},
		},
		{
			name:     "SplitAndBackorder",
			order:    channelOrder{Account: entrytest.Account, PO: "PO-SPLIT", ShipToCode: "MAIN", Lines: []channelLine{{SKU: entrytest.SKUWire, Quantity: 60}, {SKU: entrytest.SKUBolt, Quantity: 25}}},
			want:     "accepted",
			wantLocs: []string{"HBG", "DAL", "ATL"},
		},
		{
			name: "KeyedShipTo",
			order: channelOrder{Account: strings.ToLower(entrytest.Account), PO: " PO-KEYED ", ShipTo: harrisburg, RequestedDate: due, ShipMethod: "2day",
				Lines: []channelLine{{SKU: strings.ToLower(entrytest.SKUBolt), Quantity: 50}, {SKU: entrytest.SKUWire, Quantity: 1}}},
			want:     "accepted",
			wantLocs: []string{"HBG"},
		},
		{
			name: "ShipComplete",
			order: channelOrder{Account: entrytest.Account, PO: "PO-COMPLETE", ShipToCode: "JOB", ShipComplete: true,
				Lines: []channelLine{{SKU: entrytest.SKUWire, Quantity: 20}, {SKU: entrytest.SKULiner, Quantity: 8}}},
			want: "accepted",
		},
		{
			name: "RejectUnknownSKUAndPackSize",
			order: channelOrder{Account: entrytest.Account, PO: "PO-BAD", ShipToCode: "MAIN",
				Lines: []channelLine{{SKU: entrytest.SKUBolt, Quantity: 30}, {SKU: "NOPE-1", Quantity: 1}, {SKU: entrytest.SKUWire, Quantity: 2}}},
			want:     "rejected",
			wantErrs: []string{"lines[0].quantity", "lines[1].sku"},
		},
		{
			name: "RejectDiscontinuedAndMinimum",
			order: channelOrder{Account: entrytest.Account, PO: "PO-BAD", ShipToCode: "MAIN",
				Lines: []channelLine{{SKU: entrytest.SKUWire, Quantity: 1}, {SKU: entrytest.SKUGone, Quantity: 25}, {SKU: entrytest.SKULiner, Quantity: 4}}},
			want:     "rejected",
			wantErrs: []string{"lines[1].sku", "lines[2].quantity"},
		},
		{
			name: "RejectOrderFields",
			order: channelOrder{Account: entrytest.SmallCredit, ShipTo: intake.Address{Name: "Dock", Line1: "1 Main St", City: "Harrisburg", Region: "ZZ", PostalCode: "1710"},
				Lines: []channelLine{{SKU: entrytest.SKUWire, Quantity: 1}}},
			want:     "rejected",
			wantErrs: []string{"po_number", "ship_to.postal_code", "ship_to.region"},
		},
		{
			name:     "RejectUnknownCustomer",
			order:    channelOrder{Account: "C999", PO: "PO-1", ShipToCode: "MAIN", Lines: []channelLine{{SKU: entrytest.SKUWire, Quantity: 1}}},
			want:     "rejected",
			wantErrs: []string{"customer_account", "ship_to_code"},
		},
		{
			name:     "HeldCreditHold",
			order:    channelOrder{Account: entrytest.HoldAccount, PO: "PO-CREDIT", ShipToCode: "MAIN", Lines: []channelLine{{SKU: entrytest.SKUWire, Quantity: 2}}},
			want:     "held",
			wantLocs: []string{"DAL"},
		},
		{
			name:     "HeldOverCreditLimit",
			order:    channelOrder{Account: entrytest.SmallCredit, PO: "PO-LIMIT", ShipToCode: "MAIN", Lines: []channelLine{{SKU: entrytest.SKUWire, Quantity: 6}}},
			want:     "held",
			wantLocs: []string{"HBG"},
		},
		{
			name:     "HeldDuplicatePO",
			prior:    []channelOrder{{Account: entrytest.Account, PO: "PO-DUP", ShipToCode: "MAIN", Lines: []channelLine{{SKU: entrytest.SKUWire, Quantity: 10}}}},
			order:    channelOrder{Account: entrytest.Account, PO: "PO-DUP", ShipToCode: "MAIN", Lines: []channelLine{{SKU: entrytest.SKUWire, Quantity: 5}}},
			want:     "held",
			wantLocs: []string{"HBG"},
		},
		{
			name: "PriceOverrideWithReason",
			order: channelOrder{Account: entrytest.Account, PO: "PO-OVR", ShipToCode: "MAIN",
				Lines: []channelLine{{SKU: entrytest.SKUBolt, Quantity: 25}, {SKU: entrytest.SKUWire, Quantity: 2, Price: "80.00", Reason: "Matched competitor quote"}}},
			want:     "accepted",
			wantLocs: []string{"DAL"},
		},
		{
			name: "RejectPriceWithoutReason",
			order: channelOrder{Account: entrytest.Account, PO: "PO-OVR", ShipToCode: "MAIN",
				Lines: []channelLine{{SKU: entrytest.SKUBolt, Quantity: 25}, {SKU: entrytest.SKUWire, Quantity: 2, Price: "80.00"}}},
			want:     "rejected",
			wantErrs: []string{"lines[1].price_override_reason"},
		},
		{
			name: "ReasonWithoutPrice",
			order: channelOrder{Account: entrytest.Account, PO: "PO-OVR", ShipToCode: "MAIN",
				Lines: []channelLine{{SKU: entrytest.SKUWire, Quantity: 2, Reason: "Matched competitor quote"}}},
			want:     "accepted",
			wantLocs: []string{"DAL"},
		},
		{
			name: "RejectBadPriceAndReason",
			order: channelOrder{Account: entrytest.Account, PO: "PO-OVR", ShipToCode: "MAIN",
				Lines: []channelLine{{SKU: entrytest.SKUWire, Quantity: 2, Price: "80.00", Reason: "Matched\x00quote"}}},
			want:     "rejected",
			wantErrs: []string{"lines[0].price_override_reason"},
		},
		{
			name: "HeldPriceOverrideByOps",
			role: domain.RoleOps,
			order: channelOrder{Account: entrytest.Account, PO: "PO-OVR", ShipToCode: "MAIN",
				Lines: []channelLine{{SKU: entrytest.SKUBolt, Quantity: 25}, {SKU: entrytest.SKUWire, Quantity: 2, Price: "80.00", Reason: "Matched competitor quote"}}},
			want:     "held",
			wantLocs: []string{"DAL"},
		},
		{
			name: "HeldPriceWithoutReasonByOps",
			role: domain.RoleOps,
			order: channelOrder{Account: entrytest.Account, PO: "PO-OVR", ShipToCode: "MAIN",
				Lines: []channelLine{{SKU: entrytest.SKUWire, Quantity: 2, Price: "80.00"}}},
			want:     "held",
			wantLocs: []string{"DAL"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			role := tt.role
			if role == "" {
				role = domain.RoleSales
			}
			var first channelOutcome
			var firstName string
			for _, ch := range intakeChannels {
				if ch.name == "entry" && !domain.RoleIn(role, domain.RoleSales) {
					continue
				}
				a := testapp.New(t, web.Config{}, entrytest.Seed(t))
				for _, p := range tt.prior {
					if _, err := a.DB.CaptureOrder(t.Context(), apiRequest(t, p), store.Submitter{Actor: "setup", Role: domain.RoleSales}); err != nil {
						t.Fatalf("prior order: %v", err)
					}
				}
				got := ch.send(t, a, role, tt.order)
				checkOutcome(t, ch.name, got, tt.want, tt.wantErrs, tt.wantLocs)
				if firstName == "" {
					first, firstName = got, ch.name
					continue
				}
				if !reflect.DeepEqual(got, first) {
					t.Errorf("%s and %s disagree:\n%s: %s\n%s: %s", firstName, ch.name, firstName, showOutcome(first), ch.name, showOutcome(got))
				}
			}
		})
	}
}

// checkOutcome checks a channel's outcome against what the case expects, so
// that channels agreeing on something wrong still fail.
func checkOutcome(tb testing.TB, name string, got channelOutcome, want string, wantErrs, wantLocs []string) {
	tb.Helper()
	if got.Outcome != want {
		tb.Fatalf("%s: %s, want %s: %s", name, got.Outcome, want, showOutcome(got))
	}
	if want == "rejected" {
		keys := make([]string, 0, len(got.Errors))
		for k := range got.Errors {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, wantErrs) {
			tb.Fatalf("%s: errors on %v, want %v: %s", name, keys, wantErrs, showOutcome(got))
		}
		return
	}
	var locs []string
	for _, g := range got.Order.Groups {
		locs = append(locs, g.LocationCode)
	}
	if !slices.Equal(locs, wantLocs) {
		tb.Fatalf("%s: groups at %v, want %v: %s", name, locs, wantLocs, showOutcome(got))
	}
}

func showOutcome(o channelOutcome) string {
	b, _ := json.MarshalIndent(o, "", "  ")
	return string(b)
}

// userOf is the test user of a role.
func userOf(tb testing.TB, role domain.Role) string {
	tb.Helper()
	for _, u := range testapp.Users {
		if u.Role == role {
			return u.Email
		}
	}
	tb.Fatalf("no test user of role %s", role)
	return ""
}

// sendEntry keys the order on the entry screen and submits it as htmx does.
func sendEntry(tb testing.TB, a *testapp.App, role domain.Role, o channelOrder) channelOutcome {
	tb.Helper()
	c := signedIn(tb, a, userOf(tb, role))
	c.Get("/orders/new")
	form := url.Values{"customer_account": {o.Account}, "po_number": {o.PO}, "requested_date": {o.RequestedDate},
		"ship_method": {o.ShipMethod}, "ship_to_code": {o.ShipToCode}}
	if o.ShipToCode == "" {
		form.Set("ship_to_code", views.NewShipTo)
		for k, v := range map[string]string{"ship_name": o.ShipTo.Name, "ship_line1": o.ShipTo.Line1, "ship_line2": o.ShipTo.Line2,
			"ship_city": o.ShipTo.City, "ship_region": o.ShipTo.Region, "ship_postal_code": o.ShipTo.PostalCode, "ship_country": o.ShipTo.Country} {
			form.Set(k, v)
		}
	}
	if o.ShipComplete {
		form.Set("ship_complete", "1")
	}
	for _, l := range o.Lines {
		form.Add("sku", l.SKU)
		form.Add("qty", strconv.FormatInt(l.Quantity, 10))
		form.Add("price", l.Price)
		form.Add("reason", l.Reason)
	}
	resp, body := c.HTMX(http.MethodPost, "/orders/new", form)
	switch resp.StatusCode {
	case http.StatusNoContent:
		return placedOrder(tb, a, strings.TrimPrefix(resp.Header.Get("HX-Redirect"), "/orders/"), "")
	case http.StatusUnprocessableEntity:
		// The problems listed above the form, each named by its field.
		errs := map[string]string{}
		testapp.Doc(tb, body).Find(`[data-testid="entry-error"] li[data-field]`).Each(func(_ int, s *goquery.Selection) {
			key, _ := s.Attr("data-field")
			errs[key] = s.Find(`[data-testid="problem"]`).Text()
		})
		return channelOutcome{Outcome: "rejected", Errors: errs}
	}
	tb.Fatalf("entry: status %d\n%s", resp.StatusCode, body)
	return channelOutcome{}
}

// apiRequest is the order as the JSON API takes it.
func apiRequest(tb testing.TB, o channelOrder) intake.Request {
	tb.Helper()
	req := intake.Request{CustomerAccount: o.Account, PONumber: o.PO, ShipToCode: o.ShipToCode, RequestedDate: o.RequestedDate,
		ShipMethod: o.ShipMethod, ShipComplete: o.ShipComplete}
	if o.ShipToCode == "" {
		req.ShipTo = o.ShipTo
	}
	for _, l := range o.Lines {
		line := intake.LineRequest{SKU: l.SKU, Quantity: l.Quantity, PriceOverrideReason: l.Reason}
		if l.Price != "" {
			cents, err := csvimport.ParseDollars(l.Price)
			if err != nil {
				tb.Fatal(err)
			}
			line.UnitPriceCents = &cents
		}
		req.Lines = append(req.Lines, line)
	}
	return req
}

// sendAPI posts the order to the JSON API with a token of the role.
func sendAPI(tb testing.TB, a *testapp.App, role domain.Role, o channelOrder) channelOutcome {
	tb.Helper()
	_, token := newToken(tb, a.DB, role)
	body, err := json.Marshal(apiRequest(tb, o))
	if err != nil {
		tb.Fatal(err)
	}
	resp, answer := postOrder(tb, a, token, "key-"+strings.TrimSpace(o.PO), string(body))
	switch resp.StatusCode {
	case http.StatusCreated:
		var posted wire.Order
		if err := json.Unmarshal([]byte(answer), &posted); err != nil {
			tb.Fatal(err)
		}
		return placedOrder(tb, a, posted.Number, "")
	case http.StatusUnprocessableEntity:
		return channelOutcome{Outcome: "rejected", Errors: decodeError(tb, answer).Fields}
	}
	tb.Fatalf("api: status %d\n%s", resp.StatusCode, answer)
	return channelOutcome{}
}

// csvFile is the order as a CSV file of the import format, one row a line.
func csvFile(tb testing.TB, o channelOrder) string {
	tb.Helper()
	shipComplete := "no"
	if o.ShipComplete {
		shipComplete = "yes"
	}
	known := map[string]bool{}
	for _, c := range csvimport.Columns {
		known[c] = true
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(csvimport.Columns)
	for _, l := range o.Lines {
		cells := map[string]string{
			"customer_account": o.Account, "po_number": o.PO, "ship_to_code": o.ShipToCode,
			"ship_name": o.ShipTo.Name, "ship_line1": o.ShipTo.Line1, "ship_line2": o.ShipTo.Line2, "ship_city": o.ShipTo.City,
			"ship_region": o.ShipTo.Region, "ship_postal_code": o.ShipTo.PostalCode, "ship_country": o.ShipTo.Country,
			"requested_date": o.RequestedDate, "ship_method": o.ShipMethod, "ship_complete": shipComplete,
			"sku": l.SKU, "quantity": strconv.FormatInt(l.Quantity, 10), "unit_price": l.Price, "price_override_reason": l.Reason,
		}
		row := make([]string, len(csvimport.Columns))
		for i, c := range csvimport.Columns {
			row[i] = cells[c]
		}
		for c, v := range cells {
			if v != "" && !known[c] {
				tb.Fatalf("the CSV format has no column %s for %q", c, v)
			}
		}
		w.Write(row)
	}
	w.Flush()
	return b.String()
}

// csvRowError finds the start of each "row 3, sku: ..." of an import report.
var csvRowError = regexp.MustCompile(`(?:^|; )row (\d+)(?:, ([a-z_]+))?: `)

// csvFieldKeys names intake's field key for an order column of the file.
var csvFieldKeys = map[string]string{
	"ship_name": "ship_to.name", "ship_line1": "ship_to.line1", "ship_line2": "ship_to.line2", "ship_city": "ship_to.city",
	"ship_region": "ship_to.region", "ship_postal_code": "ship_to.postal_code", "ship_country": "ship_to.country",
}

// csvLineKeys names intake's field for a line column of the file.
var csvLineKeys = map[string]string{"sku": "sku", "quantity": "quantity", "unit_price": "unit_price_cents", "price_override_reason": "price_override_reason"}

// sendCSV uploads the order as a CSV file, waits for the import and reads
// its report.
func sendCSV(tb testing.TB, a *testapp.App, role domain.Role, o channelOrder) channelOutcome {
	tb.Helper()
	c := signedIn(tb, a, userOf(tb, role))
	c.Get("/orders/import")
	resp, body := upload(tb, c, "order.csv", csvFile(tb, o))
	if resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("csv: upload status %d\n%s", resp.StatusCode, body)
	}
	page := resp.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(page, "/orders/import/"), 10, 64)
	if err != nil {
		tb.Fatalf("csv: Location %q", page)
	}
	waitForImport(tb, a, id)
	_, body = c.Get(page + "?all=1")
	results := testapp.Doc(tb, body).Find(`[data-testid="import-result"]`)
	if results.Length() != 1 {
		tb.Fatalf("csv: %d report rows for one order\n%s", results.Length(), body)
	}
	outcome, _ := results.Attr("data-outcome")
	msg := strings.TrimSpace(results.Find("td.reason").Text())
	if outcome != "rejected" {
		out := placedOrder(tb, a, strings.TrimSpace(results.Find("a").Text()), msg)
		if out.Outcome != outcome {
			tb.Errorf("csv: the report says %s, the order is %s", outcome, out.Outcome)
		}
		return out
	}
	// One row a line: row 2 is the first line.
	errs := map[string]string{}
	marks := csvRowError.FindAllStringSubmatchIndex(msg, -1)
	for i, m := range marks {
		end := len(msg)
		if i+1 < len(marks) {
			end = marks[i+1][0]
		}
		row, _ := strconv.Atoi(msg[m[2]:m[3]])
		col := ""
		if m[4] >= 0 {
			col = msg[m[4]:m[5]]
		}
		key := col
		if f, ok := csvLineKeys[col]; ok {
			key = fmt.Sprintf("lines[%d].%s", row-2, f)
		} else if f, ok := csvFieldKeys[col]; ok {
			key = f
		}
		errs[key] = msg[m[1]:end]
	}
	if len(marks) == 0 || marks[0][0] != 0 {
		tb.Errorf("csv: report message %q does not start with a row", msg)
	}
	return channelOutcome{Outcome: "rejected", Errors: errs}
}

// placedOrder reads an accepted order through the API and reduces it to what
// must not depend on the channel. report is the CSV report's message for a
// held order, which must name its holds.
func placedOrder(tb testing.TB, a *testapp.App, number, report string) channelOutcome {
	tb.Helper()
	_, token := newToken(tb, a.DB, domain.RoleCSR)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/orders/"+url.PathEscape(number), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, body := a.Client(tb).Do(req)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET order %q: status %d\n%s", number, resp.StatusCode, body)
	}
	var o wire.Order
	if err := json.Unmarshal([]byte(body), &o); err != nil {
		tb.Fatal(err)
	}
	out := channelOutcome{Outcome: "accepted"}
	for i := range o.Holds {
		h := &o.Holds[i]
		if h.Open {
			out.Outcome = "held"
		}
		if report != "" && !strings.Contains(report, h.Note) {
			tb.Errorf("csv: report %q does not name the hold %q", report, h.Note)
		}
		h.PlacedBy, h.PlacedAt = "", nil
	}
	for i := range o.Exceptions {
		o.Exceptions[i].SLADueAt = nil
	}
	o.Channel, o.CreatedAt, o.UpdatedAt, o.Events = "", nil, nil, nil
	out.Order = &o
	return out
}
