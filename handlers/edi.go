package handlers

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/edi"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
)

// EDI is the EDI page (Integrations → EDI), its uploads and partner
// settings, and the EDI API.
type EDI struct {
	DB      *store.DB
	Service *edi.Service
}

// MaxEDIBody is the largest interchange the API and the upload take in one
// request; larger files go through the inbox folder.
const MaxEDIBody = 8 << 20

const ediLogShown = 50

// Show is GET /integrations/edi.
func (h *EDI) Show(c *fiber.Ctx) error {
	return h.page(c, fiber.StatusOK, views.EDIProps{})
}

func (h *EDI) page(c *fiber.Ctx, status int, p views.EDIProps) error {
	ctx := c.UserContext()
	var err error
	if p.Exceptions, err = h.DB.EDIExceptions(ctx, 100); err != nil {
		return err
	}
	if p.Partners, err = h.DB.TradingPartners(ctx); err != nil {
		return err
	}
	if p.Inbound, err = h.DB.EDILog(ctx, "in", ediLogShown); err != nil {
		return err
	}
	if p.Outbound, err = h.DB.EDILog(ctx, "out", ediLogShown); err != nil {
		return err
	}
	if h.Service != nil {
		p.Folder = h.Service.Dir
	}
	u := httpx.CurrentUser(c)
	p.CanEdit = u != nil && u.Role == domain.RoleAdmin
	ch, err := httpx.Chrome(c, "integrations")
	if err != nil {
		return err
	}
	return httpx.Render(c, status, views.EDIPage(ch, p))
}

// Upload is POST /integrations/edi/upload: the file is kept and imported
// at once, and the page shows what became of every set.
func (h *EDI) Upload(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return h.page(c, fiber.StatusUnprocessableEntity, views.EDIProps{UploadError: "Choose an X12 file to upload."})
	}
	if fh.Size > MaxEDIBody {
		return h.page(c, fiber.StatusRequestEntityTooLarge, views.EDIProps{UploadError: fmt.Sprintf(
			"The file is %d bytes; at most %d bytes (8 MiB) are taken here. Put larger files in the partner's inbox folder.", fh.Size, MaxEDIBody)})
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	if len(raw) == 0 {
		return h.page(c, fiber.StatusUnprocessableEntity, views.EDIProps{UploadError: "The file is empty."})
	}
	rep, err := h.Service.Receive(c.UserContext(), edi.Input{Source: "upload", FileName: filepath.Base(fh.Filename), Actor: httpx.Actor(c), Raw: raw})
	if err != nil {
		return err
	}
	return h.page(c, fiber.StatusOK, views.EDIProps{Report: &rep})
}

// Assign is POST /integrations/edi/exceptions/{id}/assign: an unknown
// sender becomes a partner of the customer and its kept file is imported.
func (h *EDI) Assign(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return domain.Errorf(domain.ENOTFOUND, "No such exception.")
	}
	account := strings.TrimSpace(c.FormValue("customer_account"))
	rep, err := h.Service.Assign(c.UserContext(), id, account, httpx.Actor(c))
	if code := domain.ErrorCode(err); code == domain.EINVALID || code == domain.ECONFLICT {
		return h.page(c, fiber.StatusUnprocessableEntity, views.EDIProps{Assign: views.AssignForm{ExceptionID: id, Account: account, Error: domain.ErrorMessage(err)}})
	} else if err != nil {
		return err
	}
	return h.page(c, fiber.StatusOK, views.EDIProps{Report: &rep})
}

// Raw is GET /integrations/edi/interchanges/{id}/raw: an interchange as
// received or sent, as a download.
func (h *EDI) Raw(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return domain.Errorf(domain.ENOTFOUND, "No such interchange.")
	}
	x, raw, err := h.DB.Interchange(c.UserContext(), id)
	if err != nil {
		return err
	}
	name := x.FileName
	if name == "" {
		name = fmt.Sprintf("interchange_%s_%s.x12", x.Direction, store.FolderName(x.Control))
	}
	return sendX12(c, name, []byte(raw))
}

// File is GET /integrations/edi/files/{id}/raw: a received file whole.
func (h *EDI) File(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return domain.Errorf(domain.ENOTFOUND, "No such file.")
	}
	name, raw, err := h.DB.EDIFileRaw(c.UserContext(), id)
	if err != nil {
		return err
	}
	if name == "" {
		name = fmt.Sprintf("edi_file_%d.x12", id)
	}
	return sendX12(c, name, raw)
}

func sendX12(c *fiber.Ctx, name string, raw []byte) error {
	c.Set(fiber.HeaderContentType, "application/edi-x12")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, store.FolderName(strings.TrimSuffix(name, ".x12"))+".x12"))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(raw)
}

