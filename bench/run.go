package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"time"

	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/engine/kernels"
	"github.com/lsconf/lsconf/internal/progress"
)

// runner holds the state of one Run.
type runner struct {
	cfg    Config
	rep    *Report
	mem    *PeakMeter
	bar    *progress.Bar
	torch  string // script path, "" when the torch peer does not run
	numpy  *NumpyPeer
	data   *SearchData
	rows   map[string]*Row
	numpyM int // queries of the next numpy run
}

// Run measures lsconf's train step, encoder and search on this machine,
// and the peers' beside them in interleaved rounds (in each round every
// measurement runs once; who goes first alternates between rounds), and
// returns the medians. The report is returned even when the numpy peer's
// top-10 differ from ours (Report.SearchExact false; the error then wraps
// ErrTopDiffer).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Python == "" {
		cfg.Python = DefaultPython
	}
	if cfg.Parallelism == 0 {
		cfg.Parallelism = engine.DefaultParallelism()
	}
	if cfg.TorchThreads == 0 {
		cfg.TorchThreads = Cores()
	}
	t0 := time.Now()
	r := &runner{cfg: cfg, mem: NewPeakMeter(), rows: map[string]*Row{}, numpyM: 30}
	r.rep = &Report{
		Widths: cfg.Widths, Batch: cfg.Batch, Seconds: cfg.Seconds, SearchN: cfg.SearchN, Rounds: cfg.Rounds,
		Peers: cfg.Peers, Cores: Cores(), GOEXPERIMENT: GOEXPERIMENT(), GoVersion: runtime.Version(), CPU: CPUModel(),
		Kernels: kernels.Kernels(), KernelsReason: kernels.KernelsReason(),
		Parallelism: cfg.Parallelism, MemorySource: r.mem.Source(), LoadBefore: LoadAvg(), SearchExact: true,
	}
	for _, w := range cfg.Widths {
		r.row(KindTrain, w)
	}
	for _, w := range cfg.Widths {
		r.row(KindEncode, w)
	}
	for _, w := range cfg.Widths {
		r.row(KindTrainDecoder, w)
	}
	if cfg.SearchN > 0 {
		r.row(KindSearch, 0)
	}
	dir, err := os.MkdirTemp("", "lsconf-bench-")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := r.setup(ctx, dir); err != nil {
		return nil, err
	}
	total := 0
	if len(cfg.Widths) > 0 {
		total += 3 * len(cfg.Widths)
		if r.torch != "" {
			total += len(cfg.Widths)
		}
	}
	if r.data != nil {
		total++
		if r.numpy != nil {
			total++
		}
	}
	if cfg.Progress != nil {
		r.bar = progress.New(cfg.Progress, "bench", total*cfg.Rounds)
	}
	var topErr error
	for round := 0; round < cfg.Rounds; round++ {
		if l := LoadAvg(); l != nil {
			r.rep.LoadRounds = append(r.rep.LoadRounds, l[0])
		}
		err := r.round(ctx, round)
		if errors.Is(err, ErrTopDiffer) {
			topErr = err
			err = nil
		}
		if err != nil {
			r.bar.Finish()
			return nil, err
		}
	}
	r.bar.Finish()
	r.rep.LoadAfter = LoadAvg()
	r.rep.WallSeconds = time.Since(t0).Seconds()
	for _, kind := range []string{KindTrain, KindEncode, KindTrainDecoder} {
		for _, w := range cfg.Widths {
			row := r.rows[rowKey(kind, w)]
			row.finish()
			r.rep.Rows = append(r.rep.Rows, *row)
		}
	}
	if r.data != nil {
		row := r.rows[rowKey(KindSearch, 0)]
		row.finish()
		r.rep.Rows = append(r.rep.Rows, *row)
	}
	return r.rep, topErr
}

func rowKey(kind string, w int) string { return fmt.Sprintf("%s/%d", kind, w) }

// row returns (making it) the row of a measurement.
func (r *runner) row(kind string, w int) *Row {
	k := rowKey(kind, w)
	if row, ok := r.rows[k]; ok {
		return row
	}
	row := &Row{Kind: kind, Width: w, Unit: "img/s", What: fmt.Sprintf("%s W=%d", kind, w)}
	if kind == KindSearch {
		row.Unit = "q/s"
		row.What = fmt.Sprintf("search N=%d top-%d", r.cfg.SearchN, SearchK)
	}
	r.rows[k] = row
	return row
}

// note prints a status line on the progress writer.
func (r *runner) note(format string, args ...any) {
	if r.cfg.Progress != nil {
		fmt.Fprintf(r.cfg.Progress, "bench: "+format+"\n", args...)
	}
}

