package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/sourcing"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// Allocation is the allocation matrix of the order page and the JSON API
// for moving, splitting and consolidating an order's units by hand, and
// for the warehouse's answers to recalls.
type Allocation struct {
	DB *store.DB
}

// matrixLines is the most lines the allocation panel shows; larger orders
// are rerouted through the API.
const matrixLines = 100

// allocationPanel is the panel for the order page, or nil when the signed-in
// person may not reroute.
func allocationPanel(c *fiber.Ctx, db *store.DB, number string) (*views.AllocationProps, error) {
	u := httpx.CurrentUser(c)
	if u == nil {
		return nil, nil
	}
	ok, err := db.MayReroute(c.UserContext(), u.Role)
	if err != nil || !ok {
		return nil, err
	}
	al, err := db.OrderAllocation(c.UserContext(), number)
	if err != nil {
		return nil, err
	}
	p := panelProps(al)
	if u.Role == domain.RoleAdmin {
		v, _, err := db.Setting(c.UserContext(), store.SettingCSRMayReroute)
		if err != nil {
			return nil, err
		}
		p.AdminCSRSetting = &views.CSRSetting{Allowed: v == "true", CSRF: httpx.CSRFToken(c)}
	}
	return &p, nil
}

func panelProps(al store.Allocation) views.AllocationProps {
	p := views.AllocationProps{Number: al.Order.Number, Version: al.Order.Version, Matrix: al.Matrix, Groups: al.Current.Groups,
		LinesOpen: len(al.Matrix.Rows)}
	if len(p.Matrix.Rows) > matrixLines {
		p.Matrix.Rows = p.Matrix.Rows[:matrixLines]
	}
	p.LinesShown = len(p.Matrix.Rows)
	for _, r := range al.Recalls {
		p.Recalls = append(p.Recalls, views.RecallState{Seq: r.Seq, Location: r.Location, RequestedAt: store.ParseTime(r.RequestedAt),
			RequestedBy: r.RequestedBy, RefusedAt: store.ParseTime(r.RefusedAt), Note: r.Note})
	}
	return p
}

// Show is GET /orders/{number}/allocation: the panel as it is now (htmx),
// else the order page at the panel.
func (h *Allocation) Show(c *fiber.Ctx) error {
	if !httpx.IsHTMX(c) {
		return c.Redirect("/orders/"+url.PathEscape(c.Params("number"))+"#allocation", fiber.StatusSeeOther)
	}
	p, err := h.mayPanel(c)
	if err != nil {
		return err
	}
	return httpx.Render(c, fiber.StatusOK, views.AllocationPanel(*p))
}

// mayPanel reads the panel, refusing people who may not reroute.
func (h *Allocation) mayPanel(c *fiber.Ctx) (*views.AllocationProps, error) {
	p, err := allocationPanel(c, h.DB, c.Params("number"))
	if err == nil && p == nil {
		err = domain.Errorf(domain.EFORBIDDEN, "Your role may not change where orders ship from.")
	}
	return p, err
}

// Preview is POST /orders/{number}/allocation/preview: the quantities
// typed into the matrix (or a quick fill: a shipment or everything to one
// location) become moves, and the panel comes back with what they would
// do. Nothing is reserved.
func (h *Allocation) Preview(c *fiber.Ctx) error {
	p, err := h.mayPanel(c)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	p.QuickFrom, p.QuickTo = c.FormValue("quick_from"), c.FormValue("quick_to")
	if version != p.Version {
		return h.conflict(c, p, version)
	}
	al, err := h.DB.OrderAllocation(c.UserContext(), p.Number)
	if err != nil {
		return err
	}
	var want map[int]map[string]int64
	fields := map[string]string{}
	if c.FormValue("quick") != "" {
		want = quickWant(al.Current, p.QuickFrom, p.QuickTo)
	} else {
		want, fields = formWant(c)
	}
	p.Want = want
	if len(fields) > 0 {
		return h.refused(c, p, domain.Invalid("Enter whole numbers of units, zero or more.", fields))
	}
	moves, err := sourcing.MovesTo(al.Current, want)
	if err != nil {
		return h.refused(c, p, err)
	}
	_, pv, err := h.DB.PreviewPlanChange(c.UserContext(), p.Number, version, moves)
	switch domain.ErrorCode(err) {
	case "":
	case domain.ECONFLICT:
		return h.conflict(c, p, version)
	case domain.EINVALID:
		return h.refused(c, p, err)
	default:
		return err
	}
	js, _ := json.Marshal(moves)
	p.Preview, p.MovesJSON = &pv, string(js)
	return httpx.Render(c, fiber.StatusOK, views.AllocationPanel(*p))
}

