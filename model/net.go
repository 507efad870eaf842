package model

import (
	"fmt"
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
	// Mode is ModeCE or ModeCEG.
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
	Loss, CE, LG float64
	Correct, N   int
}

// Net runs the model's graphs on a backend and holds its state there:
// weights, batch-norm statistics and, for training, Adam's moments. It is
// safe for concurrent use (calls are serialised).
type Net struct {
	mu      sync.Mutex
	cfg     Config
	backend compute.Backend
	params  []*tensors.Tensor
	bn      []*tensors.Tensor
	m, v    []*tensors.Tensor
	step    int64
	loss    *LossConfig
	adam    Adam
	train   *graph.Exec
	infer   *graph.Exec
	closed  bool
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
	return n, nil
}

// NewTrainer returns a Net that trains from state st (Adam moments may be
// nil at step 0) with the objective and optimiser given.
func NewTrainer(backend compute.Backend, cfg Config, st *State, loss LossConfig, adam Adam) (*Net, error) {
	n, err := NewNet(backend, cfg, &st.Weights)
	if err != nil {
		return nil, err
	}
	if err := loss.Validate(n.cfg); err != nil {
		return nil, err
	}
	specs := Specs(n.cfg)
	m, v := st.AdamM, st.AdamV
	if m == nil && v == nil {
		if st.Step != 0 {
			return nil, fmt.Errorf("trainer: state at step %d has no Adam moments", st.Step)
		}
		m, v = zerosLike(specs), zerosLike(specs)
	}
	if err := checkTensors("Adam first moment", specs, m); err != nil {
		return nil, err
	}
	if err := checkTensors("Adam second moment", specs, v); err != nil {
		return nil, err
	}
	if st.Step < 0 {
		return nil, fmt.Errorf("trainer: negative step %d", st.Step)
	}
	n.m, n.v = toTensors(specs, m), toTensors(specs, v)
	n.step = st.Step
	n.loss = &loss
	n.adam = adam
	return n, nil
}

// Config is the model's configuration (with defaults filled in).
func (n *Net) Config() Config { return n.cfg }

// Step is the number of train steps taken.
func (n *Net) Step() int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.step
}

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

// trainGraph builds one train step. Inputs: params, bn, m, v, lrHat,
// invSqrtBC2, x, labels. Outputs: new params, bn, m, v, then loss, ce,
// lg, correct.
func (n *Net) trainGraph(g *graph.Graph, in []*graph.Node) []*graph.Node {
	np, ns := len(n.params), len(n.bn)
	params := in[:np]
	bn := in[np : np+ns]
	m := in[np+ns : 2*np+ns]
	v := in[2*np+ns : 3*np+ns]
	lrHat, inv, x, y := in[3*np+ns], in[3*np+ns+1], in[3*np+ns+2], in[3*np+ns+3]
	out := Forward(n.cfg, params, bn, x, true)
	ce := CrossEntropy(out.Logits, y)
	lg := GeometricLoss(out.Z, y, n.loss.Layout, n.loss.Reduction)
	loss := ce
	if n.loss.Mode == ModeCEG {
		loss = graph.Add(ce, graph.MulScalar(lg, n.loss.KG))
		if n.loss.Center > 0 {
			loss = graph.Add(loss, graph.MulScalar(CenterLoss(out.Z, y, n.loss.Layout, n.loss.Reduction), n.loss.KG*n.loss.Center))
		}
	}
	grads := graph.Gradient(loss, params...)
	res := make([]*graph.Node, 0, 3*np+ns+4)
	newM := make([]*graph.Node, np)
	newV := make([]*graph.Node, np)
	for i := range params {
		var p *graph.Node
		p, newM[i], newV[i] = adamUpdate(n.adam, params[i], grads[i], m[i], v[i], lrHat, inv)
		res = append(res, p)
	}
	res = append(res, out.NewBN...)
	res = append(res, newM...)
	res = append(res, newV...)
	return append(res, loss, ce, lg, Correct(out.Logits, y))
}

