# The two commands a new developer needs: `make run` and `make test`.
GO ?= go
BIN := bin/oms
ADDR ?= localhost:8080
DB ?= data/oms.db

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
	$(GO) test -race -timeout 15m ./...

# Benchmarks; see BENCHMARKS.md for the figures and the machine.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./...

# A short fuzz run of the X12 reader (CI runs it after the tests).
FUZZTIME ?= 20s
fuzz:
	$(GO) test ./x12 -run '^$$' -fuzz FuzzRead -fuzztime $(FUZZTIME)

clean:
	rm -rf bin