// Confirm is POST /orders/{number}/allocation: makes the previewed moves
// for the version previewed. A change someone else made meanwhile gives
// the panel back with the fresh plan and a conflict message (409); a
// refused change gives the preview back with the problem (422).
func (h *Allocation) Confirm(c *fiber.Ctx) error {
	p, err := h.mayPanel(c)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	var moves []sourcing.Move
	if err := json.Unmarshal([]byte(c.FormValue("moves")), &moves); err != nil {
		return domain.Invalid("Preview the change before confirming it.", map[string]string{"moves": "are missing"})
	}
	caller, _ := httpx.CurrentCaller(c)
	a := store.OrderAction{Number: p.Number, Version: version, Actor: caller.Actor, Role: caller.Role, Reason: c.FormValue("reason")}
	_, pv, err := h.DB.ChangePlan(c.UserContext(), a, store.PlanChange{Moves: moves, Override: c.FormValue("override") != ""})
	switch domain.ErrorCode(err) {
	case "":
	case domain.ECONFLICT:
		return h.conflict(c, p, version)
	case domain.EINVALID:
		// Show the preview again with the problem beside the field.
		if _, again, perr := h.DB.PreviewPlanChange(c.UserContext(), p.Number, version, moves); perr == nil {
			p.Preview = &again
			p.MovesJSON = c.FormValue("moves")
		}
		p.Reason, p.Override = c.FormValue("reason"), c.FormValue("override") != ""
		return h.refused(c, p, err)
	default:
		return err
	}
	msg := "Change saved. " + strings.Join(pv.Steps, " ")
	if len(pv.Recalls) > 0 {
		msg += " A recall was sent to the warehouse; the released units move when it confirms."
	}
	if err := httpx.SetFlash(c, msg); err != nil {
		return err
	}
	// To the top of the order, not to #allocation: the shipments and lines
	// the change made come first, and a redirect to the page's own address
	// plus a fragment would not reload it.
	return httpx.Redirect(c, "/orders/"+url.PathEscape(p.Number))
}

// conflict answers a stale version with the fresh plan and who changed it.
func (h *Allocation) conflict(c *fiber.Ctx, p *views.AllocationProps, saw int64) error {
	fresh, err := allocationPanel(c, h.DB, p.Number)
	if err != nil {
		return err
	}
	fresh.MessageKind = "error"
	fresh.Message = fmt.Sprintf("Order %s changed since you opened it (you saw version %d; it is now version %d), so nothing was saved. This is the plan as it is now: check it and make your change again.",
		p.Number, saw, fresh.Version)
	return h.renderPanel(c, fiber.StatusConflict, *fresh)
}

// refused answers a change that cannot be made with the panel as typed.
func (h *Allocation) refused(c *fiber.Ctx, p *views.AllocationProps, err error) error {
	if domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	p.MessageKind, p.Message, p.Fields = "error", domain.ErrorMessage(err), domain.ErrorFields(err)
	return h.renderPanel(c, fiber.StatusUnprocessableEntity, *p)
}

func (h *Allocation) renderPanel(c *fiber.Ctx, status int, p views.AllocationProps) error {
	if httpx.IsHTMX(c) {
		return httpx.Render(c, status, views.AllocationPanel(p))
	}
	if err := httpx.SetFlash(c, p.Message); err != nil {
		return err
	}
	return c.Redirect("/orders/"+url.PathEscape(p.Number)+"#allocation", fiber.StatusSeeOther)
}

// formWant reads the matrix: q.<line>.<location code> and bo.<line>.
func formWant(c *fiber.Ctx) (map[int]map[string]int64, map[string]string) {
	want := map[int]map[string]int64{}
	fields := map[string]string{}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		key := string(k)
		var lineText, code string
		switch {
		case strings.HasPrefix(key, "q."):
			lineText, code, _ = strings.Cut(strings.TrimPrefix(key, "q."), ".")
		case strings.HasPrefix(key, "bo."):
			lineText = strings.TrimPrefix(key, "bo.")
		default:
			return
		}
		lineNo, err := strconv.Atoi(lineText)
		if err != nil {
			return
		}
		text := strings.TrimSpace(string(v))
		var q int64
		if text != "" {
			if q, err = strconv.ParseInt(text, 10, 64); err != nil || q < 0 {
				fields[fmt.Sprintf("lines[%d]", lineNo)] = fmt.Sprintf("Line %d: %q is not a whole number of units.", lineNo, text)
				return
			}
		}
		if want[lineNo] == nil {
			want[lineNo] = map[string]int64{}
		}
		want[lineNo][strings.ToUpper(code)] += q
	})
	return want, fields
}

