# The two commands a new developer needs: `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
BIN := bin/oms
# make run ADDR=127.0.0.1:9000 DB=/tmp/oms.db; OMS_ADDR and OMS_DB in the
# environment are the defaults when set.
ADDR ?= $(or $(OMS_ADDR),localhost:8080)
DB ?= $(or $(OMS_DB),data/oms.db)

.PHONY: run build test generate check-generated vet bench bench-search-http bench-intake-http bench-signin-http fuzz seed-bench clean

run: build
	./$(BIN) serve --demo --addr $(ADDR) --db $(DB)

build: generate
	$(GO) build -o $(BIN) .

# templ is pinned in go.mod as a tool, so the generator matches the runtime.
generate:
	$(GO) tool templ generate -log-level error

# CI fails when the committed *_templ.go files are stale.
check-generated: generate
	@git diff --exit-code -- '*_templ.go' || (echo "generated templ files are stale: run make generate and commit" && exit 1)

vet:
	$(GO) vet ./...

test: vet
	$(GO) test -race -timeout 30m ./...

# Benchmarks; see BENCHMARKS.md for the figures and the machine. One
# package at a time (-p 1), so that packages do not slow each other down.
# The machine may be shared, so every result line ends with the load
# average (1, 5 and 15 minutes, from /proc/loadavg) at the moment it was
# printed, written as metrics (load1, load5, load15) that benchstat reads,
# and each package starts with the load average before it ran.
# `make bench BENCH=Plan PKGS=./sourcing/ BENCHTIME=3s` runs a part.
BENCH ?= .
BENCHTIME ?= 2s
PKGS ?= ./...
bench:
	set -o pipefail; $(GO) test -p 1 -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) $(PKGS) | \
	while IFS= read -r line; do \
		case "$$line" in \
		Benchmark*ns/op*) printf '%s\t%s\n' "$$line" "$$(awk '{ print $$1 " load1 " $$2 " load5 " $$3 " load15" }' /proc/loadavg 2>/dev/null)" ;; \
		pkg:*) printf '%s\nload average before: %s\n' "$$line" "$$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)" ;; \
		*) printf '%s\n' "$$line" ;; \
		esac; \
	done

# The external view of issue 9: a server in its own process and `oms loadgen`
# in another, over HTTP on 127.0.0.1. Each prints the load average at start
# and end and the server's CPU time per request (from /proc, Linux).
#   make bench-search-http BENCH_DB=data/seed-1m.db   4 clients searching a
#     copy of a database made by `oms seed --orders 1000000` (the server
#     migrates it and adds the sign-in csr@demo.test when it lacks it, so
#     do not point it at a file others use)
#   make bench-intake-http                            16 clients posting
#     5-line orders to a fresh demo database; the outbox's messages go to
#     `oms erpsim` in a third process standing in for the ERP and WMS (it
#     acknowledges them and ships nothing during the run: on a real site
#     their work is done on their own machines, not on the OMS's cores)
BENCH_DB ?= data/seed-1m.db
BENCH_ADDR ?= 127.0.0.1:8102
LOADGEN_DURATION ?= 60s
bench-search-http: build
	@echo demo1234 | ./$(BIN) user --db $(BENCH_DB) --email csr@demo.test --name "Search benchmark" --role csr >/dev/null 2>&1 || true; \
	./$(BIN) serve --auto-release=false --addr $(BENCH_ADDR) --db $(BENCH_DB) >/dev/null 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null' EXIT; \
	for i in $$(seq 120); do curl -sf -o /dev/null http://$(BENCH_ADDR)/login && break; sleep 1; done; \
	./$(BIN) loadgen --mode search --addr $(BENCH_ADDR) --password demo1234 --duration 5s >/dev/null 2>&1 || true; \
	t0=$$(awk '{ print $$14 + $$15 }' /proc/$$pid/stat); \
	./$(BIN) loadgen --mode search --addr $(BENCH_ADDR) --password demo1234 --clients 4 --duration $(LOADGEN_DURATION) --samples 200 | tee /tmp/oms-loadgen.$$$$; \
	t1=$$(awk '{ print $$14 + $$15 }' /proc/$$pid/stat); \
	n=$$(awk '$$2 ~ /^[0-9]+$$/ { n += $$2 } END { print n }' /tmp/oms-loadgen.$$$$); rm -f /tmp/oms-loadgen.$$$$; \
	echo "server CPU: $$(( (t1 - t0) * 10 )) ms for $$n requests, $$(( (t1 - t0) * 10000 / n )) µs a request"
