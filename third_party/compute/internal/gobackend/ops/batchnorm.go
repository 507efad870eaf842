// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

import (
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
	"github.com/pkg/errors"
)

// lsconf fork: BatchNormForTraining, BatchNormForInference and
// BatchNormGradient for float32 and float64, which upstream's Go backend
// lacks (GoMLX's batch norm then has to be written from ~10 graph ops per
// layer, each a full pass over the activations, and as many again for the
// gradient). Each op here is two passes (statistics, then the elementwise
// update) split over the backend's workers, with float64 accumulators.
// Semantics are XLA's (https://openxla.org/xla/operation_semantics):
//
//   - training: mean and (biased) variance over every axis but featureAxis;
//     normalized = (x - mean) * scale / sqrt(var + eps) + offset.
//   - inference: the same with the given mean and variance.
//   - gradient (given mean and variance): with inv = 1/sqrt(var+eps),
//     xhat = (x-mean)*inv and N values per feature, gradOffset = sum(g),
//     gradScale = sum(g*xhat), gradOperand = scale*inv*(g -
//     gradOffset/N - xhat*gradScale/N).

func init() {
	gobackend.RegisterBatchNormForTraining.Register(BatchNormForTraining, gobackend.PriorityGeneric)
	gobackend.RegisterBatchNormForInference.Register(BatchNormForInference, gobackend.PriorityGeneric)
	gobackend.RegisterBatchNormGradient.Register(BatchNormGradient, gobackend.PriorityGeneric)
	gobackend.MultiOutputsNodeExecutors[compute.OpTypeBatchNormForTraining] = execBatchNormForTraining
	gobackend.MultiOutputsNodeExecutors[compute.OpTypeBatchNormGradient] = execBatchNormGradient
	gobackend.SetNodeExecutor(compute.OpTypeBatchNormForInference, gobackend.PriorityGeneric, execBatchNormForInference)
}

// batchNormParams is the node data of the batch-norm ops.
type batchNormParams struct {
	epsilon     float32
	featureAxis int
}

// batchNormCheck verifies the operand and the per-feature inputs and
// returns the normalised feature axis.
func batchNormCheck(op string, operand *gobackend.Node, featureAxis int, perFeature ...*gobackend.Node) (int, error) {
	dt := operand.Shape.DType
	if dt != dtypes.Float32 && dt != dtypes.Float64 {
		return 0, errors.Errorf("%s: Go backend supports float32 and float64, got %s", op, dt)
	}
	rank := operand.Shape.Rank()
	if featureAxis < 0 {
		featureAxis += rank
	}
	if rank == 0 || featureAxis < 0 || featureAxis >= rank {
		return 0, errors.Errorf("%s: feature axis %d out of range for operand %s", op, featureAxis, operand.Shape)
	}
	want := shapes.Make(dt, operand.Shape.Dimensions[featureAxis])
	for _, n := range perFeature {
		if !n.Shape.Equal(want) {
			return 0, errors.Errorf("%s: per-feature input shaped %s, want %s (operand %s, feature axis %d)",
				op, n.Shape, want, operand.Shape, featureAxis)
		}
	}
	return featureAxis, nil
}

// BatchNormForTraining implements compute.Builder.
func BatchNormForTraining(f *gobackend.Function, operandOp, scaleOp, offsetOp compute.Value, epsilon float32, featureAxis int) (
	normalized, batchMean, batchVariance compute.Value, err error) {
	op := compute.OpTypeBatchNormForTraining
	in, err := f.VerifyAndCastValues(op.String(), operandOp, scaleOp, offsetOp)
	if err != nil {
		return nil, nil, nil, err
	}
	axis, err := batchNormCheck(op.String(), in[0], featureAxis, in[1], in[2])
	if err != nil {
		return nil, nil, nil, err
	}
	feat := in[1].Shape
	node := f.NewMultiOutputsNode(op, []shapes.Shape{in[0].Shape.Clone(), feat.Clone(), feat.Clone()}, in...)
	node.Data = batchNormParams{epsilon: epsilon, featureAxis: axis}
	return node.MultiOutputsNodes[0], node.MultiOutputsNodes[1], node.MultiOutputsNodes[2], nil
}