// quickWant is the current plan with one shipment ("3") or every open unit
// ("all") moved to one location code ("-" for backorder).
func quickWant(cur sourcing.Current, from, to string) map[int]map[string]int64 {
	if to == "-" {
		to = ""
	}
	to = strings.ToUpper(to)
	want := map[int]map[string]int64{}
	lineNo := map[int64]int{}
	for _, l := range cur.Order.Lines {
		lineNo[l.LineID] = l.LineNo
		want[l.LineNo] = map[string]int64{"": cur.Backordered[l.LineID]}
		if from == "all" {
			want[l.LineNo] = map[string]int64{to: l.Quantity}
		}
	}
	if from == "all" {
		return want
	}
	seq, _ := strconv.Atoi(from)
	for _, g := range cur.Groups {
		for _, gl := range g.Lines {
			w := want[lineNo[gl.LineID]]
			if g.Seq == seq {
				w[to] += gl.Quantity
			} else {
				w[strings.ToUpper(g.LocationCode)] += gl.Quantity
			}
		}
	}
	return want
}

// apiMovesRequest is the body of POST /api/v1/orders/{number}/moves.
type apiMovesRequest struct {
	Moves    []apiMove `json:"moves"`
	Reason   string    `json:"reason"`
	Override bool      `json:"override"`
}

type apiOutcome struct {
	Shipments   int   `json:"shipments"`
	CostCents   int64 `json:"cost_cents"`
	Backordered int64 `json:"backordered"`
}

type apiPreviewLine struct {
	LineNo   int    `json:"line_no"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

type apiPreviewShipment struct {
	Seq          int              `json:"seq"`
	LocationCode string           `json:"location_code"`
	LocationName string           `json:"location_name"`
	Dropship     bool             `json:"dropship"`
	Status       string           `json:"status"`
	New          bool             `json:"new"`
	Changed      bool             `json:"changed"`
	Recall       bool             `json:"recall"`
	Units        int64            `json:"units"`
	ShipDate     string           `json:"ship_date"`
	Lines        []apiPreviewLine `json:"lines"`
}

// apiMove is one move on the wire (sourcing.Move).
type apiMove struct {
	LineNo       int    `json:"line_no"`
	FromShipment int    `json:"from_shipment"`
	To           string `json:"to"`
	Quantity     int64  `json:"quantity"`
}

type apiRecall struct {
	Shipment int       `json:"shipment"`
	Moves    []apiMove `json:"moves"`
}

// apiPreview is a change's preview on the wire.
type apiPreview struct {
	Rule      string               `json:"rule"`
	Before    apiOutcome           `json:"before"`
	After     apiOutcome           `json:"after"`
	Shipments []apiPreviewShipment `json:"shipments"`
	Steps     []string             `json:"steps"`
	Breaks    []string             `json:"breaks"`
	Recalls   []apiRecall          `json:"recalls"`
}

func toAPIMoves(ms []sourcing.Move) []apiMove {
	out := make([]apiMove, 0, len(ms))
	for _, m := range ms {
		out = append(out, apiMove{LineNo: m.LineNo, FromShipment: m.From, To: m.To, Quantity: m.Quantity})
	}
	return out
}

func newAPIPreview(pv sourcing.Preview) apiPreview {
	out := apiPreview{Rule: pv.RuleName, Before: apiOutcome(pv.Before), After: apiOutcome(pv.After),
		Shipments: []apiPreviewShipment{}, Steps: append([]string{}, pv.Steps...), Breaks: append([]string{}, pv.Breaks...), Recalls: []apiRecall{}}
	for _, g := range pv.Groups {
		s := apiPreviewShipment{Seq: g.Seq, LocationCode: g.LocationCode, LocationName: g.LocationName, Dropship: g.Dropship,
			Status: g.Status, New: g.New, Changed: g.Changed, Recall: g.Recall, Units: g.Units, ShipDate: g.ShipDate.Format(store.DateFormat),
			Lines: []apiPreviewLine{}}
		for _, l := range g.Lines {
			s.Lines = append(s.Lines, apiPreviewLine(l))
		}
		out.Shipments = append(out.Shipments, s)
	}
	for _, seq := range slices.Sorted(maps.Keys(pv.Recalls)) {
		out.Recalls = append(out.Recalls, apiRecall{Shipment: seq, Moves: toAPIMoves(pv.Recalls[seq])})
	}
	return out
}

// ifMatchVersion reads the order version from If-Match ("7", "\"7\"" or
// W/"7").
func ifMatchVersion(c *fiber.Ctx) (int64, bool) {
	v := strings.TrimSpace(c.Get(fiber.HeaderIfMatch))
	v = strings.Trim(strings.TrimPrefix(v, "W/"), `"`)
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil && n > 0
}