bench-intake-http: build
	@dir=$$(mktemp -d); sim=127.0.0.1:8105; \
	./$(BIN) erpsim --addr $$sim --oms http://$(BENCH_ADDR) --token demo-erp-token --secret bench \
		--fail-rate 0 --ship-delay 1h --receipt-delay 1h --invoice-delay 1h >/dev/null 2>&1 & spid=$$!; \
	./$(BIN) serve --demo --addr $(BENCH_ADDR) --db $$dir/demo.db --edi-dir $$dir/edi --inbox-dir $$dir/inbox \
		--erp-url http://$$sim/erp --wms-url http://$$sim/wms --vendor-url http://$$sim/vendor \
		--erp-secret bench --wms-secret bench --vendor-secret bench >/dev/null 2>&1 & pid=$$!; \
	trap 'kill $$pid $$spid 2>/dev/null; rm -rf $$dir' EXIT; \
	for i in $$(seq 120); do curl -sf -o /dev/null http://$(BENCH_ADDR)/login && break; sleep 1; done; \
	t0=$$(awk '{ print $$14 + $$15 }' /proc/$$pid/stat); s0=$$(awk '{ print $$14 + $$15 }' /proc/$$spid/stat); \
	./$(BIN) loadgen --mode intake --addr $(BENCH_ADDR) --token demo-token --clients 16 --duration $(LOADGEN_DURATION) | tee $$dir/out; \
	t1=$$(awk '{ print $$14 + $$15 }' /proc/$$pid/stat); s1=$$(awk '{ print $$14 + $$15 }' /proc/$$spid/stat); \
	n=$$(awk '$$1 == "orders" && $$2 ~ /^[0-9]+$$/ { print $$2 }' $$dir/out); \
	echo "server CPU: $$(( (t1 - t0) * 10 )) ms for $$n orders, $$(( (t1 - t0) * 10000 / n )) µs an order; receiver (oms erpsim) CPU: $$(( (s1 - s0) * 10 )) ms"

# Issue 9's sign-in burst: 200 wrong passwords at once, for unknown accounts
# from 200 addresses and then for one account, against a fresh server that
# trusts the load generator's X-Forwarded-For; prints the answers and the
# server's memory before and at its peak (VmHWM).
bench-signin-http: build
	@dir=$$(mktemp -d); \
	OMS_TRUSTED_PROXIES=127.0.0.1 ./$(BIN) serve --demo --addr $(BENCH_ADDR) --db $$dir/demo.db --edi-dir $$dir/edi --inbox-dir $$dir/inbox \
		--sim-fail-rate 0 >/dev/null 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; rm -rf $$dir' EXIT; \
	for i in $$(seq 120); do curl -sf -o /dev/null http://$(BENCH_ADDR)/login && break; sleep 1; done; sleep 2; \
	echo "server memory before: $$(awk '/VmRSS/ { print $$2 / 1024 " MiB" }' /proc/$$pid/status)"; \
	./$(BIN) loadgen --mode signin --addr $(BENCH_ADDR) --clients 200 --email '' --spread; \
	./$(BIN) loadgen --mode signin --addr $(BENCH_ADDR) --clients 200 --email csr@demo.test; \
	echo "server memory after: $$(awk '/VmRSS/ { print $$2 / 1024 " MiB" }' /proc/$$pid/status), peak $$(awk '/VmHWM/ { print $$2 / 1024 " MiB" }' /proc/$$pid/status)"

# A short fuzz run of the X12 reader (CI runs it after the tests).
FUZZTIME ?= 20s
fuzz:
	$(GO) test ./x12 -run '^$$' -fuzz FuzzRead -fuzztime $(FUZZTIME)

clean:
	rm -rf bin
