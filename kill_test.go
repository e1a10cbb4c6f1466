package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/oms/oms/dispatch"
	"github.com/oms/oms/domain"
	"github.com/oms/oms/internal/fixtures"
	"github.com/oms/oms/store"
)

// TestKillNineLosesNothing kills the server with SIGKILL while orders and
// shipment confirmations stream in, starts it again on the same database,
// and checks that every acknowledged order is there, every outbox message
// reaches the receiver, and each order's messages arrived in order.
func TestKillNineLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "oms")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dbPath := filepath.Join(dir, "oms.db")
	token := prepareKillDB(t, dbPath)

	// The receiver (ERP and WMS): applies each message id once, remembers
	// the order each order's messages came in, and ships released groups.
	var mu sync.Mutex
	applied := map[string]int{}
	perOrder := map[string][]string{}
	var toShip []dispatch.Message
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := dispatch.Verify("k9", r.Header.Get(dispatch.SignatureHeader), body, time.Now(), time.Minute); err != nil {
			http.Error(w, err.Error(), 401)
			return
		}
		var m dispatch.Message
		json.Unmarshal(body, &m)
		mu.Lock()
		defer mu.Unlock()
		key := r.Header.Get("Idempotency-Key")
		applied[key]++
		if applied[key] == 1 && m.Order != nil {
			perOrder[m.Order.Number] = append(perOrder[m.Order.Number], key)
			if m.Topic == "group.released" {
				toShip = append(toShip, m)
			}
		}
		w.WriteHeader(204)
	}))
	defer rcv.Close()

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--addr", addr, "--db", dbPath)
		cmd.Env = append(os.Environ(), "OMS_ERP_URL="+rcv.URL+"/erp", "OMS_ERP_SECRET=k9", "OMS_WMS_URL="+rcv.URL+"/wms", "OMS_WMS_SECRET=k9")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for range 100 {
			if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
				resp.Body.Close()
				return cmd
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatal("server did not start")
		return nil
	}
	post := func(path, key string, body any) (int, []byte) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
	}

	// stream sends orders (and ships what was released) until stop closes;
	// an order not acknowledged is sent again with its key.
	acked := map[string]string{} // idempotency key -> order number
	next := 0
	shipped := 0
	stream := func(stop <-chan struct{}) {
		for {
			select {
			case <-stop:
				return
			default:
			}
			key := fmt.Sprintf("k9-%d", next)
			status, body := post("/api/v1/orders", key, map[string]any{"customer_account": "C10042", "po_number": "PO-" + key,
				"ship_to_code": "MAIN", "lines": []map[string]any{{"sku": "SKU-2001", "quantity": 2}}})
			if status == 201 {
				var o struct{ Number string }
				json.Unmarshal(body, &o)
				acked[key] = o.Number
				next++
			} else if status != 0 && status < 500 {
				t.Errorf("order refused: %d %s", status, body)
				return
			}
			mu.Lock()
			var ship []dispatch.Message
			ship, toShip = toShip, nil
			mu.Unlock()
			for i, m := range ship {
				status, _ := post("/api/v1/inbound/shipments", "", map[string]any{"message_id": "ship-" + m.ID, "order": m.Order.Number,
					"group": m.Group.Seq, "carrier": "UPS", "tracking_number": "1Z" + m.ID[:8]})
				if status != 200 {
					mu.Lock()
					toShip = append(toShip, ship[i:]...)
					mu.Unlock()
					break
				}
				shipped++
			}
		}
	}

	cmd := start()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { stream(stop); close(done) }()
	time.Sleep(3 * time.Second)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	close(stop)
	<-done
	cmd = start()
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	stop = make(chan struct{})
	done = make(chan struct{})
	go func() { stream(stop); close(done) }()
	time.Sleep(2 * time.Second)
	close(stop)
	<-done
	if len(acked) < 10 || shipped == 0 {
		t.Fatalf("only %d orders acknowledged and %d shipments: the stream did not run", len(acked), shipped)
	}

	db, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	// Messages the killed server had claimed wait for their lease (a
	// minute) to run out before the new one sends them.
	var pending int
	for range 1500 {
		db.View(ctx, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT count(*) FROM outbox WHERE status <> 'delivered'`).Scan(&pending)
		})
		if pending == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if pending != 0 {
		var detail string
		db.View(ctx, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT group_concat(status || ' ' || attempts || ' ' || next_attempt_at || ' ' || last_error, '; ')
				FROM outbox WHERE status <> 'delivered'`).Scan(&detail)
		})
		t.Fatalf("%d outbox messages not delivered: %s", pending, detail)
	}
	mu.Lock()
	defer mu.Unlock()
	err = db.View(ctx, func(tx *sql.Tx) error {
		for key, number := range acked {
			var n int
			tx.QueryRow(`SELECT count(*) FROM orders WHERE number = ?`, number).Scan(&n)
			if n != 1 {
				t.Errorf("acknowledged order %s (key %s) is missing", number, key)
			}
		}
		// Customer e-mails are kept by the OMS (no SMTP server here), not
		// sent to the receiver; they count above as delivered.
		rows, err := tx.Query(`SELECT m.message_id, o.number FROM outbox m JOIN orders o ON o.id = m.order_id
			WHERE m.destination <> 'email' ORDER BY m.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		want := map[string][]string{}
		for rows.Next() {
			var id, number string
			rows.Scan(&id, &number)
			if applied[id] == 0 {
				t.Errorf("message %s of %s never reached the receiver", id, number)
			}
			want[number] = append(want[number], id)
		}
		for number, ids := range want {
			if fmt.Sprint(ids) != fmt.Sprint(perOrder[number]) {
				t.Errorf("%s: messages arrived %v, written %v", number, perOrder[number], ids)
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d orders acknowledged, %d shipments confirmed, %d messages delivered", len(acked), shipped, len(applied))
}

// prepareKillDB makes a database with a customer, stock and an ops token.
func prepareKillDB(t *testing.T, path string) string {
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	fixtures.New(t, db).Standard()
	if err := db.EnsureDemoRules(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	// The fixtures move the order-number sequence past their orders, so
	// captured orders take new numbers.
	if err := db.Update(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO inventory (item_id, location_id, on_hand, on_hand_as_of)
			SELECT i.id, l.id, 1000000, '2026-01-01T00:00:00.000Z' FROM items i, locations l WHERE i.sku = 'SKU-2001' AND l.code = 'DAL'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, secret, err := db.CreateToken(ctx, "kill test", domain.RoleOps, 0)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}