// APIMoves is POST /api/v1/orders/{number}/moves: move, split,
// consolidate, dropship or backorder units of an order, with the order's
// version in If-Match. ?dry_run=1 previews without changing anything.
// 200 answers the preview (and, when applied, the order as it now is);
// 412 a stale version and 409 a conflict found inside the action, both
// with the order as it is now; 422 a move that cannot be made or a broken
// rule without override and reason; 428 a missing If-Match.
func (h *Allocation) APIMoves(c *fiber.Ctx) error {
	number := c.Params("number")
	version, ok := ifMatchVersion(c)
	if !ok {
		return c.Status(fiber.StatusPreconditionRequired).JSON(fiber.Map{
			"error":  "Send the order's version in the If-Match header (the version field of GET /api/v1/orders/{number}).",
			"fields": map[string]string{"If-Match": "is required"}})
	}
	var req apiMovesRequest
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return domain.Invalid("The body is not a valid moves request: "+jsonProblem(err), nil)
	}
	moves := make([]sourcing.Move, 0, len(req.Moves))
	for _, m := range req.Moves {
		moves = append(moves, sourcing.Move{LineNo: m.LineNo, From: m.FromShipment, To: m.To, Quantity: m.Quantity})
	}
	caller, _ := httpx.CurrentCaller(c)
	ctx := c.UserContext()
	var pv sourcing.Preview
	var err error
	applied := c.Query("dry_run") == "" || c.Query("dry_run") == "0"
	if !applied {
		if ok, merr := h.DB.MayReroute(ctx, caller.Role); merr != nil {
			return merr
		} else if !ok {
			return domain.Errorf(domain.EFORBIDDEN, "Your role (%s) may not change where an order ships from.", caller.Role.Label())
		}
		_, pv, err = h.DB.PreviewPlanChange(ctx, number, version, moves)
	} else {
		a := store.OrderAction{Number: number, Version: version, Actor: caller.Actor, Role: caller.Role, Reason: req.Reason}
		_, pv, err = h.DB.ChangePlan(ctx, a, store.PlanChange{Moves: moves, Override: req.Override})
	}
	if domain.ErrorCode(err) == domain.ECONFLICT {
		status := fiber.StatusConflict
		if domain.ErrorFields(err)["version"] != "" {
			status = fiber.StatusPreconditionFailed
		}
		fresh, ferr := apiOrder(ctx, h.DB, number)
		if ferr != nil {
			return ferr
		}
		return c.Status(status).JSON(fiber.Map{"error": domain.ErrorMessage(err), "fields": domain.ErrorFields(err), "order": fresh})
	} else if err != nil {
		return err
	}
	o, err := apiOrder(ctx, h.DB, number)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, strconv.Quote(strconv.FormatInt(o.Version, 10)))
	return c.JSON(fiber.Map{"applied": applied, "preview": newAPIPreview(pv), "order": o})
}

// jsonProblem says where a JSON body went wrong, for people.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("%s must be a %s", te.Field, te.Type)
	case errors.Is(err, io.EOF):
		return "the body is empty"
	}
	return err.Error()
}

// apiMatrixColumn is one location of the allocation matrix on the wire.
type apiMatrixColumn struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Type      string   `json:"type"`
	Miles     *float64 `json:"miles"`
	CostCents int64    `json:"cost_per_shipment_cents"`
	Eligible  string   `json:"eligible"` // eligible, fallback or breaks_rule
	Why       string   `json:"why"`
}

type apiMatrixCell struct {
	Location  string `json:"location"`
	Available *int64 `json:"available"` // null: a vendor without a stock figure
	Blocked   bool   `json:"blocked"`
	Planned   int64  `json:"planned"`
	Released  int64  `json:"released"`
	Recall    bool   `json:"recall_requested"`
}

type apiMatrixRow struct {
	LineNo      int             `json:"line_no"`
	SKU         string          `json:"sku"`
	Open        int64           `json:"open"`
	Backordered int64           `json:"backordered"`
	Cells       []apiMatrixCell `json:"cells"`
}

