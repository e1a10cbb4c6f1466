# The two commands a new developer needs: `make run` and `make test`.
GO ?= go
BIN := bin/oms
# make run ADDR=127.0.0.1:9000 DB=/tmp/oms.db; OMS_ADDR and OMS_DB in the
# environment are the defaults when set.
ADDR ?= $(or $(OMS_ADDR),localhost:8080)
DB ?= $(or $(OMS_DB),data/oms.db)

.PHONY: run build test generate check-generated vet bench seed-bench clean

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
	$(GO) test -race -timeout 15m ./...

# Benchmarks; see BENCHMARKS.md for the figures and the machine.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./...

clean:
	rm -rf bin
