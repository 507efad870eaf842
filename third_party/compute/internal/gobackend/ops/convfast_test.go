// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

// lsconf fork: tests of the fast float32 ConvGeneral against upstream's
// executor (execConvGeneralReference), over random shapes, axis layouts,
// strides and paddings, and over the three convolutions of a 3x3 "same"
// layer's train step as GoMLX's autodiff emits them. Every kernel set the
// CPU supports (convKernelsAvailable: pure Go, AVX2+FMA, AVX-512) runs
// every case, whichever set the environment switches chose for the
// backend; TestConvKernelSets says which sets this CPU lacks.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

// convCase is one ConvGeneral: logical sizes and the axis order of each
// operand (a permutation of the logical axes (b, c, spatial...) for the
// input, (in, out, spatial...) for the kernel, (b, c, spatial...) for the
// output).
type convCase struct {
	batch, inC, outC     int
	in, kernel           []int // spatial sizes
	strides              []int
	paddings             [][2]int
	inPerm, kPerm, oPerm []int
	inDil, kDil          []int
}

func (c convCase) String() string {
	return fmt.Sprintf("b%d ci%d co%d in%v k%v s%v p%v perms%v/%v/%v dil%v/%v",
		c.batch, c.inC, c.outC, c.in, c.kernel, c.strides, c.paddings, c.inPerm, c.kPerm, c.oPerm, c.inDil, c.kDil)
}

// axes returns the ConvolveAxesConfig and the input and kernel shapes.
func (c convCase) axes() (compute.ConvolveAxesConfig, shapes.Shape, shapes.Shape) {
	sp := len(c.in)
	rank := sp + 2
	pos := func(perm []int, logical int) int { return slices.Index(perm, logical) }
	var ax compute.ConvolveAxesConfig
	ax.InputBatch, ax.InputChannels = pos(c.inPerm, 0), pos(c.inPerm, 1)
	ax.KernelInputChannels, ax.KernelOutputChannels = pos(c.kPerm, 0), pos(c.kPerm, 1)
	ax.OutputBatch, ax.OutputChannels = pos(c.oPerm, 0), pos(c.oPerm, 1)
	inDims := make([]int, rank)
	kDims := make([]int, rank)
	inDims[ax.InputBatch], inDims[ax.InputChannels] = c.batch, c.inC
	kDims[ax.KernelInputChannels], kDims[ax.KernelOutputChannels] = c.inC, c.outC
	for i := 0; i < sp; i++ {
		ax.InputSpatial = append(ax.InputSpatial, pos(c.inPerm, 2+i))
		ax.KernelSpatial = append(ax.KernelSpatial, pos(c.kPerm, 2+i))
		ax.OutputSpatial = append(ax.OutputSpatial, pos(c.oPerm, 2+i))
		inDims[ax.InputSpatial[i]] = c.in[i]
		kDims[ax.KernelSpatial[i]] = c.kernel[i]
	}
	return ax, shapes.Make(dtypes.Float32, inDims...), shapes.Make(dtypes.Float32, kDims...)
}

func newConvTestBackend(t *testing.T, parallelism int) *gobackend.Backend {
	t.Helper()
	b, err := gobackend.New(fmt.Sprintf("parallelism=%d", parallelism))
	if err != nil {
		t.Fatalf("backend: %+v", err)
	}
	return b.(*gobackend.Backend)
}