// TrainStep runs one step of Adam on a batch: x holds len(labels) images
// of 32x32 float32 pixels. Batches of a new size compile a new graph.
func (n *Net) TrainStep(x []float32, labels []int32) (res StepResult, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	defer recoverErr(&err, "train step")
	if n.closed {
		return res, fmt.Errorf("train step: net is closed")
	}
	if n.loss == nil {
		return res, fmt.Errorf("train step: net was made for inference (NewNet), not training")
	}
	b := len(labels)
	if b == 0 || len(x) != b*32*32 {
		return res, fmt.Errorf("train step: %d labels and %d pixels (want %d)", b, len(x), b*32*32)
	}
	for i, y := range labels {
		if y < 0 || int(y) >= n.cfg.NC {
			return res, fmt.Errorf("train step: label %d of sample %d outside [0, %d)", y, i, n.cfg.NC)
		}
	}
	if n.train == nil {
		n.train, err = graph.NewExec(n.backend, n.trainGraph)
		if err != nil {
			return res, fmt.Errorf("train step: %w", err)
		}
		n.train.SetMaxCache(8)
	}
	lrHat, inv := n.adam.stepScalars(n.step + 1)
	args := make([]any, 0, 3*len(n.params)+len(n.bn)+4)
	for _, group := range [][]*tensors.Tensor{n.params, n.bn, n.m, n.v} {
		for _, t := range group {
			args = append(args, t)
		}
	}
	args = append(args, float32(lrHat), float32(inv),
		tensors.FromFlatDataAndDimensions(x, b, 32, 32, 1),
		tensors.FromFlatDataAndDimensions(labels, b))
	outs, err := n.train.Call(args...)
	if err != nil {
		return res, fmt.Errorf("train step %d: %w", n.step+1, err)
	}
	np, ns := len(n.params), len(n.bn)
	old := [][]*tensors.Tensor{n.params, n.bn, n.m, n.v}
	n.params = outs[:np]
	n.bn = outs[np : np+ns]
	n.m = outs[np+ns : 2*np+ns]
	n.v = outs[2*np+ns : 3*np+ns]
	for _, group := range old {
		for _, t := range group {
			_ = t.FinalizeAll()
		}
	}
	k := 3*np + ns
	res = StepResult{
		Loss:    float64(tensors.ToScalar[float32](outs[k])),
		CE:      float64(tensors.ToScalar[float32](outs[k+1])),
		LG:      float64(tensors.ToScalar[float32](outs[k+2])),
		Correct: int(tensors.ToScalar[float32](outs[k+3])),
		N:       b,
	}
	for _, t := range outs[k:] {
		_ = t.FinalizeAll()
	}
	n.step++
	return res, nil
}

// inferGraph builds inference on one batch: inputs params, bn, x; outputs
// z and logits.
func (n *Net) inferGraph(g *graph.Graph, in []*graph.Node) []*graph.Node {
	np, ns := len(n.params), len(n.bn)
	out := Forward(n.cfg, in[:np], in[np:np+ns], in[np+ns], false)
	return []*graph.Node{out.Z, out.Logits}
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
	nd, nc := n.cfg.ND, n.cfg.NC
	z = make([]float32, 0, count*nd)
	logits = make([]float32, 0, count*nc)
	const px = 32 * 32
	buf := make([]float32, InferBatch*px)
	args := make([]any, 0, len(n.params)+len(n.bn)+1)
	for start := 0; start < count; start += InferBatch {
		k := min(InferBatch, count-start)
		bs := inferSize(k)
		buf := buf[:bs*px]
		copy(buf, x[start*px:(start+k)*px])
		clear(buf[k*px:])
		args = args[:0]
		for _, t := range n.params {
			args = append(args, t)
		}
		for _, t := range n.bn {
			args = append(args, t)
		}
		args = append(args, tensors.FromFlatDataAndDimensions(buf, bs, 32, 32, 1))
		outs, err := n.infer.Call(args...)
		if err != nil {
			return nil, nil, fmt.Errorf("infer: %w", err)
		}
		zb := tensors.MustCopyFlatData[float32](outs[0])
		lb := tensors.MustCopyFlatData[float32](outs[1])
		z = append(z, zb[:k*nd]...)
		logits = append(logits, lb[:k*nc]...)
		for _, t := range outs {
			_ = t.FinalizeAll()
		}
	}
	return z, logits, nil
}

// State copies the weights, batch-norm statistics, Adam moments and step
// to the host.
func (n *Net) State() (st *State, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	defer recoverErr(&err, "read state")
	if n.closed {
		return nil, fmt.Errorf("read state: net is closed")
	}
	st = &State{Step: n.step}
	st.Params = fromTensors(n.params)
	st.BN = fromTensors(n.bn)
	if n.m != nil {
		st.AdamM = fromTensors(n.m)
		st.AdamV = fromTensors(n.v)
	}
	return st, nil
}

func fromTensors(ts []*tensors.Tensor) [][]float32 {
	out := make([][]float32, len(ts))
	for i, t := range ts {
		out[i] = tensors.MustCopyFlatData[float32](t)
	}
	return out
}

// Close frees the compiled graphs and the state on the backend. The
// backend itself belongs to the caller.
func (n *Net) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil
	}
	n.closed = true
	for _, e := range []*graph.Exec{n.train, n.infer} {
		if e != nil {
			e.Finalize()
		}
	}
	for _, group := range [][]*tensors.Tensor{n.params, n.bn, n.m, n.v} {
		for _, t := range group {
			_ = t.FinalizeAll()
		}
	}
	return nil
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
