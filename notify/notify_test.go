package notify_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/notify"
	"github.com/oms/oms/store"
)

func openDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "oms.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

// shipped is the standard world with its released order (SO-100004, 3 x
// SKU-3300 at Reno 3PL) shipped by the WMS, so that one shipment e-mail
// waits in the outbox.
func shipped(tb testing.TB) (*store.DB, fixtures.Standard) {
	tb.Helper()
	db := openDB(tb)
	b := fixtures.New(tb, db)
	s := b.Standard()
	b.AddStock("SKU-3300", "RNO", 10, 3)
	if _, err := db.ShipGroup(context.Background(), store.OrderAction{Number: s.Released, Actor: "system"}, 1,
		store.Shipment{Carrier: "UPS", Service: "Ground", Tracking: "1Z999AA10123456784"}); err != nil {
		tb.Fatal(err)
	}
	return db, s
}

func emails(tb testing.TB, db *store.DB) []store.CustomerEmail {
	tb.Helper()
	es, err := db.CustomerEmails(context.Background(), store.EmailQuery{})
	if err != nil {
		tb.Fatal(err)
	}
	return es
}

func outboxStatus(tb testing.TB, db *store.DB) (status string, attempts int) {
	tb.Helper()
	if err := db.View(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT status, attempts FROM outbox WHERE destination = 'email'`).Scan(&status, &attempts)
	}); err != nil {
		tb.Fatal(err)
	}
	return status, attempts
}

func orderEvents(tb testing.TB, db *store.DB, number, kind string) []string {
	tb.Helper()
	var out []string
	db.View(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT e.summary FROM events e JOIN orders o ON o.id = e.order_id WHERE o.number = ? AND e.kind = ? ORDER BY e.id`, number, kind)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		return nil
	})
	return out
}

func TestKeptWithoutSMTP(t *testing.T) {
	db, s := shipped(t)
	sender := notify.New(db, notify.Config{})
	if n, err := sender.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v; want 1 message", n, err)
	}
	es := emails(t, db)
	if len(es) != 1 {
		t.Fatalf("%d e-mails stored, want 1", len(es))
	}
	e := es[0]
	if e.Status != "kept" || e.Kind != "shipment" || e.Recipient != s.AcmeEmail || e.OrderNumber != s.Released {
		t.Errorf("e-mail = %+v", e)
	}
	if !strings.Contains(e.Subject, s.Released) || !strings.Contains(e.Body, "1Z999AA10123456784") || !strings.Contains(e.Body, "https://www.ups.com/track") {
		t.Errorf("subject %q / body:\n%s", e.Subject, e.Body)
	}
	if st, _ := outboxStatus(t, db); st != "delivered" {
		t.Errorf("outbox status %s, want delivered", st)
	}
	ev := orderEvents(t, db, s.Released, "customer.email")
	if len(ev) != 1 || !strings.Contains(ev[0], "Shipment e-mail to "+s.AcmeEmail) || !strings.Contains(ev[0], "Kept, not sent") {
		t.Errorf("events = %q", ev)
	}
	// Nothing is left: a second round sends nothing again.
	if n, _ := sender.RunOnce(context.Background()); n != 0 {
		t.Errorf("second round tried %d messages", n)
	}
}

