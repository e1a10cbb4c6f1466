// Package store keeps the OMS's working copy in SQLite: plain SQL with ?
// placeholders, one file per aggregate. Public methods take a context and run
// one transaction; private helpers take (ctx, tx, ...) so that they compose
// inside bigger transactions.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oms/oms/domain"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// TimeFormat is the one format for times in the database: UTC, fixed width,
// so that text order is time order.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// DateFormat is the format of calendar dates (requested dates, PO dates).
const DateFormat = "2006-01-02"

// DB is the store: a write pool of one connection that starts every
// transaction with BEGIN IMMEDIATE, and a read pool of several connections.
type DB struct {
	write      *sql.DB
	read       *sql.DB
	checkpoint *sql.DB
	path       string

	stop      chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once

	// jobs are background runs (CSV imports, StartImport) that Close
	// cancels through jobsCtx and waits for before closing the pools.
	jobsCtx    context.Context
	cancelJobs context.CancelFunc
	jobs       sync.WaitGroup

	// captures batches API order captures into shared write transactions
	// (group commit; see CaptureOrderOnce).
	captures captureQueue

	// sourcing holds the locations and active rules between changes (see
	// setup); only the write transaction reads it.
	sourcing atomic.Pointer[sourcingSetup]

	// names is the trigram index of customer names between changes (see
	// customerNameIndex); namesMu lets one search at a time rebuild it.
	names   atomic.Pointer[customerNames]
	namesMu sync.Mutex

	// Now is the clock; tests replace it.
	Now func() time.Time
}

// Open opens (and creates) the database file at path. It does not migrate.
func Open(path string) (*DB, error) { return open(path, defaultWAL) }

func open(path string, wal walBounds) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	// Every PRAGMA goes in the DSN so that each pooled connection gets it.
	// temp_store(MEMORY) keeps statement and savepoint journals off disk:
	// group commit wraps each order in a savepoint, whose journal writes
	// were a fifth of the CPU of capturing an order.
	pragmas := func(busyTimeout string) string {
		v := url.Values{}
		for _, p := range []string{"busy_timeout(" + busyTimeout + ")", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)",
			"cache_size(-32000)", "temp_store(MEMORY)", fmt.Sprintf("journal_size_limit(%d)", wal.SizeLimit)} {
			v.Add("_pragma", p)
		}
		return v.Encode()
	}
	// The writer never checkpoints on commit (wal_autocheckpoint(0)): a
	// checkpoint inside a commit stalled allocations for 5 to 10 ms at
	// p99. A background connection checkpoints instead (checkpointLoop).
	writeDSN := "file:" + path + "?" + pragmas("10000") + "&_pragma=wal_autocheckpoint(0)&_txlock=immediate"
	readDSN := "file:" + path + "?" + pragmas("10000") + "&_pragma=query_only(1)"

	// Both pools keep prepared statements per connection (stmtcache.go).
	w := sql.OpenDB(newStmtCacheConnector(writeDSN))
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	r := sql.OpenDB(newStmtCacheConnector(readDSN))
	n := max(4, runtime.NumCPU()*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(0)
	// The checkpointer waits at most 200 ms for readers: while it waits to
	// truncate the WAL it holds the writers off (see pauseWriters).
	c := sql.OpenDB(newStmtCacheConnector("file:" + path + "?" + pragmas("200")))
	c.SetMaxOpenConns(1)
	db := &DB{write: w, read: r, checkpoint: c, path: path, Now: func() time.Time { return time.Now().UTC() },
		stop: make(chan struct{}), stopped: make(chan struct{})}
	db.jobsCtx, db.cancelJobs = context.WithCancel(context.Background())
	go db.checkpointLoop(wal)
	return db, nil
}

// walBounds is how the checkpointer keeps the WAL small. SQLite cuts the
// file back to SizeLimit whenever it starts the WAL over
// (journal_size_limit); the checkpointer, every Every, starts it over once
// more than RestartAt bytes of frames are in it, and cuts it to zero
// bytes, waiting for readers, if the file still passes TruncateAt.
type walBounds struct {
	Every time.Duration
	// IdleAfter is how long the WAL must go unchanged for the writers to
	// count as paused.
	IdleAfter                        time.Duration
	SizeLimit, RestartAt, TruncateAt int
}

