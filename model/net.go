package model

import (
	"fmt"
	"math"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/latent"
)

// InferBatch is the largest batch of inference graphs: Infer runs chunks
// of InferBatch images and pads the last one to the next power of two.
const InferBatch = 64

// LossConfig is the training objective.
type LossConfig struct {
	// Mode is ModeCE, ModeCEG or ModeMSEG.
	Mode Mode
	// KG is k_g, the weight of L_G in ModeCEG (eq 10).
	KG float64
	// Reduction of L_G over the batch (latent.Sum is eq 8 as written).
	Reduction latent.Reduction
	// Layout holds the cluster centres and radii of L_G. L_G is computed
	// (and reported) in both modes; it enters the loss only in ModeCEG.
	Layout *latent.Layout
	// Center, when > 0, adds k_g * Center * CenterLoss to the loss in
	// ModeCEG: a pull toward the configured centre inside the clusters
	// (lsconf's extension; 0 is the paper's objective).
	Center float64
	// SpanOnly measures L_G and the centre pull on z's projection onto
	// the span of the centres (SpanProjection), leaving the coordinates
	// outside it (a layout's extra dimensions) to the other terms, the
	// decoder's reconstruction in particular.
	SpanOnly bool
	// Recon, when > 0, adds Recon * ReconstructionLoss (the decoder's mean
	// squared error) to the loss; the model needs a decoder. ModeMSEG
	// trains it in place of L_CE.
	Recon float64
	// Placeholders, when > 0, adds Placeholders * PlaceholderLoss of the
	// batch's placeholder negatives (PlaceholderImages): synthetic
	// unknown inputs trained toward the origin with a uniform softmax.
	// 0 is the paper's objective.
	Placeholders float64
	// PlaceholderKind is how the placeholder negatives are made ("" is
	// PlaceholderMixup).
	PlaceholderKind PlaceholderKind
	// Cycle, when > 0, adds Cycle * CycleLoss on CyclePoints drawn with
	// CycleSeed at every step (the latent cycle-consistency term); the
	// model needs a decoder. CycleTrains is the side the term trains ("" is
	// both).
	Cycle       float64
	CycleSeed   uint64
	CycleTrains CycleTrains
	// Rotation, when > 0, adds Rotation * RotationLoss of the rotation
	// head on the batch turned by RotatedImages (the model needs a
	// rotation head); the class losses see only the upright images. 0 is
	// the paper's objective.
	Rotation float64
	// Contrastive, when > 0, adds Contrastive * ContrastiveLoss of the
	// batch and its ContrastiveView at temperature ContrastiveTemp (0:
	// DefaultContrastiveTemp); the model needs a contrastive head. The
	// class losses see only the batch as given. 0 is the paper's
	// objective.
	Contrastive     float64
	ContrastiveTemp float64
	// ContrastiveTurned adds the batch turned by TurnedNegatives as extra
	// negatives of the contrastive term (CSI's shifted negatives).
	ContrastiveTurned bool
	// LGFeatureStop is the share of L_G's and the centre pull's gradient
	// kept from the encoder's convolutions (the dense map to z gets all of
	// it): 0, the paper's, keeps none back; 1 lets the two terms shape z
	// through the dense map alone.
	LGFeatureStop float64
	// Outliers, when > 0, adds Outliers * OutlierLoss of the real outlier
	// images given to each step (Trainer.TrainStepOutliers; outlier
	// exposure). 0 is the paper's objective.
	Outliers float64
}

