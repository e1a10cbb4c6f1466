package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/intake"
)

// TradingPartner is an EDI sender mapped to a customer, with how its
// purchase orders are read and which answers it gets.
type TradingPartner struct {
	ID              int64
	Name            string
	CustomerID      int64
	CustomerAccount string
	CustomerName    string
	ISAQualifier    string
	ISAID           string
	GSID            string
	// QualifierOrder lists the PO1 product ID qualifiers tried in order
	// (BP, UP, VP, SK, ...).
	QualifierOrder []string
	// UOMConversions maps a unit of measure to "pack" (the item's case
	// pack) or a whole number of units.
	UOMConversions map[string]string
	Send855        bool
	Send856        bool
	OurQualifier   string
	OurID          string
	Folder         string
	Active         bool
	UpdatedAt      time.Time
}

// SenderKey is how interchanges name their sender: "qualifier:id".
func SenderKey(qualifier, id string) string {
	return strings.ToUpper(strings.TrimSpace(qualifier)) + ":" + strings.ToUpper(strings.TrimSpace(id))
}

// DefaultQualifierOrder is the lookup order of a new partner: the buyer's
// part number, the UPC, the vendor part (our SKU), our SKU.
var DefaultQualifierOrder = []string{"BP", "UP", "VP", "SK"}

// QualifierKinds says what each PO1 product ID qualifier names: a buyer
// part number (item_xrefs buyer_part), a UPC (item_xrefs upc) or our SKU.
var QualifierKinds = map[string]string{
	"BP": "buyer_part", "IN": "buyer_part", "PI": "buyer_part", "CB": "buyer_part",
	"UP": "upc", "UK": "upc", "UA": "upc", "EN": "upc", "UI": "upc",
	"VP": "sku", "VN": "sku", "VA": "sku", "SK": "sku", "MG": "sku",
}

