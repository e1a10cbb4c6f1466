package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/oms/oms/csvimport"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/intake"
)

// Import job statuses.
const (
	ImportQueued  = "queued"
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// ImportJob is one CSV upload of orders and how far its run has got.
type ImportJob struct {
	ID          int64
	Actor       string
	FileName    string
	Status      string
	TotalOrders int64
	TotalRows   int64
	DoneOrders  int64
	Accepted    int64
	Held        int64
	Rejected    int64
	Error       string
	CreatedAt   time.Time
	StartedAt   time.Time
	FinishedAt  time.Time
}

// Finished reports whether the run has ended, well or not.
func (j ImportJob) Finished() bool { return j.Status == ImportDone || j.Status == ImportFailed }

// ImportResult is the report of one order of an import.
type ImportResult struct {
	Seq             int64
	CustomerAccount string
	PONumber        string
	FirstRow        int64
	Rows            string // "2-5" or "2, 4, 9"
	Outcome         string // accepted, held or rejected
	OrderNumber     string
	Message         string
}

// NewImportJob is an upload to run.
type NewImportJob struct {
	UserID   int64
	Actor    string
	Role     domain.Role
	FileName string
	Content  []byte
	Batch    csvimport.Batch // the parsed content, for the totals
}

// CreateImportJob saves an upload and its totals as a queued job and
// returns its id; RunImport runs it.
func (db *DB) CreateImportJob(ctx context.Context, j NewImportJob) (int64, error) {
	var id int64
	var userID any
	if j.UserID != 0 {
		userID = j.UserID
	}
	err := db.Update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO import_jobs (user_id, actor, role, file_name, content, status, total_orders, total_rows, created_at)
			VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)`, userID, j.Actor, string(j.Role), j.FileName, j.Content,
			len(j.Batch.Orders), j.Batch.Rows, db.now())
		if err != nil {
			return err
		}
		id, _ = res.LastInsertId()
		return nil
	})
	return id, err
}

const importJobSelect = `SELECT id, actor, file_name, status, total_orders, total_rows, done_orders, accepted, held, rejected, error,
	created_at, coalesce(started_at, ''), coalesce(finished_at, '') FROM import_jobs`

func scanImportJob(row interface{ Scan(...any) error }) (ImportJob, error) {
	var j ImportJob
	var created, started, finished string
	err := row.Scan(&j.ID, &j.Actor, &j.FileName, &j.Status, &j.TotalOrders, &j.TotalRows, &j.DoneOrders, &j.Accepted, &j.Held,
		&j.Rejected, &j.Error, &created, &started, &finished)
	j.CreatedAt, j.StartedAt, j.FinishedAt = ParseTime(created), ParseTime(started), ParseTime(finished)
	return j, err
}

// ImportJob returns one job. Returns ENOTFOUND.
func (db *DB) ImportJob(ctx context.Context, id int64) (ImportJob, error) {
	j, err := scanImportJob(db.read.QueryRowContext(ctx, importJobSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, domain.Errorf(domain.ENOTFOUND, "No import %d.", id)
	}
	return j, err
}

// ImportJobs returns the newest jobs, newest first.
func (db *DB) ImportJobs(ctx context.Context, limit int) ([]ImportJob, error) {
	rows, err := db.read.QueryContext(ctx, importJobSelect+` ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ImportJob
	for rows.Next() {
		j, err := scanImportJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// ImportResults returns the report of a job in file order; with problems
// set, only held and rejected orders.
func (db *DB) ImportResults(ctx context.Context, jobID int64, problems bool) ([]ImportResult, error) {
	q := `SELECT seq, customer_account, po_number, first_row, rows, outcome, order_number, message FROM import_results WHERE job_id = ?`
	if problems {
		q += ` AND outcome <> 'accepted'`
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY seq`, jobID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ImportResult
	for rows.Next() {
		var r ImportResult
		if err := rows.Scan(&r.Seq, &r.CustomerAccount, &r.PONumber, &r.FirstRow, &r.Rows, &r.Outcome, &r.OrderNumber, &r.Message); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// StartImport runs the import job in the background and returns at once;
// done, when not nil, gets the run's result. Close stops a run between two
// orders and waits for it: the job then stays running in the database, done
// gets context.Canceled, and the next start resumes it (UnfinishedImports)
// after the last order it took.
func (db *DB) StartImport(jobID int64, done func(error)) {
	db.jobs.Go(func() {
		err := db.RunImport(db.jobsCtx, jobID)
		if done != nil {
			done(err)
		}
	})
}

// RunImport captures the job's orders one by one, each through the intake
// pipeline in its own write transaction together with its report line and
// the job's progress, so that an order is never half imported and a run
// that stops part way resumes after the last order it took. It returns
// when the job has finished; a failure it cannot attribute to one order
// marks the job failed. The orders are submitted as the uploader, with the
// role the uploader had at upload: it decides, as in every channel, whether
// a price override reason lets an off-list price stand.
func (db *DB) RunImport(ctx context.Context, jobID int64) error {
	var content []byte
	var by Submitter
	var done int64
	err := db.Update(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT content, actor, role FROM import_jobs WHERE id = ?`, jobID).Scan(&content, &by.Actor, &by.Role); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM import_results WHERE job_id = ?`, jobID).Scan(&done); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET status = 'running', started_at = coalesce(started_at, ?) WHERE id = ?`, db.now(), jobID)
		return err
	})
	if err != nil {
		return err
	}
	batch, err := csvimport.Parse(content)
	if err == nil {
		err = db.runImport(ctx, jobID, by, batch, done)
	}
	if ctx.Err() != nil {
		// Stopped, not failed: the job stays running and resumes.
		return ctx.Err()
	}
	status, msg := ImportDone, ""
	if err != nil {
		status, msg = ImportFailed, domain.ErrorMessage(err)
	}
	ferr := db.Update(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET status = ?, error = ?, finished_at = ? WHERE id = ?`, status, msg, db.now(), jobID)
		return err
	})
	return errors.Join(err, ferr)
}

func (db *DB) runImport(ctx context.Context, jobID int64, by Submitter, batch csvimport.Batch, from int64) error {
	for seq := from; seq < int64(len(batch.Orders)); seq++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		o := batch.Orders[seq]
		// A cell can be as long as the file; the report keeps an excerpt.
		res := ImportResult{Seq: seq, CustomerAccount: domain.Excerpt(o.Account), PONumber: domain.Excerpt(o.PO), FirstRow: int64(o.Rows[0]), Rows: rowRanges(o.Rows)}
		if len(o.Errors) > 0 {
			res.Outcome, res.Message = "rejected", rowMessages(o.Errors)
			if err := db.Update(ctx, func(tx *sql.Tx) error { return insertImportResult(ctx, tx, jobID, res) }); err != nil {
				return err
			}
			continue
		}
		err := db.Update(ctx, func(tx *sql.Tx) error {
			c, err := db.captureOrder(ctx, tx, o.Request, by)
			if err != nil {
				return err
			}
			res.OrderNumber, res.Outcome = c.Number, "accepted"
			if len(c.Holds) > 0 {
				res.Outcome, res.Message = "held", holdMessages(o, c.Holds)
			}
			return insertImportResult(ctx, tx, jobID, res)
		})
		if domain.ErrorCode(err) == domain.EINVALID {
			res.Outcome, res.Message = "rejected", rowMessages(fieldRowErrors(o, domain.ErrorFields(err)))
			if res.Message == "" {
				res.Message = domain.ErrorMessage(err)
			}
			err = db.Update(ctx, func(tx *sql.Tx) error { return insertImportResult(ctx, tx, jobID, res) })
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// insertImportResult writes one report line and moves the job's counters.
func insertImportResult(ctx context.Context, tx *sql.Tx, jobID int64, r ImportResult) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO import_results (job_id, seq, customer_account, po_number, first_row, rows, outcome, order_number, message)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, jobID, r.Seq, r.CustomerAccount, r.PONumber, r.FirstRow, r.Rows, r.Outcome, r.OrderNumber, r.Message); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET done_orders = done_orders + 1,
		accepted = accepted + (? = 'accepted'), held = held + (? = 'held'), rejected = rejected + (? = 'rejected') WHERE id = ?`,
		r.Outcome, r.Outcome, r.Outcome, jobID)
	return err
}