func TestNoAddressNoEmail(t *testing.T) {
	db := openDB(t)
	b := fixtures.New(t, db)
	b.Standard()
	b.Customer(fixtures.Customer{Account: "C20001", Name: "Quiet Works", Phone: "(214) 555-0100"})
	b.Order(fixtures.Order{Number: "SO-200001", Account: "C20001", PO: "PO-1", Lines: []fixtures.Line{{SKU: "SKU-2001", Released: 2}},
		Groups: []fixtures.Group{{Location: "DAL", Status: "released"}}})
	b.AddStock("SKU-2001", "DAL", 10, 2)
	if _, err := db.ShipGroup(context.Background(), store.OrderAction{Number: "SO-200001", Actor: "system"}, 1,
		store.Shipment{Carrier: "FedEx", Tracking: "7712"}); err != nil {
		t.Fatal(err)
	}
	ev := orderEvents(t, db, "SO-200001", "customer.email")
	if len(ev) != 1 || !strings.Contains(ev[0], "No shipment e-mail: customer C20001 has no e-mail address") {
		t.Errorf("events = %q", ev)
	}
	var n int
	db.View(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT count(*) FROM outbox WHERE destination = 'email'`).Scan(&n)
	})
	if n != 0 {
		t.Errorf("%d e-mails queued for a customer without an address", n)
	}
}

// smtpServer is a tiny SMTP receiver: it records each message, and answers
// MAIL FROM with failCode while fail is above zero (or always when -1).
type smtpServer struct {
	ln       net.Listener
	mu       sync.Mutex
	fail     int
	failCode int
	got      []received
	wg       sync.WaitGroup
}

type received struct {
	from, to string
	data     []byte
}

func startSMTP(tb testing.TB, fail, failCode int) *smtpServer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &smtpServer{ln: ln, fail: fail, failCode: failCode}
	s.wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { s.serve(conn) })
		}
	})
	tb.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *smtpServer) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	tp.PrintfLine("220 test ESMTP ready")
	var r received
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			tp.PrintfLine("250-test greets %s", arg)
			tp.PrintfLine("250 8BITMIME")
		case "MAIL":
			s.mu.Lock()
			failing := s.fail != 0
			if s.fail > 0 {
				s.fail--
			}
			s.mu.Unlock()
			if failing {
				tp.PrintfLine("%d mailbox busy, try later", s.failCode)
				continue
			}
			r = received{from: arg}
			tp.PrintfLine("250 OK")
		case "RCPT":
			r.to = arg
			tp.PrintfLine("250 OK")
		case "DATA":
			tp.PrintfLine("354 go ahead")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			r.data = data
			s.mu.Lock()
			s.got = append(s.got, r)
			s.mu.Unlock()
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("250 OK")
		}
	}
}

func (s *smtpServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

func TestSentThroughSMTP(t *testing.T) {
	db, s := shipped(t)
	srv := startSMTP(t, 0, 0)
	sender := notify.New(db, notify.Config{SMTP: notify.SMTP{Addr: srv.ln.Addr().String(), From: "Demo Orders <orders@oms.example>"}})
	for range 3 {
		if _, err := sender.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	got := srv.received()
	if len(got) != 1 {
		t.Fatalf("the receiver got %d messages, want exactly 1", len(got))
	}
	if got[0].to != "TO:<"+s.AcmeEmail+">" || !strings.HasPrefix(got[0].from, "FROM:<orders@oms.example>") {
		t.Errorf("envelope from %q to %q", got[0].from, got[0].to)
	}
	m, err := mail.ReadMessage(bytes.NewReader(got[0].data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if subject != "Order "+s.Released+" has shipped (your PO PO-88420)" {
		t.Errorf("Subject = %q", subject)
	}
	if to := m.Header.Get("To"); !strings.Contains(to, s.AcmeEmail) {
		t.Errorf("To = %q", to)
	}
	if id := m.Header.Get("Message-Id"); !strings.HasPrefix(id, "<shipment-email-") {
		t.Errorf("Message-ID = %q", id)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
	if !strings.Contains(string(body), "Tracking number: 1Z999AA10123456784") {
		t.Errorf("body:\n%s", body)
	}
	es := emails(t, db)
	if len(es) != 1 || es[0].Status != "sent" || es[0].Subject != subject {
		t.Errorf("stored e-mails = %+v", es)
	}
	if ev := orderEvents(t, db, s.Released, "customer.email"); len(ev) != 1 || !strings.Contains(ev[0], "Sent.") {
		t.Errorf("events = %q", ev)
	}
}

func TestSMTPFailingRetriesThenDeadLetter(t *testing.T) {
	db, s := shipped(t)
	srv := startSMTP(t, -1, 451)
	sender := notify.New(db, notify.Config{SMTP: notify.SMTP{Addr: srv.ln.Addr().String(), From: "orders@oms.example"},
		MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})
	for i := 0; i < 50; i++ {
		if _, err := sender.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		if st, _ := outboxStatus(t, db); st == "dead" {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	st, attempts := outboxStatus(t, db)
	if st != "dead" || attempts != 3 {
		t.Fatalf("outbox %s after %d attempts, want dead after 3", st, attempts)
	}
	es := emails(t, db)
	if len(es) != 1 || es[0].Status != "failed" || !strings.Contains(es[0].Detail, "451") {
		t.Errorf("stored e-mails = %+v", es)
	}
	if ev := orderEvents(t, db, s.Released, "sync.dead_letter"); len(ev) != 1 {
		t.Errorf("dead letter events = %q", ev)
	}
	if len(srv.received()) != 0 {
		t.Errorf("a refused message arrived")
	}

	// An admin retries it once the server works: it is sent, and the
	// stored copy says so (one row, not two).
	srv.mu.Lock()
	srv.fail = 0
	srv.mu.Unlock()
	var id int64
	db.View(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT id FROM outbox WHERE destination = 'email'`).Scan(&id)
	})
	if err := db.RetryDeadLetter(context.Background(), id, "admin@demo.test", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := sender.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if es := emails(t, db); len(es) != 1 || es[0].Status != "sent" {
		t.Errorf("after retry: %+v", es)
	}
	if n := len(srv.received()); n != 1 {
		t.Errorf("received %d after retry, want 1", n)
	}
}