var (
	isaIDPattern  = regexp.MustCompile(`^[A-Za-z0-9 ._/&-]{1,15}$`)
	qualPattern   = regexp.MustCompile(`^[A-Za-z0-9]{2}$`)
	folderPattern = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,39}$`)
)

// FolderName turns a sender ID into a folder name.
func FolderName(isaID string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(isaID) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	if b.Len() == 0 {
		return "partner"
	}
	return b.String()
}

// normalise fills defaults and checks a partner; EINVALID with fields.
func (p *TradingPartner) normalise() error {
	errs := map[string]string{}
	p.ISAQualifier = strings.ToUpper(strings.TrimSpace(p.ISAQualifier))
	p.ISAID = strings.ToUpper(strings.TrimSpace(p.ISAID))
	p.GSID = strings.TrimSpace(p.GSID)
	p.Name = strings.TrimSpace(p.Name)
	p.CustomerAccount = strings.ToUpper(strings.TrimSpace(p.CustomerAccount))
	p.OurQualifier = strings.ToUpper(strings.TrimSpace(p.OurQualifier))
	p.OurID = strings.ToUpper(strings.TrimSpace(p.OurID))
	p.Folder = strings.TrimSpace(p.Folder)
	if p.GSID == "" {
		p.GSID = p.ISAID
	}
	if p.OurQualifier == "" {
		p.OurQualifier = "ZZ"
	}
	if p.OurID == "" {
		p.OurID = "OMS"
	}
	if p.Folder == "" {
		p.Folder = FolderName(p.ISAID)
	}
	if !qualPattern.MatchString(p.ISAQualifier) {
		errs["sender_qualifier"] = "must be the two-character ISA05 qualifier (ZZ, 01, 08, 12, ...)"
	}
	if !isaIDPattern.MatchString(p.ISAID) {
		errs["sender_id"] = "must be the ISA06 sender ID: 1 to 15 letters, digits or spaces"
	}
	if len(p.GSID) > 15 {
		errs["gs_id"] = "must be at most 15 characters"
	}
	if !qualPattern.MatchString(p.OurQualifier) {
		errs["our_qualifier"] = "must be a two-character ISA qualifier"
	}
	if !isaIDPattern.MatchString(p.OurID) {
		errs["our_id"] = "must be 1 to 15 letters, digits or spaces"
	}
	if !folderPattern.MatchString(p.Folder) {
		errs["folder"] = "must be 1 to 40 letters, digits, dots, dashes or underscores, not starting with a dot"
	}
	if p.CustomerAccount == "" && p.CustomerID == 0 {
		errs["customer_account"] = "is required"
	}
	if len(p.Name) > 100 {
		errs["name"] = "must be at most 100 characters"
	}
	if len(p.QualifierOrder) == 0 {
		p.QualifierOrder = DefaultQualifierOrder
	}
	seen := map[string]bool{}
	var order []string
	for _, q := range p.QualifierOrder {
		q = strings.ToUpper(strings.TrimSpace(q))
		if q == "" || seen[q] {
			continue
		}
		seen[q] = true
		if QualifierKinds[q] == "" {
			errs["qualifier_order"] = fmt.Sprintf("%s is not a product ID qualifier the OMS can look up (use %s)", q, strings.Join(knownQualifiers(), ", "))
		}
		order = append(order, q)
	}
	p.QualifierOrder = order
	conv := map[string]string{}
	for u, v := range p.UOMConversions {
		u, v = strings.ToUpper(strings.TrimSpace(u)), strings.ToLower(strings.TrimSpace(v))
		if !qualPattern.MatchString(u) {
			errs["uom_conversions"] = fmt.Sprintf("%q is not a two-character unit of measure", u)
			continue
		}
		if v != "pack" {
			var n int
			if _, err := fmt.Sscanf(v, "%d", &n); err != nil || n < 1 || n > 100000 || fmt.Sprint(n) != v {
				errs["uom_conversions"] = fmt.Sprintf("%s=%s: say pack (the item's case pack) or a whole number of units", u, v)
				continue
			}
		}
		conv[u] = v
	}
	p.UOMConversions = conv
	if len(errs) > 0 {
		return domain.Invalid("The trading partner was not saved: "+firstField(errs), errs)
	}
	return nil
}

// firstField is the first field error in name order, for the headline.
func firstField(errs map[string]string) string {
	keys := slices.Sorted(maps.Keys(errs))
	if len(keys) == 0 {
		return ""
	}
	return keys[0] + " " + errs[keys[0]] + "."
}

func knownQualifiers() []string {
	return []string{"BP", "IN", "UP", "EN", "VP", "VN", "SK"}
}

// FormatConversions writes UOM conversions as "CA=pack, BX=12".
func FormatConversions(m map[string]string) string {
	var parts []string
	for _, u := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, u+"="+m[u])
	}
	return strings.Join(parts, ", ")
}

// ParseConversions reads "CA=pack, BX=12"; what it cannot read is kept for
// the partner's validation to report.
func ParseConversions(s string) map[string]string {
	m := map[string]string{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		u, v, _ := strings.Cut(part, "=")
		if strings.TrimSpace(u) != "" {
			m[strings.TrimSpace(u)] = strings.TrimSpace(v)
		}
	}
	return m
}

const partnerSelect = `SELECT p.id, p.name, p.customer_id, c.account, c.name, p.isa_qualifier, p.isa_id, p.gs_id, p.qualifier_order,
	p.uom_conversions, p.send_855, p.send_856, p.our_qualifier, p.our_id, p.folder, p.active, p.updated_at
	FROM trading_partners p JOIN customers c ON c.id = p.customer_id`

func scanPartner(row interface{ Scan(...any) error }) (TradingPartner, error) {
	var p TradingPartner
	var order, conv, updated string
	err := row.Scan(&p.ID, &p.Name, &p.CustomerID, &p.CustomerAccount, &p.CustomerName, &p.ISAQualifier, &p.ISAID, &p.GSID, &order,
		&conv, &p.Send855, &p.Send856, &p.OurQualifier, &p.OurID, &p.Folder, &p.Active, &updated)
	if order != "" {
		p.QualifierOrder = strings.Split(order, ",")
	}
	p.UOMConversions = ParseConversions(conv)
	p.UpdatedAt = ParseTime(updated)
	if p.Folder == "" {
		p.Folder = FolderName(p.ISAID)
	}
	return p, err
}

// TradingPartners lists every partner by name.
func (db *DB) TradingPartners(ctx context.Context) ([]TradingPartner, error) {
	rows, err := db.read.QueryContext(ctx, partnerSelect+` ORDER BY p.active DESC, coalesce(nullif(p.name, ''), c.name), p.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TradingPartner
	for rows.Next() {
		p, err := scanPartner(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// TradingPartner reads one partner. Returns ENOTFOUND.
func (db *DB) TradingPartner(ctx context.Context, id int64) (TradingPartner, error) {
	p, err := scanPartner(db.read.QueryRowContext(ctx, partnerSelect+` WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, domain.Errorf(domain.ENOTFOUND, "No trading partner %d.", id)
	}
	return p, err
}

// TradingPartnerBySender finds the active partner of an ISA sender.
// Returns ENOTFOUND.
func (db *DB) TradingPartnerBySender(ctx context.Context, qualifier, id string) (TradingPartner, error) {
	p, err := scanPartner(db.read.QueryRowContext(ctx, partnerSelect+` WHERE p.isa_qualifier = ? AND p.isa_id = ? AND p.active = 1`,
		strings.ToUpper(strings.TrimSpace(qualifier)), strings.ToUpper(strings.TrimSpace(id))))
	if errors.Is(err, sql.ErrNoRows) {
		return p, domain.Errorf(domain.ENOTFOUND, "No trading partner sends as %s.", SenderKey(qualifier, id))
	}
	return p, err
}

// SaveTradingPartner creates a partner (ID 0) or updates one, and returns
// it as stored. Returns EINVALID with fields, ECONFLICT when another
// partner has the sender ID or the folder.
func (db *DB) SaveTradingPartner(ctx context.Context, p TradingPartner) (TradingPartner, error) {
	if err := p.normalise(); err != nil {
		return p, err
	}
	err := db.Update(ctx, func(tx *sql.Tx) error {
		if p.CustomerAccount != "" {
			err := tx.QueryRowContext(ctx, `SELECT id FROM customers WHERE account = ?`, p.CustomerAccount).Scan(&p.CustomerID)
			if errors.Is(err, sql.ErrNoRows) {
				return domain.Invalid(fmt.Sprintf("The trading partner was not saved: customer account %s is not known.", p.CustomerAccount),
					map[string]string{"customer_account": p.CustomerAccount + " is not a known customer account"})
			} else if err != nil {
				return err
			}
		}
		var clash string
		err := tx.QueryRowContext(ctx, `SELECT CASE WHEN isa_qualifier = ? AND isa_id = ? THEN 'sender_id' ELSE 'folder' END
			FROM trading_partners WHERE id <> ? AND ((isa_qualifier = ? AND isa_id = ?) OR folder = ?)`,
			p.ISAQualifier, p.ISAID, p.ID, p.ISAQualifier, p.ISAID, p.Folder).Scan(&clash)
		if err == nil {
			msg := fmt.Sprintf("another trading partner already sends as %s", SenderKey(p.ISAQualifier, p.ISAID))
			if clash == "folder" {
				msg = fmt.Sprintf("another trading partner already uses the folder %s", p.Folder)
			}
			return &domain.Error{Code: domain.ECONFLICT, Message: "The trading partner was not saved: " + msg + ".", Fields: map[string]string{clash: msg}}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		args := []any{p.Name, p.CustomerID, p.ISAQualifier, p.ISAID, p.GSID, strings.Join(p.QualifierOrder, ","), FormatConversions(p.UOMConversions),
			p.Send855, p.Send856, p.OurQualifier, p.OurID, p.Folder, p.Active, db.now()}
		if p.ID == 0 {
			r, err := tx.ExecContext(ctx, `INSERT INTO trading_partners (name, customer_id, isa_qualifier, isa_id, gs_id, qualifier_order,
				uom_conversions, send_855, send_856, our_qualifier, our_id, folder, active, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
			if err != nil {
				return err
			}
			p.ID, _ = r.LastInsertId()
			return nil
		}
		r, err := tx.ExecContext(ctx, `UPDATE trading_partners SET name = ?, customer_id = ?, isa_qualifier = ?, isa_id = ?, gs_id = ?,
			qualifier_order = ?, uom_conversions = ?, send_855 = ?, send_856 = ?, our_qualifier = ?, our_id = ?, folder = ?, active = ?,
			updated_at = ? WHERE id = ?`, append(args, p.ID)...)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "No trading partner %d.", p.ID)
		}
		return nil
	})
	if err != nil {
		return p, err
	}
	return db.TradingPartner(ctx, p.ID)
}