// Validate reports what is wrong with the objective for the model config.
func (l LossConfig) Validate(c Config) error {
	if _, err := ParseMode(string(l.Mode)); err != nil {
		return err
	}
	if l.Layout == nil {
		return fmt.Errorf("loss: no latent layout")
	}
	if l.Layout.NC() != c.NC || l.Layout.ND() != c.ND {
		return fmt.Errorf("loss: layout has n_c = %d, n_d = %d; model has n_c = %d, n_d = %d", l.Layout.NC(), l.Layout.ND(), c.NC, c.ND)
	}
	if l.KG < 0 {
		return fmt.Errorf("loss: k_g = %v is negative", l.KG)
	}
	if l.Center < 0 {
		return fmt.Errorf("loss: centre pull %v is negative", l.Center)
	}
	if l.Recon < 0 {
		return fmt.Errorf("loss: reconstruction weight %v is negative", l.Recon)
	}
	if l.Placeholders < 0 || math.IsNaN(l.Placeholders) || math.IsInf(l.Placeholders, 0) {
		return fmt.Errorf("loss: placeholder weight %v must be a non-negative number", l.Placeholders)
	}
	if _, err := ParsePlaceholderKind(string(l.PlaceholderKind)); err != nil {
		return fmt.Errorf("loss: %w", err)
	}
	if l.Placeholders > 0 && l.Mode == ModeMSEG {
		return fmt.Errorf("loss: placeholder negatives need the classifier's loss (mode ce or ce+g, not %s)", l.Mode)
	}
	if err := l.validateOutliers(); err != nil {
		return err
	}
	if l.Rotation < 0 || math.IsNaN(l.Rotation) || math.IsInf(l.Rotation, 0) {
		return fmt.Errorf("loss: rotation weight %v must be a non-negative number", l.Rotation)
	}
	if l.Rotation > 0 && !c.RotationHead {
		return fmt.Errorf("loss: a rotation loss needs a model with a rotation head")
	}
	if err := l.validateContrastive(c); err != nil {
		return err
	}
	if !(l.LGFeatureStop >= 0 && l.LGFeatureStop <= 1) {
		return fmt.Errorf("loss: L_G feature stop %v is not in [0, 1]", l.LGFeatureStop)
	}
	if l.Cycle < 0 {
		return fmt.Errorf("loss: cycle weight %v is negative", l.Cycle)
	}
	if _, err := ParseCycleTrains(string(l.CycleTrains)); err != nil {
		return fmt.Errorf("loss: %w", err)
	}
	if (l.Recon > 0 || l.Cycle > 0 || l.Mode == ModeMSEG) && !c.Decoder {
		return fmt.Errorf("loss: a reconstruction loss needs a model with a decoder")
	}
	if l.Mode == ModeMSEG && l.Recon == 0 {
		return fmt.Errorf("loss: mode %s needs a reconstruction weight > 0", ModeMSEG)
	}
	return nil
}

// State is everything a training run needs to continue exactly: the
// weights, Adam's moments (Specs order) and the number of Adam steps taken.
type State struct {
	Weights
	AdamM, AdamV [][]float32
	Step         int64
}

// StepResult are the batch's figures of one train step (before the
// update).
type StepResult struct {
	// Recon is the decoder's mean squared error (0 without a decoder);
	// Cycle is CycleLoss on the step's CyclePoints (0 without the term).
	Loss, CE, LG, Recon, Cycle float64
	Correct, N                 int
}

// Net is the model for inference: it runs the inference graph on a
// backend and holds the weights and batch-norm statistics there. A Trainer
// trains one. It is safe for concurrent use (calls are serialised).
//
// Its inference graph has each batch norm folded into the convolution
// before it (FoldBN, ForwardFolded): one convolution + bias + ReLU op per
// layer on lsconf's compute fork. The encodings agree with the unfolded
// graph's (Forward) to float32 rounding (net_fold_test.go).
type Net struct {
	mu      sync.Mutex
	cfg     Config
	backend compute.Backend
	params  []*tensors.Tensor
	bn      []*tensors.Tensor
	// folded are FoldBN's kernels and biases of params and bn; nil when
	// they are to be computed again (after a train step).
	folded []*tensors.Tensor
	// unfolded runs Forward's inference graph instead (the tests'
	// reference).
	unfolded bool
	infer    *graph.Exec
	features *graph.Exec
	decode   *graph.Exec
	rotation *graph.Exec
	// contrastive computes ContrastiveProjections.
	contrastive *graph.Exec
	closed      bool
}

