package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/oms/oms/dispatch"
	"github.com/oms/oms/erpsim"
	"github.com/oms/oms/notify"
	"github.com/oms/oms/store"
)

// syncConfig is the ERP/WMS sync part of serve's configuration.
type syncConfig struct {
	endpoints   map[string]*dispatch.Endpoint
	maxAttempts *int
	autoRelease *bool
	simAddr     *string
	simFailRate *float64
	simDelay    *time.Duration
	smtp        *notify.SMTP
}

// destinations the dispatcher may send, with their flag and variable names.
var destinations = []string{"erp", "wms", "vendor"}

func syncFlags(fs *flag.FlagSet) syncConfig {
	c := syncConfig{endpoints: map[string]*dispatch.Endpoint{}}
	for _, d := range destinations {
		ep := &dispatch.Endpoint{}
		up := strings.ToUpper(d)
		fs.StringVar(&ep.URL, d+"-url", env("OMS_"+up+"_URL", ""), fmt.Sprintf("where %s messages are POSTed (OMS_%s_URL)", d, up))
		fs.StringVar(&ep.Secret, d+"-secret", env("OMS_"+up+"_SECRET", ""), fmt.Sprintf("HMAC-SHA256 secret of %s messages (OMS_%s_SECRET)", d, up))
		c.endpoints[d] = ep
	}
	attempts, _ := strconv.Atoi(env("OMS_DISPATCH_MAX_ATTEMPTS", "8"))
	c.maxAttempts = fs.Int("dispatch-max-attempts", attempts, "tries before a message becomes a dead letter (OMS_DISPATCH_MAX_ATTEMPTS)")
	c.autoRelease = fs.Bool("auto-release", env("OMS_AUTO_RELEASE", "1") != "0", "release planned shipments of orders without a hold automatically (OMS_AUTO_RELEASE=0 turns it off)")
	c.simAddr = fs.String("sim-addr", env("OMS_SIM_ADDR", "127.0.0.1:0"), "with --demo and no endpoints: where the built-in ERP/WMS simulator listens (OMS_SIM_ADDR)")
	rate, _ := strconv.ParseFloat(env("OMS_SIM_FAIL_RATE", "0.1"), 64)
	c.simFailRate = fs.Float64("sim-fail-rate", rate, "share of calls the simulator fails, 0 to 1 (OMS_SIM_FAIL_RATE)")
	delay, _ := time.ParseDuration(env("OMS_SIM_SHIP_DELAY", "20s"))
	c.simDelay = fs.Duration("sim-ship-delay", delay, "how long the simulator takes to ship a released group (OMS_SIM_SHIP_DELAY)")
	// The password comes from the environment only, never a flag that
	// would show in the process list.
	c.smtp = &notify.SMTP{Password: env("OMS_SMTP_PASSWORD", "")}
	fs.StringVar(&c.smtp.Addr, "smtp-addr", env("OMS_SMTP_ADDR", ""), "SMTP server host:port for customer e-mails; none keeps them in the OMS (OMS_SMTP_ADDR)")
	fs.StringVar(&c.smtp.From, "smtp-from", env("OMS_SMTP_FROM", ""), "From address of customer e-mails (OMS_SMTP_FROM)")
	fs.StringVar(&c.smtp.User, "smtp-user", env("OMS_SMTP_USER", ""), "SMTP user name, with OMS_SMTP_PASSWORD in the environment (OMS_SMTP_USER)")
	return c
}

// outboxRetention is how long a delivered message stays listed.
const outboxRetention = 7 * 24 * time.Hour

// emailRetention is how long a customer e-mail stays viewable (its event
// on the order stays).
const emailRetention = 90 * 24 * time.Hour

// inboundRetention is how long an inbound message id is remembered (and
// so refused when sent again).
const inboundRetention = 30 * 24 * time.Hour

// demoSimSecret signs the messages to the built-in simulator.
const demoSimSecret = "demo-secret"