// EDIFile is a received file, kept whole.
type EDIFile struct {
	ID         int64
	Source     string // upload, api, inbox
	FileName   string
	Size       int64
	ReceivedBy string
	ReceivedAt time.Time
	Status     string
	Summary    string
}

// SaveEDIFile keeps a received file before anything is read from it.
func (db *DB) SaveEDIFile(ctx context.Context, source, fileName, receivedBy string, raw []byte) (int64, error) {
	var id int64
	err := db.Update(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO edi_files (source, file_name, raw, size, received_by, received_at) VALUES (?, ?, ?, ?, ?, ?)`,
			source, fileName, raw, len(raw), receivedBy, db.now())
		if err != nil {
			return err
		}
		id, _ = r.LastInsertId()
		return nil
	})
	return id, err
}

// FinishEDIFile records what became of a file.
func (db *DB) FinishEDIFile(ctx context.Context, id int64, status, summary string) error {
	return db.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE edi_files SET status = ?, summary = ? WHERE id = ?`, status, summary, id)
		return err
	})
}

// EDIFileRaw returns a file's name and bytes. Returns ENOTFOUND.
func (db *DB) EDIFileRaw(ctx context.Context, id int64) (string, []byte, error) {
	var name string
	var raw []byte
	err := db.read.QueryRowContext(ctx, `SELECT file_name, raw FROM edi_files WHERE id = ?`, id).Scan(&name, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, domain.Errorf(domain.ENOTFOUND, "No EDI file %d.", id)
	}
	return name, raw, err
}

// EDIInterchange is one interchange in or out, as the EDI log lists it.
type EDIInterchange struct {
	ID            int64
	Direction     string // in, out
	FileID        int64
	PartnerID     int64
	PartnerName   string
	SenderID      string
	ReceiverID    string
	Control       string
	Document      string // 850, 997, 855, 856
	FileName      string
	Status        string
	Summary       string
	OrderNumber   string
	ReceivedAt    time.Time
	Orders        []string // orders made from it (inbound)
	ExceptionOpen bool
}

// Interchange statuses.
const (
	InterchangeProcessed     = "processed"
	InterchangePartial       = "partial"
	InterchangeRejected      = "rejected"
	InterchangeUnknownSender = "unknown_sender"
	InterchangeDuplicate     = "duplicate"
	InterchangeSent          = "sent"
	InterchangeReceiving     = "receiving"
)

// InboundInterchange is an interchange as received.
type InboundInterchange struct {
	FileID     int64
	PartnerID  int64 // 0: unknown sender
	SenderKey  string
	Receiver   string
	Control    string
	Raw        string
	Status     string
	Summary    string
	ReceivedAt time.Time
}

