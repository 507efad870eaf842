package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/internal/atomicfile"
	"github.com/lsconf/lsconf/internal/flock"
	"github.com/lsconf/lsconf/internal/progress"
	"github.com/lsconf/lsconf/model"
)

// Sets are the data of a run: Train is required; Test and Gen (the
// generalization set, never trained on) are evaluated after every epoch
// when present. Their classes are matched to Train's by name.
type Sets struct {
	Train, Test, Gen data.Set
	// Outliers, with Config.OutlierWeight > 0, are the real outlier
	// images every step adds (outlier exposure); nil for none.
	Outliers *data.Outliers
}

// Result is what a finished (or interrupted) Train call reports.
type Result struct {
	RunDir string `json:"run_dir"`
	// ID is the run's model identity (see Run.ID) at the last checkpoint.
	ID       string   `json:"id"`
	Position Position `json:"position"`
	// Finished is false when the run was interrupted.
	Finished bool `json:"finished"`
	// Test and Gen are the evaluations after the last completed epoch.
	Test        *EvalResult `json:"test,omitempty"`
	Gen         *EvalResult `json:"gen,omitempty"`
	WallSeconds float64     `json:"wall_seconds"`
}

// EvalReport is eval.json: the final evaluation of a finished run.
type EvalReport struct {
	ID       string      `json:"id"`
	Position Position    `json:"position"`
	Train    TrainMeans  `json:"train"`
	Test     *EvalResult `json:"test,omitempty"`
	Gen      *EvalResult `json:"gen,omitempty"`
}

// ErrDiverged is wrapped by the error Train returns when the loss became
// NaN or infinite; the weights of that step are not saved.
var ErrDiverged = errors.New("training diverged")

// ErrRunExists is wrapped by the error Train returns when the run
// directory already holds a run and neither Resume nor Force is set.
var ErrRunExists = errors.New("run directory already holds a run")

// ErrRunBusy is wrapped by the error Train returns when another process
// is training the same run directory (its lock file, LockFile, is held).
var ErrRunBusy = errors.New("the run is being trained by another process")

// LockFile is the lock a training process holds in its run directory
// (internal/flock: it ends with the process, so a killed run can be
// resumed at once).
const LockFile = ".train.lock"

// Train trains the SAE described by cfg on sets and keeps everything in
// runDir: run.json, the checkpoint, metrics.jsonl and, at the end,
// eval.json. When ctx is cancelled it saves a checkpoint at the current
// step and returns an error wrapping ctx.Err(); Train with cfg.Resume
// then continues exactly where it stopped. One process at a time trains a
// run directory: a second one is refused (ErrRunBusy).
func Train(ctx context.Context, cfg Config, sets Sets, runDir string) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("train %s: %v", runDir, r)
		}
	}()
	// An existing run is locked before it is read; a new one once
	// prepare has made its directory.
	locked := false
	if st, serr := os.Stat(runDir); serr == nil && st.IsDir() {
		unlock, err := lockRun(runDir)
		if err != nil {
			return nil, err
		}
		defer unlock()
		locked = true
	}
	t, err := prepare(cfg, sets, runDir)
	if err != nil {
		return nil, err
	}
	if !locked {
		unlock, err := lockRun(runDir)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	backend, err := engine.New(t.cfg.Engine)
	if err != nil {
		return nil, err
	}
	defer backend.Finalize()
	adam := model.DefaultAdam(t.cfg.LR)
	adam.Schedule = t.cfg.LRSchedule
	adam.TotalSteps = int64(t.cfg.Epochs) * int64(numBatches(t.sets.Train.Len(), t.cfg.BatchSize))
	t.net, err = model.NewTrainer(backend, t.cfg.modelConfig(), t.state, t.cfg.lossConfig(), adam)
	if err != nil {
		return nil, fmt.Errorf("train %s: %w", runDir, err)
	}
	defer t.net.Close()
	t.state = nil // the net holds it now
	return t.loop(ctx)
}

