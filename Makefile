# lsconf: the two commands of README.md, and helpers.
#   make demo   runs the main job (data, training, figures, search) on built-in data
#   make test   sets up what is missing and runs every test
#
# GOEXPERIMENT=simd turns on the AVX-512/AVX2 matmul of the Go backend
# (about 1.7x on the train step); every build and test here uses it.
export GOEXPERIMENT := simd
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
BIN := bin/lsconf

.PHONY: all build setup test race demo vet fmt-check bench bench-peers fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/lsconf

setup:
	bash scripts/setup.sh

vet:
	$(GO) vet ./...

# gofmt of every Go file but third_party files identical to upstream.
fmt-check:
	@bash scripts/fmt-check.sh

# Every test, including the fuzz seed corpora, the quick repro pipeline and
# the browser test of the web page. Timeouts make a hang fail loudly.
test: setup fmt-check vet
	$(GO) test -timeout 30m ./...
	cd third_party/compute && $(GO) test -timeout 5m ./internal/gobackend/workerspool/ ./internal/gobackend/ops/ ./internal/gobackend/passes/
	$(MAKE) --no-print-directory race
	@# The optional XLA build (-tags xla, cgo) must keep compiling.
	@if command -v gcc >/dev/null 2>&1; then echo "go vet -tags xla ./engine ./cmd/lsconf"; $(GO) vet -tags xla ./engine ./cmd/lsconf; \
	else echo "make test: no C compiler, the -tags xla compile check is skipped"; fi

# The race build (checkptr on): the fork's kernel tests (every kernel set
# this CPU has: the tests switch sets internally) and one CLI train + encode
# with each kernel set the CPU has (GOMLX_SIMD_AVX512=false: AVX2,
# GOMLX_SIMD_AVX2=false: pure Go; a set the CPU lacks falls back lower);
# and the tests of the packages that run goroutines of their own (the web
# server, the index writer, the parallel search scan).
race:
	$(GO) test -race -timeout 10m ./web ./index ./search ./internal/parallel
	cd third_party/compute && $(GO) test -race -timeout 10m -run 'ConvKernelSets|ConvFastTrainStep|ConvEpilogue|ConvPoolFusion|LogisticKernels|PoolMaxKernels|PoolScatterKernels|BatchNormKernels|SliceRuns|AVX2|AVX512|NoSIMD|Unsafe' ./internal/gobackend/ops/ ./internal/gobackend/dot/matmul/
	$(GO) build -race -o bin/lsconf-race ./cmd/lsconf
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	./bin/lsconf-race -q data gen --out $$tmp/imgs --per-class 4 >/dev/null; \
	./bin/lsconf-race -q train --data $$tmp/imgs --width 16 --epochs 1 --batch 8 --aug-per-image 1 --out $$tmp/run >/dev/null; \
	for env in "" GOMLX_SIMD_AVX512=false GOMLX_SIMD_AVX2=false; do \
		k=$$(env $$env ./bin/lsconf-race version --json | sed -n 's/.*"kernels": "\(.*\)".*/\1/p'); \
		echo "lsconf encode under -race: kernels $$k $$env"; \
		env $$env ./bin/lsconf-race -q encode --run $$tmp/run --data $$tmp/imgs --out $$tmp/z-$$k.csv; \
	done

# The main job: built-in data, a ce+g model, the LS figure, evaluation, an
# index and two searches, a report (lsconf-demo/report.html); 1-4 min on 2
# cores. Running it again reuses what is done.
demo: build
	./$(BIN) demo

# Speed on this machine: lsconf's train step, encoder and search beside
# PyTorch and numpy (when /usr/bin/python3 has them), interleaved rounds,
# medians, ratios and lsconf's speed targets (docs/speed.md). Run it on a quiet
# machine; BENCH_FLAGS passes options, e.g. BENCH_FLAGS="--widths 8 --rounds 1".
# The go test benchmarks: go test -run '^$' -bench . -benchtime 3x ./model ./search
bench: build
	./$(BIN) bench $(BENCH_FLAGS)

# The peers of lsconf bench from Debian (python3-torch, python3-numpy,
# python3-faiss); not part of make test.
bench-peers:
	bash scripts/bench-peers.sh

# Longer fuzzing of the sector transform (not part of make test).
fuzz:
	$(GO) test ./latent -run '^$$' -fuzz FuzzSectors -fuzztime 2m

clean:
	rm -rf bin
