package bench

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lsconf/lsconf/engine/kernels"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/search"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{9, 9, 1}, 9},
	} {
		in := append([]float64(nil), c.in...)
		if got := Median(c.in); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.in, got, c.want)
		}
		for i := range in {
			if in[i] != c.in[i] {
				t.Errorf("Median reordered its argument: %v", c.in)
			}
		}
	}
}

func TestVerdicts(t *testing.T) {
	for _, c := range []struct {
		row     Row
		target  float64
		verdict string
		ratio   float64
	}{
		{Row{Kind: KindTrain, Width: 1, OursRounds: []float64{100, 120, 140}, TheirsRounds: []float64{100, 120, 200}}, 1, Pass, 1},
		{Row{Kind: KindTrain, Width: 1, OursRounds: []float64{50}, TheirsRounds: []float64{100}}, 1, Fail, 0.5},
		{Row{Kind: KindTrain, Width: 8, OursRounds: []float64{100}, TheirsRounds: []float64{100}}, 1, Pass, 1},
		{Row{Kind: KindTrain, Width: 8, OursRounds: []float64{30}, TheirsRounds: []float64{100}}, 1, Fail, 0.3},
		{Row{Kind: KindTrain, Width: 4, OursRounds: []float64{30}, TheirsRounds: []float64{100}}, 0, "", 0.3},
		{Row{Kind: KindEncode, Width: 1, OursRounds: []float64{30}}, 1, NoPeer, 0},
		{Row{Kind: KindEncode, Width: 8, OursRounds: []float64{30}, TheirsRounds: []float64{10}}, 1, Pass, 3},
		{Row{Kind: KindEncode, Width: 4, OursRounds: []float64{9}, TheirsRounds: []float64{10}}, 1, Fail, 0.9},
		{Row{Kind: KindEncode, Width: 2, OursRounds: []float64{9}, TheirsRounds: []float64{10}}, 0, "", 0.9},
		{Row{Kind: KindSearch, OursRounds: []float64{600}, TheirsRounds: []float64{100}}, 5, Pass, 6},
		{Row{Kind: KindSearch, OursRounds: []float64{600}, TheirsRounds: []float64{100}, Note: "top-10 differ"}, 5, Fail, 6},
	} {
		r := c.row
		r.finish(PrimaryRatio)
		if r.Target != c.target || r.Verdict != c.verdict || r.Ratio != c.ratio {
			t.Errorf("%s W=%d %v/%v: target %v verdict %q ratio %v, want %v %q %v", r.Kind, r.Width, r.OursRounds, r.TheirsRounds,
				r.Target, r.Verdict, r.Ratio, c.target, c.verdict, c.ratio)
		}
	}
}

// TestVerdictsLoaded: on a loaded machine the verdict reads the CPU-time
// ratio (and says so), the wall-time one when the CPU ratio is missing;
// the spread is the rounds' min and max.
func TestVerdictsLoaded(t *testing.T) {
	r := Row{Kind: KindTrain, Width: 1, OursRounds: []float64{20, 70, 30}, TheirsRounds: []float64{100, 50, 90},
		OursCPURounds: []float64{10, 10, 10}, TheirsCPURounds: []float64{5, 5, 5}}
	r.finish(PrimaryRatio)
	if r.Verdict != Fail || r.VerdictBy != PrimaryRatio || r.Ratio != 30.0/90 {
		t.Errorf("quiet: verdict %q by %q, ratio %v", r.Verdict, r.VerdictBy, r.Ratio)
	}
	if r.OursMin != 20 || r.OursMax != 70 || r.TheirsMin != 50 || r.TheirsMax != 100 {
		t.Errorf("spread: ours %v-%v theirs %v-%v", r.OursMin, r.OursMax, r.TheirsMin, r.TheirsMax)
	}
	r.finish(PrimaryCPURatio) // cpu ratio 5/10 = 0.5 < 1
	if r.Verdict != Fail || r.VerdictBy != PrimaryCPURatio {
		t.Errorf("loaded: verdict %q by %q", r.Verdict, r.VerdictBy)
	}
	r.TheirsCPURounds = []float64{12, 12, 12} // 1.2 >= 1, while the wall ratio 0.33 fails
	r.finish(PrimaryCPURatio)
	if r.Verdict != Pass || r.VerdictBy != PrimaryCPURatio {
		t.Errorf("loaded, cpu ratio 0.8: verdict %q by %q", r.Verdict, r.VerdictBy)
	}
	r.TheirsCPURounds = nil
	r.finish(PrimaryCPURatio)
	if r.Verdict != Fail || r.VerdictBy != PrimaryRatio {
		t.Errorf("loaded, no cpu ratio: verdict %q by %q", r.Verdict, r.VerdictBy)
	}
}

