// Package web builds the fiber app: the one route table, middleware, the
// error handler and static files.
package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/oms/oms/auth"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/edi"
	"github.com/oms/oms/handlers"
	"github.com/oms/oms/static"
	"github.com/oms/oms/store"
	"github.com/oms/oms/views"
	"github.com/oms/oms/web/httpx"
	"github.com/oms/oms/web/live"
)

// Config is what the app needs beside the store.
type Config struct {
	Demo        bool
	TLS         bool // served over TLS (or behind a TLS proxy): Secure cookies and HSTS
	IdleTimeout time.Duration
	AbsTimeout  time.Duration
	BodyLimit   int // bytes
	SignInLimit auth.SignInLimit
	// SignInHashes is how many sign-in passwords are checked at once
	// (each check holds 32 MiB); more attempts wait up to SignInHashWait
	// (auth.DefaultHashWait when zero), then get 429.
	SignInHashes   int
	SignInHashWait time.Duration
	Logger         *slog.Logger
	TrustProxies   []string // addresses whose X-Forwarded-For is believed
	// EDI receives and sends X12; nil: a service over the database only
	// (no inbox or outbox folders).
	EDI *edi.Service
	// Endpoints are the sync destinations the dispatcher sends and their
	// URLs, for the Integrations page.
	Endpoints map[string]string
	// SMTPAddr is the server customer e-mails go through ("" keeps them
	// in the OMS) and EmailFrom their sender, for the e-mail pages.
	SMTPAddr  string
	EmailFrom string
	// InboxDir is the folder of the ERP's CSV files (package inbox), shown
	// on the Integrations page.
	InboxDir string
	// Live is the live-update hub; nil: New makes one over db.
	Live *live.Hub
}