// trainer is one Train call in progress.
type trainer struct {
	cfg      Config
	sets     Sets
	dir      string
	classes  []string
	maps     [3][]int32 // label maps of train, test, gen
	runBytes []byte
	state    *model.State
	pos      Position
	acc      epochAcc // current epoch
	stepAcc  epochAcc // since the last step line
	wall0    float64  // wall seconds before this process
	start    time.Time
	net      *model.Trainer
	metrics  metricsLog
	lastSum  [32]byte
	test     *EvalResult
	gen      *EvalResult
}

// prepare validates everything and sets up the run directory (new run) or
// reads it (resume). Nothing on disk changes unless every check passed.
func prepare(cfg Config, sets Sets, dir string) (*trainer, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if sets.Train == nil || sets.Train.Len() == 0 {
		return nil, fmt.Errorf("train %s: no training images", dir)
	}
	classes := sets.Train.Classes()
	if len(classes) != cfg.Layout.NC() {
		return nil, fmt.Errorf("train %s: the data has %d classes %q but the layout has n_c = %d clusters", dir, len(classes), classes, cfg.Layout.NC())
	}
	cfg.Data.TrainLen = sets.Train.Len()
	cfg.Data.TestLen, cfg.Data.GenLen = setLen(sets.Test), setLen(sets.Gen)
	hash, err := DataHash(sets)
	if err != nil {
		return nil, fmt.Errorf("train %s: %w", dir, err)
	}
	cfg.Data.Hash = hash
	if err := cfg.withOutliers(sets.Outliers); err != nil {
		return nil, fmt.Errorf("train %s: %w", dir, err)
	}
	if !cfg.Resume {
		cfg.Data = cfg.Data.anchored(dir)
	}
	t := &trainer{cfg: cfg, sets: sets, dir: dir, classes: classes, start: time.Now(),
		metrics: metricsLog{path: filepath.Join(dir, MetricsFile)}}
	for i, s := range []data.Set{sets.Train, sets.Test, sets.Gen} {
		if s == nil {
			continue
		}
		m, err := labelMap(s, classes)
		if err != nil {
			return nil, fmt.Errorf("train %s: %s set: %w", dir, []string{"training", "test", "generalization"}[i], err)
		}
		t.maps[i] = m
	}
	if cfg.Resume {
		return t, t.readForResume()
	}
	return t, t.createRun()
}

func setLen(s data.Set) int {
	if s == nil {
		return 0
	}
	return s.Len()
}

// createRun refuses to replace an existing run unless Force, then writes
// run.json and the initial state.
func (t *trainer) createRun() error {
	existing := false
	for _, f := range []string{RunFile, CheckpointFile, MetricsFile, EvalFile} {
		if _, err := os.Stat(filepath.Join(t.dir, f)); err == nil {
			existing = true
		}
	}
	if existing && !t.cfg.Force {
		return fmt.Errorf("train: %s: %w", t.dir, ErrRunExists)
	}
	w, err := model.Init(t.cfg.modelConfig(), t.cfg.Seed)
	if err != nil {
		return fmt.Errorf("train %s: %w", t.dir, err)
	}
	t.state = &model.State{Weights: *w}
	if err := os.MkdirAll(t.dir, 0o755); err != nil {
		return fmt.Errorf("train: create run directory: %w", err)
	}
	for _, f := range []string{CheckpointFile, MetricsFile, EvalFile, OutsideFile} {
		if err := os.Remove(filepath.Join(t.dir, f)); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("train: replace run: %w", err)
		}
	}
	info := newRunInfo(t.cfg, t.classes)
	b, err := marshalIndent(info)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(t.dir, RunFile), b); err != nil {
		return err
	}
	t.runBytes = b
	return nil
}

