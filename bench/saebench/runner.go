package saebench

import (
	"errors"
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/engine"
)

// encoderParams is the number of Params the encoder uses: ten convs
// (kernel, gamma, beta) and the two heads (kernel, bias).
const encoderParams = 10*3 + 4

// Runner holds a compiled train step and encoder on a backend, with the
// network's state (parameters, Adam moments, batch-norm statistics) and a
// fixed input batch. It is not safe for concurrent use.
type Runner struct {
	cfg     Config
	backend compute.Backend
	train   *graph.Exec
	enc     *graph.Exec

	params, m, v, bn []*tensors.Tensor
	x                []float32
	y                []int32
	step             int64
}

// NewRunner creates a backend with cfg.Parallelism workers and the
// network's initial state (parameters drawn from cfg.Seed). Graphs are
// compiled on first use.
func NewRunner(cfg Config) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	be, err := engine.New(engine.Config{Parallelism: cfg.Parallelism})
	if err != nil {
		return nil, fmt.Errorf("saebench: %w", err)
	}
	r := &Runner{cfg: cfg, backend: be}
	ps := cfg.Params()
	for i, vals := range cfg.InitParams(cfg.Seed) {
		r.params = append(r.params, tensors.FromFlatDataAndDimensions(vals, ps[i].Shape...))
		r.m = append(r.m, tensors.FromFlatDataAndDimensions(make([]float32, len(vals)), ps[i].Shape...))
		r.v = append(r.v, tensors.FromFlatDataAndDimensions(make([]float32, len(vals)), ps[i].Shape...))
	}
	for l, ch := range cfg.Channels() {
		_ = l
		for j := 0; j < 2; j++ {
			ones := make([]float32, ch)
			for k := range ones {
				ones[k] = 1
			}
			r.bn = append(r.bn, tensors.FromFlatDataAndDimensions(make([]float32, ch), ch),
				tensors.FromFlatDataAndDimensions(ones, ch))
		}
	}
	r.x, r.y = cfg.InputBatch(cfg.Seed + 1)
	return r, nil
}

// Config returns the runner's configuration.
func (r *Runner) Config() Config { return r.cfg }

func (r *Runner) trainGraph(g *graph.Graph, in []*graph.Node) []*graph.Node {
	np, nb := len(r.params), len(r.bn)
	params := in[:np]
	bn := in[np : np+nb]
	m := in[np+nb : 2*np+nb]
	v := in[2*np+nb : 3*np+nb]
	lrHat, inv, x, y := in[3*np+nb], in[3*np+nb+1], in[3*np+nb+2], in[3*np+nb+3]
	z, newBN := encode(r.cfg, params[:encoderParams], bn, x, true)
	logits := classify(params[encoderParams:], z)
	l := loss(z, logits, y)
	grads := graph.Gradient(l, params...)
	out := make([]*graph.Node, 0, 3*np+nb+1)
	nm := make([]*graph.Node, np)
	nv := make([]*graph.Node, np)
	for i := range params {
		var p *graph.Node
		p, nm[i], nv[i] = adam(params[i], grads[i], m[i], v[i], lrHat, inv)
		out = append(out, p)
	}
	out = append(out, newBN...)
	out = append(out, nm...)
	out = append(out, nv...)
	return append(out, l)
}

func (r *Runner) encodeGraph(g *graph.Graph, in []*graph.Node) *graph.Node {
	z, _ := encode(r.cfg, in[:encoderParams], in[encoderParams:encoderParams+len(r.bn)], in[len(in)-1], false)
	return z
}

// TrainStep runs one Adam step on the fixed batch and returns the loss
// before the update.
func (r *Runner) TrainStep() (loss float64, err error) {
	defer recoverErr(&err, "train step")
	if r.train == nil {
		if r.train, err = graph.NewExec(r.backend, r.trainGraph); err != nil {
			return 0, fmt.Errorf("saebench: compile train step: %w", err)
		}
	}
	t := r.step + 1
	lrHat := LR / (1 - math.Pow(Beta1, float64(t)))
	inv := 1 / math.Sqrt(1-math.Pow(Beta2, float64(t)))
	args := make([]any, 0, 3*len(r.params)+len(r.bn)+4)
	for _, group := range [][]*tensors.Tensor{r.params, r.bn, r.m, r.v} {
		for _, x := range group {
			args = append(args, x)
		}
	}
	args = append(args, float32(lrHat), float32(inv),
		tensors.FromFlatDataAndDimensions(r.x, r.cfg.Batch, 32, 32, 1),
		tensors.FromFlatDataAndDimensions(r.y, r.cfg.Batch))
	outs, err := r.train.Call(args...)
	if err != nil {
		return 0, fmt.Errorf("saebench: train step %d: %w", t, err)
	}
	np, nb := len(r.params), len(r.bn)
	old := [][]*tensors.Tensor{r.params, r.bn, r.m, r.v}
	r.params = outs[:np]
	r.bn = outs[np : np+nb]
	r.m = outs[np+nb : 2*np+nb]
	r.v = outs[2*np+nb : 3*np+nb]
	for _, group := range old {
		for _, x := range group {
			_ = x.FinalizeAll()
		}
	}
	loss = float64(tensors.ToScalar[float32](outs[3*np+nb]))
	_ = outs[3*np+nb].FinalizeAll()
	r.step++
	return loss, nil
}

// Encode runs the encoder (batch norm with running statistics) on the
// fixed batch and returns z, [Batch * ND] row-major.
func (r *Runner) Encode() (z []float32, err error) {
	defer recoverErr(&err, "encode")
	if r.enc == nil {
		if r.enc, err = graph.NewExec(r.backend, r.encodeGraph); err != nil {
			return nil, fmt.Errorf("saebench: compile encoder: %w", err)
		}
	}
	args := make([]any, 0, encoderParams+len(r.bn)+1)
	for _, x := range r.params[:encoderParams] {
		args = append(args, x)
	}
	for _, x := range r.bn {
		args = append(args, x)
	}
	args = append(args, tensors.FromFlatDataAndDimensions(r.x, r.cfg.Batch, 32, 32, 1))
	outs, err := r.enc.Call(args...)
	if err != nil {
		return nil, fmt.Errorf("saebench: encode: %w", err)
	}
	z = tensors.MustCopyFlatData[float32](outs[0])
	_ = outs[0].FinalizeAll()
	return z, nil
}

// Params copies the current parameters to the host (Params order).
func (r *Runner) Params() (out [][]float32, err error) {
	defer recoverErr(&err, "read parameters")
	for _, x := range r.params {
		out = append(out, tensors.MustCopyFlatData[float32](x))
	}
	return out, nil
}

// Close frees the compiled graphs, the state and the backend.
func (r *Runner) Close() {
	for _, e := range []*graph.Exec{r.train, r.enc} {
		if e != nil {
			e.Finalize()
		}
	}
	for _, group := range [][]*tensors.Tensor{r.params, r.bn, r.m, r.v} {
		for _, x := range group {
			_ = x.FinalizeAll()
		}
	}
	r.backend.Finalize()
}

// recoverErr turns a panic (GoMLX reports graph errors by panicking) into
// an error with context.
func recoverErr(err *error, what string) {
	if r := recover(); r != nil {
		if e, ok := r.(error); ok {
			*err = fmt.Errorf("saebench: %s: %w", what, e)
			return
		}
		*err = fmt.Errorf("saebench: %s: %v", what, r)
	}
}

var errTimeout = errors.New("saebench: timed out (a hung graph?)")
