// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

// lsconf fork: the fused convolution epilogue (convfused_lsconf.go). Its
// application inside every arrangement and kernel set is tested by
// runConvCase (convfast_test.go, testEpilogues); here: each set's epilogue
// function against apply1, and the graph transformation that fuses a
// convolution with its bias Add and ReLU.

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

// testEpilogues returns bias + ReLU, bias only and ReLU only, with a
// random bias of n values.
func testEpilogues(rng *rand.Rand, n int) []convEpilogue {
	bias := make([]float32, n)
	for i := range bias {
		bias[i] = float32(rng.NormFloat64())
	}
	return []convEpilogue{{bias: bias, relu: true}, {bias: bias}, {relu: true}}
}

// TestConvEpilogueKernels checks each available kernel set's epilogue
// function against apply1, bit for bit, at every length up to 70 (vector
// bodies and tails), with NaN, infinities and signed zeros among the
// values.
func TestConvEpilogueKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1))}
	for _, ks := range convKernelsAvailable {
		for n := 0; n <= 70; n++ {
			src := make([]float32, n)
			for i := range src {
				src[i] = float32(rng.NormFloat64())
				if rng.IntN(8) == 0 {
					src[i] = special[rng.IntN(len(special))]
				}
			}
			for mode, ep := range testEpilogues(rng, n) {
				dst := make([]float32, n)
				ks.epi(dst, src, ep.bias, ep.relu)
				for i, v := range src {
					w := ep.apply1(v, i)
					if math.Float32bits(dst[i]) != math.Float32bits(w) && !(w != w && dst[i] != dst[i]) {
						t.Fatalf("kernels %s, n %d, epilogue %d: value %d: got %g, want %g", ks.name, n, mode, i, dst[i], w)
					}
				}
				// epiRows: three rows of n values, source rows 2n + 1 apart
				// (the source repeats), destination rows n + 3 apart.
				lds, ldd := 2*n+1, n+3
				srcRows := make([]float32, 3*lds)
				for r := 0; r < 3; r++ {
					copy(srcRows[r*lds:], src)
				}
				dstRows := make([]float32, 3*ldd)
				ks.epiRows(dstRows, ldd, srcRows, lds, 3, n, ep.bias, ep.relu)
				for r := 0; r < 3; r++ {
					for i, v := range src {
						got, w := dstRows[r*ldd+i], ep.apply1(v, i)
						if math.Float32bits(got) != math.Float32bits(w) && !(w != w && got != got) {
							t.Fatalf("kernels %s, epiRows n %d, epilogue %d: row %d value %d: got %g, want %g", ks.name, n, mode, r, i, got, w)
						}
					}
					for i := n; i < ldd && r*ldd+i < len(dstRows); i++ {
						if dstRows[r*ldd+i] != 0 {
							t.Fatalf("kernels %s, epiRows n %d: wrote past row %d's end", ks.name, n, r)
						}
					}
				}
			}
		}
	}
}