// setup decides which peers run, writes their scripts into dir and builds
// the search data.
func (r *runner) setup(ctx context.Context, dir string) error {
	cfg := r.cfg
	if l := r.rep.LoadBefore; l != nil && l[0] > float64(r.rep.Cores) {
		r.note("the machine is busy (load average %.2f on %d cores): rates will be low and noisy", l[0], r.rep.Cores)
	}
	wantTorch := len(cfg.Widths) > 0 && cfg.Peers != PeersOff
	wantNumpy := cfg.SearchN > 0 && cfg.Peers != PeersOff
	if wantTorch && !HasModule(ctx, cfg.Python, "torch") {
		if cfg.Peers == PeersOn {
			return fmt.Errorf("bench: --peers on, but %s cannot import torch (apt-get install python3-torch)", cfg.Python)
		}
		r.note("PyTorch peer skipped: %s cannot import torch", cfg.Python)
		wantTorch = false
	}
	if wantNumpy && !HasModule(ctx, cfg.Python, "numpy") {
		if cfg.Peers == PeersOn {
			return fmt.Errorf("bench: --peers on, but %s cannot import numpy (apt-get install python3-numpy)", cfg.Python)
		}
		r.note("numpy peer skipped: %s cannot import numpy", cfg.Python)
		wantNumpy = false
	}
	var paths map[string]string
	if wantTorch || wantNumpy {
		var err error
		if paths, err = WriteScripts(dir); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	if wantTorch {
		r.torch = paths[TorchScript]
		r.rep.TorchThreads = cfg.TorchThreads
		r.rep.TorchEnv = TorchEnv(r.rep.Kernels)
	}
	if cfg.SearchN > 0 {
		r.note("building the synthetic search index (%d entries)", cfg.SearchN)
		r.mem.Reset()
		d, err := NewSearchData(cfg.SearchN)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		r.rep.IndexBuildPeakMB = mib(r.mem.Peak())
		r.data = d
		if wantNumpy {
			if r.numpy, err = NewNumpyPeer(cfg.Python, paths[NumpyScript], dir, d); err != nil {
				return fmt.Errorf("bench: %w", err)
			}
		}
	}
	return nil
}

// step marks one measurement done.
func (r *runner) step() { r.bar.Add(1) }

// round runs every measurement once, ours first in even rounds and the
// peers first in odd ones.
func (r *runner) round(ctx context.Context, round int) error {
	cfg := r.cfg
	oursFirst := round%2 == 0
	tag := fmt.Sprintf("round %d/%d", round+1, cfg.Rounds)
	for _, w := range cfg.Widths {
		ours := func() error {
			r.bar.Status("%s: lsconf train W=%d", tag, w)
			s, err := MeasureTrain(ctx, r.mem, cfg.Parallelism, w, cfg.Batch, cfg.Seconds, cfg.Seed, false)
			if err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			r.addOurs(KindTrain, w, s)
			r.step()
			r.bar.Status("%s: lsconf train with the decoder W=%d", tag, w)
			if s, err = MeasureTrain(ctx, r.mem, cfg.Parallelism, w, cfg.Batch, cfg.Seconds, cfg.Seed, true); err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			r.addOurs(KindTrainDecoder, w, s)
			r.step()
			r.bar.Status("%s: lsconf encode W=%d", tag, w)
			s, err = MeasureEncode(ctx, r.mem, cfg.Parallelism, w, cfg.Batch, cfg.Seconds, cfg.Seed)
			if err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			r.addOurs(KindEncode, w, s)
			r.step()
			return nil
		}
		theirs := func() error {
			if r.torch == "" {
				return nil
			}
			r.bar.Status("%s: PyTorch train and encode W=%d", tag, w)
			t, err := RunTorch(ctx, cfg.Python, r.torch, r.rep.TorchEnv, w, cfg.Batch, cfg.TorchThreads, cfg.Seconds)
			if err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			r.rep.Torch = t.Version
			r.rep.TorchISA = fmt.Sprintf("oneDNN %s, ATen %s", orDash(t.OneDNNISA), orDash(t.ATen))
			for _, k := range []struct {
				kind      string
				rate, cpu float64
			}{{KindTrain, t.Train, t.TrainCPU}, {KindEncode, t.Encode, t.EncodeCPU}} {
				row := r.row(k.kind, w)
				row.TheirsRounds = append(row.TheirsRounds, k.rate)
				row.TheirsCPURounds = append(row.TheirsCPURounds, k.cpu)
				row.TheirsPeakMB = math.Max(row.TheirsPeakMB, mib(t.Peak))
			}
			r.step()
			return nil
		}
		if err := inOrder(oursFirst, ours, theirs); err != nil {
			return err
		}
	}
	if r.data == nil {
		return nil
	}
	var topErr error
	ours := func() error {
		r.bar.Status("%s: lsconf search", tag)
		s, err := MeasureSearch(ctx, r.mem, r.data, cfg.Seconds)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		r.addOurs(KindSearch, 0, s)
		r.step()
		return nil
	}
	theirs := func() error {
		if r.numpy == nil {
			return nil
		}
		r.bar.Status("%s: numpy search (%d queries)", tag, r.numpyM)
		res, err := r.numpy.Run(ctx, r.numpyM)
		row := r.row(KindSearch, 0)
		if errors.Is(err, ErrTopDiffer) {
			r.rep.SearchExact = false
			row.Note = err.Error()
			topErr = err
		} else if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		r.rep.Numpy = res.Version
		row.TheirsRounds = append(row.TheirsRounds, res.QPS)
		if res.Queries > 0 {
			row.TheirsCPURounds = append(row.TheirsCPURounds, 1000*res.CPUSeconds/float64(res.Queries))
		}
		row.TheirsPeakMB = math.Max(row.TheirsPeakMB, mib(res.Peak))
		// The next run takes about Seconds at this rate.
		r.numpyM = int(math.Round(min(max(res.QPS*cfg.Seconds, 10), searchQueries)))
		r.step()
		return nil
	}
	if err := inOrder(oursFirst, ours, theirs); err != nil {
		return err
	}
	return topErr
}

// addOurs records one of our samples.
func (r *runner) addOurs(kind string, w int, s Sample) {
	row := r.row(kind, w)
	row.OursRounds = append(row.OursRounds, s.Rate)
	row.OursCPURounds = append(row.OursCPURounds, s.CPUms)
	row.OursPeakMB = math.Max(row.OursPeakMB, mib(s.Peak))
	row.OursBaseMB = math.Max(row.OursBaseMB, mib(s.Base))
}

// inOrder runs a then b, or b then a.
func inOrder(aFirst bool, a, b func() error) error {
	if !aFirst {
		a, b = b, a
	}
	if err := a(); err != nil {
		return err
	}
	return b()
}
