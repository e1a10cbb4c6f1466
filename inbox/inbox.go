// Package inbox takes the ERP's and the WMS's CSV files from a watched
// folder: items, customers, price lists, inventory snapshots and deltas,
// inbound supply, shipment confirmations and invoices. Each file is one
// inbound message, applied through the same store functions as the REST
// messages of its kind, at most once (its message id is made of its name
// and a hash of its content) and all rows or none. It is polled like the
// EDI partners' inbox folders: a file is taken once it is complete, then
// moved to processed/ or failed/ (with a report of its bad rows beside it)
// and listed on the Integrations page.
package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// Defaults of the inbox settings.
const (
	DefaultMaxSize   = 64 << 20
	DefaultRetention = 30 * 24 * time.Hour
	DefaultSettle    = 2 * time.Second
)

// Folders the inbox keeps beside the kinds' folders.
const (
	ProcessedDir = "processed"
	FailedDir    = "failed"
)

// Watcher reads the inbox folder. Poll it every few seconds from one
// goroutine.
type Watcher struct {
	DB  *store.DB
	Dir string
	// MaxSize refuses bigger files whole (DefaultMaxSize when 0).
	MaxSize int64
	// Retention is how long processed and failed files (and their
	// listing) are kept (DefaultRetention when 0).
	Retention time.Duration
	// Settle is how long a file must have been left unchanged (DefaultSettle
	// when 0).
	Settle time.Duration
	Now    func() time.Time
	Log    *slog.Logger

	mu        sync.Mutex
	seen      map[string]fileState // what each waiting file looked like at the last poll
	lastSweep time.Time
}

// sweepInterval is how often Tick deletes what is past the retention.
const sweepInterval = time.Hour

type fileState struct {
	size int64
	mod  time.Time
}

func (w *Watcher) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Watcher) maxSize() int64 {
	if w.MaxSize > 0 {
		return w.MaxSize
	}
	return DefaultMaxSize
}

func (w *Watcher) retention() time.Duration {
	if w.Retention > 0 {
		return w.Retention
	}
	return DefaultRetention
}

func (w *Watcher) settle() time.Duration {
	if w.Settle > 0 {
		return w.Settle
	}
	return DefaultSettle
}

// Tick polls the folder and deletes what is past its retention; errors
// are logged.
func (w *Watcher) Tick(ctx context.Context) {
	if err := w.Poll(ctx); err != nil && !errors.Is(err, context.Canceled) {
		w.log("read the inbox folder", err)
	}
	if now := w.now(); now.Sub(w.lastSweep) >= sweepInterval {
		w.lastSweep = now
		if err := w.Sweep(ctx); err != nil && !errors.Is(err, context.Canceled) {
			w.log("sweep the inbox folder", err)
		}
	}
}

func (w *Watcher) log(what string, err error) {
	if w.Log != nil {
		w.Log.Warn(what, "err", err)
	}
}

// candidate is a file waiting in the folder, with its kind.
type candidate struct {
	path, name string
	kind       Kind
}