// runConvCase builds the ConvGeneral node of c, runs the reference and the
// fast path with each kernel set, and compares them.
func runConvCase(t *testing.T, backend *gobackend.Backend, c convCase, rng *rand.Rand, wantFast bool) {
	t.Helper()
	ax, inShape, kShape := c.axes()
	builder := backend.Builder("convfast_test")
	f := builder.Main().(*gobackend.Function)
	x, err := f.Parameter("x", inShape, nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := f.Parameter("k", kShape, nil)
	if err != nil {
		t.Fatal(err)
	}
	y, err := f.ConvGeneral(x, k, ax, c.strides, c.paddings, c.inDil, c.kDil, 1, 1)
	if err != nil {
		t.Fatalf("%s: ConvGeneral: %+v", c, err)
	}
	node := y.(*gobackend.Node)
	xs := make([]float32, inShape.Size())
	ks := make([]float32, kShape.Size())
	for i := range xs {
		xs[i] = float32(rng.NormFloat64())
	}
	for i := range ks {
		ks[i] = float32(rng.NormFloat64())
	}
	xb, err := backend.BufferFromFlatData(0, xs, inShape)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := backend.BufferFromFlatData(0, ks, kShape)
	if err != nil {
		t.Fatal(err)
	}
	inputs := []*gobackend.Buffer{xb.(*gobackend.Buffer), kb.(*gobackend.Buffer)}
	want, err := execConvGeneralReference(backend, node, inputs, nil)
	if err != nil {
		t.Fatalf("%s: reference: %+v", c, err)
	}
	wantFlat := want.Flat.([]float32)
	// Scale of the tolerance: the largest sum of |terms| of an output.
	tol := 1e-5 * math.Sqrt(float64(c.inC*prod(c.kernel))) * 4
	for _, ks := range convKernelsAvailable {
		out, err := backend.GetBuffer(node.Shape)
		if err != nil {
			t.Fatal(err)
		}
		got := out.Flat.([]float32)
		g, ok := newConvGeom(node.Data.(*convNode), inShape, kShape, node.Shape)
		if ok != wantFast {
			t.Fatalf("%s: fast path applies = %v, want %v", c, ok, wantFast)
		}
		if !ok {
			backend.PutBuffer(out)
			continue
		}
		paths := []convPath{convPathPixels, convPathChannels}
		if g.directApplies() {
			paths = append(paths, convPathDirect, convPathDirectImages) // lsconf fork: and by whole images
		}
		if g.kgradApplies() {
			paths = append(paths, convPathKGrad)
		}
		for _, path := range paths {
			for i := range got {
				got[i] = float32(math.NaN()) // every value must be written
			}
			g.run(backend, path, xs, kb.(*gobackend.Buffer).Flat.([]float32), got, ks, convEpilogue{})
			for i := range got {
				if d := math.Abs(float64(got[i] - wantFlat[i])); !(d <= tol*(1+math.Abs(float64(wantFlat[i])))) {
					t.Fatalf("%s, kernels %s, path %d: output %d (shape %s) = %g, reference %g", c, ks.name, path, i, node.Shape, got[i], wantFlat[i])
				}
			}
			// lsconf fork: the same with a fused epilogue (bias and ReLU,
			// bias only, ReLU only), against the reference's output put
			// through the epilogue.
			for mode, ep := range testEpilogues(rng, c.outC) {
				for i := range got {
					got[i] = float32(math.NaN())
				}
				g.run(backend, path, xs, kb.(*gobackend.Buffer).Flat.([]float32), got, ks, ep)
				chStride := node.Shape.Strides()[ax.OutputChannels]
				for i := range got {
					w := ep.apply1(wantFlat[i], (i/chStride)%c.outC)
					if d := math.Abs(float64(got[i] - w)); !(d <= tol*(1+math.Abs(float64(w)))) {
						t.Fatalf("%s, kernels %s, path %d, epilogue %d: output %d = %g, reference %g", c, ks.name, path, mode, i, got[i], w)
					}
				}
			}
		}
		backend.PutBuffer(out)
	}
	// And through the registered executor.
	got, err := execConvGeneral(backend, node, inputs, nil)
	if err != nil {
		t.Fatalf("%s: %+v", c, err)
	}
	for i, v := range got.Flat.([]float32) {
		if d := math.Abs(float64(v - wantFlat[i])); !(d <= tol*(1+math.Abs(float64(wantFlat[i])))) {
			t.Fatalf("%s: execConvGeneral output %d = %g, reference %g", c, i, v, wantFlat[i])
		}
	}
	backend.PutBuffer(got)
	backend.PutBuffer(want)
}

func prod(xs []int) int {
	p := 1
	for _, x := range xs {
		p *= x
	}
	return p
}

// TestConvKernelSets skips, with a message, each kernel set this CPU (or
// build) cannot run, and checks each available set's micro-kernels against
// the pure-Go ones on random strides, every kc edge and both acc modes.
func TestConvKernelSets(t *testing.T) {
	t.Logf("kernel set in use: %s (%s)", ConvKernelSet(), ConvKernelSetReason())
	for _, want := range []struct {
		name string
		has  bool
		need string
	}{{"go", true, ""}, {"avx2", convCPUHasAVX2FMA, "AVX2 and FMA"}, {"avx512", convCPUHasAVX512, "AVX-512"}} {
		t.Run(want.name, func(t *testing.T) {
			if !want.has {
				t.Skipf("kernel set %s not tested: this CPU or build lacks %s (amd64 with GOEXPERIMENT=simd needed)", want.name, want.need)
			}
			i := slices.IndexFunc(convKernelsAvailable, func(k convKernels) bool { return k.name == want.name })
			if i < 0 {
				t.Fatalf("kernel set %s: the CPU has it, but it is not in convKernelsAvailable", want.name)
			}
			checkMicroKernels(t, convKernelsAvailable[i])
		})
	}
}

// checkMicroKernels compares the kernels of ks with the pure-Go ones.
func checkMicroKernels(t *testing.T, ks convKernels) {
	rng := rand.New(rand.NewPCG(7, 8))
	randSlice := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
		return s
	}
	check := func(what string, got, want []float32, kc int) {
		t.Helper()
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); !(d <= 1e-5*math.Sqrt(float64(kc+1))*(1+math.Abs(float64(want[i])))) {
				t.Fatalf("%s %s: c[%d] = %g, pure Go %g", ks.name, what, i, got[i], want[i])
			}
		}
	}
	for _, kc := range []int{0, 1, 2, 7, 64, 300} {
		for _, acc := range []bool{false, true} {
			for _, cols := range []int{32, 16} {
				lda, ldb, ldc := kc+rng.IntN(5), cols+rng.IntN(9), cols+rng.IntN(7)
				a := randSlice(max(1, (convKernRMRows-1)*lda+kc))
				b := randSlice(max(1, max(0, kc-1)*ldb+cols))
				c0 := randSlice((convKernRMRows-1)*ldc + cols)
				want, got := slices.Clone(c0), slices.Clone(c0)
				fn, ref := ks.kernRM32, convKernelsGo.kernRM32
				if cols == 16 {
					fn, ref = ks.kernRM16, convKernelsGo.kernRM16
				}
				ref(a, lda, b, ldb, want, ldc, kc, acc)
				fn(a, lda, b, ldb, got, ldc, kc, acc)
				check(fmt.Sprintf("RM%d kc %d acc %v", cols, kc, acc), got, want, kc)
			}
			lda, ldb := convKernKMRows+rng.IntN(9), convKernCols+rng.IntN(9)
			a := randSlice(max(0, kc-1)*lda + convKernKMRows)
			b := randSlice(max(0, kc-1)*ldb + convKernCols)
			c0 := randSlice(convKernKMRows * convKernCols)
			want, got := slices.Clone(c0), slices.Clone(c0)
			convKernelsGo.kernKM(a, lda, b, ldb, want, kc, acc)
			ks.kernKM(a, lda, b, ldb, got, kc, acc)
			check(fmt.Sprintf("KM kc %d acc %v", kc, acc), got, want, kc)
			// lsconf fork: the 8-column tile against the pure-Go 16-column
			// one on its first 8 columns; the others must stay as they were.
			if ks.kernRM8 != nil {
				lda, ldb, ldc := kc+rng.IntN(5), 16+rng.IntN(9), 16+rng.IntN(7)
				a := randSlice(max(1, (convKernRMRows-1)*lda+kc))
				b := randSlice(max(1, max(0, kc-1)*ldb+16))
				c0 := randSlice((convKernRMRows-1)*ldc + 16)
				want, got := slices.Clone(c0), slices.Clone(c0)
				convKernelsGo.kernRM16(a, lda, b, ldb, want, ldc, kc, acc)
				ks.kernRM8(a, lda, b, ldb, got, ldc, kc, acc)
				for r := 0; r < convKernRMRows; r++ {
					for j := 8; j < 16; j++ {
						want[r*ldc+j] = c0[r*ldc+j]
					}
				}
				check(fmt.Sprintf("RM8 kc %d acc %v", kc, acc), got, want, kc)
			}
		}
	}
}