// BatchNormForInference implements compute.Builder.
func BatchNormForInference(f *gobackend.Function, operandOp, scaleOp, offsetOp, meanOp, varianceOp compute.Value,
	epsilon float32, featureAxis int) (compute.Value, error) {
	op := compute.OpTypeBatchNormForInference
	in, err := f.VerifyAndCastValues(op.String(), operandOp, scaleOp, offsetOp, meanOp, varianceOp)
	if err != nil {
		return nil, err
	}
	axis, err := batchNormCheck(op.String(), in[0], featureAxis, in[1:]...)
	if err != nil {
		return nil, err
	}
	node, _ := f.GetOrCreateNode(op, in[0].Shape.Clone(), in, batchNormParams{epsilon: epsilon, featureAxis: axis})
	return node, nil
}

// BatchNormGradient implements compute.Builder.
func BatchNormGradient(f *gobackend.Function, operandOp, scaleOp, meanOp, varianceOp, gradOutputOp compute.Value,
	epsilon float32, featureAxis int) (gradOperand, gradScale, gradOffset compute.Value, err error) {
	op := compute.OpTypeBatchNormGradient
	in, err := f.VerifyAndCastValues(op.String(), operandOp, scaleOp, meanOp, varianceOp, gradOutputOp)
	if err != nil {
		return nil, nil, nil, err
	}
	axis, err := batchNormCheck(op.String(), in[0], featureAxis, in[1], in[2], in[3])
	if err != nil {
		return nil, nil, nil, err
	}
	if !in[4].Shape.Equal(in[0].Shape) {
		return nil, nil, nil, errors.Errorf("%s: gradOutput shaped %s, operand %s", op, in[4].Shape, in[0].Shape)
	}
	feat := in[1].Shape
	node := f.NewMultiOutputsNode(op, []shapes.Shape{in[0].Shape.Clone(), feat.Clone(), feat.Clone()}, in...)
	node.Data = batchNormParams{epsilon: epsilon, featureAxis: axis}
	return node.MultiOutputsNodes[0], node.MultiOutputsNodes[1], node.MultiOutputsNodes[2], nil
}

// bnLayout is the operand seen as [outer, features, inner].
type bnLayout struct{ outer, feat, inner int }

func newBNLayout(s shapes.Shape, axis int) bnLayout {
	l := bnLayout{outer: 1, feat: s.Dimensions[axis], inner: 1}
	for i, d := range s.Dimensions {
		switch {
		case i < axis:
			l.outer *= d
		case i > axis:
			l.inner *= d
		}
	}
	return l
}

// count is the number of values per feature.
func (l bnLayout) count() int { return l.outer * l.inner }

// bnChunks splits the outer axis (or, with one outer row, nothing) in
// pieces for the workers.
func (l bnLayout) chunks(workers int) int {
	if l.outer*l.feat*l.inner < 1<<15 {
		return 1
	}
	return min(l.outer, 4*workers)
}