// NewNet returns a Net for inference with weights w.
func NewNet(backend compute.Backend, cfg Config, w *Weights) (*Net, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := w.Check(cfg); err != nil {
		return nil, err
	}
	n := &Net{cfg: cfg, backend: backend}
	n.params = toTensors(Specs(cfg), w.Params)
	n.bn = toTensors(BNSpecs(cfg), w.BN)
	folded, err := FoldBN(cfg, w)
	if err != nil {
		return nil, err
	}
	n.folded = toTensors(foldedSpecs(cfg), folded)
	return n, nil
}

// fold returns the folded kernels and biases, computing them from the
// current weights when a train step has changed them.
func (n *Net) fold() ([]*tensors.Tensor, error) {
	if n.folded != nil {
		return n.folded, nil
	}
	w, err := n.weights()
	if err != nil {
		return nil, err
	}
	folded, err := FoldBN(n.cfg, w)
	if err != nil {
		return nil, err
	}
	n.folded = toTensors(foldedSpecs(n.cfg), folded)
	return n.folded, nil
}

// dropFolded frees the folded tensors (the weights changed).
func (n *Net) dropFolded() {
	for _, t := range n.folded {
		_ = t.FinalizeAll()
	}
	n.folded = nil
}

// Config is the model's configuration (with defaults filled in).
func (n *Net) Config() Config { return n.cfg }

func zerosLike(specs []ParamSpec) [][]float32 {
	out := make([][]float32, len(specs))
	for i, s := range specs {
		out[i] = make([]float32, s.Size())
	}
	return out
}

func toTensors(specs []ParamSpec, vals [][]float32) []*tensors.Tensor {
	out := make([]*tensors.Tensor, len(specs))
	for i, s := range specs {
		out[i] = tensors.FromFlatDataAndDimensions(vals[i], s.Shape...)
	}
	return out
}

// inferGraph builds inference on one batch: inputs params, folded
// kernels and biases (or bn when unfolded), x; outputs z and logits.
func (n *Net) inferGraph(g *graph.Graph, in []*graph.Node) []*graph.Node {
	np := len(n.params)
	ns := len(in) - np - 1 // bn, or the folded kernels and biases
	var out Outputs
	if n.unfolded {
		out = Forward(n.cfg, in[:np], in[np:np+ns], in[np+ns], false)
	} else {
		out = ForwardFolded(n.cfg, in[:np], in[np:np+ns], in[np+ns])
	}
	return []*graph.Node{out.Z, out.Logits}
}

// featuresGraph is inferGraph that also outputs the encoder's features
// (Config.FeatureDim).
func (n *Net) featuresGraph(g *graph.Graph, in []*graph.Node) []*graph.Node {
	np := len(n.params)
	ns := len(in) - np - 1
	var out Outputs
	if n.unfolded {
		out = Forward(n.cfg, in[:np], in[np:np+ns], in[np+ns], false)
	} else {
		out = ForwardFolded(n.cfg, in[:np], in[np:np+ns], in[np+ns])
	}
	parts := []*graph.Node{out.Features}
	for _, h := range out.LevelOutputs {
		parts = append(parts, graph.ReduceMean(h, 1, 2))
	}
	return append([]*graph.Node{out.Z, out.Logits}, parts...)
}

// InferFeatures is Infer that also returns the encoder's features
// (count*Config.FeatureDim(), row-major): each image's flattened last
// convolution features (Config.Flat() values, the input of the dense map
// to z), then the global average of each level's output channels.
func (n *Net) InferFeatures(x []float32, count int) (z, logits, features []float32, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	defer recoverErr(&err, "infer features")
	if n.closed {
		return nil, nil, nil, fmt.Errorf("infer features: net is closed")
	}
	if count < 0 || len(x) != count*32*32 {
		return nil, nil, nil, fmt.Errorf("infer features: %d images but %d pixels (want %d)", count, len(x), count*32*32)
	}
	if n.features == nil {
		n.features, err = graph.NewExec(n.backend, n.featuresGraph)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("infer features: %w", err)
		}
	}
	second := n.bn
	if !n.unfolded {
		if second, err = n.fold(); err != nil {
			return nil, nil, nil, fmt.Errorf("infer features: %w", err)
		}
	}
	nd, nc, nf := n.cfg.ND, n.cfg.NC, n.cfg.FeatureDim()
	z = make([]float32, 0, count*nd)
	logits = make([]float32, 0, count*nc)
	features = make([]float32, 0, count*nf)
	err = n.batched(n.features, second, x, count, []int{32, 32, 1}, func(outs [][]float32, k int) {
		z = append(z, outs[0][:k*nd]...)
		logits = append(logits, outs[1][:k*nc]...)
		// per image: the flat features, then each level's averages
		bs := len(outs[0]) / nd
		for i := range k {
			for _, o := range outs[2:] {
				w := len(o) / bs
				features = append(features, o[i*w:(i+1)*w]...)
			}
		}
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("infer features: %w", err)
	}
	return z, logits, features, nil
}