// NewPartner is GET /integrations/edi/partners/new.
func (h *EDI) NewPartner(c *fiber.Ctx) error {
	return h.partnerPage(c, fiber.StatusOK, views.PartnerForm{QualifierOrder: strings.Join(store.DefaultQualifierOrder, ", "),
		UOMConversions: "CA=pack", Send855: true, Send856: true, Active: true, SenderQualifier: "ZZ", OurQualifier: "ZZ", OurID: "OMS"})
}

// EditPartner is GET /integrations/edi/partners/{id}.
func (h *EDI) EditPartner(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return domain.Errorf(domain.ENOTFOUND, "No such trading partner.")
	}
	p, err := h.DB.TradingPartner(c.UserContext(), id)
	if err != nil {
		return err
	}
	return h.partnerPage(c, fiber.StatusOK, views.PartnerForm{ID: p.ID, Name: p.Name, CustomerAccount: p.CustomerAccount,
		SenderQualifier: p.ISAQualifier, SenderID: p.ISAID, GSID: p.GSID, QualifierOrder: strings.Join(p.QualifierOrder, ", "),
		UOMConversions: store.FormatConversions(p.UOMConversions), Send855: p.Send855, Send856: p.Send856, OurQualifier: p.OurQualifier,
		OurID: p.OurID, Folder: p.Folder, Active: p.Active})
}

func (h *EDI) partnerPage(c *fiber.Ctx, status int, f views.PartnerForm) error {
	ch, err := httpx.Chrome(c, "integrations")
	if err != nil {
		return err
	}
	return httpx.Render(c, status, views.EDIPartnerPage(ch, f))
}

// SavePartner is POST /integrations/edi/partners and /partners/{id}.
func (h *EDI) SavePartner(c *fiber.Ctx) error {
	f := views.PartnerForm{Name: c.FormValue("name"), CustomerAccount: c.FormValue("customer_account"),
		SenderQualifier: c.FormValue("sender_qualifier"), SenderID: c.FormValue("sender_id"), GSID: c.FormValue("gs_id"),
		QualifierOrder: c.FormValue("qualifier_order"), UOMConversions: c.FormValue("uom_conversions"),
		Send855: c.FormValue("send_855") != "", Send856: c.FormValue("send_856") != "", Active: c.FormValue("active") != "",
		OurQualifier: c.FormValue("our_qualifier"), OurID: c.FormValue("our_id"), Folder: c.FormValue("folder")}
	if id := c.Params("id"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return domain.Errorf(domain.ENOTFOUND, "No such trading partner.")
		}
		f.ID = n
	}
	p := store.TradingPartner{ID: f.ID, Name: f.Name, CustomerAccount: f.CustomerAccount, ISAQualifier: f.SenderQualifier, ISAID: f.SenderID,
		GSID: f.GSID, QualifierOrder: splitList(f.QualifierOrder), UOMConversions: store.ParseConversions(f.UOMConversions),
		Send855: f.Send855, Send856: f.Send856, OurQualifier: f.OurQualifier, OurID: f.OurID, Folder: f.Folder, Active: f.Active}
	saved, err := h.DB.SaveTradingPartner(c.UserContext(), p)
	if code := domain.ErrorCode(err); code == domain.EINVALID || code == domain.ECONFLICT {
		f.Error, f.Fields = domain.ErrorMessage(err), domain.ErrorFields(err)
		return h.partnerPage(c, fiber.StatusUnprocessableEntity, f)
	} else if err != nil {
		return err
	}
	if err := httpx.SetFlash(c, "Saved trading partner "+saved.DisplayName()+"."); err != nil {
		return err
	}
	return httpx.Redirect(c, "/integrations/edi")
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '>' || r == ';' || r == '→' })
}

// apiPartner is a trading partner in the API.
type apiPartner struct {
	ID              int64             `json:"id"`
	Name            string            `json:"name"`
	CustomerAccount string            `json:"customer_account"`
	SenderQualifier string            `json:"sender_qualifier"`
	SenderID        string            `json:"sender_id"`
	GSID            string            `json:"gs_id"`
	QualifierOrder  []string          `json:"qualifier_order"`
	UOMConversions  map[string]string `json:"uom_conversions"`
	Send855         bool              `json:"send_855"`
	Send856         bool              `json:"send_856"`
	OurQualifier    string            `json:"our_qualifier"`
	OurID           string            `json:"our_id"`
	Folder          string            `json:"folder"`
	Active          bool              `json:"active"`
}