// defaultWAL keeps the WAL under 256 MB at the intake's full rate (about
// 30 MB of WAL a second on the development machine) and at the rate of
// back-to-back allocations (180 MB a second). A tick every second let the
// WAL pass TruncateAt within one tick at that rate, and cutting a 180 MB
// file held the writers for 75 to 200 ms; four ticks a second keep it
// near RestartAt, and an idle tick costs a fifth of a millisecond.
var defaultWAL = walBounds{Every: 250 * time.Millisecond, IdleAfter: time.Second, SizeLimit: 64 << 20, RestartAt: 32 << 20, TruncateAt: 160 << 20}

// walFrameBytes is the size of a WAL frame: a page and its header.
const walFrameBytes = 4096 + 24

// checkpointLoop copies the WAL back into the database file every interval
// on its own connection, and keeps the file small.
//
// A PASSIVE checkpoint never waits for readers or the writer, so commits
// do not stall behind it, but alone it never lets the file shrink: under
// steady intake a newer frame than it copied is always there when the
// writer begins, so SQLite never starts the WAL over, and the file grew by
// about 100 KB an order (7 GB in two minutes). So past RestartAt the
// loop holds the writers off while it copies the last frames
// (pauseWriters with PASSIVE); the next commit then starts the WAL over.
// When the writers have paused for IdleAfter and anything is left
// in the file, or the file passed TruncateAt because readers kept it from
// starting over, it truncates the WAL (pauseWriters with TRUNCATE).
func (db *DB) checkpointLoop(wal walBounds) {
	defer close(db.stopped)
	t := time.NewTicker(wal.Every)
	defer t.Stop()
	lastFrames, still := -1, 0 // still: ticks since the frame count changed
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
			var busy, frames, copied int
			if err := db.checkpoint.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
				continue
			}
			if frames == lastFrames {
				still++
			} else {
				still = 0
			}
			lastFrames = frames
			idle := still > 0 && time.Duration(still)*wal.Every >= wal.IdleAfter
			// How long each case waits for the write connection: a writer
			// that holds it through a long transaction is not idle, and the
			// next tick's PASSIVE copies its frames without stopping it;
			// only a WAL past TruncateAt is worth waiting for.
			switch size := db.walSize(); {
			case size > int64(wal.TruncateAt):
				db.catchUp(frames)
				db.pauseWriters(`PRAGMA wal_checkpoint(TRUNCATE)`, 5*time.Second)
				lastFrames, still = -1, 0
			case idle && size > 0:
				db.pauseWriters(`PRAGMA wal_checkpoint(TRUNCATE)`, 20*time.Millisecond)
				lastFrames, still = -1, 0
			case frames*walFrameBytes > wal.RestartAt:
				db.catchUp(frames)
				db.pauseWriters(`PRAGMA wal_checkpoint(PASSIVE)`, 100*time.Millisecond)
			}
		}
	}
}

// catchUpFrames is how many frames the writers may add during a
// checkpoint for the checkpoint that holds them off to follow at once:
// copying them takes about a millisecond.
const catchUpFrames = 256

// catchUp runs PASSIVE checkpoints, without holding the writers off, until
// the writers added few frames during the last one (at most four rounds),
// so that the checkpoint that holds them off next copies only those. A
// tick's PASSIVE checkpoint under full intake takes 100 ms or more, and
// the held checkpoint after it copied everything written meanwhile: every
// writer waited 30 to 200 ms, the slowest allocations and captures.
// frames is the WAL's frame count after the last checkpoint.
func (db *DB) catchUp(frames int) {
	for range 4 {
		var busy, now, copied int
		if err := db.checkpoint.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &now, &copied); err != nil {
			return
		}
		added := now - frames
		frames = now
		if added < catchUpFrames {
			return
		}
	}
}