// startSync starts the outbox dispatcher, the customer e-mail sender, the
// automatic release and, in demo mode without configured endpoints, the
// built-in ERP/WMS simulator.
// All stop when ctx ends, before the store closes. It returns the URL of
// each destination it sends.
func startSync(ctx context.Context, wg *sync.WaitGroup, db *store.DB, addr string, demo bool, c syncConfig, log *slog.Logger) (map[string]string, error) {
	if err := c.smtp.Check(); err != nil {
		return nil, err
	}
	endpoints := map[string]dispatch.Endpoint{}
	for d, ep := range c.endpoints {
		if ep.URL != "" {
			if ep.Secret == "" {
				return nil, fmt.Errorf("%s messages go to %s but have no secret: set --%s-secret or OMS_%s_SECRET", d, ep.URL, d, strings.ToUpper(d))
			}
			endpoints[d] = *ep
		}
	}
	if demo && len(endpoints) == 0 {
		ln, err := net.Listen("tcp", *c.simAddr)
		if err != nil {
			return nil, fmt.Errorf("start the ERP/WMS simulator on %s: %w", *c.simAddr, err)
		}
		sim := erpsim.New(erpsim.Config{OMS: "http://" + dialable(addr), Token: demoSimToken, Secret: demoSimSecret,
			ShipDelay: *c.simDelay, FailRate: *c.simFailRate, PartialRate: 0.15, Logger: log})
		wg.Go(func() {
			if err := sim.Serve(ctx, ln); err != nil {
				log.Warn("ERP/WMS simulator stopped", "err", err)
			}
		})
		url := "http://" + ln.Addr().String()
		for _, d := range []string{"erp", "wms", "vendor"} {
			endpoints[d] = dispatch.Endpoint{URL: url + "/" + d, Secret: demoSimSecret}
		}
		fmt.Fprintf(os.Stderr, "Demo ERP/WMS simulator at %s: ships released groups after about %s, fails %.0f%% of calls\n",
			url, *c.simDelay, *c.simFailRate*100)
	}
	d := dispatch.New(db, dispatch.Config{Endpoints: endpoints, MaxAttempts: *c.maxAttempts, Logger: log})
	wg.Go(func() { d.Run(ctx) })
	mailer := notify.New(db, notify.Config{SMTP: *c.smtp, MaxAttempts: *c.maxAttempts, Logger: log})
	wg.Go(func() { mailer.Run(ctx) })
	if *c.autoRelease {
		repeat(ctx, wg, 2*time.Second, func(ctx context.Context) {
			if _, err := db.ReleasePlannedGroups(ctx, 25); err != nil && !errors.Is(err, context.Canceled) {
				log.Warn("release planned shipments", "err", err)
			}
		})
	}
	repeat(ctx, wg, time.Hour, func(ctx context.Context) {
		if _, err := db.DeleteDeliveredOutbox(ctx, outboxRetention); err != nil && !errors.Is(err, context.Canceled) {
			log.Warn("delete delivered outbox messages", "err", err)
		}
		if _, err := db.DeleteOldInbound(ctx, inboundRetention); err != nil && !errors.Is(err, context.Canceled) {
			log.Warn("delete old inbound message ids", "err", err)
		}
		if _, err := db.DeleteOldCustomerEmails(ctx, emailRetention); err != nil && !errors.Is(err, context.Canceled) {
			log.Warn("delete old customer e-mails", "err", err)
		}
	})
	urls := map[string]string{}
	for _, dest := range d.Destinations() {
		urls[dest] = endpoints[dest].URL
	}
	return urls, nil
}

// dialable turns a listen address into one a client can call (":8080" is
// 127.0.0.1:8080).
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" || host == "0.0.0.0" || host == "::" {
		return "127.0.0.1:" + port
	}
	return net.JoinHostPort(host, port)
}

// runSim is `oms erpsim`: the simulator alone, against a running OMS.
func runSim(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("erpsim", flag.ExitOnError)
	addr := fs.String("addr", env("OMS_SIM_ADDR", "127.0.0.1:8081"), "listen address; point OMS_ERP_URL, OMS_WMS_URL and OMS_VENDOR_URL here (OMS_SIM_ADDR)")
	oms := fs.String("oms", env("OMS_URL", "http://localhost:8080"), "the OMS's base URL (OMS_URL)")
	token := fs.String("token", env("OMS_SIM_TOKEN", ""), "API token with the ops role for the OMS's inbound API (OMS_SIM_TOKEN)")
	secret := fs.String("secret", env("OMS_SIM_SECRET", ""), "the secret the OMS signs its messages with (OMS_SIM_SECRET)")
	shipDelay := fs.Duration("ship-delay", 20*time.Second, "from release to shipment")
	invoiceDelay := fs.Duration("invoice-delay", 30*time.Second, "from shipment to invoice")
	receiptDelay := fs.Duration("receipt-delay", 45*time.Second, "from a backorder to stock arriving")
	failRate := fs.Float64("fail-rate", 0.1, "share of received calls answered 503, 0 to 1")
	partialRate := fs.Float64("partial-rate", 0.15, "share of shipments that ship short, 0 to 1")
	fs.Parse(args)
	if *token == "" || *secret == "" {
		return errors.New("erpsim needs --token (an ops API token of the OMS) and --secret (the OMS's signing secret)")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log.Info("ERP/WMS simulator listening", "url", "http://"+ln.Addr().String(), "oms", *oms)
	return erpsim.New(erpsim.Config{OMS: strings.TrimRight(*oms, "/"), Token: *token, Secret: *secret, ShipDelay: *shipDelay,
		InvoiceDelay: *invoiceDelay, ReceiptDelay: *receiptDelay, FailRate: *failRate, PartialRate: *partialRate, Logger: log}).Serve(ctx, ln)
}