// APIAllocation is GET /api/v1/orders/{number}/allocation: the allocation
// matrix (lines by locations, with available to promise, distance, cost
// and the current plan) and the order's version for If-Match.
func (h *Allocation) APIAllocation(c *fiber.Ctx) error {
	al, err := h.DB.OrderAllocation(c.UserContext(), c.Params("number"))
	if err != nil {
		return err
	}
	cols := make([]apiMatrixColumn, 0, len(al.Matrix.Columns))
	for _, mc := range al.Matrix.Columns {
		col := apiMatrixColumn{Code: mc.Location.Code, Name: mc.Location.Name, Type: mc.Location.Type,
			CostCents: mc.Location.CostPerShipmentCents, Eligible: []string{"breaks_rule", "eligible", "fallback"}[mc.Tier+1], Why: mc.Why}
		if mc.HasMiles {
			miles := float64(int64(mc.Miles*10+0.5)) / 10
			col.Miles = &miles
		}
		cols = append(cols, col)
	}
	rows := make([]apiMatrixRow, 0, len(al.Matrix.Rows))
	for _, r := range al.Matrix.Rows {
		row := apiMatrixRow{LineNo: r.Line.LineNo, SKU: r.Line.SKU, Open: r.Line.Quantity, Backordered: r.Backordered, Cells: []apiMatrixCell{}}
		for i, cell := range r.Cells {
			x := apiMatrixCell{Location: al.Matrix.Columns[i].Location.Code, Blocked: cell.Blocked, Planned: cell.Planned,
				Released: cell.Released, Recall: cell.Recall}
			if cell.Available >= 0 {
				n := cell.Available
				x.Available = &n
			}
			row.Cells = append(row.Cells, x)
		}
		rows = append(rows, row)
	}
	c.Set(fiber.HeaderETag, strconv.Quote(strconv.FormatInt(al.Order.Version, 10)))
	return c.JSON(fiber.Map{"number": al.Order.Number, "version": al.Order.Version, "rule": al.Matrix.RuleName,
		"locations": cols, "lines": rows})
}

// APIRecallConfirm is POST /api/v1/orders/{number}/shipments/{seq}/recall/confirm:
// the warehouse gave a released shipment back; the moves waiting on it are
// made. The caller acts as the system (no version needed). 200 with the
// order; 409 when no recall is waiting (it shipped, or was never asked).
func (h *Allocation) APIRecallConfirm(c *fiber.Ctx) error {
	return h.recallAnswer(c, true)
}

// APIRecallRefuse is POST /api/v1/orders/{number}/shipments/{seq}/recall/refuse
// with {"note": "..."}: the warehouse could not give the shipment back
// (usually it already left); nothing moves and a person is told.
func (h *Allocation) APIRecallRefuse(c *fiber.Ctx) error {
	return h.recallAnswer(c, false)
}

func (h *Allocation) recallAnswer(c *fiber.Ctx, confirmed bool) error {
	seq, err := strconv.Atoi(c.Params("seq"))
	if err != nil || seq <= 0 {
		return domain.Invalid("The shipment number must be a whole number.", map[string]string{"seq": "is not a shipment number"})
	}
	caller, _ := httpx.CurrentCaller(c)
	a := store.OrderAction{Number: c.Params("number"), Actor: caller.Actor}
	if confirmed {
		_, err = h.DB.ConfirmRecall(c.UserContext(), a, seq)
	} else {
		var body struct {
			Note string `json:"note"`
		}
		if len(bytes.TrimSpace(c.Body())) > 0 {
			if err := json.Unmarshal(c.Body(), &body); err != nil {
				return domain.Invalid("The body must be {\"note\": \"...\"}: "+jsonProblem(err), nil)
			}
		}
		_, err = h.DB.RefuseRecall(c.UserContext(), a, seq, body.Note)
	}
	if err != nil {
		return err
	}
	o, err := apiOrder(c.UserContext(), h.DB, a.Number)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"order": o})
}

// SetCSRReroute is POST /admin/settings/reroute (admin): whether customer
// service may move, split and consolidate shipments (allowed=true|false).
// The change is an event; the page comes back with a notice.
func (h *Allocation) SetCSRReroute(c *fiber.Ctx) error {
	allowed := c.FormValue("allowed") == "true"
	caller, _ := httpx.CurrentCaller(c)
	if err := h.DB.SetSetting(c.UserContext(), store.SettingCSRMayReroute, strconv.FormatBool(allowed), caller.Actor, caller.Role); err != nil {
		return err
	}
	msg := "Customer service may no longer change where orders ship from."
	if allowed {
		msg = "Customer service may now change where orders ship from, as operations does."
	}
	if err := httpx.SetFlash(c, msg); err != nil {
		return err
	}
	back := "/"
	if n := c.FormValue("order"); n != "" {
		back = "/orders/" + url.PathEscape(n)
	}
	return httpx.Redirect(c, back)
}