// readForResume loads run.json and the checkpoint and checks that the
// configuration and the data agree with them.
func (t *trainer) readForResume() error {
	info, b, err := readRunInfo(t.dir)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	if err := sameRun(info.TrainConfig(), t.cfg); err != nil {
		return fmt.Errorf("resume %s: %w", t.dir, err)
	}
	if err := checkDataSource(info.Data, t.cfg.Data, t.dir, t.cfg.ForceData); err != nil {
		return fmt.Errorf("resume %s: %w", t.dir, err)
	}
	if info.Data.Hash != "" && info.Data.Hash != t.cfg.Data.Hash {
		t.logf("warning: the data's content changed since the run started (hash %s, now %s): resuming on the images as they are now\n", info.Data.Hash, t.cfg.Data.Hash)
	}
	if !slices.Equal(info.Classes, t.classes) {
		return fmt.Errorf("resume %s: the data's classes %q differ from the run's classes %q", t.dir, t.classes, info.Classes)
	}
	ck, err := readCheckpoint(filepath.Join(t.dir, CheckpointFile))
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	if err := checkMatch(info, ck); err != nil {
		return fmt.Errorf("resume %s: %w", t.dir, err)
	}
	if ck.State.AdamM == nil {
		return fmt.Errorf("resume %s: the checkpoint holds no optimiser state (inference only)", t.dir)
	}
	n := t.sets.Train.Len()
	if ck.Position.Epoch > t.cfg.Epochs || ck.Position.Batch > numBatches(n, t.cfg.BatchSize) {
		return fmt.Errorf("resume %s: checkpoint at epoch %d batch %d does not fit %d epochs of %d batches (different data?)",
			t.dir, ck.Position.Epoch, ck.Position.Batch, t.cfg.Epochs, numBatches(n, t.cfg.BatchSize))
	}
	if ck.Seed != t.cfg.Seed {
		return fmt.Errorf("resume %s: checkpoint seed %d, run seed %d", t.dir, ck.Seed, t.cfg.Seed)
	}
	t.runBytes = b
	t.state = ck.State
	t.pos, t.acc, t.stepAcc, t.wall0 = ck.Position, ck.Acc, ck.StepAcc, ck.WallSeconds
	t.lastSum = ck.Sum
	return t.metrics.truncateTo(t.pos)
}

func (t *trainer) wall() float64 { return t.wall0 + time.Since(t.start).Seconds() }

// save writes the checkpoint at the current position.
func (t *trainer) save(finished bool) error {
	st, err := t.net.State()
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	ck := &checkpoint{State: st}
	ck.checkpointHeader = checkpointHeader{Format: RunFormat, Model: t.cfg.modelConfig(), Encoder: t.cfg.Encoder,
		Layout: t.cfg.Layout, Classes: t.classes, InputSize: 32, Seed: t.cfg.Seed, Position: t.pos,
		Acc: t.acc, StepAcc: t.stepAcc, WallSeconds: t.wall(), Finished: finished}
	b, err := ck.encode()
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(t.dir, CheckpointFile), b); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	t.lastSum = ck.Sum
	return nil
}

func (t *trainer) result(finished bool) *Result {
	return &Result{RunDir: t.dir, ID: runID(t.runBytes, t.lastSum), Position: t.pos, Finished: finished,
		Test: t.test, Gen: t.gen, WallSeconds: t.wall()}
}

// interrupted saves a checkpoint and returns the error that says so.
func (t *trainer) interrupted(cause error) (*Result, error) {
	if err := t.save(false); err != nil {
		return t.result(false), fmt.Errorf("train %s: interrupted (%v) and the checkpoint failed: %w", t.dir, cause, err)
	}
	t.logf("interrupted at step %d (epoch %d, batch %d); checkpoint saved, continue with --resume\n",
		t.pos.Step, t.pos.Epoch+1, t.pos.Batch)
	return t.result(false), fmt.Errorf("train %s: stopped at step %d, checkpoint saved: %w", t.dir, t.pos.Step, cause)
}

func (t *trainer) logf(format string, args ...any) {
	if t.cfg.Progress != nil {
		fmt.Fprintf(t.cfg.Progress, format, args...)
	}
}

