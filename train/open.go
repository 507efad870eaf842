package train

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/gomlx/compute"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
)

// Run is a trained (or checkpointed) model loaded for inference: its
// batch norms use their running averages. It is safe for concurrent use.
type Run struct {
	dir     string
	info    *RunInfo
	id      string
	pos     Position
	done    bool
	sectors *latent.Sectors
	backend compute.Backend
	net     *model.Net
	cal     *latent.Calibration
}

// OpenRun loads a finished (or checkpointed) run for inference.
func OpenRun(dir string, eng engine.Config) (r *Run, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("open run %s: %v", dir, p)
		}
	}()
	info, runBytes, err := readRunInfo(dir)
	if err != nil {
		return nil, err
	}
	ck, err := readCheckpoint(filepath.Join(dir, CheckpointFile))
	if err != nil {
		return nil, fmt.Errorf("open run %s: %w", dir, err)
	}
	if err := checkMatch(info, ck); err != nil {
		return nil, fmt.Errorf("open run %s: %w", dir, err)
	}
	cal, err := readCalibration(dir)
	if err != nil {
		return nil, fmt.Errorf("open run %s: %w", dir, err)
	}
	backend, err := engine.New(eng)
	if err != nil {
		return nil, err
	}
	net, err := model.NewNet(backend, ck.Model, &ck.State.Weights)
	if err != nil {
		backend.Finalize()
		return nil, fmt.Errorf("open run %s: %w", dir, err)
	}
	return &Run{dir: dir, info: info, id: runID(runBytes, ck.Sum), pos: ck.Position, done: ck.Finished,
		sectors: ck.Model.Sectors, backend: backend, net: net, cal: cal}, nil
}

// checkMatch verifies that a checkpoint belongs to the run described by
// run.json: same classes, layout, width, latent size, encoder and head.
func checkMatch(info *RunInfo, ck *checkpoint) error {
	switch {
	case ck.Model.Width != info.Config.Width:
		return fmt.Errorf("the checkpoint is of a width-%d model, the run (run.json) is width %d", ck.Model.Width, info.Config.Width)
	case ck.Model.NC != info.Layout.NC():
		return fmt.Errorf("the checkpoint has n_c = %d classes, the run (run.json) has %d", ck.Model.NC, info.Layout.NC())
	case ck.Model.ND != info.Layout.ND():
		return fmt.Errorf("the checkpoint has n_d = %d, the run (run.json) has %d", ck.Model.ND, info.Layout.ND())
	case !ck.Layout.Equal(info.Layout):
		return fmt.Errorf("the checkpoint's latent layout differs from the run's (run.json)")
	case !slices.Equal(ck.Classes, info.Classes):
		return fmt.Errorf("the checkpoint's classes %q differ from the run's %q", ck.Classes, info.Classes)
	case ck.Encoder != info.Config.Encoder:
		return fmt.Errorf("the checkpoint's encoder %q differs from the run's %q", ck.Encoder, info.Config.Encoder)
	case ck.Model.Head.OrDense() != model.Head(info.Config.Head).OrDense():
		return fmt.Errorf("the checkpoint's head %q differs from the run's %q", ck.Model.Head.OrDense(), info.Config.Head)
	case ck.Model.BNEpsilon != info.Model.BNEpsilon:
		return fmt.Errorf("the checkpoint's batch-norm epsilon %v differs from the run's %v", ck.Model.BNEpsilon, info.Model.BNEpsilon)
	}
	return nil
}

// runID is the model identity: a hash of run.json and of the checkpoint
// (whose checksum covers the weights and the step).
func runID(runJSON []byte, ckptSum [32]byte) string {
	h := sha256.New()
	h.Write(runJSON)
	h.Write(ckptSum[:])
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func marshalIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	return append(b, '\n'), nil
}

// ID is the stable identity of the model: a hash of run.json and of the
// checkpoint's contents (weights and step). The same weights give the
// same ID; any further training changes it.
func (r *Run) ID() string { return r.id }

// Dir is the run directory.
func (r *Run) Dir() string { return r.dir }

// Info is the run's run.json.
func (r *Run) Info() *RunInfo { return r.info }