// Setup creates the folders: one per kind, processed/ and failed/.
func (w *Watcher) Setup() error {
	for _, k := range Kinds {
		if err := os.MkdirAll(filepath.Join(w.Dir, k.Name), 0o755); err != nil {
			return err
		}
	}
	for _, d := range []string{ProcessedDir, FailedDir} {
		if err := os.MkdirAll(filepath.Join(w.Dir, d), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// waiting lists the files in the kinds' folders and, by name prefix, in
// the inbox folder itself.
func (w *Watcher) waiting() ([]candidate, error) {
	var out []candidate
	for _, k := range Kinds {
		entries, err := os.ReadDir(filepath.Join(w.Dir, k.Name))
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if ignored(e) {
				continue
			}
			out = append(out, candidate{path: filepath.Join(w.Dir, k.Name, e.Name()), name: k.Name + "/" + e.Name(), kind: k})
		}
	}
	entries, err := os.ReadDir(w.Dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if ignored(e) {
			continue
		}
		if k, ok := kindByPrefix(e.Name()); ok {
			out = append(out, candidate{path: filepath.Join(w.Dir, e.Name()), name: e.Name(), kind: k})
		}
	}
	return out, nil
}

// ignored: folders, hidden files and files still being written under a
// temporary name.
func ignored(e os.DirEntry) bool {
	n := e.Name()
	return !e.Type().IsRegular() || strings.HasPrefix(n, ".") || strings.HasSuffix(n, ".tmp") || strings.HasSuffix(n, ".part")
}

// kindByPrefix finds the kind a file name starts with ("items-2026-12-01.csv",
// "inventory-snapshots_DAL.csv"), the longest name first.
func kindByPrefix(name string) (Kind, bool) {
	low := strings.ToLower(name)
	var best Kind
	for _, k := range Kinds {
		if len(low) > len(k.Name) && strings.HasPrefix(low, k.Name) && strings.ContainsRune("-_.", rune(low[len(k.Name)])) && len(k.Name) > len(best.Name) {
			best = k
		}
	}
	return best, best.Name != ""
}

// Poll takes every complete file: one whose size and modification time
// are what they were at the previous poll and which has been left alone
// for Settle. A file written then renamed into the folder is complete at
// once; one written in place waits a poll.
func (w *Watcher) Poll(ctx context.Context) error {
	if w.Dir == "" {
		return nil
	}
	if err := w.Setup(); err != nil {
		return err
	}
	files, err := w.waiting()
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen == nil {
		w.seen = map[string]fileState{}
	}
	now := w.now()
	next := map[string]fileState{}
	for _, f := range files {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		info, err := os.Stat(f.path)
		if err != nil {
			continue // moved away meanwhile
		}
		st := fileState{size: info.Size(), mod: info.ModTime()}
		prev, known := w.seen[f.path]
		if !known || prev != st || now.Sub(st.mod) < w.settle() {
			next[f.path] = st
			continue
		}
		if err := w.take(ctx, f, info.Size()); err != nil {
			return fmt.Errorf("inbox file %s: %w", f.name, err)
		}
	}
	w.seen = next
	return nil
}

// take reads and applies one file, moves it and lists it. An error that
// is not the file's fault (the database) leaves it where it is for the
// next poll.
func (w *Watcher) take(ctx context.Context, f candidate, size int64) error {
	rec := store.InboxFile{Name: f.name, Kind: f.kind.Name, Size: size, ReceivedAt: w.now().UTC()}
	base := filepath.Base(f.path)
	var report []string
	if size > w.maxSize() {
		report = []string{fmt.Sprintf("The file is %d bytes; at most %d bytes are taken (OMS_INBOX_MAX_MB). Split it into smaller files; nothing was applied.", size, w.maxSize())}
		rec.MessageID = messageID(f.kind.Name, base, "")
	} else {
		res, lines, id, rows, err := w.apply(ctx, f)
		if err != nil {
			return err
		}
		rec.MessageID, rec.Rows, report = id, rows, lines
		rec.Applied = res.Applied
		if res.Duplicate {
			rec.Result = store.InboxDuplicate
		}
	}
	folder := ProcessedDir
	if report != nil {
		rec.Result, rec.Errors, folder = store.InboxFailed, report, FailedDir
		rec.Applied = 0
	} else if rec.Result == "" {
		rec.Result = store.InboxProcessed
	}
	stored, err := w.move(f, folder, rec.ReceivedAt)
	if err != nil {
		return err
	}
	rec.StoredAs = stored
	if report != nil {
		text := fmt.Sprintf("%s: %s file refused; nothing was applied.\n\n%s\n", f.name, f.kind.Name, strings.Join(report, "\n"))
		if err := os.WriteFile(filepath.Join(w.Dir, stored)+".errors.txt", []byte(text), 0o644); err != nil {
			return err
		}
	}
	_, err = w.DB.RecordInboxFile(ctx, rec)
	return err
}

// apply reads the file and applies it as one message. A file refused for
// its content returns the report lines; other errors are returned.
func (w *Watcher) apply(ctx context.Context, f candidate) (res store.InboundResult, report []string, id string, rows int, err error) {
	file, err := os.Open(f.path)
	if err != nil {
		return res, nil, "", 0, err
	}
	defer file.Close()
	hash := sha256.New()
	// The size was checked; a file grown since is read only to the limit.
	r := io.TeeReader(io.LimitReader(file, w.maxSize()+1), hash)
	base := filepath.Base(f.path)
	t, err := newTable(r, f.kind)
	if err != nil {
		io.Copy(io.Discard, r)
		return res, reportLines(err), messageID(f.kind.Name, base, hex.EncodeToString(hash.Sum(nil))), 0, nil
	}
	applyFn, err := f.kind.read(t)
	io.Copy(io.Discard, r)
	id = messageID(f.kind.Name, base, hex.EncodeToString(hash.Sum(nil)))
	rows = t.dataRow
	if err != nil {
		return res, reportLines(err), id, rows, nil
	}
	if len(t.bad) > 0 {
		return res, reportLines(domain.Invalid("bad values", t.bad)), id, rows, nil
	}
	res, err = applyFn(ctx, w.DB, id, "inbox:"+f.name)
	switch domain.ErrorCode(err) {
	case "":
		return res, nil, id, rows, nil
	case domain.EINVALID, domain.ENOTFOUND, domain.ECONFLICT:
		return res, reportLines(err), id, rows, nil
	}
	return res, nil, id, rows, err
}

// messageID is the file's message id: its kind, name and a hash of its
// content, so the same file dropped again applies once and a corrected
// file under the same name applies.
func messageID(kind, name, hash string) string {
	if len(hash) > 16 {
		hash = hash[:16]
	}
	id := "file:" + kind + "/" + name + ":" + hash
	if len(id) > 200 {
		id = id[:180] + ":" + hash
	}
	return id
}

// move puts the file in processed/ or failed/ under its kind, its name
// prefixed with the time it was taken so that a file dropped again does
// not overwrite the first; it returns the path relative to the folder.
func (w *Watcher) move(f candidate, folder string, at time.Time) (string, error) {
	dir := filepath.Join(folder, f.kind.Name)
	if err := os.MkdirAll(filepath.Join(w.Dir, dir), 0o755); err != nil {
		return "", err
	}
	rel := filepath.Join(dir, at.Format("20060102T150405.000Z")+"_"+filepath.Base(f.path))
	return rel, os.Rename(f.path, filepath.Join(w.Dir, rel))
}

// Sweep deletes processed and failed files past the retention, with
// their listing.
func (w *Watcher) Sweep(ctx context.Context) error {
	if w.Dir == "" {
		return nil
	}
	stored, err := w.DB.DeleteOldInboxFiles(ctx, w.now().Add(-w.retention()))
	if err != nil {
		return err
	}
	for _, rel := range stored {
		p := filepath.Join(w.Dir, filepath.Clean(rel))
		os.Remove(p)
		os.Remove(p + ".errors.txt")
	}
	return nil
}
