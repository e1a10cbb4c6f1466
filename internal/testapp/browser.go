package testapp

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath finds the system Chromium. Browser tests skip when there is
// none, except under CI (CI=true), where a missing browser is a failure.
func ChromiumPath(tb testing.TB) string {
	tb.Helper()
	for _, p := range []string{os.Getenv("OMS_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal("no Chromium found: CI must install it (.ci/run installs Debian's chromium)")
	}
	tb.Skip("browser test skipped: no Chromium at /usr/bin/chromium (install Debian's chromium, or set OMS_CHROMIUM)")
	return ""
}

// Serve starts the app on a loopback port and returns its base URL.
func (a *App) Serve(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go a.App.Listener(ln)
	tb.Cleanup(func() { a.App.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

// Browser starts a headless Chromium and returns a chromedp context for it,
// closed when the test ends; its actions share a 90-second timeout.
func Browser(tb testing.TB) context.Context {
	tb.Helper()
	return BrowserFor(tb, 90*time.Second)
}

// BrowserFor is Browser with the actions' timeout given, for a test that
// walks many pages.
func BrowserFor(tb testing.TB, timeout time.Duration) context.Context {
	tb.Helper()
	path := ChromiumPath(tb)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	// The first run starts the browser and must not carry a timeout, which
	// would stop the whole browser; later actions share the timeout below.
	if err := chromedp.Do(ctx); err != nil {
		cancelC()
		cancelA()
		tb.Fatalf("start Chromium: %v", err)
	}
	tctx, cancelT := context.WithTimeout(ctx, timeout)
	tb.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	return tctx
}

// SignInActions signs in through the sign-in page.
func SignInActions(base, email string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`input[name=email]`),
		chromedp.SendKeys(`input[name=email]`, email),
		chromedp.SendKeys(`input[name=password]`, Password),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`[data-testid="current-user"]`),
	)
}

// Run runs one chromedp action and fails the test on error.
func Run[T any](tb testing.TB, ctx context.Context, a chromedp.Action[T]) T {
	tb.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// Screenshot saves a full-page PNG to path when OMS_SCREENSHOTS names a
// folder; it lets a person look at what a test saw.
func Screenshot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	dir := os.Getenv("OMS_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := Run(tb, ctx, chromedp.FullScreenshot(100))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.Fatal(err)
	}
}