// TestConvEpilogueFusion builds ReLU(conv(x, k) + bias) as GoMLX writes
// it, checks that the transformation made the ReLU a fused ConvGeneral,
// and compares the result with the reference convolution put through
// bias and ReLU. When the convolution's output is also returned, nothing
// is fused and the results are the same.
func TestConvEpilogueFusion(t *testing.T) {
	if !convFastEnabled {
		t.Skipf("%s=false", ConvFastEnv)
	}
	rng := rand.New(rand.NewPCG(13, 14))
	backend := newConvTestBackend(t, 2)
	defer backend.Finalize()
	c := convCase{batch: 3, inC: 5, outC: 12, in: []int{8, 8}, kernel: []int{3, 3}, paddings: [][2]int{{1, 1}, {1, 1}},
		inPerm: []int{0, 2, 3, 1}, kPerm: []int{2, 3, 0, 1}, oPerm: []int{0, 2, 3, 1}}
	ax, inShape, kShape := c.axes()
	for _, form := range []string{"where", "max", "bias-only", "relu-only", "conv-also-returned"} {
		builder := backend.Builder("convfused_test")
		f := builder.Main().(*gobackend.Function)
		x, _ := f.Parameter("x", inShape, nil)
		k, _ := f.Parameter("k", kShape, nil)
		biasShape := shapes.Make(dtypes.Float32, 1, 1, 1, c.outC)
		bias, _ := f.Parameter("b", biasShape, nil)
		conv, err := f.ConvGeneral(x, k, ax, nil, c.paddings, nil, nil, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		outShape := conv.(*gobackend.Node).Shape
		zero, _ := f.Constant([]float32{0})
		zeroScalar, _ := f.Reshape(zero)
		zeros, _ := f.BroadcastInDim(zeroScalar, outShape, nil)
		v := conv
		if form != "relu-only" {
			v, _ = f.Add(conv, bias)
		}
		if form != "bias-only" {
			if form == "max" {
				v, _ = f.Max(v, zeros)
			} else {
				gt, _ := f.GreaterThan(v, zeros)
				v, _ = f.Where(gt, v, zeros)
			}
		}
		outs := []compute.Value{v}
		if form == "conv-also-returned" {
			outs = append(outs, conv)
		}
		if err := f.Return(outs, nil); err != nil {
			t.Fatal(err)
		}
		exec, err := builder.Compile()
		if err != nil {
			t.Fatalf("%s: compile: %+v", form, err)
		}
		vn := v.(*gobackend.Node)
		fused := vn.OpType == compute.OpTypeConvGeneral
		if want := form != "conv-also-returned"; fused != want {
			t.Fatalf("%s: output op %s, fused = %v, want %v", form, vn.OpType, fused, want)
		}
		if fused {
			p := vn.Data.(*convNode)
			if p.epiBias != (form != "relu-only") || p.epiReLU != (form != "bias-only") {
				t.Fatalf("%s: epilogue bias %v relu %v", form, p.epiBias, p.epiReLU)
			}
		}
		xs, ks, bs := randF32(rng, inShape.Size()), randF32(rng, kShape.Size()), randF32(rng, c.outC)
		xb, _ := backend.BufferFromFlatData(0, xs, inShape)
		kb, _ := backend.BufferFromFlatData(0, ks, kShape)
		bb, _ := backend.BufferFromFlatData(0, bs, biasShape)
		res, err := exec.Execute([]compute.Buffer{xb, kb, bb}, nil, 0)
		if err != nil {
			t.Fatalf("%s: execute: %+v", form, err)
		}
		// Reference: the upstream convolution, then the epilogue.
		plain := &gobackend.Node{OpType: compute.OpTypeConvGeneral, Shape: outShape, Data: conv.(*gobackend.Node).Data}
		if fused {
			p := *vn.Data.(*convNode)
			p.epiBias, p.epiReLU = false, false
			plain.Data = &p
		}
		xb2, _ := backend.BufferFromFlatData(0, xs, inShape)
		kb2, _ := backend.BufferFromFlatData(0, ks, kShape)
		ref, err := execConvGeneralReference(backend, plain, []*gobackend.Buffer{xb2.(*gobackend.Buffer), kb2.(*gobackend.Buffer)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ep := convEpilogue{relu: form != "bias-only"}
		if form != "relu-only" {
			ep.bias = bs
		}
		got := res[0].(*gobackend.Buffer).Flat.([]float32)
		tol := 1e-5 * math.Sqrt(float64(c.inC*9)) * 4
		for i, r := range ref.Flat.([]float32) {
			w := ep.apply1(r, i%c.outC)
			if d := math.Abs(float64(got[i] - w)); !(d <= tol*(1+math.Abs(float64(w)))) {
				t.Fatalf("%s: output %d = %g, want %g", form, i, got[i], w)
			}
		}
	}
}

func randF32(rng *rand.Rand, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(rng.NormFloat64())
	}
	return out
}
