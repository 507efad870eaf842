package bench

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lsconf/lsconf/engine/kernels"
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
		{Row{Kind: KindTrain, Width: 1, OursRounds: []float64{60, 72, 84}, TheirsRounds: []float64{100, 120, 200}}, 0.6, Pass, 0.6},
		{Row{Kind: KindTrain, Width: 1, OursRounds: []float64{50}, TheirsRounds: []float64{100}}, 0.6, Fail, 0.5},
		{Row{Kind: KindTrain, Width: 8, OursRounds: []float64{50}, TheirsRounds: []float64{100}}, 0.5, Pass, 0.5},
		{Row{Kind: KindTrain, Width: 8, OursRounds: []float64{30}, TheirsRounds: []float64{100}}, 0.5, Fail, 0.3},
		{Row{Kind: KindTrain, Width: 4, OursRounds: []float64{30}, TheirsRounds: []float64{100}}, 0, "", 0.3},
		{Row{Kind: KindEncode, Width: 1, OursRounds: []float64{30}}, 0.6, NoPeer, 0},
		{Row{Kind: KindEncode, Width: 8, OursRounds: []float64{30}, TheirsRounds: []float64{10}}, 0, "", 3},
		{Row{Kind: KindSearch, OursRounds: []float64{600}, TheirsRounds: []float64{100}}, 5, Pass, 6},
		{Row{Kind: KindSearch, OursRounds: []float64{600}, TheirsRounds: []float64{100}, Note: "top-10 differ"}, 5, Fail, 6},
	} {
		r := c.row
		r.finish()
		if r.Target != c.target || r.Verdict != c.verdict || r.Ratio != c.ratio {
			t.Errorf("%s W=%d %v/%v: target %v verdict %q ratio %v, want %v %q %v", r.Kind, r.Width, r.OursRounds, r.TheirsRounds,
				r.Target, r.Verdict, r.Ratio, c.target, c.verdict, c.ratio)
		}
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
	for _, name := range []string{TorchScript, NumpyScript} {
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
	r, err := RunTorch(ctx, DefaultPython, paths[TorchScript], TorchEnv("avx2"), 16, 4, 1, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if r.Width != 16 || r.Batch != 4 || r.Threads != 1 || !(r.Train > 0) || !(r.Encode > 0) || !(r.TrainCPU > 0) || !(r.EncodeCPU > 0) || r.Version == "" || r.Peak == 0 || r.ATen == "" {
		t.Errorf("torch result %+v", r)
	}
	if strings.Contains(r.OneDNNISA, "512") || strings.Contains(r.ATen, "512") {
		t.Errorf("peer restricted to AVX2 reports oneDNN %q, ATen %q", r.OneDNNISA, r.ATen)
	}
}

// TestRunTiny runs the whole measurement without peers at width 16 and
// checks the report's rows; it fails loudly if the backend hangs.
func TestRunTiny(t *testing.T) {
	cfg := Config{Widths: []int{16}, Batch: 4, Seconds: 0.05, SearchN: 3000, Rounds: 1, Peers: PeersOff, Parallelism: 2, Seed: 3}
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
	if len(rep.Rows) != 4 || rep.Parallelism != 2 {
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
	for _, s := range []string{"train W=16", "encode W=16", "train+decoder W=16", "search N=3000 top-10", "backend parallelism 2", "kernels " + rep.Kernels} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, buf.String())
		}
	}
}