// apiPartnerRequest is the body of POST /api/v1/edi/partners; omitted
// booleans default to true.
type apiPartnerRequest struct {
	Name            string            `json:"name"`
	CustomerAccount string            `json:"customer_account"`
	SenderQualifier string            `json:"sender_qualifier"`
	SenderID        string            `json:"sender_id"`
	GSID            string            `json:"gs_id"`
	QualifierOrder  []string          `json:"qualifier_order"`
	UOMConversions  map[string]string `json:"uom_conversions"`
	Send855         *bool             `json:"send_855"`
	Send856         *bool             `json:"send_856"`
	OurQualifier    string            `json:"our_qualifier"`
	OurID           string            `json:"our_id"`
	Folder          string            `json:"folder"`
	Active          *bool             `json:"active"`
}

func toAPIPartner(p store.TradingPartner) apiPartner {
	conv := p.UOMConversions
	if conv == nil {
		conv = map[string]string{}
	}
	order := p.QualifierOrder
	if order == nil {
		order = []string{}
	}
	return apiPartner{ID: p.ID, Name: p.Name, CustomerAccount: p.CustomerAccount, SenderQualifier: p.ISAQualifier, SenderID: p.ISAID,
		GSID: p.GSID, QualifierOrder: order, UOMConversions: conv, Send855: p.Send855, Send856: p.Send856,
		OurQualifier: p.OurQualifier, OurID: p.OurID, Folder: p.Folder, Active: p.Active}
}

// Partners is GET /api/v1/edi/partners.
func (h *EDI) Partners(c *fiber.Ctx) error {
	ps, err := h.DB.TradingPartners(c.UserContext())
	if err != nil {
		return err
	}
	out := []apiPartner{}
	for _, p := range ps {
		out = append(out, toAPIPartner(p))
	}
	return c.JSON(fiber.Map{"partners": out})
}

// PutPartner is POST /api/v1/edi/partners: it creates the partner of a
// sender (201), or updates the one that has the sender already (200), so
// that an onboarding script can be run again.
func (h *EDI) PutPartner(c *fiber.Ctx) error {
	var req apiPartnerRequest
	if len(c.Body()) > 64<<10 {
		return domain.Errorf(domain.ETOOLARGE, "A trading partner is at most 64 KiB of JSON.")
	}
	if err := strictDecode(c.Body(), &req); err != nil {
		_, msg, ok := describeDecodeError(err)
		if !ok {
			msg = strings.TrimPrefix(err.Error(), "json: ")
		}
		return fiber.NewError(fiber.StatusBadRequest, "Malformed trading partner JSON: "+msg+".")
	}
	yes := func(b *bool) bool { return b == nil || *b }
	p := store.TradingPartner{Name: req.Name, CustomerAccount: req.CustomerAccount, ISAQualifier: req.SenderQualifier, ISAID: req.SenderID,
		GSID: req.GSID, QualifierOrder: req.QualifierOrder, UOMConversions: req.UOMConversions, Send855: yes(req.Send855), Send856: yes(req.Send856),
		OurQualifier: req.OurQualifier, OurID: req.OurID, Folder: req.Folder, Active: yes(req.Active)}
	if req.UOMConversions == nil {
		p.UOMConversions = map[string]string{"CA": "pack"}
	}
	status := fiber.StatusCreated
	if prev, err := h.DB.TradingPartnerBySender(c.UserContext(), req.SenderQualifier, req.SenderID); err == nil {
		p.ID, status = prev.ID, fiber.StatusOK
	} else if domain.ErrorCode(err) != domain.ENOTFOUND {
		return err
	}
	saved, err := h.DB.SaveTradingPartner(c.UserContext(), p)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(toAPIPartner(saved))
}

// PostX12 is POST /api/v1/edi/x12: the body is a raw interchange (or
// several). The file is kept, every set is imported, and the answer lists
// per interchange and set its control number, PO number, the order it
// became or its errors, and the 997 text.
func (h *EDI) PostX12(c *fiber.Ctx) error {
	body := c.Body()
	if len(body) > MaxEDIBody {
		return domain.Errorf(domain.ETOOLARGE, "The interchange is %d bytes; at most %d bytes (8 MiB) are taken by the API. Put larger files in the partner's inbox folder.", len(body), MaxEDIBody)
	}
	if len(body) == 0 {
		return fiber.NewError(fiber.StatusBadRequest, "The request body is empty; send the X12 interchange as the body.")
	}
	caller, _ := httpx.CurrentCaller(c)
	raw := append([]byte(nil), body...)
	name := filepath.Base(strings.TrimSpace(c.Get("X-File-Name")))
	if name == "." || len(name) > 200 {
		name = ""
	}
	rep, err := h.Service.Receive(c.UserContext(), edi.Input{Source: "api", FileName: name, Actor: caller.Actor, Raw: raw})
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if rep.Status == store.InterchangeRejected && len(rep.Interchanges) == 0 {
		status = fiber.StatusUnprocessableEntity
	}
	return c.Status(status).JSON(rep)
}