// bnSums returns, per feature, sum(a) and sum(a*(b-center)) over the
// values of a and b (b nil: sum(a) and sum((a-center)^2)), in float64.
func bnSums[T float32 | float64](backend *gobackend.Backend, l bnLayout, a, b []T, center []float64) (s1, s2 []float64) {
	workers := forkWorkers(backend)
	chunks := l.chunks(workers)
	part1 := make([][]float64, chunks)
	part2 := make([][]float64, chunks)
	forkParallel(backend, workers, chunks, func(_, c int) {
		p1 := make([]float64, l.feat)
		p2 := make([]float64, l.feat)
		o0, o1 := c*l.outer/chunks, (c+1)*l.outer/chunks
		if l.inner == 1 {
			// Features contiguous: sum rows in T over blocks of rows, then
			// add the block's sums in float64.
			const block = 64
			t1 := make([]T, l.feat)
			t2 := make([]T, l.feat)
			ct := make([]T, l.feat)
			for f, v := range center {
				ct[f] = T(v)
			}
			for ob := o0; ob < o1; ob += block {
				clear(t1)
				clear(t2)
				// lsconf fork: the kernel set's vector loop, same sums.
				if bnSumsF32(a, b, l.feat, ob, min(ob+block, o1), ct, t1, t2) {
					for f := range p1 {
						p1[f] += float64(t1[f])
						p2[f] += float64(t2[f])
					}
					continue
				}
				for o := ob; o < min(ob+block, o1); o++ {
					row := a[o*l.feat : (o+1)*l.feat]
					if b == nil {
						for f, v := range row {
							d := v - ct[f]
							t1[f] += v
							t2[f] += d * d
						}
					} else {
						brow := b[o*l.feat : (o+1)*l.feat]
						for f, v := range row {
							t1[f] += v
							t2[f] += v * (brow[f] - ct[f])
						}
					}
				}
				for f := range p1 {
					p1[f] += float64(t1[f])
					p2[f] += float64(t2[f])
				}
			}
			part1[c], part2[c] = p1, p2
			return
		}
		for o := o0; o < o1; o++ {
			for f := 0; f < l.feat; f++ {
				base := (o*l.feat + f) * l.inner
				var t1, t2 float64
				cf := center[f]
				if b == nil {
					for _, v := range a[base : base+l.inner] {
						d := float64(v) - cf
						t1 += float64(v)
						t2 += d * d
					}
				} else {
					bb := b[base : base+l.inner]
					for i, v := range a[base : base+l.inner] {
						t1 += float64(v)
						t2 += float64(v) * (float64(bb[i]) - cf)
					}
				}
				p1[f] += t1
				p2[f] += t2
			}
		}
		part1[c], part2[c] = p1, p2
	})
	s1, s2 = part1[0], part2[0]
	for c := 1; c < chunks; c++ {
		for f := range s1 {
			s1[f] += part1[c][f]
			s2[f] += part2[c][f]
		}
	}
	return s1, s2
}

// bnFirst returns each feature's first value.
func bnFirst[T float32 | float64](l bnLayout, x []T) []float64 {
	c := make([]float64, l.feat)
	if l.count() == 0 {
		return c
	}
	for f := range c {
		c[f] = float64(x[f*l.inner])
	}
	return c
}

// bnAffine writes out = x*ka + (y*kb if y != nil) + kc per feature.
func bnAffine[T float32 | float64](backend *gobackend.Backend, l bnLayout, x, y, out []T, ka, kb, kc []float64) {
	workers := forkWorkers(backend)
	chunks := l.chunks(workers)
	a := make([]T, l.feat)
	b := make([]T, l.feat)
	c := make([]T, l.feat)
	for f := range a {
		a[f], c[f] = T(ka[f]), T(kc[f])
		if kb != nil {
			b[f] = T(kb[f])
		}
	}
	forkParallel(backend, workers, chunks, func(_, ch int) {
		o0, o1 := ch*l.outer/chunks, (ch+1)*l.outer/chunks
		if l.inner == 1 {
			// Features contiguous: rows of l.feat values.
			// lsconf fork: the kernel set's vector loop, same values.
			if bnAffineF32(x, y, out, l.feat, o0, o1, a, b, c) {
				return
			}
			for o := o0; o < o1; o++ {
				xr := x[o*l.feat : (o+1)*l.feat]
				or := out[o*l.feat : (o+1)*l.feat]
				if y == nil {
					for f, v := range xr {
						or[f] = v*a[f] + c[f]
					}
				} else {
					yr := y[o*l.feat : (o+1)*l.feat]
					for f, v := range xr {
						or[f] = v*a[f] + yr[f]*b[f] + c[f]
					}
				}
			}
			return
		}
		for o := o0; o < o1; o++ {
			for f := 0; f < l.feat; f++ {
				base := (o*l.feat + f) * l.inner
				af, bf, cf := a[f], b[f], c[f]
				xr := x[base : base+l.inner]
				or := out[base : base+l.inner]
				if y == nil {
					for i, v := range xr {
						or[i] = v*af + cf
					}
				} else {
					yr := y[base : base+l.inner]
					for i, v := range xr {
						or[i] = v*af + yr[i]*bf + cf
					}
				}
			}
		}
	})
}

