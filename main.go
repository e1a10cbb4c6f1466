// Command oms is the order management system: `oms serve` runs the web app,
// `oms migrate` applies migrations, `oms seed` fills a database with demo
// data, `oms loadgen` measures a running server from outside.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/edi"
	"github.com/oms/oms/inbox"
	"github.com/oms/oms/store"
	"github.com/oms/oms/web"
	"github.com/oms/oms/web/live"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(log)
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:], log)
	case "migrate":
		err = migrate(os.Args[2:])
	case "seed":
		err = seed(os.Args[2:], log)
	case "user":
		err = addUser(os.Args[2:], os.Stdin)
	case "loadgen":
		err = runLoadgen(os.Args[2:])
	case "erpsim":
		err = runSim(os.Args[2:], log)
	case "-h", "--help", "help":
		usage()
		return
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "oms:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: oms <command> [flags]

commands:
  serve    run the web app (--addr, --db, --demo, --idempotency-retention, --edi-dir; see oms serve -h)
  migrate  apply database migrations (--db)
  seed     fill a database with demo data (--db, --orders)
  user     create a user, e.g. the first admin (--email, --name, --role; password on stdin)
  loadgen  drive a running server over HTTP and report orders/s or search latency (--mode intake|search; see oms loadgen -h)
  erpsim   run the ERP/WMS simulator alone (--addr, --oms, --token, --secret; see oms erpsim -h)