func TestSMTPRefusedRecipientIsDeadAtOnce(t *testing.T) {
	db, _ := shipped(t)
	srv := startSMTP(t, -1, 550)
	sender := notify.New(db, notify.Config{SMTP: notify.SMTP{Addr: srv.ln.Addr().String(), From: "orders@oms.example"}})
	if _, err := sender.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, attempts := outboxStatus(t, db); st != "dead" || attempts != 1 {
		t.Errorf("outbox %s after %d attempts, want dead after 1", st, attempts)
	}
}

func TestBackorderEmailOnCaptureAndSetting(t *testing.T) {
	db := openDB(t)
	s := fixtures.New(t, db).Standard()
	ctx := context.Background()
	// The manual notice of the standard backordered order (Jane's).
	if _, err := db.NotifyBackorder(ctx, store.OrderAction{Number: s.Backordered, Actor: "csr@demo.test", Role: "csr", Version: version(t, db, s.Backordered)}); err != nil {
		t.Fatal(err)
	}
	if _, err := notify.New(db, notify.Config{}).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	es := emails(t, db)
	if len(es) != 1 || es[0].Kind != "backorder" || es[0].Recipient != s.JaneEmail {
		t.Fatalf("e-mails = %+v", es)
	}
	if !strings.Contains(es[0].Body, "SKU-4410") || !strings.Contains(es[0].Subject, "on backorder") {
		t.Errorf("subject %q body:\n%s", es[0].Subject, es[0].Body)
	}
	if on, err := db.BackorderEmailsAutomatic(ctx); err != nil || !on {
		t.Errorf("automatic backorder e-mails = %v, %v; want on by default", on, err)
	}
	if err := db.SetSetting(ctx, store.SettingBackorderEmails, "off", "admin@demo.test", "admin"); err != nil {
		t.Fatal(err)
	}
	if on, _ := db.BackorderEmailsAutomatic(ctx); on {
		t.Error("automatic backorder e-mails still on")
	}
}

func version(tb testing.TB, db *store.DB, number string) int64 {
	tb.Helper()
	var v int64
	db.View(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT version FROM orders WHERE number = ?`, number).Scan(&v)
	})
	return v
}
