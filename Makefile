# The two commands a new developer needs: `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
BIN := bin/oms
# make run ADDR=127.0.0.1:9000 DB=/tmp/oms.db; OMS_ADDR and OMS_DB in the
# environment are the defaults when set.
ADDR ?= $(or $(OMS_ADDR),localhost:8080)
DB ?= $(or $(OMS_DB),data/oms.db)

.PHONY: run build test generate check-generated vet bench fuzz seed-bench clean

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

# A short fuzz run of the X12 reader (CI runs it after the tests).
FUZZTIME ?= 20s
fuzz:
	$(GO) test ./x12 -run '^$$' -fuzz FuzzRead -fuzztime $(FUZZTIME)

clean:
	rm -rf bin