`)
}

// env returns the environment variable or def.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a Go duration; write e.g. %s", name, v, def)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%s=%q must be more than 0 (the default is %s)", name, v, def)
	}
	return d, nil
}

func openStore(path string) (*store.DB, error) {
	db, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func serve(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	addr := fs.String("addr", env("OMS_ADDR", "localhost:8080"), "listen address HOST:PORT (OMS_ADDR)")
	dbPath := fs.String("db", env("OMS_DB", "data/oms.db"), "database file (OMS_DB)")
	demoMode := fs.Bool("demo", env("OMS_DEMO", "") == "1", "seed demo data into an empty database and create demo sign-ins (OMS_DEMO=1)")
	certFile := fs.String("tls-cert", env("OMS_TLS_CERT", ""), "TLS certificate file (OMS_TLS_CERT)")
	keyFile := fs.String("tls-key", env("OMS_TLS_KEY", ""), "TLS key file (OMS_TLS_KEY)")
	idemRetention := fs.String("idempotency-retention", env("OMS_IDEMPOTENCY_RETENTION", store.DefaultIdempotencyRetention.String()),
		"how long an API Idempotency-Key is remembered, a Go duration (OMS_IDEMPOTENCY_RETENTION)")
	ediDir := fs.String("edi-dir", env("OMS_EDI_DIR", "data/edi"), "folder of the EDI trading partners' inbox and outbox folders (OMS_EDI_DIR)")
	inboxDir := fs.String("inbox-dir", env("OMS_INBOX_DIR", "data/inbox"), "folder the ERP and WMS drop CSV files in, one subfolder per kind (OMS_INBOX_DIR)")
	inboxRetention := fs.String("inbox-retention", env("OMS_INBOX_RETENTION", inbox.DefaultRetention.String()),
		"how long processed and failed inbox files are kept, a Go duration (OMS_INBOX_RETENTION)")
	inboxMaxMB := fs.String("inbox-max-mb", env("OMS_INBOX_MAX_MB", strconv.Itoa(inbox.DefaultMaxSize>>20)), "largest inbox file taken, in MiB (OMS_INBOX_MAX_MB)")
	syncCfg := syncFlags(fs)
	fs.Parse(args)
	keepInbox, err := time.ParseDuration(*inboxRetention)
	if err != nil || keepInbox <= 0 {
		return fmt.Errorf("inbox retention %q (--inbox-retention, OMS_INBOX_RETENTION) must be a positive Go duration such as 720h", *inboxRetention)
	}
	maxMB, err := strconv.ParseInt(*inboxMaxMB, 10, 64)
	if err != nil || maxMB <= 0 || maxMB > 1<<20 {
		return fmt.Errorf("inbox file size limit %q MiB (--inbox-max-mb, OMS_INBOX_MAX_MB) must be a whole number above 0", *inboxMaxMB)
	}
	retention, err := parseRetention(*idemRetention)
	if err != nil {
		return err
	}
	// A bad setting stops the server at start rather than being replaced
	// by a default nobody asked for.
	idle, err := envDuration("OMS_SESSION_IDLE", 30*time.Minute)
	if err != nil {
		return err
	}
	absolute, err := envDuration("OMS_SESSION_MAX", 12*time.Hour)
	if err != nil {
		return err
	}

	db, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	// OMS_CPU_PROFILE=file writes a CPU profile of the whole run, until a
	// clean stop (SIGINT or SIGTERM), for `go tool pprof`: how issue 9's
	// bounds under load were measured.
	if f := os.Getenv("OMS_CPU_PROFILE"); f != "" {
		stop, err := startCPUProfile(f)
		if err != nil {
			return err
		}
		defer stop()
	}
	ctx := context.Background()
	if *demoMode {
		if err := setUpDemo(ctx, db, log); err != nil {
			return err
		}
	}
	tls := *certFile != "" || env("OMS_SECURE_COOKIES", "") == "1"
	var proxies []string
	if p := env("OMS_TRUSTED_PROXIES", ""); p != "" {
		proxies = strings.Split(p, ",")
	}
	// Background sweeps stop at shutdown, and the store closes only after
	// they have returned (this defer runs before db.Close's).
	bg, stopBackground := context.WithCancel(ctx)
	var background sync.WaitGroup
	defer func() {
		stopBackground()
		background.Wait()
	}()
	endpoints, err := startSync(bg, &background, db, *addr, *demoMode, syncCfg, log)
	if err != nil {
		return err
	}
	ediService := &edi.Service{DB: db, Dir: *ediDir, Log: log}
	fileInbox := &inbox.Watcher{DB: db, Dir: *inboxDir, MaxSize: maxMB << 20, Retention: keepInbox, Log: log}
	// The live-update hub stops polling before the store closes.
	hub := live.New(db, live.Config{Logger: log})
	defer hub.Close()
	app := web.New(db, web.Config{
		Live:         hub,
		EDI:          ediService,
		Endpoints:    endpoints,
		SMTPAddr:     syncCfg.smtp.Addr,
		EmailFrom:    syncCfg.smtp.From,
		InboxDir:     *inboxDir,
		Demo:         *demoMode,
		TLS:          tls,
		IdleTimeout:  idle,
		AbsTimeout:   absolute,
		Logger:       log,
		TrustProxies: proxies,
	})

	// CSV imports a stopped server left unfinished resume where they were;
	// each order commits with its report line, so none is taken twice.
	if ids, err := db.UnfinishedImports(ctx); err != nil {
		return err
	} else {
		for _, id := range ids {
			db.StartImport(id, func(err error) {
				if err != nil && !errors.Is(err, context.Canceled) {
					log.Warn("resume import", "job", id, "err", err)
				}
			})
		}
	}

	repeat(bg, &background, 10*time.Minute, func(ctx context.Context) {
		if _, err := db.DeleteExpiredSessions(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Warn("sweep sessions", "err", err)
		}
	})
	repeat(bg, &background, idempotencyPurgeInterval, func(ctx context.Context) {
		n, err := db.DeleteExpiredIdempotencyKeys(ctx, retention)
		if n > 0 {
			log.Info("deleted expired idempotency keys", "keys", n, "retention", retention.String())
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			log.Warn("delete expired idempotency keys", "err", err)
		}
	})

	// EDI: 855s and 856s from the outbox to the partners' outbox folders,
	// and files from their inbox folders into the intake.
	repeat(bg, &background, ediInterval, ediService.Tick)
	// The ERP's and WMS's CSV files, polled like the EDI inboxes.
	repeat(bg, &background, ediInterval, fileInbox.Tick)
	// Time alone breaches SLAs: a sweep raises those exceptions (and
	// resolves the ones whose cause went away) so the queue shows them.
	repeat(bg, &background, breachSweepInterval, func(ctx context.Context) {
		n, err := db.RaiseBreaches(ctx)
		if n > 0 {
			log.Info("raised SLA breaches", "exceptions", n)
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			log.Warn("raise SLA breaches", "err", err)
		}
	})

	errc := make(chan error, 1)
	go func() {
		scheme := "http"
		if *certFile != "" {
			scheme = "https"
			log.Info("serving", "url", scheme+"://"+*addr, "db", *dbPath)
			errc <- app.ListenTLS(*addr, *certFile, *keyFile)
			return
		}
		log.Info("serving", "url", scheme+"://"+*addr, "db", *dbPath)
		errc <- app.Listen(*addr)
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case err := <-errc:
		return err
	case s := <-sig:
		log.Info("shutting down", "signal", s.String())
	}
	return app.ShutdownWithTimeout(15 * time.Second)
}

// ediInterval is how often serve sends EDI documents and reads the
// partners' inbox folders.
const ediInterval = 5 * time.Second

// breachSweepInterval is how often serve looks for SLA breaches; a breach
// reaches the queue at most this late.
const breachSweepInterval = time.Minute

// idempotencyPurgeInterval is how often serve deletes expired idempotency
// keys. A key outlives its retention by at most this much, which is
// nothing next to a retention of days.
const idempotencyPurgeInterval = time.Hour

// parseRetention reads --idempotency-retention: a positive Go duration.
// 0 would forget a key before its first retry could use it, and keeping
// keys forever is the unbounded table the retention exists to end, so
// neither 0 nor a negative value means "off": both are refused.
func parseRetention(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("idempotency key retention %q (--idempotency-retention, OMS_IDEMPOTENCY_RETENTION) is not a Go duration; write e.g. 168h for 7 days", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("idempotency key retention %q (--idempotency-retention, OMS_IDEMPOTENCY_RETENTION) must be more than 0: it is how long a retried API order is still recognised; the default is %s", s, store.DefaultIdempotencyRetention)
	}
	return d, nil
}

// repeat runs fn on a goroutine of wg at once and then every interval,
// until ctx ends. The first run at start means a server restarted more
// often than interval still does the work.
func repeat(ctx context.Context, wg *sync.WaitGroup, interval time.Duration, fn func(context.Context)) {
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			fn(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
}

// demoUsers are the demo sign-ins; created only in demo mode.
var demoUsers = []store.NewUser{
	{Email: "csr@demo.test", Name: "Casey Rivera", Role: domain.RoleCSR, Password: "demo1234"},
	{Email: "sales@demo.test", Name: "Sam Patel", Role: domain.RoleSales, Password: "demo1234"},
	{Email: "ops@demo.test", Name: "Olivia Chen", Role: domain.RoleOps, Password: "demo1234"},
	{Email: "admin@demo.test", Name: "Alex Morgan", Role: domain.RoleAdmin, Password: "demo1234"},
}

// The demo integration's API token, so that the README's curl example works
// against `make run`; created only in demo mode.
const (
	demoTokenName = "Demo integration"
	demoToken     = "demo-token"
	// The built-in ERP/WMS simulator calls the inbound API with this one.
	demoSimTokenName = "Demo ERP/WMS simulator"
	demoSimToken     = "demo-erp-token"
)

func setUpDemo(ctx context.Context, db *store.DB, log *slog.Logger) error {
	for _, u := range demoUsers {
		if err := db.EnsureUser(ctx, u); err != nil {
			return fmt.Errorf("demo user %s: %w", u.Email, err)
		}
	}
	if err := seedIfEmpty(ctx, db, log); err != nil {
		return err
	}
	if _, err := db.EnsureDemoToken(ctx, demoTokenName, demoToken, domain.RoleSales); err != nil {
		return fmt.Errorf("demo API token: %w", err)
	}
	if _, err := db.EnsureDemoToken(ctx, demoSimTokenName, demoSimToken, domain.RoleOps); err != nil {
		return fmt.Errorf("demo simulator token: %w", err)
	}
	fmt.Fprintln(os.Stderr, "\nDemo sign-ins (password demo1234): csr@demo.test, sales@demo.test, ops@demo.test, admin@demo.test")
	fmt.Fprintf(os.Stderr, "Demo API token (%s, role sales): %s\n", demoTokenName, demoToken)
	return nil
}

func migrate(args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ExitOnError)
	dbPath := fs.String("db", env("OMS_DB", "data/oms.db"), "database file (OMS_DB)")
	fs.Parse(args)
	db, err := store.Open(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(context.Background())
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Println("database is up to date")
	}
	for _, name := range applied {
		fmt.Println("applied", name)
	}
	return nil
}

// startCPUProfile profiles the process into file until the returned stop.
func startCPUProfile(file string) (stop func(), err error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("OMS_CPU_PROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("OMS_CPU_PROFILE: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
