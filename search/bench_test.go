package search

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/lsconf/lsconf/index"
)

// benchN is the size of the synthetic index of BenchmarkSearch1M.
const benchN = 1_000_000

var bench1M struct {
	once    sync.Once
	v       []float32
	queries [][]float32
	x       *Index
	err     error
}

// load1M builds the synthetic 1e6-entry index once per test binary.
func load1M(b *testing.B) (*Index, [][]float32, []float32) {
	bench1M.once.Do(func() {
		l := paper(b)
		bench1M.v = VOf(l, SyntheticZ(l, benchN, 1))
		qv := VOf(l, SyntheticZ(l, 1000, 2))
		for i := 0; i < 1000; i++ {
			bench1M.queries = append(bench1M.queries, qv[i*5:(i+1)*5])
		}
		bench1M.x, bench1M.err = New(bench1M.v, 5, nil)
	})
	if bench1M.err != nil {
		b.Fatal(bench1M.err)
	}
	return bench1M.x, bench1M.queries, bench1M.v
}

// BenchmarkSearch1M: exact top-10 over 1,000,000 synthetic records
// (points around the centres, between them and anywhere), queries of the
// same distribution. Reports queries/s of
//   - q/s: batches of queries over all CPUs (the throughput figure),
//   - seq_q/s: one query at a time on one goroutine (latency),
//   - scan_q/s: the plain parallel scan (Scan),
//   - numpy_q/s and ratio: bench/search_numpy.py (one thread, column-wise)
//     on the same v vectors and queries in the same run, when Debian's
//     python3-numpy is installed; the benchmark fails if its top-10
//     differ from ours.
func BenchmarkSearch1M(b *testing.B) {
	x, queries, v := load1M(b)
	b.ResetTimer()
	done := 0
	for b.Loop() {
		if _, err := x.SearchBatch(queries, 10, Options{}); err != nil {
			b.Fatal(err)
		}
		done += len(queries)
	}
	qps := float64(done) / b.Elapsed().Seconds()
	b.ReportMetric(qps, "q/s")
	b.ReportMetric(0, "ns/op")
	b.StopTimer()
	seq := measure(func(q []float32) { x.WithWorkers(1).Search(q, 10, Options{}) }, queries[:200])
	b.ReportMetric(seq, "seq_q/s")
	scan := measure(func(q []float32) { x.Scan(q, 10, Options{}) }, queries[:10])
	b.ReportMetric(scan, "scan_q/s")
	if np, ok := numpyPeer(b, x, v, queries[:30]); ok {
		b.ReportMetric(np, "numpy_q/s")
		b.ReportMetric(qps/np, "ratio")
	}
}

// BenchmarkSearch1MWorst is the adversarial case for the pruning: 1e6
// records whose v sums are all equal and all of whose entries are non-zero,
// so that every record must be scored (a full parallel scan).
func BenchmarkSearch1MWorst(b *testing.B) {
	v := make([]float32, benchN*5)
	for i := 0; i < benchN; i++ {
		for c := 0; c < 5; c++ {
			v[i*5+c] = 0.3
		}
		d := float32(i%1000) * 1e-4
		v[i*5] += d
		v[i*5+1] -= d
	}
	x, err := New(v, 5, nil)
	if err != nil {
		b.Fatal(err)
	}
	q := []float32{0.5, 0.1, 0.3, 0.2, 0.4}
	b.ResetTimer()
	n := 0
	for b.Loop() {
		x.Search(q, 10, Options{})
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "q/s")
}

func measure(f func(q []float32), qs [][]float32) float64 {
	start := nowSeconds()
	for _, q := range qs {
		f(q)
	}
	return float64(len(qs)) / (nowSeconds() - start)
}

// numpyPeer runs bench/search_numpy.py on the same data and checks that
// its top-10 equal ours. ok is false (with a log line) when Debian's
// python3-numpy is not installed.
func numpyPeer(b *testing.B, x *Index, v []float32, queries [][]float32) (float64, bool) {
	py := "/usr/bin/python3"
	script, _ := filepath.Abs("../bench/search_numpy.py")
	if err := exec.Command(py, "-c", "import numpy").Run(); err != nil {
		b.Logf("numpy peer skipped: %s has no numpy (apt-get install python3-numpy)", py)
		return 0, false
	}
	dir := b.TempDir()
	vf, qf := filepath.Join(dir, "v.f32"), filepath.Join(dir, "q.f32")
	var qflat []float32
	for _, q := range queries {
		qflat = append(qflat, q...)
	}
	if err := os.WriteFile(vf, index.Float32Bytes(v), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(qf, index.Float32Bytes(qflat), 0o644); err != nil {
		b.Fatal(err)
	}
	out, err := exec.Command(py, script, "--v", vf, "--q", qf, "--nc", "5", "--k", "10").Output()
	if err != nil {
		b.Fatalf("numpy peer: %v", err)
	}
	var res struct {
		QPS float64   `json:"qps"`
		Top [][]int64 `json:"top"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		b.Fatalf("numpy peer output %q: %v", out, err)
	}
	for i, q := range queries {
		hits, _ := x.Search(q, 10, Options{})
		for j, h := range hits {
			if res.Top[i][j] != h.ID {
				b.Fatalf("query %d: numpy top-10 %v, ours %v", i, res.Top[i], hits)
			}
		}
	}
	return res.QPS, true
}