// Infer encodes count images (x holds count*1024 pixels) with the
// batch norms in inference mode and returns z (count*n_d) and the logits
// (count*n_c), row-major.
func (n *Net) Infer(x []float32, count int) (z, logits []float32, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	defer recoverErr(&err, "infer")
	if n.closed {
		return nil, nil, fmt.Errorf("infer: net is closed")
	}
	if count < 0 || len(x) != count*32*32 {
		return nil, nil, fmt.Errorf("infer: %d images but %d pixels (want %d)", count, len(x), count*32*32)
	}
	if n.infer == nil {
		n.infer, err = graph.NewExec(n.backend, n.inferGraph)
		if err != nil {
			return nil, nil, fmt.Errorf("infer: %w", err)
		}
	}
	second := n.bn
	if !n.unfolded {
		if second, err = n.fold(); err != nil {
			return nil, nil, fmt.Errorf("infer: %w", err)
		}
	}
	nd, nc := n.cfg.ND, n.cfg.NC
	z = make([]float32, 0, count*nd)
	logits = make([]float32, 0, count*nc)
	err = n.batched(n.infer, second, x, count, []int{32, 32, 1}, func(outs [][]float32, k int) {
		z = append(z, outs[0][:k*nd]...)
		logits = append(logits, outs[1][:k*nc]...)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("infer: %w", err)
	}
	return z, logits, nil
}

// Weights copies the weights and batch-norm statistics to the host.
func (n *Net) Weights() (w *Weights, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.weights()
}

func (n *Net) weights() (w *Weights, err error) {
	defer recoverErr(&err, "read weights")
	if n.closed {
		return nil, fmt.Errorf("read weights: net is closed")
	}
	return &Weights{Params: fromTensors(n.params), BN: fromTensors(n.bn)}, nil
}

func fromTensors(ts []*tensors.Tensor) [][]float32 {
	out := make([][]float32, len(ts))
	for i, t := range ts {
		out[i] = tensors.MustCopyFlatData[float32](t)
	}
	return out
}

// Close frees the compiled graph and the state on the backend. The
// backend itself belongs to the caller.
func (n *Net) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.close()
	return nil
}

func (n *Net) close() {
	if n.closed {
		return
	}
	n.closed = true
	for _, e := range []*graph.Exec{n.infer, n.features, n.decode, n.rotation, n.contrastive} {
		if e != nil {
			e.Finalize()
		}
	}
	for _, group := range [][]*tensors.Tensor{n.params, n.bn} {
		for _, t := range group {
			_ = t.FinalizeAll()
		}
	}
	n.dropFolded()
}

// recoverErr turns a panic (GoMLX reports graph-building errors by
// panicking) into an error with context.
func recoverErr(err *error, what string) {
	if r := recover(); r != nil {
		if e, ok := r.(error); ok {
			*err = fmt.Errorf("%s: %w", what, e)
			return
		}
		*err = fmt.Errorf("%s: %v", what, r)
	}
}

// inferSize is the batch of the inference graph that runs k images: the
// smallest power of two >= k, at most InferBatch (7 graph sizes, compiled
// once each on first use), so that one image is not padded to 64.
func inferSize(k int) int {
	bs := 1
	for bs < k && bs < InferBatch {
		bs *= 2
	}
	return bs
}