// loop runs the epochs from the current position.
func (t *trainer) loop(ctx context.Context) (*Result, error) {
	n := t.sets.Train.Len()
	bs := t.cfg.BatchSize
	nb := numBatches(n, bs)
	if t.pos.Epoch >= t.cfg.Epochs {
		t.logf("run %s is already finished (%d epochs)\n", t.dir, t.pos.Epoch)
		return t.result(true), nil
	}
	for epoch := t.pos.Epoch; epoch < t.cfg.Epochs; epoch++ {
		if err := t.runEpoch(ctx, epoch, nb); err != nil {
			if ctx.Err() != nil {
				return t.interrupted(ctx.Err())
			}
			if t.pos.Step > 0 && !errors.Is(err, ErrDiverged) {
				_ = t.save(false) // keep the progress made
			}
			return t.result(false), err
		}
		if err := t.endEpoch(ctx, epoch); err != nil {
			if ctx.Err() != nil {
				return t.interrupted(ctx.Err())
			}
			return t.result(false), err
		}
	}
	rep := EvalReport{ID: runID(t.runBytes, t.lastSum), Position: t.pos, Test: t.test, Gen: t.gen}
	if ls, err := ReadMetrics(t.metrics.path); err == nil {
		for _, l := range ls {
			if l.Kind == KindEpoch {
				rep.Train = l.Train
			}
		}
	}
	b, err := marshalIndent(rep)
	if err != nil {
		return t.result(true), err
	}
	if err := atomicfile.Write(filepath.Join(t.dir, EvalFile), b); err != nil {
		return t.result(true), err
	}
	if t.test != nil && t.test.Calibration != nil {
		c := *t.test.Calibration
		c.On = "test"
		if err := writeCalibration(t.dir, c); err != nil {
			return t.result(true), err
		}
	}
	return t.result(true), nil
}

// runEpoch runs the remaining batches of epoch (0-based).
func (t *trainer) runEpoch(ctx context.Context, epoch, nb int) error {
	order := epochOrder(t.cfg.Seed, epoch, t.sets.Train.Len())
	var bar *progress.Bar
	if t.cfg.Progress != nil {
		bar = progress.New(t.cfg.Progress, fmt.Sprintf("epoch %d/%d", epoch+1, t.cfg.Epochs), nb)
		bar.Set(t.pos.Batch)
	}
	defer bar.Finish()
	stop := make(chan struct{})
	defer close(stop)
	batches := prefetch(t.sets.Train, order, t.cfg.BatchSize, t.pos.Batch, nb, t.maps[0], stop)
	for b := t.pos.Batch; b < nb; b++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		bt, ok := <-batches
		if !ok {
			return fmt.Errorf("train: batch %d of epoch %d missing", b, epoch+1)
		}
		if bt.err != nil {
			return fmt.Errorf("train: training set: %w", bt.err)
		}
		r, err := t.step(bt.x, bt.y)
		if err != nil {
			return err
		}
		if math.IsNaN(r.Loss) || math.IsNaN(r.CE) || math.IsInf(r.Loss, 0) && t.cfg.Mode.TrainsLG() {
			return fmt.Errorf("%w at step %d (epoch %d): loss %v, L_CE %v, L_G %v; the last checkpoint (step <= %d) is kept; a smaller learning rate may help",
				ErrDiverged, t.pos.Step+1, epoch+1, r.Loss, r.CE, r.LG, t.pos.Step)
		}
		t.acc.add(r)
		t.stepAcc.add(r)
		t.pos.Batch, t.pos.Step = b+1, t.pos.Step+1
		if t.cfg.LogEvery > 0 && t.pos.Step%int64(t.cfg.LogEvery) == 0 {
			line := MetricsLine{Kind: KindStep, Epoch: epoch + 1, Step: t.pos.Step, Train: t.stepAcc.figures(), WallSeconds: t.wall()}
			if err := t.metrics.append(line); err != nil {
				return err
			}
			t.stepAcc = epochAcc{}
		}
		if t.cfg.CheckpointEvery > 0 && t.pos.Step%int64(t.cfg.CheckpointEvery) == 0 && b+1 < nb {
			if err := t.save(false); err != nil {
				return err
			}
		}
		f := t.acc.figures()
		bar.Add(1)
		switch {
		case t.cfg.Mode == model.ModeCE:
			bar.Status("loss %.4g acc %.1f%%", f.Loss, 100*f.Acc) // L_G is not trained: not shown
		case t.cfg.Cycle > 0:
			bar.Status("loss %.4g acc %.1f%% L_G %.4g mse %.4g cycle %.4g", f.Loss, 100*f.Acc, f.LG, f.Recon, f.Cycle)
		case t.cfg.Recon > 0:
			bar.Status("loss %.4g acc %.1f%% L_G %.4g mse %.4g", f.Loss, 100*f.Acc, f.LG, f.Recon)
		default:
			bar.Status("loss %.4g acc %.1f%% L_G %.4g", f.Loss, 100*f.Acc, f.LG)
		}
		if t.cfg.AfterStep != nil {
			t.cfg.AfterStep(t.pos.Step)
		}
	}
	return nil
}

