// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

// lsconf fork: TestConvPoolFusion builds convolution (+ bias + ReLU) +
// 2x2 max pool as GoMLX does, checks that the pool was fused where the
// direct arrangement applies (and not when the convolution's output has
// another use), and compares the values with upstream's convolution, the
// epilogue and a max pool computed here, through the fused path and
// through its fallback (fast path off).
func TestConvPoolFusion(t *testing.T) {
	if !convFastEnabled {
		t.Skipf("%s=false", ConvFastEnv)
	}
	rng := rand.New(rand.NewPCG(15, 16))
	for _, tc := range []struct {
		name                string
		batch, hw, inC, out int
		epilogue, alsoConv  bool
		wantFused           bool
		parallelism         int
	}{
		{"bias+relu", 9, 8, 5, 12, true, false, true, 2},
		{"bias+relu-p1", 3, 6, 8, 8, true, false, true, 1},
		{"plain", 4, 10, 3, 16, false, false, true, 2},
		{"one-image", 1, 32, 1, 8, true, false, true, 2},
		{"wide", 5, 4, 16, 40, true, false, true, 2},
		{"conv-also-returned", 4, 8, 5, 12, true, true, false, 2},
		{"im2col-channels", 2, 8, 64, 8, true, false, false, 2},
	} {
		backend := newConvTestBackend(t, tc.parallelism)
		c := convCase{batch: tc.batch, inC: tc.inC, outC: tc.out, in: []int{tc.hw, tc.hw}, kernel: []int{3, 3}, paddings: [][2]int{{1, 1}, {1, 1}},
			inPerm: []int{0, 2, 3, 1}, kPerm: []int{2, 3, 0, 1}, oPerm: []int{0, 2, 3, 1}}
		ax, inShape, kShape := c.axes()
		builder := backend.Builder("convpool_test")
		f := builder.Main().(*gobackend.Function)
		x, _ := f.Parameter("x", inShape, nil)
		k, _ := f.Parameter("k", kShape, nil)
		biasShape := shapes.Make(dtypes.Float32, 1, 1, 1, c.outC)
		bias, _ := f.Parameter("b", biasShape, nil)
		conv, err := f.ConvGeneral(x, k, ax, nil, c.paddings, nil, nil, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		convShape := conv.(*gobackend.Node).Shape
		v := conv
		if tc.epilogue {
			zero, _ := f.Constant([]float32{0})
			zeroScalar, _ := f.Reshape(zero)
			zeros, _ := f.BroadcastInDim(zeroScalar, convShape, nil)
			v, _ = f.Add(conv, bias)
			gt, _ := f.GreaterThan(v, zeros)
			v, _ = f.Where(gt, v, zeros)
		} else {
			// The bias parameter must still be used.
			v, _ = f.Add(conv, bias)
		}
		pooled, err := ReduceWindow(f, v, compute.ReduceOpMax, []int{1, 2, 2, 1}, nil, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		outs := []compute.Value{pooled}
		if tc.alsoConv {
			outs = append(outs, v)
		}
		if err := f.Return(outs, nil); err != nil {
			t.Fatal(err)
		}
		exec, err := builder.Compile()
		if err != nil {
			t.Fatalf("%s: compile: %+v", tc.name, err)
		}
		pn := pooled.(*gobackend.Node)
		fused := pn.OpType == compute.OpTypeConvGeneral && pn.Data.(*convNode).pool != nil
		if fused != tc.wantFused {
			t.Fatalf("%s: pool node %s, fused = %v, want %v", tc.name, pn.OpType, fused, tc.wantFused)
		}
		xs, ks, bs := randF32(rng, inShape.Size()), randF32(rng, kShape.Size()), randF32(rng, c.outC)
		// Reference: upstream's convolution, bias (+ ReLU), a 2x2 max pool.
		plain := &gobackend.Node{OpType: compute.OpTypeConvGeneral, Shape: convShape, Data: conv.(*gobackend.Node).Data}
		xb, _ := backend.BufferFromFlatData(0, xs, inShape)
		kb, _ := backend.BufferFromFlatData(0, ks, kShape)
		ref, err := execConvGeneralReference(backend, plain, []*gobackend.Buffer{xb.(*gobackend.Buffer), kb.(*gobackend.Buffer)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ep := convEpilogue{bias: bs, relu: tc.epilogue}
		r := ref.Flat.([]float32)
		for i := range r {
			r[i] = ep.apply1(r[i], i%c.outC)
		}
		h, w := tc.hw/2, tc.hw/2
		want := make([]float32, tc.batch*h*w*c.outC)
		for b := 0; b < tc.batch; b++ {
			for y := 0; y < h; y++ {
				for xx := 0; xx < w; xx++ {
					for ch := 0; ch < c.outC; ch++ {
						m := float32(math.Inf(-1))
						for dy := 0; dy < 2; dy++ {
							for dx := 0; dx < 2; dx++ {
								m = max(m, r[((b*tc.hw+2*y+dy)*tc.hw+2*xx+dx)*c.outC+ch])
							}
						}
						want[((b*h+y)*w+xx)*c.outC+ch] = m
					}
				}
			}
		}
		tol := 1e-5 * math.Sqrt(float64(c.inC*9)) * 4
		for _, fast := range []bool{true, false} {
			convFastEnabled = fast
			xb, _ := backend.BufferFromFlatData(0, xs, inShape)
			kb, _ := backend.BufferFromFlatData(0, ks, kShape)
			bb, _ := backend.BufferFromFlatData(0, bs, biasShape)
			res, err := exec.Execute([]compute.Buffer{xb, kb, bb}, nil, 0)
			convFastEnabled = true
			if err != nil {
				t.Fatalf("%s (fast %v): execute: %+v", tc.name, fast, err)
			}
			got := res[0].(*gobackend.Buffer).Flat.([]float32)
			if len(got) != len(want) {
				t.Fatalf("%s: %d values, want %d", tc.name, len(got), len(want))
			}
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); !(d <= tol*(1+math.Abs(float64(want[i])))) {
					t.Fatalf("%s (fast %v): output %d = %g, want %g", tc.name, fast, i, got[i], want[i])
				}
			}
		}
		backend.Finalize()
	}
}
