package inbox

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oms/oms/domain"
)

// table is a CSV file being read: its header and the cells of the current
// row by column name, with the errors found so far keyed as the store keys
// them ("rows[N].column", N the file's line number, the header being 1).
type table struct {
	r       *csv.Reader
	cols    map[string]int
	rec     []string
	line    int
	bad     map[string]string
	dataRow int // data rows read
}

// errTooManyErrors stops reading a file that is wrong on most rows: its
// report names the first maxReported bad values.
const maxReported = 1000

func newTable(r io.Reader, k Kind) (*table, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fileError("The file is empty: it needs a header row naming its columns (%s).", strings.Join(k.Columns, ", "))
	}
	if err != nil {
		return nil, fileError("The header row cannot be read: %s.", csvProblem(err))
	}
	t := &table{r: cr, cols: map[string]int{}, bad: map[string]string{}}
	known := map[string]bool{}
	for _, c := range k.Columns {
		known[c] = true
	}
	var unknown []string
	for i, h := range head {
		name := strings.ToLower(strings.TrimSpace(h))
		if !utf8.ValidString(name) {
			return nil, fileError("The header row is not UTF-8 text.")
		}
		if !known[name] {
			unknown = append(unknown, fmt.Sprintf("%q", domain.Excerpt(name)))
			continue
		}
		if _, twice := t.cols[name]; twice {
			return nil, fileError("The column %s is in the header twice.", name)
		}
		t.cols[name] = i
	}
	if len(unknown) > 0 {
		if len(unknown) > 5 {
			unknown = append(unknown[:5], "…")
		}
		return nil, fileError("The header names unknown columns: %s. The columns of %s files are %s.", strings.Join(unknown, ", "), k.Name, strings.Join(k.Columns, ", "))
	}
	var missing []string
	for _, c := range k.Required {
		if _, ok := t.cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fileError("The header lacks the required %s %s.", plural(len(missing), "column", "columns"), strings.Join(missing, ", "))
	}
	return t, nil
}

// next reads the next row; false at the end of the file. A row that
// cannot be read is a file error.
func (t *table) next() (bool, error) {
	for {
		rec, err := t.r.Read()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, fileError("Row %d cannot be read: %s; nothing was applied.", t.rowOf(err), csvProblem(err))
		}
		line, _ := t.r.FieldPos(0)
		t.rec, t.line = rec, line
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		t.dataRow++
		return true, nil
	}
}

func (t *table) rowOf(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.StartLine
	}
	return t.line + 1
}

func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func (t *table) fail(col, format string, args ...any) {
	if len(t.bad) < maxReported {
		t.bad[fmt.Sprintf("rows[%d].%s", t.line, col)] = fmt.Sprintf(format, args...)
	}
}

// cell is the trimmed value of col in this row, "" when the file has no
// such column. Text that fails domain.TextProblem is named and read as "".
func (t *table) cell(col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(t.rec) {
		return ""
	}
	v := strings.TrimSpace(t.rec[i])
	if p := domain.TextProblem(v, 1000); p != "" {
		t.fail(col, "%s", p)
		return ""
	}
	return v
}

// opt is the cell as an optional value: nil when empty (keep what the
// record has).
func (t *table) opt(col string) *string {
	v := t.cell(col)
	if v == "" {
		return nil
	}
	return &v
}

func (t *table) optInt(col string) *int64 {
	v := t.cell(col)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.fail(col, "%q is not a whole number", domain.Excerpt(v))
		return nil
	}
	return &n
}

func (t *table) integer(col string) int64 {
	if n := t.optInt(col); n != nil {
		return *n
	}
	return 0
}

func (t *table) optBool(col string) *bool {
	v := t.cell(col)
	if v == "" {
		return nil
	}
	switch strings.ToLower(v) {
	case "1", "y", "yes", "true", "t":
		b := true
		return &b
	case "0", "n", "no", "false", "f":
		b := false
		return &b
	}
	t.fail(col, "%q is not yes/no, true/false or 1/0", domain.Excerpt(v))
	return nil
}

func (t *table) time(col string) time.Time {
	v := t.cell(col)
	if v == "" {
		return time.Time{}
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.fail(col, "must be an RFC 3339 time such as 2026-11-20T15:04:05Z, not %q", domain.Excerpt(v))
	}
	return at
}

// fileError is a problem with the whole file (its header, its size).
func fileError(format string, args ...any) error {
	return domain.Errorf(domain.EINVALID, format, args...)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Report lines: each bad value as "row 7, sku: no item with SKU ..." in
// row order, values about the whole file first.
func reportLines(err error) []string {
	fields := domain.ErrorFields(err)
	if len(fields) == 0 {
		return []string{errorMessage(err)}
	}
	type line struct {
		row  int
		text string
	}
	var lines []line
	for k, msg := range fields {
		row, col := -1, k
		if strings.HasPrefix(k, "rows[") {
			if end := strings.Index(k, "]"); end > 0 {
				row, _ = strconv.Atoi(k[5:end])
				col = strings.TrimPrefix(k[end+1:], ".")
			}
		}
		text := col + ": " + msg
		if row >= 0 {
			text = fmt.Sprintf("row %d, %s", row, text)
		}
		lines = append(lines, line{row, text})
	}
	sort.Slice(lines, func(i, j int) bool {
		if lines[i].row != lines[j].row {
			return lines[i].row < lines[j].row
		}
		return lines[i].text < lines[j].text
	})
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.text
	}
	return out
}

func errorMessage(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return err.Error()
}
