package saebench

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Flags choose the variants the benchmarks run, e.g.
//
//	go test ./bench/saebench -run '^$' -bench TrainStepW4 -saebench.conv=im2col,convolve -saebench.par=2,3
var (
	flagConv = flag.String("saebench.conv", "convolve", "conv formulations to benchmark: im2col,convolve")
	flagNorm = flag.String("saebench.norm", "bnfused", "batch-norm formulations to benchmark: bngraph,bnfused")
	flagPool = flag.String("saebench.pool", "poolwindow", "max-pool formulations to benchmark: poolreshape,poolwindow")
	flagRelu = flag.String("saebench.relu", "reluwhere", "ReLU formulations to benchmark: relumax,reluwhere")
	flagPar  = flag.String("saebench.par", "2", "backend worker counts to benchmark, e.g. 1,2,3,4")
)

// variants lists the configurations the flags select for width w.
func variants(tb testing.TB, w int) []Config {
	var out []Config
	for _, cs := range strings.Split(*flagConv, ",") {
		var conv Conv
		switch cs {
		case "im2col":
			conv = ConvIm2col
		case "convolve":
			conv = ConvConvolve
		default:
			tb.Fatalf("-saebench.conv: unknown %q", cs)
		}
		for _, ns := range strings.Split(*flagNorm, ",") {
			var norm Norm
			switch ns {
			case "bngraph":
				norm = NormGraph
			case "bnfused":
				norm = NormFused
			default:
				tb.Fatalf("-saebench.norm: unknown %q", ns)
			}
			for _, ps := range strings.Split(*flagPool, ",") {
				var pool Pool
				switch ps {
				case "poolreshape":
					pool = PoolReshape
				case "poolwindow":
					pool = PoolWindow
				default:
					tb.Fatalf("-saebench.pool: unknown %q", ps)
				}
				for _, rs := range strings.Split(*flagRelu, ",") {
					var relu Relu
					switch rs {
					case "relumax":
						relu = ReluMax
					case "reluwhere":
						relu = ReluWhere
					default:
						tb.Fatalf("-saebench.relu: unknown %q", rs)
					}
					for _, p := range strings.Split(*flagPar, ",") {
						par, err := strconv.Atoi(p)
						if err != nil || par < 0 {
							tb.Fatalf("-saebench.par: bad %q", p)
						}
						out = append(out, Config{Width: w, Batch: 64, Conv: conv, Norm: norm, Pool: pool, Relu: relu, Parallelism: par, Seed: 1})
					}
				}
			}
		}
	}
	return out
}

// watchdog fails loudly (panics, which ends the test binary with every
// goroutine's stack) if stop is not called within d: a hung graph must
// not hang the suite.
func watchdog(name string, d time.Duration) (stop func()) {
	t := time.AfterFunc(d, func() {
		panic(fmt.Sprintf("%v: %s did not finish within %s", errTimeout, name, d))
	})
	return func() { t.Stop() }
}

// within runs fn in a goroutine and fails the test if it returns an error
// or does not return within d. fn may call t.Error but not t.Fatal.
func within(t *testing.T, d time.Duration, fn func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(d):
		t.Fatalf("%v: %s did not finish within %s", errTimeout, t.Name(), d)
	}
}
