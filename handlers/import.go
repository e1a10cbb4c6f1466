package handlers

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/csvimport"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/intake"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// Import is the CSV upload of many orders: the file is checked and saved,
// then captured order by order in the background while the page polls.
type Import struct {
	DB     *store.DB
	Logger *slog.Logger
}

const recentImports = 10

// New shows the upload form and the recent imports.
func (h *Import) New(c *fiber.Ctx) error {
	return h.page(c, fiber.StatusOK, "")
}

func (h *Import) page(c *fiber.Ctx, status int, problem string) error {
	jobs, err := h.DB.ImportJobs(c.UserContext(), recentImports)
	if err != nil {
		return err
	}
	ch, err := httpx.Chrome(c, "import")
	if err != nil {
		return err
	}
	return httpx.Render(c, status, views.ImportPage(ch, jobs, problem))
}

// Create takes an uploaded file. A file that cannot be read as a whole
// (empty, not UTF-8, wrong header) is refused at once with 422; otherwise
// the job is saved and run in the background, and the browser goes to its
// progress page.
func (h *Import) Create(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return h.page(c, fiber.StatusUnprocessableEntity, "Choose a CSV file to upload.")
	}
	file, err := fh.Open()
	if err != nil {
		return err
	}
	defer file.Close()
	content, err := io.ReadAll(file)
	if err != nil {
		return err
	}
	batch, err := csvimport.Parse(content)
	if domain.ErrorCode(err) == domain.EINVALID {
		return h.page(c, fiber.StatusUnprocessableEntity, domain.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	u := httpx.CurrentUser(c)
	// Everything the run needs is copied out of the request here: the
	// goroutine outlives c.
	id, err := h.DB.CreateImportJob(c.UserContext(), store.NewImportJob{
		UserID: u.ID, Actor: u.Email, Role: u.Role, FileName: filepath.Base(fh.Filename), Content: content, Batch: batch,
	})
	if err != nil {
		return err
	}
	start := time.Now()
	// The run outlives the request; the store stops it at shutdown and the
	// next start resumes it.
	h.DB.StartImport(id, func(err error) {
		switch {
		case errors.Is(err, context.Canceled):
			h.Logger.Info("import stopped for shutdown; it resumes at the next start", "job", id)
		case err != nil:
			h.Logger.Error("import failed", "job", id, "err", err)
		default:
			h.Logger.Info("import done", "job", id, "seconds", time.Since(start).Seconds())
		}
	})
	return httpx.Redirect(c, fmt.Sprintf("/orders/import/%d", id))
}

// Show is a job's progress while it runs (htmx polls it every second) and
// its report when done.
func (h *Import) Show(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return domain.Errorf(domain.ENOTFOUND, "No such import.")
	}
	job, err := h.DB.ImportJob(c.UserContext(), id)
	if err != nil {
		return err
	}
	var results []store.ImportResult
	if job.Finished() {
		if results, err = h.DB.ImportResults(c.UserContext(), id, c.Query("all") == ""); err != nil {
			return err
		}
	}
	if httpx.IsHTMX(c) {
		return httpx.Render(c, fiber.StatusOK, views.ImportProgress(job, results, c.Query("all") != ""))
	}
	ch, err := httpx.Chrome(c, "import")
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.ImportJobPage(ch, job, results, c.Query("all") != ""))
}

// Template is a CSV with the header and two example rows, using a real
// customer and real SKUs where the database has them.
func (h *Import) Template(c *fiber.Ctx) error {
	account := "C10000"
	lines := []struct {
		sku string
		qty int64
	}{{"FST-0001", 1}, {"JAN-0002", 1}}
	ctx := c.UserContext()
	err := h.DB.View(ctx, func(tx *sql.Tx) error {
		var a string
		if err := tx.QueryRowContext(ctx, `SELECT account FROM customers WHERE active = 1 AND type = 'b2b' AND credit_status = 'ok'
			ORDER BY id LIMIT 1`).Scan(&a); err == nil {
			account = a
		}
		rows, err := tx.QueryContext(ctx, `SELECT sku, pack_qty, min_qty FROM items WHERE active = 1 AND discontinued = 0 ORDER BY id LIMIT 2`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for i := 0; rows.Next(); i++ {
			var pack, min int64
			if err := rows.Scan(&lines[i].sku, &pack, &min); err != nil {
				return err
			}
			// The smallest quantity the item can be ordered in.
			lines[i].qty = intake.RoundUp(max(pack, min), pack)
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(csvimport.Columns)
	due := h.DB.Now().AddDate(0, 0, 7).Format(store.DateFormat)
	for _, l := range lines {
		// Cells by column name, so that the rows follow csvimport.Columns
		// as it changes. unit_price and price_override_reason stay empty:
		// the customer's price.
		cells := map[string]string{"customer_account": account, "po_number": "EXAMPLE-PO-1001", "ship_name": "EXAMPLE - replace this row",
			"ship_line1": "1200 Commerce Dr", "ship_line2": "Suite 100", "ship_city": "Dallas", "ship_region": "TX",
			"ship_postal_code": "75201", "ship_country": "US", "requested_date": due, "ship_method": "GROUND", "ship_complete": "no",
			"sku": l.sku, "quantity": strconv.FormatInt(l.qty, 10)}
		row := make([]string, len(csvimport.Columns))
		for i, c := range csvimport.Columns {
			row[i] = cells[c]
		}
		w.Write(row)
	}
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="orders-template.csv"`)
	return c.Send(b.Bytes())
}