// endEpoch evaluates, logs the epoch line and checkpoints.
func (t *trainer) endEpoch(ctx context.Context, epoch int) error {
	var err error
	l := t.cfg.Layout
	t.test, t.gen = nil, nil
	if t.sets.Test != nil && t.sets.Test.Len() > 0 {
		if t.test, err = EvaluateNet(t.net.Net(), l, t.classes, t.sets.Test, "test"); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.sets.Gen != nil && t.sets.Gen.Len() > 0 {
		if t.gen, err = EvaluateNet(t.net.Net(), l, t.classes, t.sets.Gen, "gen"); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	line := MetricsLine{Kind: KindEpoch, Epoch: epoch + 1, Step: t.pos.Step, Train: t.acc.figures(),
		Test: t.test.Summary(), Gen: t.gen.Summary(), WallSeconds: t.wall()}
	if err := t.metrics.append(line); err != nil {
		return err
	}
	t.logf("%s\n", epochLine(line, t.cfg.Epochs, t.cfg.Mode))
	t.pos = Position{Step: t.pos.Step, Epoch: epoch + 1}
	t.acc = epochAcc{}
	return t.save(epoch+1 == t.cfg.Epochs)
}

// epochLine is the status line printed after an epoch. In mode ce L_G is
// not trained; it is shown only as a labelled diagnostic.
func epochLine(m MetricsLine, epochs int, mode model.Mode) string {
	var s string
	if mode == model.ModeCE {
		s = fmt.Sprintf("epoch %d/%d: train loss (L_CE) %.4g acc %.1f%% [diagnostic, not trained: L_G %.4g]", m.Epoch, epochs, m.Train.Loss, 100*m.Train.Acc, m.Train.LG)
	} else {
		s = fmt.Sprintf("epoch %d/%d: train loss %.4g ce %.4g L_G %.4g acc %.1f%%", m.Epoch, epochs, m.Train.Loss, m.Train.CE, m.Train.LG, 100*m.Train.Acc)
	}
	if m.Train.Recon > 0 {
		s += fmt.Sprintf(" reconstruction MSE %.4g", m.Train.Recon)
	}
	if m.Train.Cycle > 0 {
		s += fmt.Sprintf(" cycle error %.4g", m.Train.Cycle)
	}
	for _, e := range []struct {
		name string
		s    *EvalSummary
	}{{"test", m.Test}, {"gen", m.Gen}} {
		if e.s != nil {
			s += fmt.Sprintf("; %s acc %.1f%% (nearest %.1f%%) within r_c %.0f%% median |z| %.3g", e.name, 100*e.s.Acc, 100*e.s.NearestAcc, 100*e.s.WithinRc, e.s.MedianNorm)
		}
	}
	return s
}

// lockRun takes the run directory's lock, or says who holds it.
func lockRun(dir string) (func(), error) {
	unlock, err := flock.Lock(filepath.Join(dir, LockFile))
	if errors.Is(err, flock.ErrHeld) {
		return nil, fmt.Errorf("train %s: %w: wait for it to finish, or stop it first (%v)", dir, ErrRunBusy, err)
	}
	if err != nil {
		return nil, fmt.Errorf("train %s: lock the run: %w", dir, err)
	}
	return unlock, nil
}
