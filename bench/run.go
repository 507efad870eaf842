package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
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
	faiss  *FaissPeer
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
	if !cfg.measures(KindSearch) {
		cfg.SearchN = 0
	}
	if len(cfg.modelRows()) == 0 {
		cfg.Widths = nil
	}
	if cfg.FaissBatch == 0 {
		cfg.FaissBatch = 64
	}
	t0 := time.Now()
	r := &runner{cfg: cfg, mem: NewPeakMeter(), rows: map[string]*Row{}, numpyM: 30}
	r.rep = &Report{
		Widths: cfg.Widths, Batch: cfg.Batch, Seconds: cfg.Seconds, SearchN: cfg.SearchN, Rounds: cfg.Rounds,
		Peers: cfg.Peers, Cores: Cores(), GOEXPERIMENT: GOEXPERIMENT(), GoVersion: runtime.Version(), CPU: CPUModel(),
		Kernels: kernels.Kernels(), KernelsReason: kernels.KernelsReason(),
		Parallelism: cfg.Parallelism, SearchThreads: cfg.SearchThreads, MemorySource: r.mem.Source(), LoadBefore: LoadAvg(), SearchExact: true,
	}
	r.rep.IdleLoad = IdleLoad(r.rep.Cores)
	if cfg.QuietWait > 0 {
		r.rep.QuietWaitSeconds, r.rep.QuietReached = r.waitQuiet(ctx, cfg.QuietWait)
		r.rep.LoadBefore = LoadAvg()
	}
	for _, kind := range cfg.modelRows() {
		for _, w := range cfg.Widths {
			r.row(kind, w)
		}
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
		total += len(cfg.modelRows()) * len(cfg.Widths)
		if r.torch != "" {
			total += len(cfg.Widths)
		}
	}
	if r.data != nil {
		total++
		if r.numpy != nil {
			total++
		}
		if r.faiss != nil {
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
			if l[0] > r.rep.IdleLoad {
				w := fmt.Sprintf("round %d starts at load average %.2f, above the idle threshold %.2f (= cores): other work competes for the CPUs", round+1, l[0], r.rep.IdleLoad)
				r.rep.LoadWarnings = append(r.rep.LoadWarnings, w)
				r.note("warning: %s", w)
			}
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
	r.rep.Primary = PrimaryRatio
	if len(r.rep.LoadWarnings) > 0 {
		r.rep.Primary = PrimaryCPURatio
	}
	for _, kind := range cfg.modelRows() {
		for _, w := range cfg.Widths {
			row := r.rows[rowKey(kind, w)]
			row.finish(r.rep.Primary)
			r.rep.Rows = append(r.rep.Rows, *row)
		}
	}
	if r.data != nil {
		for _, k := range r.searchKeys() {
			row := r.rows[k]
			row.finish(r.rep.Primary)
			r.rep.Rows = append(r.rep.Rows, *row)
		}
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
	switch kind {
	case KindSearch:
		row.Unit = "q/s"
		row.What = fmt.Sprintf("search N=%d top-%d", r.cfg.SearchN, SearchK)
	case KindFaiss:
		row.Unit = "q/s"
		row.Width = 0
		row.Variant = faissVariants[w]
		row.What = fmt.Sprintf("search vs FAISS %s", faissVariants[w])
		if w == FaissFlatBatch || w == FaissIVFBatch {
			row.What += fmt.Sprintf(" %d", r.cfg.FaissBatch)
		}
		if w == FaissFlat || w == FaissFlatBatch {
			row.Target = TargetFaissExact
		}
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
	wantFaiss := wantNumpy
	for _, p := range []struct {
		want   *bool
		name   string
		module string
	}{{&wantTorch, "PyTorch", "torch"}, {&wantNumpy, "numpy", "numpy"}, {&wantFaiss, "FAISS", "faiss"}} {
		if !*p.want || HasModule(ctx, cfg.Python, p.module) {
			continue
		}
		msg := fmt.Sprintf("%s cannot import %s; install the peers with: %s", cfg.Python, p.module, InstallPeers(p.module))
		if cfg.Peers == PeersOn {
			return fmt.Errorf("bench: peers asked for, but %s", msg)
		}
		r.note("%s peer skipped: %s", p.name, msg)
		r.rep.MissingPeers = append(r.rep.MissingPeers, fmt.Sprintf("%s (%s)", p.name, InstallPeers(p.module)))
		*p.want = false
	}
	var paths map[string]string
	if wantTorch || wantNumpy || wantFaiss {
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
		if wantFaiss {
			if r.faiss, err = NewFaissPeer(cfg.Python, paths[FaissScript], dir, d); err != nil {
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
			for _, kind := range cfg.modelRows() {
				r.bar.Status("%s: lsconf %s W=%d", tag, kind, w)
				s, err := measureModel(ctx, kind, r.mem, cfg.Parallelism, w, cfg.Batch, cfg.Seconds, cfg.Seed)
				if err != nil {
					return fmt.Errorf("bench: %w", err)
				}
				r.addOurs(kind, w, s)
				r.step()
			}
			return nil
		}
		theirs := func() error {
			if r.torch == "" {
				return nil
			}
			kinds := cfg.modelRows()
			r.bar.Status("%s: PyTorch %s W=%d", tag, strings.Join(kinds, ", "), w)
			t, err := RunTorch(ctx, cfg.Python, r.torch, r.rep.TorchEnv, w, cfg.Batch, cfg.TorchThreads, cfg.Seconds, kinds)
			if err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			r.rep.Torch = t.Version
			r.rep.TorchISA = fmt.Sprintf("oneDNN %s, ATen %s", orDash(t.OneDNNISA), orDash(t.ATen))
			for _, kind := range kinds {
				rate, cpu := t.Rate(kind)
				row := r.row(kind, w)
				row.TheirsRounds = append(row.TheirsRounds, rate)
				row.TheirsCPURounds = append(row.TheirsCPURounds, cpu)
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
		s, err := MeasureSearch(ctx, r.mem, r.data, cfg.Seconds, cfg.SearchThreads)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		r.addOurs(KindSearch, 0, s)
		if r.faiss != nil {
			r.addOurs(KindFaiss, FaissFlat, s)
			r.addOurs(KindFaiss, FaissIVF, s)
			r.bar.Status("%s: lsconf search, batches of %d", tag, cfg.FaissBatch)
			b, err := MeasureSearchBatch(ctx, r.mem, r.data, cfg.FaissBatch, cfg.Seconds, cfg.SearchThreads)
			if err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			r.addOurs(KindFaiss, FaissFlatBatch, b)
			r.addOurs(KindFaiss, FaissIVFBatch, b)
		}
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
		return r.runFaiss(ctx, tag)
	}
	if r.numpy == nil {
		theirs = func() error { return r.runFaiss(ctx, tag) }
	}
	if err := inOrder(oursFirst, ours, theirs); err != nil {
		return err
	}
	return topErr
}

// runFaiss runs the FAISS peer once and records its four rates.
func (r *runner) runFaiss(ctx context.Context, tag string) error {
	if r.faiss == nil {
		return nil
	}
	r.bar.Status("%s: FAISS search (exact and IVF, single queries and batches of %d)", tag, r.cfg.FaissBatch)
	res, same, err := r.faiss.Run(ctx, r.cfg.Seconds, r.cfg.FaissBatch, r.cfg.SearchThreads)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	r.rep.Faiss = fmt.Sprintf("%s (%d OpenMP threads)", res.Version, res.Threads)
	r.rep.FaissExact = true
	r.rep.FaissIVF = fmt.Sprintf("IndexIVFFlat, %d lists, nprobe %d: recall@%d %.3f against IndexFlatL2 over all %d queries, built in %.1f s",
		res.IVFNList, res.IVFNProbe, SearchK, res.IVFRecall, res.Queries, res.IVFBuildSecond)
	r.rep.FaissTopChecked = len(res.Top)
	r.rep.FaissTopSameIDs = same
	eq15, err := r.data.Eq15TopOfL2(res.Top)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	r.rep.FaissTopEq15 = &eq15
	for _, k := range []struct {
		code      int
		rate, cpu float64
	}{{FaissFlat, res.FlatQPS, res.FlatCPU}, {FaissFlatBatch, res.FlatBatchQPS, res.FlatBatchCPU},
		{FaissIVF, res.IVFQPS, res.IVFCPU}, {FaissIVFBatch, res.IVFBatchQPS, res.IVFBatchCPU}} {
		row := r.row(KindFaiss, k.code)
		row.TheirsRounds = append(row.TheirsRounds, k.rate)
		row.TheirsCPURounds = append(row.TheirsCPURounds, k.cpu)
		row.TheirsPeakMB = math.Max(row.TheirsPeakMB, mib(res.Peak))
	}
	r.step()
	return nil
}

// searchKeys are the keys of the search rows, in table order.
func (r *runner) searchKeys() []string {
	keys := []string{rowKey(KindSearch, 0)}
	if r.faiss != nil {
		for _, c := range []int{FaissFlat, FaissFlatBatch, FaissIVF, FaissIVFBatch} {
			keys = append(keys, rowKey(KindFaiss, c))
		}
	}
	return keys
}

// waitQuiet waits, at most max, until the 1-minute load average is at
// most the idle threshold, checking every 15 s; it returns how long it
// waited and whether the load fell that low.
func (r *runner) waitQuiet(ctx context.Context, max time.Duration) (float64, bool) {
	t0 := time.Now()
	for {
		l := LoadAvg()
		if l == nil {
			r.note("--quiet-wait: no load average on this system; not waiting")
			return 0, false
		}
		if l[0] <= r.rep.IdleLoad {
			if time.Since(t0) > time.Second {
				r.note("load average %.2f <= %.2f after %.0f s: starting", l[0], r.rep.IdleLoad, time.Since(t0).Seconds())
			}
			return time.Since(t0).Seconds(), true
		}
		left := max - time.Since(t0)
		if left <= 0 {
			r.note("warning: load average still %.2f > %.2f after waiting %v: starting on a loaded machine", l[0], r.rep.IdleLoad, max)
			return time.Since(t0).Seconds(), false
		}
		r.note("waiting for a quiet machine: load average %.2f > %.2f (idle threshold = cores), %.0f s left", l[0], r.rep.IdleLoad, left.Seconds())
		select {
		case <-ctx.Done():
			return time.Since(t0).Seconds(), false
		case <-time.After(min(15*time.Second, left)):
		}
	}
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
