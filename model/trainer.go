package model

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Trainer trains a Net with Adam: it holds the Net, Adam's moments and
// step on the backend, and the train-step graph. The Net (Trainer.Net)
// encodes with the weights as they are. It is safe for concurrent use
// (calls are serialised with the Net's).
type Trainer struct {
	net   *Net
	m, v  []*tensors.Tensor
	step  int64
	loss  LossConfig
	adam  Adam
	train *graph.Exec
}

// NewTrainer returns a Trainer that trains from state st (Adam moments may
// be nil at step 0) with the objective and optimiser given.
func NewTrainer(backend compute.Backend, cfg Config, st *State, loss LossConfig, adam Adam) (*Trainer, error) {
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
	return &Trainer{net: n, m: toTensors(specs, m), v: toTensors(specs, v), step: st.Step, loss: loss, adam: adam}, nil
}

// Net is the net being trained (its inference side).
func (t *Trainer) Net() *Net { return t.net }

// State copies the weights, batch-norm statistics, Adam moments and step
// to the host.
func (t *Trainer) State() (st *State, err error) {
	t.net.mu.Lock()
	defer t.net.mu.Unlock()
	w, err := t.net.weights()
	if err != nil {
		return nil, err
	}
	defer recoverErr(&err, "read state")
	return &State{Weights: *w, AdamM: fromTensors(t.m), AdamV: fromTensors(t.v), Step: t.step}, nil
}

// Close frees the train graph, Adam's moments and the Net.
func (t *Trainer) Close() error {
	t.net.mu.Lock()
	defer t.net.mu.Unlock()
	if t.net.closed {
		return nil
	}
	if t.train != nil {
		t.train.Finalize()
	}
	for _, group := range [][]*tensors.Tensor{t.m, t.v} {
		for _, x := range group {
			_ = x.FinalizeAll()
		}
	}
	t.net.close()
	return nil
}

// Step is the number of train steps taken.
func (t *Trainer) Step() int64 {
	t.net.mu.Lock()
	defer t.net.mu.Unlock()
	return t.step
}

// trainGraph builds one train step. Inputs: params, bn, m, v, lrHat,
// invSqrtBC2, x, labels and, with the cycle term, its latent points.
// Outputs: new params, bn, m, v, then loss, ce, lg, correct, the
// reconstruction error (0 without a decoder) and the cycle error (0
// without the term).
func (t *Trainer) trainGraph(g *graph.Graph, in []*graph.Node) []*graph.Node {
	n := t.net
	np, ns := len(n.params), len(n.bn)
	params := in[:np]
	bn := in[np : np+ns]
	m := in[np+ns : 2*np+ns]
	v := in[2*np+ns : 3*np+ns]
	lrHat, inv, x, y := in[3*np+ns], in[3*np+ns+1], in[3*np+ns+2], in[3*np+ns+3]
	b := x.Shape().Dimensions[0]
	var negMask *graph.Node
	if t.loss.Placeholders > 0 && b >= 2 {
		// The placeholder negatives share the batch norms' batch with the
		// known images, so both are normalised alike.
		var neg *graph.Node
		neg, negMask = PlaceholderImages(x, y, t.loss.PlaceholderKind)
		x = graph.Concatenate([]*graph.Node{x, neg}, 0)
	}
	var outAt, nOut int
	if t.loss.Outliers > 0 {
		// The outlier images share the batch norms' batch too.
		x, outAt, nOut = withOutliers(x, in[len(in)-1])
	}
	var turns *graph.Node
	rotAt := x.Shape().Dimensions[0]
	if t.loss.Rotation > 0 {
		// The turned copies share the batch norms' batch too (the
		// placeholders' pattern); the class losses see only the upright
		// images.
		var turned *graph.Node
		turned, turns = RotatedImages(graph.Slice(x, graph.AxisRange(0, b)))
		x = graph.Concatenate([]*graph.Node{graph.Reshape(x, rotAt, 32, 32, 1), turned}, 0)
	}
	x, conLoss := t.loss.contrastiveTerm(n.cfg, params, x, b)
	out := Forward(n.cfg, params, bn, x, true)
	var negLoss, rotLoss *graph.Node
	if turns != nil {
		rotLoss = RotationLoss(RotationLogits(n.cfg, params, graph.Slice(out.Features, graph.AxisRange(rotAt, rotAt+b))), turns)
	}
	if negMask != nil {
		h := negMask.Shape().Dimensions[0]
		negLoss = PlaceholderLoss(graph.Slice(out.Z, graph.AxisRange(b, b+h)), graph.Slice(out.Logits, graph.AxisRange(b, b+h)), negMask, t.loss.Layout)
	}
	outLoss := outlierLoss(out, outAt, nOut, t.loss)
	if negMask != nil || turns != nil || outLoss != nil || conLoss != nil {
		out.Z = graph.Slice(out.Z, graph.AxisRange(0, b))
		out.Logits = graph.Slice(out.Logits, graph.AxisRange(0, b))
		x = graph.Slice(x, graph.AxisRange(0, b))
	}
	var decBN []*graph.Node
	ce := CrossEntropy(out.Logits, y)
	zg := geometricLatent(n.cfg, params, out.Z, graph.Slice(out.Features, graph.AxisRange(0, b)), t.loss.LGFeatureStop)
	if t.loss.SpanOnly {
		zg = SpanProjection(zg, t.loss.Layout)
	}
	lg := GeometricLoss(zg, y, t.loss.Layout, t.loss.Reduction)
	loss := ce
	if t.loss.Mode == ModeMSEG {
		loss = graph.ScalarZero(g, ce.DType())
	}
	if t.loss.Mode.TrainsLG() {
		loss = graph.Add(loss, graph.MulScalar(lg, t.loss.KG))
		if t.loss.Center > 0 {
			loss = graph.Add(loss, graph.MulScalar(CenterLoss(zg, y, t.loss.Layout, t.loss.Reduction), t.loss.KG*t.loss.Center))
		}
	}
	if negLoss != nil {
		loss = graph.Add(loss, graph.MulScalar(negLoss, t.loss.Placeholders))
	}
	if rotLoss != nil {
		loss = graph.Add(loss, graph.MulScalar(rotLoss, t.loss.Rotation))
	}
	if conLoss != nil {
		loss = graph.Add(loss, graph.MulScalar(conLoss(out), t.loss.Contrastive))
	}
	if outLoss != nil {
		loss = graph.Add(loss, graph.MulScalar(outLoss, t.loss.Outliers))
	}
	recon := graph.ScalarZero(g, ce.DType())
	if n.cfg.Decoder {
		var img *graph.Node
		img, decBN = Decode(n.cfg, params, bn, out.Z, true)
		recon = ReconstructionLoss(img, x)
		if t.loss.Recon > 0 {
			loss = graph.Add(loss, graph.MulScalar(recon, t.loss.Recon))
		}
	}
	cycle := graph.ScalarZero(g, ce.DType())
	if t.loss.Cycle > 0 {
		cycle = CycleLoss(n.cfg, params, bn, in[3*np+ns+4], t.loss.Layout, t.loss.CycleTrains)
		loss = graph.Add(loss, graph.MulScalar(cycle, t.loss.Cycle))
	}
	grads := graph.Gradient(loss, params...)
	res := make([]*graph.Node, 0, 3*np+ns+4)
	newM := make([]*graph.Node, np)
	newV := make([]*graph.Node, np)
	for i := range params {
		var p *graph.Node
		p, newM[i], newV[i] = adamUpdate(t.adam, params[i], grads[i], m[i], v[i], lrHat, inv)
		res = append(res, p)
	}
	res = append(res, out.NewBN...)
	res = append(res, decBN...)
	res = append(res, newM...)
	res = append(res, newV...)
	return append(res, loss, ce, lg, Correct(out.Logits, y), recon, cycle)
}