// TestConvFastRandom compares the fast path with the reference over random
// convolutions.
func TestConvFastRandom(t *testing.T) {
	if !convFastEnabled {
		t.Skipf("%s=false", ConvFastEnv)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, par := range []int{1, 3} {
		backend := newConvTestBackend(t, par)
		for i := 0; i < 150; i++ {
			sp := 1 + rng.IntN(2)
			c := convCase{batch: 1 + rng.IntN(5), inC: 1 + rng.IntN(40), outC: 1 + rng.IntN(70)}
			for s := 0; s < sp; s++ {
				k := 1 + rng.IntN(4)
				stride := 1 + rng.IntN(3)
				pad := [2]int{rng.IntN(4) - 1, rng.IntN(4) - 1}
				in := max(1, k-pad[0]-pad[1]) + rng.IntN(9)
				c.in = append(c.in, in)
				c.kernel = append(c.kernel, k)
				c.strides = append(c.strides, stride)
				c.paddings = append(c.paddings, pad)
			}
			c.inPerm = rng.Perm(sp + 2)
			c.kPerm = rng.Perm(sp + 2)
			c.oPerm = rng.Perm(sp + 2)
			if i%3 == 0 { // the usual layouts, often
				c.inPerm, c.oPerm = channelsLast(sp), channelsLast(sp)
				c.kPerm = append(seq(2, sp+2), 0, 1)
			}
			runConvCase(t, backend, c, rng, true)
		}
		backend.Finalize()
	}
}

func seq(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

// channelsLast is (b, spatial..., c).
func channelsLast(sp int) []int { return append(append([]int{0}, seq(2, sp+2)...), 1) }

// TestConvFastTrainStep checks the three convolutions of a 3x3 "same"
// layer's train step, NHWC input and HWIO kernel, at sizes that exercise
// the blocking (several contraction panels, partial tiles and strips,
// split contraction).
func TestConvFastTrainStep(t *testing.T) {
	if !convFastEnabled {
		t.Skipf("%s=false", ConvFastEnv)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	backend := newConvTestBackend(t, 2)
	defer backend.Finalize()
	for _, sz := range []struct{ b, hw, ci, co int }{
		{2, 5, 3, 7}, {4, 8, 64, 64}, {3, 4, 100, 40}, {8, 16, 24, 48}, {2, 2, 96, 80}, {16, 32, 1, 8},
		{9, 32, 8, 1}, {3, 8, 21, 1}, // lsconf fork: one output channel (dotRows)
	} {
		pad := [][2]int{{1, 1}, {1, 1}}
		// Forward: x [B, H, W, Ci] * k [3, 3, Ci, Co] -> [B, H, W, Co].
		runConvCase(t, backend, convCase{batch: sz.b, inC: sz.ci, outC: sz.co, in: []int{sz.hw, sz.hw}, kernel: []int{3, 3},
			paddings: pad, inPerm: []int{0, 2, 3, 1}, kPerm: []int{2, 3, 0, 1}, oPerm: []int{0, 2, 3, 1}}, rng, true)
		// Gradient w.r.t. x: dy [B, H, W, Co] * reversed k [3, 3, Ci, Co] with
		// the kernel's channel axes swapped -> [B, H, W, Ci].
		runConvCase(t, backend, convCase{batch: sz.b, inC: sz.co, outC: sz.ci, in: []int{sz.hw, sz.hw}, kernel: []int{3, 3},
			paddings: pad, inPerm: []int{0, 2, 3, 1}, kPerm: []int{2, 3, 1, 0}, oPerm: []int{0, 2, 3, 1}}, rng, true)
		// Gradient w.r.t. the kernel: x [B, H, W, Ci] with batch and channel
		// roles swapped, dy [B, H, W, Co] as the kernel (in = B, out = Co,
		// spatial = H, W) -> [3, 3, Ci, Co] (batch = Ci, channels = Co).
		runConvCase(t, backend, convCase{batch: sz.ci, inC: sz.b, outC: sz.co, in: []int{sz.hw, sz.hw}, kernel: []int{sz.hw, sz.hw},
			paddings: pad, inPerm: []int{1, 2, 3, 0}, kPerm: []int{0, 2, 3, 1}, oPerm: []int{2, 3, 0, 1}}, rng, true)
	}
}

// TestConvFastDeclines checks that dilated convolutions stay on the
// reference path.
func TestConvFastDeclines(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	backend := newConvTestBackend(t, 2)
	defer backend.Finalize()
	c := convCase{batch: 2, inC: 3, outC: 4, in: []int{6, 6}, kernel: []int{3, 3}, paddings: [][2]int{{1, 1}, {1, 1}},
		inPerm: []int{0, 2, 3, 1}, kPerm: []int{2, 3, 0, 1}, oPerm: []int{0, 2, 3, 1}}
	c.kDil = []int{2, 2}
	runConvCase(t, backend, c, rng, false)
	c.kDil = nil
	c.inDil = []int{2, 1}
	runConvCase(t, backend, c, rng, false)
}

// BenchmarkConvFast measures the three convolutions of the paper's SAE
// train step (batch 64, 3x3 "same") at a few levels, in GFLOP/s.
func BenchmarkConvFast(b *testing.B) {
	for _, sz := range []struct{ b, hw, ci, co int }{
		{64, 32, 64, 64}, {64, 16, 128, 128}, {64, 8, 256, 256}, {64, 4, 512, 512}, {64, 2, 512, 512}, {64, 32, 16, 16},
		{64, 32, 8, 8}, {64, 16, 16, 16}, {64, 8, 32, 32}, {64, 4, 64, 64}, {64, 32, 8, 1}, {64, 32, 1, 8},
	} {
		pad := [][2]int{{1, 1}, {1, 1}}
		for _, c := range []struct {
			name string
			cc   convCase
		}{
			{"fwd", convCase{batch: sz.b, inC: sz.ci, outC: sz.co, in: []int{sz.hw, sz.hw}, kernel: []int{3, 3},
				paddings: pad, inPerm: []int{0, 2, 3, 1}, kPerm: []int{2, 3, 0, 1}, oPerm: []int{0, 2, 3, 1}}},
			{"dx", convCase{batch: sz.b, inC: sz.co, outC: sz.ci, in: []int{sz.hw, sz.hw}, kernel: []int{3, 3},
				paddings: pad, inPerm: []int{0, 2, 3, 1}, kPerm: []int{2, 3, 1, 0}, oPerm: []int{0, 2, 3, 1}}},
			{"dw", convCase{batch: sz.ci, inC: sz.b, outC: sz.co, in: []int{sz.hw, sz.hw}, kernel: []int{sz.hw, sz.hw},
				paddings: pad, inPerm: []int{1, 2, 3, 0}, kPerm: []int{0, 2, 3, 1}, oPerm: []int{2, 3, 0, 1}}},
		} {
			ax, inShape, kShape := c.cc.axes()
			backend := newConvTestBackend(&testing.T{}, 2)
			f := backend.Builder("bench").Main().(*gobackend.Function)
			x, _ := f.Parameter("x", inShape, nil)
			k, _ := f.Parameter("k", kShape, nil)
			y, err := f.ConvGeneral(x, k, ax, nil, c.cc.paddings, nil, nil, 1, 1)
			if err != nil {
				b.Fatal(err)
			}
			node := y.(*gobackend.Node)
			g, _ := newConvGeom(node.Data.(*convNode), inShape, kShape, node.Shape)
			xs := make([]float32, inShape.Size())
			ks := make([]float32, kShape.Size())
			out := make([]float32, node.Shape.Size())
			flops := 2.0 * float64(sz.b*sz.hw*sz.hw*9*sz.ci*sz.co)
			paths := map[string]convPath{"auto": g.choosePath(), "pixels": convPathPixels}
			if g.directApplies() {
				paths["direct"] = convPathDirect
			}
			if g.kgradApplies() {
				paths["kgrad"] = convPathKGrad
			}
			if g.inSB == 1 && g.inSC != 1 {
				paths["channels"] = convPathChannels
			}
			for pname, path := range paths {
				b.Run(fmt.Sprintf("%s/hw%d/ci%d/co%d/%s", c.name, sz.hw, sz.ci, sz.co, pname), func(b *testing.B) {
					cpu0 := convTestCPU()
					for i := 0; i < b.N; i++ {
						g.run(backend, path, xs, ks, out, convKernelsBest, convEpilogue{})
					}
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					b.ReportMetric(flops*float64(b.N)/(convTestCPU()-cpu0)/1e9, "GFLOP/cpu-s")
				})
			}
			backend.Finalize()
		}
	}
}

// convTestCPU is the process's CPU time in seconds: on a shared machine,
// GFLOP per CPU-second measures the code's efficiency more steadily.
func convTestCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