// toF64 converts a float32 or float64 buffer to float64 values.
func toF64(buf *gobackend.Buffer) []float64 {
	switch v := buf.Flat.(type) {
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), v...)
	}
	panic(errors.Errorf("batch norm: unsupported dtype %s", buf.RawShape.DType))
}

// fromF64 writes float64 values into a float32 or float64 buffer.
func fromF64(buf *gobackend.Buffer, vals []float64) {
	switch v := buf.Flat.(type) {
	case []float32:
		for i, x := range vals {
			v[i] = float32(x)
		}
	case []float64:
		copy(v, vals)
	}
}

func execBatchNormForTraining(backend *gobackend.Backend, node *gobackend.Node, inputs []*gobackend.Buffer, _ []bool) ([]*gobackend.Buffer, error) {
	p := node.Data.(batchNormParams)
	x, scale, offset := inputs[0], inputs[1], inputs[2]
	l := newBNLayout(x.RawShape, p.featureAxis)
	outs := make([]*gobackend.Buffer, 3)
	for i, s := range node.MultiOutputsShapes {
		b, err := backend.GetBuffer(s)
		if err != nil {
			return nil, err
		}
		outs[i] = b
	}
	n := float64(l.count())
	sc, off := toF64(scale), toF64(offset)
	mean := make([]float64, l.feat)
	vari := make([]float64, l.feat)
	ka := make([]float64, l.feat)
	kc := make([]float64, l.feat)
	// One pass: sums of x and of (x - c)^2 with c the feature's first
	// value (a shift that keeps the variance accurate), then the affine.
	finish := func(center, s1, s2 []float64) {
		nn := max(n, 1)
		for f := range vari {
			mean[f] = s1[f] / nn
			d := mean[f] - center[f]
			vari[f] = max(0, s2[f]/nn-d*d)
			inv := 1 / math.Sqrt(vari[f]+float64(p.epsilon))
			ka[f] = sc[f] * inv
			kc[f] = off[f] - mean[f]*ka[f]
		}
	}
	switch xs := x.Flat.(type) {
	case []float32:
		center := bnFirst(l, xs)
		s1, s2 := bnSums(backend, l, xs, nil, center)
		finish(center, s1, s2)
		bnAffine(backend, l, xs, nil, outs[0].Flat.([]float32), ka, nil, kc)
	case []float64:
		center := bnFirst(l, xs)
		s1, s2 := bnSums(backend, l, xs, nil, center)
		finish(center, s1, s2)
		bnAffine(backend, l, xs, nil, outs[0].Flat.([]float64), ka, nil, kc)
	default:
		return nil, errors.Errorf("BatchNormForTraining: unsupported dtype %s", x.RawShape.DType)
	}
	fromF64(outs[1], mean)
	fromF64(outs[2], vari)
	return outs, nil
}