// ReceiveInterchange records an inbound interchange once per sender and
// control number (invariant 7). When the pair was recorded before, it
// returns that interchange's id with duplicate true and records nothing,
// unless nothing of the earlier one was applied (it waits for its sender
// to be known and the sender now is, or it was rejected whole): then that
// one is reused, to be applied now.
func (db *DB) ReceiveInterchange(ctx context.Context, in InboundInterchange) (id int64, duplicate bool, err error) {
	err = db.Update(ctx, func(tx *sql.Tx) error {
		var prevStatus string
		err := tx.QueryRowContext(ctx, `SELECT id, status FROM edi_interchanges WHERE direction = 'in' AND sender_id = ? AND control_number = ?`,
			in.SenderKey, in.Control).Scan(&id, &prevStatus)
		switch {
		case err == nil && prevStatus == InterchangeUnknownSender && in.PartnerID != 0:
			_, err = tx.ExecContext(ctx, `UPDATE edi_interchanges SET partner_id = ?, status = ?, summary = '' WHERE id = ?`, in.PartnerID, in.Status, id)
			return err
		case err == nil && prevStatus == InterchangeRejected && in.PartnerID != 0:
			// Nothing of a rejected interchange was applied: a corrected
			// copy under the same control number is read afresh.
			var file any
			if in.FileID != 0 {
				file = in.FileID
			}
			_, err = tx.ExecContext(ctx, `UPDATE edi_interchanges SET partner_id = ?, status = ?, summary = '', raw = ?, file_id = ?, received_at = ?
				WHERE id = ?`, in.PartnerID, in.Status, in.Raw, file, db.now(), id)
			return err
		case err == nil && prevStatus == InterchangeUnknownSender && in.PartnerID == 0:
			// The same file again from a sender still unknown: the first
			// copy waits for a person already.
			duplicate = true
			return nil
		case err == nil:
			duplicate = true
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var partner any
		if in.PartnerID != 0 {
			partner = in.PartnerID
		}
		var file any
		if in.FileID != 0 {
			file = in.FileID
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO edi_interchanges (direction, sender_id, receiver_id, control_number, raw, status, received_at,
				file_id, partner_id, document, summary) VALUES ('in', ?, ?, ?, ?, ?, ?, ?, ?, '850', ?)`,
			in.SenderKey, in.Receiver, in.Control, in.Raw, in.Status, db.now(), file, partner, in.Summary)
		if err != nil {
			return err
		}
		id, _ = r.LastInsertId()
		return nil
	})
	return id, duplicate, err
}

// FinishInterchange records the outcome of an interchange.
func (db *DB) FinishInterchange(ctx context.Context, id int64, status, summary string) error {
	return db.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE edi_interchanges SET status = ?, summary = ? WHERE id = ?`, status, summary, id)
		return err
	})
}

// Interchange reads one interchange with its raw text. Returns ENOTFOUND.
func (db *DB) Interchange(ctx context.Context, id int64) (EDIInterchange, string, error) {
	var x EDIInterchange
	var raw, at string
	var file, partner sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT i.id, i.direction, i.file_id, i.partner_id, i.sender_id, i.receiver_id, i.control_number,
			i.document, i.file_name, i.status, i.summary, i.received_at, i.raw, coalesce(o.number, '')
		FROM edi_interchanges i LEFT JOIN orders o ON o.id = i.order_id WHERE i.id = ?`, id).
		Scan(&x.ID, &x.Direction, &file, &partner, &x.SenderID, &x.ReceiverID, &x.Control, &x.Document, &x.FileName, &x.Status, &x.Summary,
			&at, &raw, &x.OrderNumber)
	if errors.Is(err, sql.ErrNoRows) {
		return x, "", domain.Errorf(domain.ENOTFOUND, "No EDI interchange %d.", id)
	}
	x.FileID, x.PartnerID, x.ReceivedAt = file.Int64, partner.Int64, ParseTime(at)
	return x, raw, err
}

// EDILog lists the newest interchanges of one direction, newest first, with
// the orders made from each.
func (db *DB) EDILog(ctx context.Context, direction string, limit int) ([]EDIInterchange, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT i.id, i.direction, coalesce(i.file_id, 0), coalesce(i.partner_id, 0),
			coalesce(nullif(p.name, ''), c.name, ''), i.sender_id, i.receiver_id, i.control_number, i.document, i.file_name, i.status,
			i.summary, i.received_at, coalesce(o.number, ''),
			coalesce((SELECT group_concat(x.number, ' ') FROM (SELECT o2.number FROM edi_transactions t JOIN orders o2 ON o2.id = t.order_id
				WHERE t.interchange_id = i.id ORDER BY t.id) x), '')
		FROM edi_interchanges i LEFT JOIN trading_partners p ON p.id = i.partner_id LEFT JOIN customers c ON c.id = p.customer_id
			LEFT JOIN orders o ON o.id = i.order_id
		WHERE i.direction = ? ORDER BY i.id DESC LIMIT ?`, direction, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EDIInterchange
	for rows.Next() {
		var x EDIInterchange
		var at, orders string
		if err := rows.Scan(&x.ID, &x.Direction, &x.FileID, &x.PartnerID, &x.PartnerName, &x.SenderID, &x.ReceiverID, &x.Control, &x.Document,
			&x.FileName, &x.Status, &x.Summary, &at, &x.OrderNumber, &orders); err != nil {
			return nil, err
		}
		x.ReceivedAt = ParseTime(at)
		x.Orders = strings.Fields(orders)
		out = append(out, x)
	}
	return out, rows.Err()
}

// OrderInterchanges lists the interchanges an order came from or was
// answered with, oldest first, for the order page.
func (db *DB) OrderInterchanges(ctx context.Context, number string) ([]EDIInterchange, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT i.id, i.direction, i.document, i.control_number, i.status, i.received_at
		FROM edi_interchanges i WHERE i.id IN (
			SELECT t.interchange_id FROM edi_transactions t JOIN orders o ON o.id = t.order_id WHERE o.number = ?1
			UNION SELECT i2.id FROM edi_interchanges i2 JOIN orders o ON o.id = i2.order_id WHERE o.number = ?1)
		ORDER BY i.id`, number)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EDIInterchange
	for rows.Next() {
		var x EDIInterchange
		var at string
		if err := rows.Scan(&x.ID, &x.Direction, &x.Document, &x.Control, &x.Status, &at); err != nil {
			return nil, err
		}
		x.ReceivedAt = ParseTime(at)
		out = append(out, x)
	}
	return out, rows.Err()
}

// EDITransaction is one received transaction set and what became of it.
type EDITransaction struct {
	InterchangeID int64
	// InterchangeControl is the ISA13 of the interchange (not stored
	// here; it names the interchange in the timeline).
	InterchangeControl string
	GroupControl       string
	SetID              string
	Control            string
	PONumber           string
	PODate             string // YYYYMMDD as received
	Status             string // accepted, held, rejected, ignored
	Errors             []string
	// Lines is the received line data the answers echo (JSON owned by the
	// EDI mapping; the store keeps it as it is).
	Lines string
}

// RecordEDITransaction records a set that made no order (rejected or not
// an 850); the exception is raised per interchange (RaiseEDIException).
func (db *DB) RecordEDITransaction(ctx context.Context, t EDITransaction) error {
	return db.Update(ctx, func(tx *sql.Tx) error {
		return db.insertEDITransaction(ctx, tx, t, 0)
	})
}

func (db *DB) insertEDITransaction(ctx context.Context, tx *sql.Tx, t EDITransaction, orderID int64) error {
	var order any
	if orderID != 0 {
		order = orderID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO edi_transactions (interchange_id, group_control, set_id, control_number, po_number, po_date,
			order_id, status, errors, lines, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.InterchangeID, t.GroupControl, t.SetID, t.Control, t.PONumber, t.PODate, order, t.Status, strings.Join(t.Errors, "\n"), t.Lines, db.now())
	return err
}

// insertEDIException raises an exception about a file (no order).
func (db *DB) insertEDIException(ctx context.Context, tx *sql.Tx, kind, severity, summary string, fileID int64) error {
	now := db.Now()
	var file any
	if fileID != 0 {
		file = fileID
	}
	if len(summary) > 2000 {
		summary = summary[:1997] + "..."
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO exceptions (kind, severity, summary, sla_due_at, created_at, edi_file_id) VALUES (?, ?, ?, ?, ?, ?)`,
		kind, severity, summary, FormatTime(now.Add(exceptionSLA)), FormatTime(now), file)
	return err
}