// TestTopL2 checks the exact L2 scan on a small set with a tie.
func TestTopL2(t *testing.T) {
	v := []float32{0, 0, 3, 4, 1, 1, 1, 1, 10, 10}
	ids, ds := TopL2(v, 2, []float32{1, 0}, 3)
	want := []int64{0, 2, 3} // distances 1, 1 (tie: lower position first), 1
	if !slices.Equal(ids, want) || ds[0] != 1 || ds[1] != 1 || ds[2] != 1 {
		t.Errorf("TopL2 = %v %v, want %v", ids, ds, want)
	}
	ids, _ = TopL2(v, 2, []float32{9, 9}, 2)
	if !slices.Equal(ids, []int64{4, 1}) {
		t.Errorf("TopL2 near (9, 9) = %v", ids)
	}
}

// TestFaissPeer runs the FAISS peer on a small synthetic index: its exact
// top-10 must pass the check against our L2 scan, the IVF index must reach
// recall@10 >= 0.99, and the check must fail when FAISS reads other data.
func TestFaissPeer(t *testing.T) {
	ctx := context.Background()
	if testing.Short() || !HasModule(ctx, DefaultPython, "faiss") {
		t.Skipf("short, or %s cannot import faiss (%s)", DefaultPython, InstallPeers("faiss"))
	}
	dir := t.TempDir()
	paths, err := WriteScripts(dir)
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewSearchData(20000)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewFaissPeer(DefaultPython, paths[FaissScript], dir, d)
	if err != nil {
		t.Fatal(err)
	}
	res, same, err := p.Run(ctx, 0.05, 64, 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.N != 20000 || len(res.Top) != faissCheckQueries || !(res.FlatQPS > 0) || !(res.FlatBatchQPS > 0) || !(res.IVFBatchQPS > 0) || !(res.IVFRecall >= 0.99) || res.Version == "" {
		t.Errorf("faiss result: n %d tops %d flat %v batch %v ivf batch %v recall %v version %q", res.N, len(res.Top), res.FlatQPS, res.FlatBatchQPS, res.IVFBatchQPS, res.IVFRecall, res.Version)
	}
	t.Logf("same ids in order for %d of %d queries; IVF %d lists nprobe %d recall %.3f", same, len(res.Top), res.IVFNList, res.IVFNProbe, res.IVFRecall)
	// Our data shifted by one record: FAISS's ids no longer match.
	copy(d.V, append(d.V[d.NC:], d.V[:d.NC]...))
	if _, _, err := p.Run(ctx, 0.05, 64, 0); !errors.Is(err, ErrFaissTop) {
		t.Errorf("shifted data: err %v, want ErrFaissTop", err)
	}
}

// TestWriteScripts checks that the embedded scripts are the ones next to
// this file and that they are written out whole.
func TestWriteScripts(t *testing.T) {
	dir := t.TempDir()
	paths, err := WriteScripts(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{TorchScript, NumpyScript, FaissScript} {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(paths[name])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(src, got) || filepath.Dir(paths[name]) != dir || len(got) < 1000 {
			t.Errorf("%s: written %d bytes to %s, source has %d", name, len(got), paths[name], len(src))
		}
	}
}

// TestPeakMeter: a 64 MiB allocation touched page by page shows in the
// peak, and after Reset the peak falls back below it.
func TestPeakMeter(t *testing.T) {
	m := NewPeakMeter()
	m.Reset()
	base := m.Current()
	buf := make([]byte, 64<<20)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 1
	}
	peak := m.Peak()
	if peak < base+60<<20 {
		t.Fatalf("%s: peak %d MiB after touching 64 MiB on a base of %d MiB", m.Source(), peak>>20, base>>20)
	}
	buf = nil
	m.Reset()
	if m.Source() == MemVmHWM {
		if after := m.Peak(); after >= peak-32<<20 {
			t.Errorf("VmHWM %d MiB after Reset, %d MiB before: not reset", after>>20, peak>>20)
		}
	}
	t.Logf("%s: base %d MiB, peak %d MiB", m.Source(), base>>20, peak>>20)
}

func TestParsePeerMode(t *testing.T) {
	for _, s := range []string{"auto", "on", "off"} {
		if m, err := ParsePeerMode(s); err != nil || string(m) != s {
			t.Errorf("ParsePeerMode(%q) = %q, %v", s, m, err)
		}
	}
	if _, err := ParsePeerMode("yes"); err == nil {
		t.Error("ParsePeerMode(yes): no error")
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(*Config){
		"width 3":   func(c *Config) { c.Widths = []int{3} },
		"batch 0":   func(c *Config) { c.Batch = 0 },
		"seconds 0": func(c *Config) { c.Seconds = 0 },
		"rounds 0":  func(c *Config) { c.Rounds = 0 },
		"nothing":   func(c *Config) { c.Widths, c.SearchN = nil, 0 },
		"measure":   func(c *Config) { c.Measure = []string{"decoder"} },
		"search 0":  func(c *Config) { c.Measure, c.SearchN = []string{KindSearch}, 0 },
		"peers":     func(c *Config) { c.Peers = "maybe" },
	} {
		c := DefaultConfig()
		f(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestNumpyPeer runs the numpy peer on a small synthetic index and checks
// that its top-10 agree with ours, and that the check fails when they do
// not (the peer then ranks other data than our index holds).
func TestNumpyPeer(t *testing.T) {
	ctx := context.Background()
	if !HasModule(ctx, DefaultPython, "numpy") {
		t.Skipf("%s cannot import numpy", DefaultPython)
	}
	dir := t.TempDir()
	paths, err := WriteScripts(dir)
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewSearchData(5000)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewNumpyPeer(DefaultPython, paths[NumpyScript], dir, d)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Run(ctx, 25)
	if err != nil {
		t.Fatal(err)
	}
	if res.N != 5000 || res.Queries != 25 || len(res.Top) != 25 || !(res.QPS > 0) || res.Version == "" {
		t.Errorf("numpy result: n %d queries %d tops %d qps %v version %q", res.N, res.Queries, len(res.Top), res.QPS, res.Version)
	}
	if res.Peak == 0 || !(res.CPUSeconds > 0) {
		t.Errorf("numpy process: peak %d bytes, %v CPU seconds", res.Peak, res.CPUSeconds)
	}
	// Our index over other v vectors (the file the peer reads is unchanged).
	other := make([]float32, len(d.V))
	copy(other, d.V[d.NC:])
	copy(other[len(other)-d.NC:], d.V[:d.NC])
	if d.Index, err = search.New(other, d.NC, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(ctx, 5); !errors.Is(err, ErrTopDiffer) {
		t.Errorf("shifted index: err %v, want ErrTopDiffer", err)
	}
}

// TestTorchPeer runs the PyTorch peer once at a small width and batch.
func TestTorchPeer(t *testing.T) {
	ctx := context.Background()
	if testing.Short() || !HasModule(ctx, DefaultPython, "torch") {
		t.Skipf("short, or %s cannot import torch", DefaultPython)
	}
	paths, err := WriteScripts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// Restricted to AVX2, as with lsconf's avx2 kernel set: the peer says
	// so (on a CPU without AVX2 PyTorch falls back lower).
	r, err := RunTorch(ctx, DefaultPython, paths[TorchScript], TorchEnv("avx2"), 16, 4, 1, 0.05, modelKinds)
	if err != nil {
		t.Fatal(err)
	}
	if r.Width != 16 || r.Batch != 4 || r.Threads != 1 || r.Version == "" || r.Peak == 0 || r.ATen == "" {
		t.Errorf("torch result %+v", r)
	}
	for _, k := range modelKinds {
		if rate, cpu := r.Rate(k); !(rate > 0) || !(cpu > 0) {
			t.Errorf("torch %s: %v img/s, %v CPU ms", k, rate, cpu)
		}
	}
	if strings.Contains(r.OneDNNISA, "512") || strings.Contains(r.ATen, "512") {
		t.Errorf("peer restricted to AVX2 reports oneDNN %q, ATen %q", r.OneDNNISA, r.ATen)
	}
	// Only the decoder at inference: the other rates are 0.
	r, err = RunTorch(ctx, DefaultPython, paths[TorchScript], nil, 16, 4, 1, 0.05, []string{KindDecode})
	if err != nil {
		t.Fatal(err)
	}
	if !(r.Decode > 0) || r.Train != 0 || r.Encode != 0 || r.TrainDecoder != 0 {
		t.Errorf("torch decode only: %+v", r)
	}
}

// TestRunTiny runs the whole measurement without peers at width 16 and
// checks the report's rows; it fails loudly if the backend hangs.
func TestRunTiny(t *testing.T) {
	cfg := Config{Widths: []int{16}, Batch: 4, Seconds: 0.05, SearchN: 3000, Rounds: 1, Peers: PeersOff, Parallelism: 2, Seed: 3}
	rep := runWithin(t, cfg)
	if len(rep.Rows) != 5 || rep.Parallelism != 2 {
		t.Fatalf("report %+v", rep)
	}
	for _, r := range rep.Rows {
		if !(r.Ours > 0) || len(r.OursRounds) != 1 || !(r.OursCPUms > 0) {
			t.Errorf("%s: ours %v, %v CPU ms", r.What, r.OursRounds, r.OursCPUms)
		}
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if rep.Kernels != kernels.Kernels() || rep.Kernels == "" {
		t.Errorf("report kernels %q, engine %q", rep.Kernels, kernels.Kernels())
	}
	for _, s := range []string{"train W=16", "encode W=16", "decode W=16", "train+decoder W=16", "search N=3000 top-10", "backend parallelism 2", "kernels " + rep.Kernels, "primary figure", "min-max"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, buf.String())
		}
	}
	for _, r := range rep.Rows {
		if !(r.OursMin > 0) || r.OursMin > r.Ours || r.OursMax < r.Ours {
			t.Errorf("%s: spread %v-%v around %v", r.What, r.OursMin, r.OursMax, r.Ours)
		}
	}
	if (len(rep.LoadWarnings) > 0) != (rep.Primary == PrimaryCPURatio) {
		t.Errorf("load warnings %v, primary %q", rep.LoadWarnings, rep.Primary)
	}
	// Only the encode rows.
	cfg.Measure, cfg.SearchN = []string{KindEncode}, 0
	rep = runWithin(t, cfg)
	if len(rep.Rows) != 1 || rep.Rows[0].Kind != KindEncode {
		t.Errorf("--measure encode: rows %+v", rep.Rows)
	}
}

// TestRunDecoderRows measures the decoder rows (decode, a train step with
// the decoder): they have no target, and without --measure they are
// measured by default.
func TestRunDecoderRows(t *testing.T) {
	cfg := Config{Widths: []int{16}, Batch: 4, Seconds: 0.05, Rounds: 1, Peers: PeersOff, Parallelism: 2, Seed: 3,
		Measure: []string{KindDecode, KindTrainDecoder}}
	rep := runWithin(t, cfg)
	if len(rep.Rows) != 2 || rep.Rows[0].What != "decode W=16" || rep.Rows[1].What != "train+decoder W=16" {
		t.Fatalf("rows %+v", rep.Rows)
	}
	for _, r := range rep.Rows {
		if !(r.Ours > 0) || !(r.OursCPUms > 0) || r.Target != 0 || r.Verdict != "" {
			t.Errorf("decoder row %+v", r)
		}
	}
	c := Config{Widths: []int{8}}
	if !c.measures(KindDecode) || !c.measures(KindTrainDecoder) {
		t.Error("the decoder rows are not measured by default")
	}
}

// runWithin runs the benchmark and fails the test on error or when it
// does not finish within 2 minutes (backend hang).
func runWithin(t *testing.T, cfg Config) *Report {
	t.Helper()
	var rep *Report
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		rep, err = Run(context.Background(), cfg)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("Run did not finish within 2 minutes (backend hang?)")
	}
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestMeasureSearchBatch times batches of 8 queries on a small index.
func TestMeasureSearchBatch(t *testing.T) {
	d, err := NewSearchData(3000)
	if err != nil {
		t.Fatal(err)
	}
	s, err := MeasureSearchBatch(context.Background(), NewPeakMeter(), d, 8, 0.02, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !(s.Rate > 0) || s.Iters < minIters {
		t.Errorf("sample %+v", s)
	}
}

// TestEq15TopOfL2 checks the count of L2 top-10 lists that are also eq 15
// top-10s: lsconf's own lists count for every query, lists of records
// that score below the 10th never, and eq 15 is not a monotonic function
// of L2 (a record farther in L2 can be more similar), so the count is a
// measurement, not a given.
func TestEq15TopOfL2(t *testing.T) {
	d, err := NewSearchData(5000)
	if err != nil {
		t.Fatal(err)
	}
	const nq = 20
	var own, worst, l2tops [][]int64
	for i := 0; i < nq; i++ {
		ids, err := d.topIDs(d.Queries[i])
		if err != nil {
			t.Fatal(err)
		}
		own = append(own, ids)
		top, _ := TopL2(d.V, d.NC, d.Queries[i], SearchK)
		l2tops = append(l2tops, top)
		// Ten records outside every cluster (v = 0, score 0) where the
		// query's 10th best scores above 0.
		var zero []int64
		for id := 0; id < len(d.V)/d.NC && len(zero) < SearchK; id++ {
			if latent.Sim32(d.Queries[i], d.V[id*d.NC:(id+1)*d.NC]) == 0 {
				zero = append(zero, int64(id))
			}
		}
		worst = append(worst, zero)
	}
	if n, err := d.Eq15TopOfL2(own); err != nil || n != nq {
		t.Fatalf("lsconf's own top-10s: %d of %d agree (%v)", n, nq, err)
	}
	if n, err := d.Eq15TopOfL2(worst); err != nil || n != 0 {
		t.Fatalf("records scoring 0: %d of %d agree (%v)", n, nq, err)
	}
	n, err := d.Eq15TopOfL2(l2tops)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("exact L2 top-10 is an eq 15 top-10 for %d of %d queries", n, nq)
	// Not monotonic: q = (1, 0, ...), a = (0.5, 0, ...) is nearer in L2
	// (0.5) than b = (1, 0.6, ...) (0.6) but less similar (0.5 < 0.625).
	q, a, b := make([]float32, d.NC), make([]float32, d.NC), make([]float32, d.NC)
	q[0], a[0], b[0], b[1] = 1, 0.5, 1, 0.6
	if !(l2(a, q) < l2(b, q) && latent.Sim32(q, a) < latent.Sim32(q, b)) {
		t.Fatalf("eq 15 counterexample: L2 %v %v, sim %v %v", l2(a, q), l2(b, q), latent.Sim32(q, a), latent.Sim32(q, b))
	}
}
