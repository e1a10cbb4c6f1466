package handlers_test

import (
	"bytes"
	"database/sql"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oms/oms/csvimport"
	"github.com/oms/oms/internal/testapp"
	"github.com/oms/oms/store"
)

// csvHeader is the header of the first format, without
// price_override_reason: files written with it stay valid.
const csvHeader = "customer_account,po_number,ship_to_code,ship_name,ship_line1,ship_line2,ship_city,ship_region,ship_postal_code,ship_country,requested_date,ship_method,ship_complete,sku,quantity,unit_price\n"

// upload posts content as the file of the import form.
func upload(tb testing.TB, c *testapp.Client, name, content string) (*http.Response, string) {
	tb.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		tb.Fatal(err)
	}
	fw.Write([]byte(content))
	w.WriteField("_csrf", c.CSRF)
	w.Close()
	req := httptest.NewRequest(http.MethodPost, "/orders/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.Do(req)
}

// waitForImport waits until the job has finished.
func waitForImport(tb testing.TB, a *testapp.App, id int64) store.ImportJob {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := a.DB.ImportJob(tb.Context(), id)
		if err != nil {
			tb.Fatal(err)
		}
		if j.Finished() {
			return j
		}
		if time.Now().After(deadline) {
			tb.Fatalf("import %d still %s", id, j.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestImportTemplate(t *testing.T) {
	a := newEntryApp(t)
	c := signedIn(t, a, "ops@demo.test")
	resp, body := c.Get("/orders/import/template.csv")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if header, _, _ := strings.Cut(body, "\n"); header != strings.Join(csvimport.Columns, ",") {
		t.Fatalf("template header %q", header)
	}
	b, err := csvimport.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if b.Rows != 2 || len(b.Orders) != 1 || b.Orders[0].Account != "C100" {
		t.Fatalf("template: %d rows, orders %+v", b.Rows, b.Orders)
	}
	// The template, uploaded as it is, imports.
	c.Get("/orders/import")
	resp, _ = upload(t, c, "template.csv", body)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload status %d", resp.StatusCode)
	}
	if j := waitForImport(t, a, 1); j.Accepted+j.Held != 1 {
		t.Fatalf("%+v", j)
	}
}

func TestImportUpload(t *testing.T) {
	a := newEntryApp(t)
	t.Run("Mixed", func(t *testing.T) {
		c := signedIn(t, a, "sales@demo.test")
		c.Get("/orders/import")
		resp, _ := upload(t, c, "mixed.csv", csvHeader+
			"C100,PO-1,MAIN,,,,,,,,,GROUND,no,FST-1001,50,\n"+
			"C100,PO-1,MAIN,,,,,,,,,GROUND,no,ELC-2002,2,\n"+
			"C200,PO-2,MAIN,,,,,,,,,,,ELC-2002,1,\n"+
			`C100,PO-3,MAIN,,,,,,,,,,,"<script>alert(1)</script>",1,`+"\n"+
			"C100,PO-4,MAIN,,,,,,,,,,,ELC-2002,1.5,\n")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/orders/import/1" {
			t.Fatalf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		j := waitForImport(t, a, 1)
		if j.Accepted != 1 || j.Held != 1 || j.Rejected != 2 {
			t.Fatalf("%+v", j)
		}
		// The poll answers with the panel only.
		_, body := c.HTMX("GET", "/orders/import/1?all=1", nil)
		d := testapp.Doc(t, body)
		if d.Find("header.topbar").Length() != 0 || d.Find(`[data-testid="import-result"]`).Length() != 4 {
			t.Fatalf("poll answer:\n%s", body)
		}
		if _, polling := d.Find(`#import-progress`).Attr("hx-trigger"); polling {
			t.Fatal("a finished import still polls")
		}
		_, body = c.Get("/orders/import/1")
		d = testapp.Doc(t, body)
		if got := d.Find(`[data-testid="progress-text"]`).Text(); !strings.Contains(got, "4 of 4 orders") {
			t.Fatalf("progress %q", got)
		}
		rows := d.Find(`[data-testid="import-result"]`)
		if rows.Length() != 3 {
			t.Fatalf("%d held and rejected rows", rows.Length())
		}
		text := rows.Text()
		for _, want := range []string{"Credit hold", "row 5, sku: <SCRIPT>ALERT(1)</SCRIPT> is not a known SKU", `row 6, quantity: "1.5" is not a whole number`} {
			if !strings.Contains(text, want) {
				t.Errorf("report lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<SCRIPT>") {
			t.Fatal("HTML from the file is not escaped")
		}
	})
	bad := []struct {
		name, content, want string
	}{
		{"Empty", "", "The file is empty"},
		{"WrongHeader", "account,po_number,sku,quantity\nC100,PO-1,FST-1001,25\n", `missing column customer_account; unknown column &#34;account&#34;`},
		{"NotUTF8", csvHeader + "C100,PO-1,,Caf\xe9,,,,,,,,,,FST-1001,25,\n", "not UTF-8"},
	}
	for _, tt := range bad {
		t.Run("Err"+tt.name, func(t *testing.T) {
			c := signedIn(t, a, "ops@demo.test")
			c.Get("/orders/import")
			resp, body := upload(t, c, "bad.csv", tt.content)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", resp.StatusCode)
			}
			got, _ := testapp.Doc(t, body).Find(`[data-testid="import-error"]`).Html()
			if !strings.Contains(got, tt.want) {
				t.Fatalf("error %q, want %q", got, tt.want)
			}
		})
	}
	// A refusal names the problem and quotes at most an excerpt: a 4 MB
	// file of one line came back as an 8.5 MB page.
	huge := []struct{ name, content, want string }{
		{"OneHugeLine", strings.Repeat("x", 4<<20), `unknown column &#34;` + strings.Repeat("x", 40) + `…&#34;`},
		{"ManyColumns", "customer_account," + strings.Repeat("col,", 200_000) + "\n", "and 199996 more"},
	}
	for _, tt := range huge {
		t.Run("Err"+tt.name, func(t *testing.T) {
			c := signedIn(t, a, "ops@demo.test")
			c.Get("/orders/import")
			resp, body := upload(t, c, "huge.csv", tt.content)
			if resp.StatusCode != http.StatusUnprocessableEntity || len(body) > 64<<10 {
				t.Fatalf("status %d, %d bytes of answer", resp.StatusCode, len(body))
			}
			if got, _ := testapp.Doc(t, body).Find(`[data-testid="import-error"]`).Html(); !strings.Contains(got, tt.want) {
				t.Fatalf("error %.500q, want %q", got, tt.want)
			}
		})
	}
	t.Run("LongCellsCutInReport", func(t *testing.T) {
		c := signedIn(t, a, "sales@demo.test")
		c.Get("/orders/import")
		long := strings.Repeat("Z", 200_000)
		resp, _ := upload(t, c, "long.csv", csvHeader+
			"C100,PO-L1,MAIN,,,,,,,,,,,"+long+",1,\n"+
			"C100,PO-L2,MAIN,,,,,,,,,,,ELC-2002,"+long+",\n"+
			long+","+long+",MAIN,,,,,,,,,,,ELC-2002,1,\n"+
			"C100,PO-\u202eL4,MAIN,,,,,,,,,,,ELC-2002,1,\n")
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", resp.StatusCode)
		}
		id := strings.TrimPrefix(resp.Header.Get("Location"), "/orders/import/")
		var jobID int64
		for _, ch := range id {
			jobID = jobID*10 + int64(ch-'0')
		}
		if j := waitForImport(t, a, jobID); j.Rejected != 4 {
			t.Fatalf("%+v", j)
		}
		var longest int
		err := a.DB.View(t.Context(), func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT max(max(length(message), length(customer_account), length(po_number))) FROM import_results WHERE job_id = ?`, jobID).Scan(&longest)
		})
		if err != nil {
			t.Fatal(err)
		}
		if longest > 1000 {
			t.Fatalf("a stored report line is %d characters long", longest)
		}
		_, body := c.Get("/orders/import/" + id + "?all=1")
		if !strings.Contains(body, "po_number: must not contain invisible characters") {
			t.Fatalf("the invisible character is not reported:\n%.2000s", body)
		}
	})
	t.Run("ErrForbiddenForCSR", func(t *testing.T) {
		c := signedIn(t, a, "csr@demo.test")
		if resp, _ := c.Get("/orders/import"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("GET status %d", resp.StatusCode)
		}
		if resp, _ := c.Get("/orders/import/template.csv"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("template status %d", resp.StatusCode)
		}
		if resp, _ := upload(t, c, "x.csv", csvHeader); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("POST status %d", resp.StatusCode)
		}
	})
}

// TestImportPriceOverride uploads off-list prices with and without an
// override reason, as a role that may override prices and as one that may
// not: the rule is the entry screen's and the API's.
func TestImportPriceOverride(t *testing.T) {
	header := strings.Join(csvimport.Columns, ",") + "\n"
	file := header +
		"C100,PO-OVR,MAIN,,,,,,,,,,,ELC-2002,2,80.00,Matched competitor quote\n" +
		"C100,PO-NOREASON,MAIN,,,,,,,,,,,ELC-2002,2,80.00,\n" +
		"C100,PO-REASONONLY,MAIN,,,,,,,,,,,ELC-2002,2,,Matched competitor quote\n" +
		"C100,PO-LISTPRICE,MAIN,,,,,,,,,,,ELC-2002,2,89,Matched competitor quote\n" +
		"C100,PO-BADPRICE,MAIN,,,,,,,,,,,ELC-2002,2,eighty,Matched competitor quote\n" +
		"C100,PO-LONG,MAIN,,,,,,,,,,,ELC-2002,2,80.00," + strings.Repeat("x", 201) + "\n" +
		"C100,PO-TWO,MAIN,,,,,,,,,,,FST-1001,25,,\n" +
		"C100,PO-TWO,MAIN,,,,,,,,,,,ELC-2002,1,85,Bundle with the bolts\n"
	const held = `Price hold (row 2): Line 1: ELC-2002 at $80.00, price list says $89.00. Override reason "Matched competitor quote" not applied: only inside sales and administrators may override a price.`
	type result struct {
		po, outcome, message string
		prices               []int64 // unit_price_cents of the order's lines, when captured
	}
	tests := []struct {
		name string
		user string
		file string
		want []result
	}{
		{"Sales", "sales@demo.test", file, []result{
			{"PO-OVR", "accepted", "", []int64{8000}},
			{"PO-NOREASON", "rejected", "row 3, price_override_reason: is required to sell ELC-2002 at $80.00 instead of the list price $89.00", nil},
			{"PO-REASONONLY", "accepted", "", []int64{8900}},
			{"PO-LISTPRICE", "accepted", "", []int64{8900}},
			{"PO-BADPRICE", "rejected", `row 6, unit_price: "eighty" is not a price in dollars such as 12.50`, nil},
			{"PO-LONG", "rejected", "row 7, price_override_reason: must be at most 200 characters", nil},
			{"PO-TWO", "accepted", "", []int64{1050, 8500}},
		}},
		{"Admin", "admin@demo.test", file, []result{
			{"PO-OVR", "accepted", "", []int64{8000}},
			{"PO-NOREASON", "rejected", "row 3, price_override_reason: is required to sell ELC-2002 at $80.00 instead of the list price $89.00", nil},
			{"PO-REASONONLY", "accepted", "", []int64{8900}},
			{"PO-LISTPRICE", "accepted", "", []int64{8900}},
			{"PO-BADPRICE", "rejected", `row 6, unit_price: "eighty" is not a price in dollars such as 12.50`, nil},
			{"PO-LONG", "rejected", "row 7, price_override_reason: must be at most 200 characters", nil},
			{"PO-TWO", "accepted", "", []int64{1050, 8500}},
		}},
		{"Ops", "ops@demo.test", file, []result{
			{"PO-OVR", "held", held, []int64{8000}},
			{"PO-NOREASON", "held", "Price hold (row 3): Line 1: ELC-2002 at $80.00, price list says $89.00.", []int64{8000}},
			{"PO-REASONONLY", "accepted", "", []int64{8900}},
			{"PO-LISTPRICE", "accepted", "", []int64{8900}},
			{"PO-BADPRICE", "rejected", `row 6, unit_price: "eighty" is not a price in dollars such as 12.50`, nil},
			{"PO-LONG", "rejected", "row 7, price_override_reason: must be at most 200 characters", nil},
			{"PO-TWO", "held", `Price hold (row 9): Line 2: ELC-2002 at $85.00, price list says $89.00. Override reason "Bundle with the bolts" not applied: only inside sales and administrators may override a price.`, []int64{1050, 8500}},
		}},
		// A file of the first format, without the column: it still imports,
		// and an off-list price gets what a reason-less one gets elsewhere.
		{"OlderFileSales", "sales@demo.test", csvHeader + "C100,PO-OLD,MAIN,,,,,,,,,,,ELC-2002,2,80.00\n", []result{
			{"PO-OLD", "rejected", "row 2, price_override_reason: is required to sell ELC-2002 at $80.00 instead of the list price $89.00", nil},
		}},
		{"OlderFileOps", "ops@demo.test", csvHeader + "C100,PO-OLD,MAIN,,,,,,,,,,,ELC-2002,2,80.00\n", []result{
			{"PO-OLD", "held", "Price hold (row 2): Line 1: ELC-2002 at $80.00, price list says $89.00.", []int64{8000}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newEntryApp(t)
			c := signedIn(t, a, tt.user)
			c.Get("/orders/import")
			if resp, body := upload(t, c, "prices.csv", tt.file); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("upload status %d\n%s", resp.StatusCode, body)
			}
			waitForImport(t, a, 1)
			_, body := c.Get("/orders/import/1?all=1")
			rows := testapp.Doc(t, body).Find(`[data-testid="import-result"]`)
			if rows.Length() != len(tt.want) {
				t.Fatalf("%d report rows, want %d\n%s", rows.Length(), len(tt.want), body)
			}
			for i, w := range tt.want {
				r := rows.Eq(i)
				cells := r.Find("td")
				outcome, _ := r.Attr("data-outcome")
				po, number := cells.Eq(2).Text(), strings.TrimSpace(cells.Eq(4).Text())
				msg := strings.TrimSpace(r.Find("td.reason").Text())
				if po != w.po || outcome != w.outcome || msg != w.message {
					t.Errorf("%s: %s %q, want %s: %s %q", po, outcome, msg, w.po, w.outcome, w.message)
					continue
				}
				var prices []int64
				if number != "" {
					prices = linePrices(t, a.DB, number)
				}
				if !slices.Equal(prices, w.prices) {
					t.Errorf("%s: line prices %v, want %v", w.po, prices, w.prices)
				}
			}
		})
	}
}

// linePrices are the unit prices of an order's lines in line order.
func linePrices(tb testing.TB, db *store.DB, number string) []int64 {
	tb.Helper()
	var out []int64
	err := db.View(tb.Context(), func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT l.unit_price_cents FROM order_lines l JOIN orders o ON o.id = l.order_id
			WHERE o.number = ? ORDER BY l.line_no`, number)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p int64
			if err := rows.Scan(&p); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