// RaiseEDIException records an exception about a received file: an
// unknown sender, an unreadable file, a rejected interchange.
func (db *DB) RaiseEDIException(ctx context.Context, fileID int64, kind, summary string) error {
	return db.Update(ctx, func(tx *sql.Tx) error {
		return db.insertEDIException(ctx, tx, kind, "high", summary, fileID)
	})
}

// EDIException is an open exception about a received file.
type EDIException struct {
	ID        int64
	Kind      string
	Summary   string
	FileID    int64
	FileName  string
	CreatedAt time.Time
	SLADueAt  time.Time
	// Sender is the unknown sender of an unknown_sender exception.
	Sender string
}

// EDIExceptions lists the open exceptions about received files, oldest first.
func (db *DB) EDIExceptions(ctx context.Context, limit int) ([]EDIException, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT x.id, x.kind, x.summary, x.edi_file_id, f.file_name, x.created_at, x.sla_due_at,
			coalesce((SELECT i.sender_id FROM edi_interchanges i WHERE i.file_id = f.id AND i.status = 'unknown_sender' LIMIT 1), '')
		FROM exceptions x JOIN edi_files f ON f.id = x.edi_file_id
		WHERE x.status <> 'resolved' ORDER BY x.id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EDIException
	for rows.Next() {
		var x EDIException
		var created, due string
		if err := rows.Scan(&x.ID, &x.Kind, &x.Summary, &x.FileID, &x.FileName, &created, &due, &x.Sender); err != nil {
			return nil, err
		}
		x.CreatedAt, x.SLADueAt = ParseTime(created), ParseTime(due)
		out = append(out, x)
	}
	return out, rows.Err()
}

// EDIExceptionFile returns the file of an open EDI exception. Returns
// ENOTFOUND, ECONFLICT when it is resolved.
func (db *DB) EDIExceptionFile(ctx context.Context, id int64) (EDIException, error) {
	var x EDIException
	var status string
	err := db.read.QueryRowContext(ctx, `SELECT x.id, x.kind, x.summary, coalesce(x.edi_file_id, 0), x.status,
			coalesce((SELECT i.sender_id FROM edi_interchanges i WHERE i.file_id = x.edi_file_id AND i.status = 'unknown_sender' LIMIT 1), '')
		FROM exceptions x WHERE x.id = ? AND x.edi_file_id IS NOT NULL`, id).Scan(&x.ID, &x.Kind, &x.Summary, &x.FileID, &status, &x.Sender)
	if errors.Is(err, sql.ErrNoRows) {
		return x, domain.Errorf(domain.ENOTFOUND, "No EDI exception %d.", id)
	} else if err != nil {
		return x, err
	}
	if status == "resolved" {
		return x, domain.Errorf(domain.ECONFLICT, "That exception was resolved already.")
	}
	return x, nil
}