// TrainStep runs one step of Adam on a batch: x holds len(labels) images
// of 32x32 float32 pixels. Batches of a new size compile a new graph.
func (t *Trainer) TrainStep(x []float32, labels []int32) (res StepResult, err error) {
	return t.trainStep(x, labels, nil)
}

// trainStep is TrainStep with the step's outlier images (nil without).
func (t *Trainer) trainStep(x []float32, labels []int32, outliers []float32) (res StepResult, err error) {
	n := t.net
	n.mu.Lock()
	defer n.mu.Unlock()
	defer recoverErr(&err, "train step")
	if n.closed {
		return res, fmt.Errorf("train step: net is closed")
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
	if t.train == nil {
		t.train, err = graph.NewExec(n.backend, t.trainGraph)
		if err != nil {
			return res, fmt.Errorf("train step: %w", err)
		}
		t.train.SetMaxCache(8)
	}
	lrHat, inv := t.adam.stepScalars(t.step + 1)
	args := make([]any, 0, 3*len(n.params)+len(n.bn)+4)
	for _, group := range [][]*tensors.Tensor{n.params, n.bn, t.m, t.v} {
		for _, x := range group {
			args = append(args, x)
		}
	}
	args = append(args, float32(lrHat), float32(inv),
		tensors.FromFlatDataAndDimensions(x, b, 32, 32, 1),
		tensors.FromFlatDataAndDimensions(labels, b))
	if t.loss.Cycle > 0 {
		l := t.loss.Layout
		args = append(args, tensors.FromFlatDataAndDimensions(CyclePoints(l, t.loss.CycleSeed, t.step), CyclePointCount(l.NC()), l.ND()))
	}
	if args, err = t.outlierArg(args, outliers); err != nil {
		return res, err
	}
	outs, err := t.train.Call(args...)
	if err != nil {
		return res, fmt.Errorf("train step %d: %w", t.step+1, err)
	}
	np, ns := len(n.params), len(n.bn)
	old := [][]*tensors.Tensor{n.params, n.bn, t.m, t.v}
	n.params = outs[:np]
	n.bn = outs[np : np+ns]
	n.dropFolded()
	t.m = outs[np+ns : 2*np+ns]
	t.v = outs[2*np+ns : 3*np+ns]
	for _, group := range old {
		for _, x := range group {
			_ = x.FinalizeAll()
		}
	}
	k := 3*np + ns
	res = StepResult{
		Loss:    float64(tensors.ToScalar[float32](outs[k])),
		CE:      float64(tensors.ToScalar[float32](outs[k+1])),
		LG:      float64(tensors.ToScalar[float32](outs[k+2])),
		Correct: int(tensors.ToScalar[float32](outs[k+3])),
		Recon:   float64(tensors.ToScalar[float32](outs[k+4])),
		Cycle:   float64(tensors.ToScalar[float32](outs[k+5])),
		N:       b,
	}
	for _, x := range outs[k:] {
		_ = x.FinalizeAll()
	}
	t.step++
	return res, nil
}