// withDefaults fills unset fields.
func (c Config) withDefaults() Config {
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.AbsTimeout == 0 {
		c.AbsTimeout = 12 * time.Hour
	}
	if c.BodyLimit == 0 {
		c.BodyLimit = 8 << 20
	}
	if c.SignInLimit.Window == 0 {
		c.SignInLimit = auth.DefaultSignInLimit
	}
	if c.SignInHashes <= 0 {
		c.SignInHashes = auth.DefaultConcurrentHashes
	}
	if c.SignInHashWait <= 0 {
		c.SignInHashWait = auth.DefaultHashWait
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// New builds the app with every route.
func New(db *store.DB, cfg Config) *fiber.App {
	cfg = cfg.withDefaults()
	fc := fiber.Config{
		AppName:               "oms",
		ErrorHandler:          errorHandler(cfg.Logger, cfg.TLS),
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		// Multipart bodies are parsed when a handler asks (the CSV
		// upload): fasthttp parsing them first answered a broken one with
		// a 400 that had forgotten its path, and so could not answer an
		// API request in JSON, nor say 415 to a multipart body sent there.
		DisablePreParseMultipartForm: true,
	}
	if len(cfg.TrustProxies) > 0 {
		fc.EnableTrustedProxyCheck = true
		fc.TrustedProxies = cfg.TrustProxies
		fc.ProxyHeader = fiber.HeaderXForwardedFor
	}
	app := fiber.New(fc)
	app.Server().ErrorHandler = plainServerErrors(app.Server().ErrorHandler)
	setAssetVersion.Do(func() { views.AssetVersion = assetVersion() })

	sessionStore := &httpx.SessionStore{DB: db, Idle: cfg.IdleTimeout, Absolute: cfg.AbsTimeout, Secure: cfg.TLS}
	authH := &handlers.Auth{DB: db, Limit: cfg.SignInLimit, Hashes: auth.NewHashGate(cfg.SignInHashes, cfg.SignInHashWait), Demo: cfg.Demo}
	home := &handlers.Home{DB: db}
	health := &handlers.Health{DB: db}
	admin := &handlers.Admin{DB: db}
	orders := &handlers.Orders{DB: db}
	customers := &handlers.Customers{DB: db}
	orderLookup := &handlers.API{DB: db}
	inventory := &handlers.Inventory{DB: db}
	itemsAPI := &handlers.ItemsAPI{DB: db}
	sourcingH := &handlers.Sourcing{DB: db}
	tokens := &handlers.APITokens{DB: db}
	orderCapture := &handlers.OrderCaptureAPI{DB: db}
	lookup := &handlers.LookupAPI{DB: db}
	entry := &handlers.Entry{DB: db}
	imports := &handlers.Import{DB: db, Logger: cfg.Logger}
	ediSvc := cfg.EDI
	if ediSvc == nil {
		ediSvc = &edi.Service{DB: db, Log: cfg.Logger}
	}
	ediH := &handlers.EDI{DB: db, Service: ediSvc}
	actions := &handlers.OrderActions{DB: db}
	exceptions := &handlers.Exceptions{DB: db}
	backorders := &handlers.Backorders{DB: db}
	settings := &handlers.Settings{DB: db}
	allocation := &handlers.Allocation{DB: db}
	inbound := &handlers.InboundAPI{DB: db}
	notifications := &handlers.Notifications{DB: db, SMTPAddr: cfg.SMTPAddr, From: cfg.EmailFrom}
	integrations := &handlers.Integrations{DB: db, Endpoints: cfg.Endpoints, InboxDir: cfg.InboxDir}
	hub := cfg.Live
	if hub == nil {
		hub = live.New(db, live.Config{Logger: cfg.Logger})
	}
	liveH := &handlers.Live{DB: db, Hub: hub}

	app.Use(requestLog(cfg.Logger), recover.New(), securityHeaders(cfg.TLS), oneContentLength)
	app.Use("/static", func(c *fiber.Ctx) error {
		// Asset URLs carry ?v=<hash of the files>, so they never go stale.
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
		return c.Next()
	}, filesystem.New(filesystem.Config{Root: httpFS()}))
	app.Get("/healthz", health.Show)
	// Browsers ask for /favicon.ico on pages that do not name an icon (a
	// JSON answer, an image); send them to the one the pages name.
	app.Get("/favicon.ico", func(c *fiber.Ctx) error {
		return c.Redirect(views.Asset("img/favicon.svg"), fiber.StatusMovedPermanently)
	})
	app.Get("/api/v1/openapi.json", handlers.OpenAPI)

	app.Use(bearer(db), sessions(sessionStore), csrf)
	app.Get("/login", authH.Form)
	app.Post("/login", authH.Login)
	app.Post("/logout", authH.Logout)

	app.Use(requireUser, changeMark(db))
	app.Get("/", home.Show)
	// Live updates: the stream names what changed; the pages fetch it.
	app.Get("/live", liveH.Stream)

	app.Get("/inventory", inventory.List)
	app.Get("/inventory/short", inventory.Short)
	app.Get("/inventory/items/:sku", inventory.Show)
	app.Get("/api/v1/items/:sku", itemsAPI.Show)

	ops := allow(domain.RoleOps)
	app.Get("/sourcing", ops, sourcingH.List)
	app.Get("/sourcing/simulate", ops, sourcingH.Simulate)
	app.Get("/sourcing/rules/new", ops, sourcingH.New)
	app.Post("/sourcing/rules", ops, sourcingH.Create)
	app.Get("/sourcing/rules/:id", ops, sourcingH.Edit)
	app.Post("/sourcing/rules/:id", ops, sourcingH.Update)
	app.Post("/sourcing/rules/:id/move", ops, sourcingH.Move)
	app.Post("/sourcing/rules/:id/status", ops, sourcingH.SetStatus)
	app.Post("/sourcing/rules/:id/discard", ops, sourcingH.Discard)
	app.Get("/sourcing/rules/:id/versions", ops, sourcingH.History)
	sales := allow(domain.RoleSales)
	app.Get("/orders/new", sales, entry.New)
	app.Post("/orders/new", sales, entry.Create)
	app.Post("/orders/new/form", sales, entry.Form)
	app.Get("/orders/new/customers", sales, entry.Customers)
	app.Get("/orders/new/items", sales, entry.Items)
	app.Post("/orders/drafts", sales, entry.SaveDraft)
	app.Post("/orders/drafts/:id/delete", sales, entry.DeleteDraft)

	importers := allow(domain.RoleSales, domain.RoleOps)
	app.Get("/orders/import", importers, imports.New)
	app.Post("/orders/import", importers, imports.Create)
	app.Get("/orders/import/template.csv", importers, imports.Template)
	app.Get("/orders/import/:id<int>", importers, imports.Show)

	// Customer service: every role reads orders and customers; roles that
	// talk to customers or work orders write notes. These come after the
	// fixed /orders/... paths above, which /orders/:number would shadow.
	staff := allow(domain.RoleCSR, domain.RoleSales, domain.RoleOps)
	app.Get("/orders", staff, orders.List)
	app.Get("/orders/:number", staff, orders.Show)
	app.Get("/orders/:number/lines", staff, orders.Lines)
	app.Get("/orders/:number/timeline", staff, orders.Timeline)
	app.Post("/orders/:number/notes", staff, orders.AddNote)
	// Actions on an order: the store checks the role each action needs
	// (and, for holds, the release authority of the hold's reason).
	app.Post("/orders/:number/holds/:id<int>/release", staff, actions.ReleaseHold)
	app.Post("/orders/:number/cancel", staff, actions.Cancel)
	app.Post("/orders/:number/address", staff, actions.Address)
	app.Post("/orders/:number/notify", staff, actions.Notify)
	app.Post("/orders/:number/lines/cancel", staff, actions.CancelLine)
	app.Post("/orders/:number/lines/price", staff, actions.Price)
	app.Post("/orders/:number/lines/substitute", staff, actions.Substitute)
	app.Post("/orders/:number/lines/allocate", staff, actions.Allocate)
	app.Post("/orders/:number/lines/dropship", staff, actions.Dropship)

	// The exception queue and the backorder board: ops and admin work
	// them, customer service reads them.
	readers := allow(domain.RoleCSR, domain.RoleOps)
	app.Get("/exceptions", readers, exceptions.List)
	app.Get("/exceptions/alert", ops, liveH.Alert)
	app.Post("/exceptions/claim", ops, exceptions.Claim)
	app.Post("/exceptions/bulk", ops, exceptions.Bulk)
	app.Post("/exceptions/views", readers, exceptions.SaveView)
	app.Post("/exceptions/views/:id<int>/delete", readers, exceptions.DeleteView)
	app.Post("/exceptions/:id<int>/resolve", ops, exceptions.Resolve)
	app.Get("/backorders", readers, backorders.List)
	app.Post("/receipts", ops, backorders.Receive)
	// Rerouting: operations, and customer service when an admin allows it
	// (the store checks the setting in the action's own transaction).
	rerouters := allow(domain.RoleOps, domain.RoleCSR)
	app.Get("/orders/:number/allocation", rerouters, allocation.Show)
	app.Post("/orders/:number/allocation/preview", rerouters, allocation.Preview)
	app.Post("/orders/:number/allocation", rerouters, allocation.Confirm)
	app.Get("/customers/:account", staff, customers.Show)

	// EDI: operations read, administrators change; the raw documents are
	// linked from every order page.
	admins := allow(domain.RoleAdmin)
	app.Get("/integrations/edi", ops, ediH.Show)
	app.Post("/integrations/edi/upload", admins, ediH.Upload)
	app.Post("/integrations/edi/exceptions/:id<int>/assign", admins, ediH.Assign)
	app.Get("/integrations/edi/partners/new", admins, ediH.NewPartner)
	app.Post("/integrations/edi/partners", admins, ediH.SavePartner)
	app.Get("/integrations/edi/partners/:id<int>", admins, ediH.EditPartner)
	app.Post("/integrations/edi/partners/:id<int>", admins, ediH.SavePartner)
	app.Get("/integrations/edi/interchanges/:id<int>/raw", staff, ediH.Raw)
	app.Get("/integrations/edi/files/:id<int>/raw", ops, ediH.File)
	app.Get("/integrations", ops, integrations.Show)
	app.Post("/integrations/outbox/:id<int>/retry", allow(domain.RoleAdmin), integrations.Retry)
	app.Post("/integrations/outbox/:id<int>/skip", allow(domain.RoleAdmin), integrations.Skip)
	// Customer e-mails: operations list them; whoever reads orders reads
	// each one (it is linked from the order page).
	app.Get("/notifications", ops, notifications.List)
	app.Get("/notifications/:id<int>", staff, notifications.Show)
	webhooks := &handlers.Webhooks{DB: db}
	app.Post("/integrations/webhooks", admins, webhooks.CreateForm)
	app.Post("/integrations/webhooks/:id<int>/delete", admins, webhooks.DeleteForm)
	app.Get("/api/v1/webhooks", admins, webhooks.List)
	app.Post("/api/v1/webhooks", admins, webhooks.Create)
	app.Delete("/api/v1/webhooks/:id<int>", admins, webhooks.Delete)

	app.Get("/admin/users", allow(domain.RoleAdmin), admin.Users)
	app.Post("/admin/users", allow(domain.RoleAdmin), admin.CreateUser)
	app.Post("/admin/users/:id/password", allow(domain.RoleAdmin), admin.ResetPassword)
	app.Post("/admin/users/:id", allow(domain.RoleAdmin), admin.UpdateUser)
	app.Post("/admin/settings/reroute", allow(domain.RoleAdmin), allocation.SetCSRReroute)
	app.Get("/admin/tokens", allow(domain.RoleAdmin), tokens.List)
	app.Post("/admin/tokens", allow(domain.RoleAdmin), tokens.Create)
	app.Post("/admin/tokens/:id/revoke", allow(domain.RoleAdmin), tokens.Revoke)
	app.Get("/admin/settings", allow(domain.RoleAdmin), settings.Show)
	app.Post("/admin/settings", allow(domain.RoleAdmin), settings.Update)

	// JSON API: a bearer token or a session (with the CSRF header for POST).
	app.Post("/api/v1/orders", allow(domain.RoleSales, domain.RoleOps), orderCapture.Create)
	app.Get("/api/v1/items", lookup.Items)
	app.Get("/api/v1/customers", lookup.Customers)
	app.Get("/api/v1/orders", staff, orderLookup.Orders)
	app.Get("/api/v1/orders/:number", staff, orderLookup.Order)
	app.Post("/api/v1/edi/x12", allow(domain.RoleSales, domain.RoleOps), ediH.PostX12)
	app.Get("/api/v1/edi/partners", allow(domain.RoleOps), ediH.Partners)
	app.Post("/api/v1/edi/partners", admins, ediH.PutPartner)
	app.Post("/api/v1/orders/:number/holds/:id<int>/release", staff, actions.APIReleaseHold)
	app.Post("/api/v1/orders/:number/cancel", staff, actions.APICancel)
	app.Post("/api/v1/orders/:number/lines/:line<int>/cancel", staff, actions.APICancelLine)
	app.Post("/api/v1/orders/:number/lines/:line<int>/substitute", staff, actions.APISubstitute)
	app.Get("/api/v1/orders/:number/allocation", rerouters, allocation.APIAllocation)
	app.Post("/api/v1/orders/:number/moves", rerouters, allocation.APIMoves)
	// The WMS answers recalls with an operations token; it acts as the system.
	app.Post("/api/v1/orders/:number/shipments/:seq/recall/confirm", ops, allocation.APIRecallConfirm)
	app.Post("/api/v1/orders/:number/shipments/:seq/recall/refuse", ops, allocation.APIRecallRefuse)
	app.Get("/api/v1/events", staff, orderLookup.Events)
	// The ERP's and WMS's messages: tokens with the ops (or admin) role.
	app.Post("/api/v1/inbound/inventory-snapshots", ops, inbound.Snapshot)
	app.Post("/api/v1/inbound/inventory-deltas", ops, inbound.Deltas)
	app.Post("/api/v1/inbound/supply", ops, inbound.Supply)
	app.Post("/api/v1/inbound/shipments", ops, inbound.Shipment)
	app.Post("/api/v1/inbound/invoices", ops, inbound.Invoice)
	app.Post("/api/v1/inbound/items", ops, inbound.Items)
	app.Post("/api/v1/inbound/customers", ops, inbound.Customers)
	app.Post("/api/v1/inbound/price-lists", ops, inbound.PriceLists)

	app.Use(func(c *fiber.Ctx) error {
		return domain.Errorf(domain.ENOTFOUND, "There is no page at this address. It may have moved, or the link may be mistyped.")
	})
	return app
}

// setAssetVersion sets views.AssetVersion once per process: the files are
// embedded, so their hash cannot change, and an app serving requests must
// not race with another app being built (tests run apps side by side).
var setAssetVersion sync.Once

// assetVersion hashes the embedded static files so that their URLs change
// whenever they do.
func assetVersion() string {
	h := sha256.New()
	fs.WalkDir(static.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".go") {
			return err
		}
		b, err := fs.ReadFile(static.FS, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}