// pauseWriters runs a checkpoint on the checkpoint connection while it
// holds the one write connection, so that no frame is added meanwhile; it
// gives up when the connection is not free within wait.
// Writers queue in the pool for the few milliseconds this takes instead
// of sleeping in SQLite's busy handler, which polls at intervals of up to
// 100 ms.
//
// A PASSIVE checkpoint then copies every frame no reader still needs; the
// next write transaction finds the WAL fully copied and starts it over
// (when no reader is still on an older snapshot), and journal_size_limit
// cuts the file back. TRUNCATE also waits, at most the checkpoint
// connection's busy timeout, for readers on older snapshots, and cuts the
// file to zero bytes.
func (db *DB) pauseWriters(checkpoint string, wait time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	w, err := db.write.Conn(ctx)
	cancel()
	if err != nil {
		return // the writer is busy: try again at the next tick
	}
	defer w.Close()
	var busy, frames, copied int
	db.checkpoint.QueryRow(checkpoint).Scan(&busy, &frames, &copied)
}

// walSize is the size of the WAL file in bytes (0 when there is none).
func (db *DB) walSize() int64 {
	fi, err := os.Stat(db.path + "-wal")
	if err != nil {
		return 0
	}
	return fi.Size()
}

// Close stops the checkpointer and closes the pools; the last connection
// to close checkpoints the WAL.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.cancelJobs()
		db.jobs.Wait()
		close(db.stop)
	})
	<-db.stopped
	return errors.Join(db.read.Close(), db.checkpoint.Close(), db.write.Close())
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Ping checks that both pools answer a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("read pool: %w", err)
	}
	if err := db.write.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("write pool: %w", err)
	}
	return nil
}

// now is the clock formatted for the database.
func (db *DB) now() string { return db.Now().UTC().Format(TimeFormat) }

// Update runs fn in one write transaction (BEGIN IMMEDIATE) and commits if fn
// returns nil. It is the unit of atomicity for invariants 1 to 4.
func (db *DB) Update(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return indexShipNames(ctx, tx)
	})
}

// writeTx is Update without the work every change does at commit; the
// migrations use it, since they build the tables that work needs.
func (db *DB) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return mapError(err)
	}
	if err := tx.Commit(); err != nil {
		return mapError(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// indexShipNames adds the ship-to names of the orders this transaction
// inserted to the full-text index, in one statement (migration 0013 says
// why not one per order).
func indexShipNames(ctx context.Context, tx *sql.Tx) error {
	r, err := tx.ExecContext(ctx, `INSERT INTO orders_ship_fts (rowid, ship_name)
		SELECT o.id, o.ship_name FROM orders_ship_fts_pending p JOIN orders o ON o.id = p.order_id`)
	if err != nil {
		return fmt.Errorf("index ship-to names: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM orders_ship_fts_pending`); err != nil {
		return fmt.Errorf("index ship-to names: %w", err)
	}
	return nil
}

// View runs fn in one read-only transaction on the read pool, so that all its
// queries see one snapshot.
func (db *DB) View(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return mapError(fn(tx))
}

// mapError turns SQLite constraint errors into domain errors by their
// extended code, never by their text.
func mapError(err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return &domain.Error{Code: domain.ECONFLICT, Message: "That record already exists."}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return &domain.Error{Code: domain.EINVALID, Message: "That refers to a record that does not exist."}
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return &domain.Error{Code: domain.EINVALID, Message: "A value is out of range or missing."}
	}
	return err
}

// ParseTime parses a time stored in TimeFormat; the zero time for "".
func ParseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(TimeFormat, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t
}

// FormatTime formats t for the database.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// queryColumn runs a query that selects one column and returns its values.
func queryColumn[T any](ctx context.Context, q querier, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// openOrderSQL is the condition on orders (alias-free) for orders that
// still count against a customer's credit: accepted and not yet shipped,
// cancelled or closed. The triggers of migration 0014 keep
// customers.open_orders_cents, the sum the credit check and the entry
// screen read, by the same condition; the customer page lists and sums
// open orders with this one, and the invariant tests check they agree.
const openOrderSQL = `status NOT IN ('draft', 'shipped', 'cancelled', 'closed')`