// ResolveEDIException closes an EDI exception with a note.
func (db *DB) ResolveEDIException(ctx context.Context, id int64, actor, note string) error {
	return db.Update(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE exceptions SET status = 'resolved', resolved_at = ?, resolved_by = ?, resolution_note = ?
			WHERE id = ? AND status <> 'resolved' AND edi_file_id IS NOT NULL`, db.now(), actor, note, id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ECONFLICT, "That exception was resolved already.")
		}
		return nil
	})
}

// EDIOrder is an 850 mapped to an order request, with what the mapping
// could not place.
type EDIOrder struct {
	Transaction EDITransaction
	FileID      int64
	Partner     TradingPartner
	Request     intake.Request
	// Unplaced are the received lines that match no item (or no unit of
	// measure), as received: the order is held for EDI review with them.
	Unplaced []string
	// Notes are remarks for the timeline (a past requested date, a CTT
	// count that does not add up).
	Notes []string
}

// CaptureEDIOrder captures an 850 through the one intake pipeline, in one
// write transaction with its EDI record: an EDI review hold when lines
// could not be placed, the link to its interchange, and the outbox message
// for the 855 when the partner takes one. An order the pipeline rejects
// writes nothing but the rejected set and its exception. Returns EINVALID
// with per-field messages.
func (db *DB) CaptureEDIOrder(ctx context.Context, o EDIOrder) (Captured, error) {
	by := Submitter{Actor: "edi:" + SenderKey(o.Partner.ISAQualifier, o.Partner.ISAID), Role: domain.RoleOps}
	var out Captured
	err := db.Update(ctx, func(tx *sql.Tx) error {
		req := o.Request
		if req.ShipToCode != "" && req.ShipTo.Line1 != "" {
			// An ID code the customer's ship-tos do not know, with an
			// address beside it: the address stands.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ship_tos WHERE customer_id = ? AND code = ? AND active = 1`,
				o.Partner.CustomerID, req.ShipToCode).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				req.ShipToCode = ""
			}
		}
		if req.ShipToCode == "" && req.ShipTo.Line1 == "" {
			// No ship-to in the PO: the customer's default ship-to.
			var code string
			err := tx.QueryRowContext(ctx, `SELECT code FROM ship_tos WHERE customer_id = ? AND active = 1 ORDER BY is_default DESC, id LIMIT 1`,
				o.Partner.CustomerID).Scan(&code)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			req.ShipToCode = code
		}
		var err error
		out, err = db.captureOrder(ctx, tx, req, by)
		if err != nil {
			return err
		}
		now := db.Now()
		for _, n := range o.Notes {
			if err := db.insertEvent(ctx, tx, Event{OrderID: out.OrderID, Kind: "note", Actor: by.Actor, At: now, Summary: n}); err != nil {
				return err
			}
		}
		status := "accepted"
		if len(o.Unplaced) > 0 {
			status = "held"
			note := fmt.Sprintf("%d line(s) of EDI %s %s match no item and are not on the order; as received: %s",
				len(o.Unplaced), o.Transaction.SetID, o.Transaction.Control, strings.Join(o.Unplaced, "; "))
			if len(note) > 2000 {
				note = note[:1997] + "..."
			}
			if _, _, err := placeHold(ctx, tx, out.OrderID, "edi_review", note, by.Actor, now); err != nil {
				return err
			}
			if err := db.insertEvent(ctx, tx, Event{OrderID: out.OrderID, Kind: "hold.placed", Actor: by.Actor, At: now,
				Summary: "EDI review hold placed: " + note}); err != nil {
				return err
			}
			_, after, err := refreshOrderStatus(ctx, tx, out.OrderID, FormatTime(now))
			if err != nil {
				return err
			}
			out.Status = after
		} else if len(out.Holds) > 0 {
			status = "held"
		}
		t := o.Transaction
		t.Status = status
		if err := db.insertEDITransaction(ctx, tx, t, out.OrderID); err != nil {
			return err
		}
		if err := db.insertEvent(ctx, tx, Event{OrderID: out.OrderID, Kind: "edi.received", Actor: by.Actor, At: now,
			Summary: fmt.Sprintf("EDI 850 %s (PO %s) received from %s in interchange %s.", t.Control, t.PONumber, o.Partner.displayName(), t.InterchangeControl),
			Data:    fmt.Sprintf(`{"interchange_id":%d}`, t.InterchangeID)}); err != nil {
			return err
		}
		if o.Partner.Send855 {
			return db.insertOutbox(ctx, tx, OutboxMessage{MessageID: "edi-855-" + out.Number, Topic: "edi.855", Destination: "edi",
				OrderID: out.OrderID})
		}
		return nil
	})
	return out, err
}

func (p TradingPartner) displayName() string {
	if p.Name != "" {
		return p.Name
	}
	if p.CustomerName != "" {
		return p.CustomerName
	}
	return SenderKey(p.ISAQualifier, p.ISAID)
}

// DisplayName is the partner's name, or its customer's, or its sender ID.
func (p TradingPartner) DisplayName() string { return p.displayName() }