func execBatchNormForInference(backend *gobackend.Backend, node *gobackend.Node, inputs []*gobackend.Buffer, _ []bool) (*gobackend.Buffer, error) {
	p := node.Data.(batchNormParams)
	x := inputs[0]
	l := newBNLayout(x.RawShape, p.featureAxis)
	out, err := backend.GetBuffer(node.Shape)
	if err != nil {
		return nil, err
	}
	sc, off, mean, vari := toF64(inputs[1]), toF64(inputs[2]), toF64(inputs[3]), toF64(inputs[4])
	ka := make([]float64, l.feat)
	kc := make([]float64, l.feat)
	for f := range ka {
		ka[f] = sc[f] / math.Sqrt(vari[f]+float64(p.epsilon))
		kc[f] = off[f] - mean[f]*ka[f]
	}
	switch xs := x.Flat.(type) {
	case []float32:
		bnAffine(backend, l, xs, nil, out.Flat.([]float32), ka, nil, kc)
	case []float64:
		bnAffine(backend, l, xs, nil, out.Flat.([]float64), ka, nil, kc)
	default:
		return nil, errors.Errorf("BatchNormForInference: unsupported dtype %s", x.RawShape.DType)
	}
	return out, nil
}

func execBatchNormGradient(backend *gobackend.Backend, node *gobackend.Node, inputs []*gobackend.Buffer, _ []bool) ([]*gobackend.Buffer, error) {
	p := node.Data.(batchNormParams)
	x, g := inputs[0], inputs[4]
	l := newBNLayout(x.RawShape, p.featureAxis)
	outs := make([]*gobackend.Buffer, 3)
	for i, s := range node.MultiOutputsShapes {
		b, err := backend.GetBuffer(s)
		if err != nil {
			return nil, err
		}
		outs[i] = b
	}
	n := float64(l.count())
	sc, mean, vari := toF64(inputs[1]), toF64(inputs[2]), toF64(inputs[3])
	gScale := make([]float64, l.feat)
	ka := make([]float64, l.feat) // multiplies g
	kb := make([]float64, l.feat) // multiplies x
	kc := make([]float64, l.feat)
	var gOffset []float64
	finish := func(sumG, sumGX []float64) {
		gOffset = sumG
		for f := range gScale {
			inv := 1 / math.Sqrt(vari[f]+float64(p.epsilon))
			gScale[f] = sumGX[f] * inv
			a := sc[f] * inv
			nn := max(n, 1)
			ka[f] = a
			kb[f] = -a * inv * gScale[f] / nn
			kc[f] = -a*gOffset[f]/nn - kb[f]*mean[f]
		}
	}
	switch xs := x.Flat.(type) {
	case []float32:
		gs := g.Flat.([]float32)
		finish(bnSums(backend, l, gs, xs, mean))
		bnAffine(backend, l, gs, xs, outs[0].Flat.([]float32), ka, kb, kc)
	case []float64:
		gs := g.Flat.([]float64)
		finish(bnSums(backend, l, gs, xs, mean))
		bnAffine(backend, l, gs, xs, outs[0].Flat.([]float64), ka, kb, kc)
	default:
		return nil, errors.Errorf("BatchNormGradient: unsupported dtype %s", x.RawShape.DType)
	}
	fromF64(outs[1], gScale)
	fromF64(outs[2], gOffset)
	return outs, nil
}

// bnSumsF32 runs the kernel set's bnSums (convKernels) on float32 rows
// [o0, o1) of feat values, when it has one and takes them.
func bnSumsF32[T float32 | float64](a, b []T, feat, o0, o1 int, ct, t1, t2 []T) bool {
	fn := convKernelsBest.bnSums
	af, ok := any(a).([]float32)
	if fn == nil || !ok {
		return false
	}
	bf, _ := any(b).([]float32)
	return fn(af, bf, feat, o0, o1, any(ct).([]float32), any(t1).([]float32), any(t2).([]float32))
}

// bnAffineF32 runs the kernel set's bnAffine (convKernels) on float32 rows
// [o0, o1) of feat values, when it has one and takes them.
func bnAffineF32[T float32 | float64](x, y, out []T, feat, o0, o1 int, a, b, c []T) bool {
	fn := convKernelsBest.bnAffine
	xf, ok := any(x).([]float32)
	if fn == nil || !ok {
		return false
	}
	yf, _ := any(y).([]float32)
	return fn(xf, yf, any(out).([]float32), feat, o0, o1, any(a).([]float32), any(b).([]float32), any(c).([]float32))
}