// Position is where the checkpoint stands.
func (r *Run) Position() Position { return r.pos }

// Finished reports whether the run completed all its epochs.
func (r *Run) Finished() bool { return r.done }

// Layout is the configured latent layout.
func (r *Run) Layout() *latent.Layout { return r.info.Layout }

// Classes are the class names, index = label.
func (r *Run) Classes() []string { return slices.Clone(r.info.Classes) }

// ModelConfig is the model's configuration; its head (Head, IsDistance)
// says how the logits of Infer were made.
func (r *Run) ModelConfig() model.Config { return r.net.Config() }

// Sectors is the polar encoder configuration, nil when the encoder is plain.
func (r *Run) Sectors() *latent.Sectors { return r.sectors }

// checkImages refuses images that are not n images of data.Pixels values
// each; what names the operation in the error.
func checkImages(what string, images []float32, n int) error {
	if n < 0 || len(images) != n*data.Pixels {
		return fmt.Errorf("%s: %d images but %d values (want %d)", what, n, len(images), n*data.Pixels)
	}
	return nil
}

// Encode maps n images of data.Pixels values each to n*n_d encodings,
// batched internally, with the batch norms in inference mode.
func (r *Run) Encode(images []float32, n int) ([]float32, error) {
	z, _, err := r.Infer(images, n)
	return z, err
}

// Infer is Encode that also returns the classifier's logits (n*n_c).
func (r *Run) Infer(images []float32, n int) (z, logits []float32, err error) {
	if err := checkImages("encode", images, n); err != nil {
		return nil, nil, err
	}
	z, logits, err = r.net.Infer(images, n)
	if err != nil {
		return nil, nil, fmt.Errorf("encode with run %s: %w", r.dir, err)
	}
	return z, logits, nil
}

// InferFeatures is Infer that also returns the encoder's flattened
// convolution features (n*ModelConfig().Flat()), the input of the dense
// map to z.
func (r *Run) InferFeatures(images []float32, n int) (z, logits, features []float32, err error) {
	if err := checkImages("encode", images, n); err != nil {
		return nil, nil, nil, err
	}
	z, logits, features, err = r.net.InferFeatures(images, n)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("encode with run %s: %w", r.dir, err)
	}
	return z, logits, features, nil
}

// Inference is a labelled set run through a model: encodings Z (n*n_d),
// logits (n*n_c) and the labels as indices of the model's classes. Score
// turns it into an EvalResult.
type Inference struct {
	Z, Logits []float32
	Labels    []int32
	// ReconSE is each image's reconstruction error (mean squared, per
	// pixel) when the model has a decoder; nil otherwise.
	ReconSE []float64
}

// InferSet encodes every image of a labelled set (the set's classes
// matched by name; a class the run does not know is an error).
func (r *Run) InferSet(ctx context.Context, set data.Set) (*Inference, error) {
	inf, err := inferSet(ctx, r.net, r.info.Classes, set, false)
	if err != nil {
		return nil, fmt.Errorf("encode with run %s: %w", r.dir, err)
	}
	return inf, nil
}

// Evaluate scores the model on a labelled set (classes matched by name).
func (r *Run) Evaluate(set data.Set, name string) (*EvalResult, error) {
	return EvaluateNet(r.net, r.info.Layout, r.info.Classes, set, name)
}

// Close frees the model and its backend.
func (r *Run) Close() error {
	if r.net == nil {
		return nil
	}
	err := r.net.Close()
	r.backend.Finalize()
	r.net = nil
	return err
}

// HasDecoder reports whether the run's model has a decoder branch (it was
// trained with a reconstruction weight > 0).
func (r *Run) HasDecoder() bool { return r.net.HasDecoder() }

// Decode maps n latent points (n*n_d values) to n images of data.Pixels
// values in [0, 1] with the run's decoder. A run without a decoder is an
// error.
func (r *Run) Decode(z []float32, n int) ([]float32, error) {
	img, err := r.net.Decode(z, n)
	if err != nil {
		return nil, fmt.Errorf("decode with run %s: %w", r.dir, err)
	}
	return img, nil
}