// queueEDIShipment queues the 856 of a shipped group when its order came
// by EDI from a partner that takes ship notices, in the caller's
// transaction (ShipGroup's).
func (db *DB) queueEDIShipment(ctx context.Context, tx *sql.Tx, orderID, groupID int64) error {
	var send bool
	err := tx.QueryRowContext(ctx, `SELECT p.send_856 FROM edi_transactions t JOIN edi_interchanges i ON i.id = t.interchange_id
		JOIN trading_partners p ON p.id = i.partner_id WHERE t.order_id = ? ORDER BY t.id LIMIT 1`, orderID).Scan(&send)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !send) {
		return nil
	} else if err != nil {
		return err
	}
	return db.insertOutbox(ctx, tx, OutboxMessage{MessageID: fmt.Sprintf("edi-856-%d", groupID), Topic: "edi.856", Destination: "edi",
		OrderID: orderID, GroupID: groupID})
}

// EDIItem is an item a product ID found.
type EDIItem struct {
	SKU     string
	PackQty int64
}

// ItemRef is a product ID to look up: its kind (buyer_part, upc, sku) and
// value.
type ItemRef struct {
	Kind  string
	Value string
}

// FindEDIItems looks up product IDs for a customer: buyer part numbers of
// that customer, UPCs and SKUs, active or not (intake judges that), in one
// query per kind.
func (db *DB) FindEDIItems(ctx context.Context, customerID int64, refs []ItemRef) (map[ItemRef]EDIItem, error) {
	out := map[ItemRef]EDIItem{}
	byKind := map[string][]any{}
	seen := map[ItemRef]bool{}
	for _, r := range refs {
		r.Value = strings.TrimSpace(r.Value)
		if r.Value == "" || seen[r] {
			continue
		}
		seen[r] = true
		byKind[r.Kind] = append(byKind[r.Kind], r.Value)
	}
	err := db.View(ctx, func(tx *sql.Tx) error {
		for kind, vals := range byKind {
			for start := 0; start < len(vals); start += 500 {
				chunk := vals[start:min(len(vals), start+500)]
				var q string
				args := chunk
				switch kind {
				case "sku":
					q = `SELECT sku, sku, pack_qty FROM items WHERE sku IN (` + placeholders(len(chunk)) + `)`
				case "upc":
					q = `SELECT x.value, i.sku, i.pack_qty FROM item_xrefs x JOIN items i ON i.id = x.item_id
						WHERE x.kind = 'upc' AND x.value IN (` + placeholders(len(chunk)) + `)`
				case "buyer_part":
					q = `SELECT x.value, i.sku, i.pack_qty FROM item_xrefs x JOIN items i ON i.id = x.item_id
						WHERE x.kind = 'buyer_part' AND (x.customer_id = ? OR x.customer_id IS NULL) AND x.value IN (` + placeholders(len(chunk)) + `)
						ORDER BY x.customer_id IS NULL`
					args = append([]any{customerID}, chunk...)
				default:
					continue
				}
				rows, err := tx.QueryContext(ctx, q, args...)
				if err != nil {
					return err
				}
				for rows.Next() {
					var v string
					var m EDIItem
					if err := rows.Scan(&v, &m.SKU, &m.PackQty); err != nil {
						rows.Close()
						return err
					}
					key := ItemRef{Kind: kind, Value: v}
					if _, ok := out[key]; !ok {
						out[key] = m
					}
					// Values compare without case; keep the asked spelling too.
					for _, a := range chunk {
						if s := a.(string); strings.EqualFold(s, v) {
							if _, ok := out[ItemRef{kind, s}]; !ok {
								out[ItemRef{kind, s}] = m
							}
						}
					}
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// NextEDIControl takes the next outbound interchange control number.
func (db *DB) NextEDIControl(ctx context.Context) (int64, error) {
	var n int64
	err := db.Update(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO sequences (name, value) VALUES ('edi_control', 1)
			ON CONFLICT (name) DO UPDATE SET value = CASE WHEN value >= 999999999 THEN 1 ELSE value + 1 END RETURNING value`).Scan(&n)
	})
	return n, err
}

// OutboundDocument is an X12 document the OMS sent (or will send).
type OutboundDocument struct {
	PartnerID int64
	OrderID   int64
	Document  string // 997, 855, 856
	Sender    string
	Receiver  string
	Control   string
	FileName  string
	Raw       string
	Summary   string
	// OutboxID, when set, is the outbox message this document delivers:
	// it is marked delivered in the same transaction.
	OutboxID int64
}

// RecordOutboundDocument keeps a document sent to a partner, and marks its
// outbox message delivered, in one transaction.
func (db *DB) RecordOutboundDocument(ctx context.Context, d OutboundDocument) (int64, error) {
	var id int64
	err := db.Update(ctx, func(tx *sql.Tx) error {
		var partner, order any
		if d.PartnerID != 0 {
			partner = d.PartnerID
		}
		if d.OrderID != 0 {
			order = d.OrderID
		}
		now := db.now()
		r, err := tx.ExecContext(ctx, `INSERT INTO edi_interchanges (direction, sender_id, receiver_id, control_number, raw, status, received_at,
				partner_id, order_id, document, file_name, summary) VALUES ('out', ?, ?, ?, ?, 'sent', ?, ?, ?, ?, ?, ?)`,
			d.Sender, d.Receiver, d.Control, d.Raw, now, partner, order, d.Document, d.FileName, d.Summary)
		if err != nil {
			return err
		}
		id, _ = r.LastInsertId()
		if d.OrderID != 0 {
			if err := db.insertEvent(ctx, tx, Event{OrderID: d.OrderID, Kind: "edi.sent", Actor: "edi",
				Summary: fmt.Sprintf("EDI %s sent (%s).", d.Document, d.Summary)}); err != nil {
				return err
			}
		}
		if d.OutboxID != 0 {
			_, err = tx.ExecContext(ctx, `UPDATE outbox SET status = 'delivered', delivered_at = ?, attempts = attempts + 1 WHERE id = ?`, now, d.OutboxID)
		}
		return err
	})
	return id, err
}

// PendingOutbox is an outbox message waiting for delivery, with the
// order and group it is about.
type PendingOutbox struct {
	ID          int64
	Topic       string
	OrderID     int64
	OrderNumber string // "" when about no order
	GroupSeq    int    // 0 when about no fulfilment group
	Attempts    int
}

// PendingOutboxFor lists the messages for one destination that are due,
// oldest first.
func (db *DB) PendingOutboxFor(ctx context.Context, destination string, limit int) ([]PendingOutbox, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT m.id, m.topic, coalesce(m.order_id, 0), coalesce(o.number, ''), coalesce(g.seq, 0), m.attempts
		FROM outbox m LEFT JOIN orders o ON o.id = m.order_id LEFT JOIN fulfilment_groups g ON g.id = m.group_id
		WHERE m.status = 'pending' AND m.destination = ? AND m.next_attempt_at <= ? ORDER BY m.id LIMIT ?`, destination, db.now(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PendingOutbox
	for rows.Next() {
		var m PendingOutbox
		if err := rows.Scan(&m.ID, &m.Topic, &m.OrderID, &m.OrderNumber, &m.GroupSeq, &m.Attempts); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MaxOutboxAttempts is how often a message is tried before it is dead.
const MaxOutboxAttempts = 8

// FailOutbox records a failed delivery: it is tried again after a backoff
// that doubles, and is dead after MaxOutboxAttempts.
func (db *DB) FailOutbox(ctx context.Context, id int64, attempts int, cause string) error {
	next := db.Now().Add(time.Duration(1<<min(attempts, 12)) * 10 * time.Second)
	status := "pending"
	if attempts+1 >= MaxOutboxAttempts {
		status = "dead"
	}
	if len(cause) > 1000 {
		cause = cause[:1000]
	}
	return db.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, status = ?, next_attempt_at = ?, last_error = ? WHERE id = ?`,
			status, FormatTime(next), cause, id)
		return err
	})
}

// EDISource is what the answers to an EDI order are built from: the order
// as the OMS holds it, the received set and its partner.
type EDISource struct {
	Partner     TradingPartner
	Order       OrderDetail
	Transaction EDITransaction
	// GroupLines are the lines of one fulfilment group: line number and
	// quantity (for the 856).
	GroupLines map[int]int64
	Group      domain.FulfilmentGroup
	ShipFrom   domain.Address
}

// EDISourceOf reads what the 855 (groupSeq 0) or the 856 of a group needs.
// Returns ENOTFOUND when the order has no EDI origin.
func (db *DB) EDISourceOf(ctx context.Context, number string, groupSeq int) (EDISource, error) {
	var s EDISource
	d, err := db.OrderDetail(ctx, number, LineQuery{PerPage: MaxLinesPerPage}, "none")
	if err != nil {
		return s, err
	}
	s.Order = d
	var partnerID int64
	var errs string
	err = db.read.QueryRowContext(ctx, `SELECT t.interchange_id, t.group_control, t.set_id, t.control_number, t.po_number, t.po_date, t.status,
			t.errors, t.lines, coalesce(i.partner_id, 0)
		FROM edi_transactions t JOIN edi_interchanges i ON i.id = t.interchange_id WHERE t.order_id = ? ORDER BY t.id LIMIT 1`, d.Order.ID).
		Scan(&s.Transaction.InterchangeID, &s.Transaction.GroupControl, &s.Transaction.SetID, &s.Transaction.Control, &s.Transaction.PONumber,
			&s.Transaction.PODate, &s.Transaction.Status, &errs, &s.Transaction.Lines, &partnerID)
	if errors.Is(err, sql.ErrNoRows) {
		return s, domain.Errorf(domain.ENOTFOUND, "Order %s did not come by EDI.", number)
	} else if err != nil {
		return s, err
	}
	if s.Partner, err = db.TradingPartner(ctx, partnerID); err != nil {
		return s, err
	}
	if groupSeq == 0 {
		return s, nil
	}
	for _, g := range d.Groups {
		if g.Seq == groupSeq {
			s.Group = g
		}
	}
	if s.Group.ID == 0 {
		return s, domain.Errorf(domain.ENOTFOUND, "Order %s has no shipment %d.", number, groupSeq)
	}
	s.GroupLines = map[int]int64{}
	rows, err := db.read.QueryContext(ctx, `SELECT l.line_no, gl.quantity FROM fulfilment_group_lines gl JOIN order_lines l ON l.id = gl.order_line_id
		WHERE gl.group_id = ?`, s.Group.ID)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var no int
		var q int64
		if err := rows.Scan(&no, &q); err != nil {
			return s, err
		}
		s.GroupLines[no] = q
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	err = db.read.QueryRowContext(ctx, `SELECT l.name, l.line1, l.city, l.region, l.postal_code, l.country FROM locations l
		JOIN fulfilment_groups g ON g.location_id = l.id WHERE g.id = ?`, s.Group.ID).
		Scan(&s.ShipFrom.Name, &s.ShipFrom.Line1, &s.ShipFrom.City, &s.ShipFrom.Region, &s.ShipFrom.PostalCode, &s.ShipFrom.Country)
	return s, err
}