// holdMessages says why an order was held, naming the file's rows of the
// lines a hold is about: "Price hold (row 3): Line 2: ...".
func holdMessages(o csvimport.Order, holds []intake.Hold) string {
	notes := make([]string, 0, len(holds))
	for _, h := range holds {
		var rows []int
		for _, i := range h.Lines {
			if i >= 0 && i < len(o.Rows) {
				rows = append(rows, o.Rows[i])
			}
		}
		where := ""
		switch {
		case len(rows) == 1:
			where = fmt.Sprintf(" (row %d)", rows[0])
		case len(rows) > 1:
			where = " (rows " + rowRanges(rows) + ")"
		}
		notes = append(notes, domain.HoldReasonLabel(h.Reason)+" hold"+where+": "+h.Note)
	}
	return strings.Join(notes, " ")
}

var lineKey = regexp.MustCompile(`^lines\[(\d+)\]\.(.+)$`)

// csvColumnOf names the file's column for an intake field key.
var csvColumnOf = map[string]string{
	"unit_price_cents": "unit_price", "price_override_reason": "price_override_reason",
	"ship_to.name": "ship_name", "ship_to.line1": "ship_line1", "ship_to.line2": "ship_line2", "ship_to.city": "ship_city",
	"ship_to.region": "ship_region", "ship_to.postal_code": "ship_postal_code", "ship_to.country": "ship_country",
	"lines": "sku",
}

// fieldRowErrors turns intake's field errors into the rows and columns of
// the file: a line's error points at its row, an order's at its first row.
func fieldRowErrors(o csvimport.Order, fields map[string]string) []csvimport.RowError {
	var out []csvimport.RowError
	for key, msg := range fields {
		row, field := o.Rows[0], key
		if m := lineKey.FindStringSubmatch(key); m != nil {
			if i, err := strconv.Atoi(m[1]); err == nil && i < len(o.Rows) {
				row = o.Rows[i]
			}
			field = m[2]
		}
		if c, ok := csvColumnOf[field]; ok {
			field = c
		}
		out = append(out, csvimport.RowError{Row: row, Column: field, Message: msg})
	}
	return out
}

// rowMessages joins row errors in row and column order.
func rowMessages(errs []csvimport.RowError) string {
	sort.Slice(errs, func(i, j int) bool {
		if errs[i].Row != errs[j].Row {
			return errs[i].Row < errs[j].Row
		}
		return errs[i].Column < errs[j].Column
	})
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.String()
	}
	return strings.Join(parts, "; ")
}

// rowRanges writes ascending row numbers compactly: 2-5, 9, 11-12.
func rowRanges(rows []int) string {
	var parts []string
	for i := 0; i < len(rows); {
		j := i
		for j+1 < len(rows) && rows[j+1] == rows[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(rows[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", rows[i], rows[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// UnfinishedImports lists the import jobs a stopped server left queued or
// running, oldest first, so that serve can resume them.
func (db *DB) UnfinishedImports(ctx context.Context) ([]int64, error) {
	return queryColumn[int64](ctx, db.read, `SELECT id FROM import_jobs WHERE status IN ('queued', 'running') ORDER BY id`)
}
