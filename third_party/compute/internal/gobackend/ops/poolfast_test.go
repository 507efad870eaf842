// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

// lsconf fork: the fast max pool and its gradient against upstream's
// executors, bit for bit, over random shapes, windows and strides, with
// ties and NaNs.

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

func TestPoolFast(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, par := range []int{1, 3} {
		backend := newConvTestBackend(t, par)
		for trial := 0; trial < 60; trial++ {
			rank := 2 + rng.IntN(3)
			dims := make([]int, rank)
			window := make([]int, rank)
			strides := make([]int, rank)
			for a := 0; a < rank-1; a++ {
				window[a] = 1 + rng.IntN(3)
				strides[a] = 1 + rng.IntN(3)
				dims[a] = window[a] + rng.IntN(7)
			}
			window[rank-1], strides[rank-1] = 1, 1
			dims[rank-1] = 1 + rng.IntN(20)
			if trial%3 == 0 { // the SAE's 2x2 stride 2 pool
				dims = []int{2 + rng.IntN(3), 2 * (1 + rng.IntN(5)), 2 * (1 + rng.IntN(5)), 1 + rng.IntN(70)}
				window, strides = []int{1, 2, 2, 1}, []int{1, 2, 2, 1}
				rank = 4
			}
			shape := shapes.Make(dtypes.Float32, dims...)
			x := make([]float32, shape.Size())
			for i := range x {
				switch rng.IntN(20) {
				case 0:
					x[i] = float32(math.NaN())
				case 1, 2, 3:
					x[i] = 1 // ties
				default:
					x[i] = float32(rng.NormFloat64())
				}
			}
			f := backend.Builder("poolfast").Main().(*gobackend.Function)
			xp, _ := f.Parameter("x", shape, nil)
			pooled, err := f.ReduceWindow(xp, compute.ReduceOpMax, window, strides, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			pNode := pooled.(*gobackend.Node)
			sp, _ := f.Parameter("s", pNode.Shape, nil)
			scattered, err := f.SelectAndScatterMax(xp, sp, window, strides, nil)
			if err != nil {
				t.Fatal(err)
			}
			sNode := scattered.(*gobackend.Node)
			src := make([]float32, pNode.Shape.Size())
			for i := range src {
				src[i] = float32(rng.NormFloat64())
			}
			xb := makeTestBuffer(t, backend, shape, x)
			sb := makeTestBuffer(t, backend, pNode.Shape, src)

			for _, c := range []struct {
				name      string
				fast, ref func() (*gobackend.Buffer, error)
			}{
				{"ReduceWindow",
					func() (*gobackend.Buffer, error) {
						return execReduceWindow(backend, pNode, []*gobackend.Buffer{xb}, []bool{false})
					},
					func() (*gobackend.Buffer, error) {
						return execReduceWindowReference(backend, pNode, []*gobackend.Buffer{xb}, []bool{false})
					}},
				{"SelectAndScatterMax",
					func() (*gobackend.Buffer, error) {
						return execSelectAndScatter(backend, sNode, []*gobackend.Buffer{xb, sb}, []bool{false, false})
					},
					func() (*gobackend.Buffer, error) {
						return execSelectAndScatterReference(backend, sNode, []*gobackend.Buffer{xb, sb}, []bool{false, false})
					}},
			} {
				got, err := c.fast()
				if err != nil {
					t.Fatal(err)
				}
				want, err := c.ref()
				if err != nil {
					t.Fatal(err)
				}
				g, w := got.Flat.([]float32), want.Flat.([]float32)
				// Overlapping windows add several values into an output, in
				// an order that differs from upstream's parallel chunks.
				tol := 0.0
				for a := range window {
					if strides[a] < window[a] && c.name == "SelectAndScatterMax" {
						tol = 1e-6
					}
				}
				for i := range w {
					if math.Float32bits(g[i]) != math.Float32bits(w[i]) && !(g[i] != g[i] && w[i] != w[i]) &&
						!(math.Abs(float64(g[i]-w[i])) <= tol*(1+math.Abs(float64(w[i])))) {
						t.Fatalf("trial %d %s dims %v window %v strides %v: value %d = %v, upstream %v", trial, c.name, dims, window, strides, i, g[i], w[i])
					}
				}
				backend.PutBuffer(got)
				backend.PutBuffer(want)
			}
			// The fast path must have been taken.
			pw, ok := newPoolWindow(shape, pNode.Shape, window, strides, nil)
			if !ok || pw.rows()*pw.chans != pNode.Shape.Size() {
				t.Fatalf("trial %d: fast path does not apply to dims %v window %v strides %v", trial, dims, window, strides)
			}
		}
		backend.Finalize()
	}
}

// TestPoolMaxKernels checks each kernel set's max-pool row function
// against the Go one, bit for bit: NaNs, infinities, signed zeros and
// ties, every channel count to 40, windows of 1 to 4 positions.
func TestPoolMaxKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)), 1, -1}
	for _, ks := range convKernelsAvailable {
		for c := 1; c <= 40; c++ {
			for npos := 1; npos <= 4; npos++ {
				in := make([]float32, 3+npos*(c+2))
				for i := range in {
					in[i] = float32(rng.NormFloat64())
					if rng.IntN(3) == 0 {
						in[i] = special[rng.IntN(len(special))]
					}
				}
				offsets := make([]int, npos)
				for j := range offsets {
					offsets[j] = j * (c + 2)
				}
				want, got := make([]float32, c), make([]float32, c)
				poolMaxGo(want, in, 3, offsets)
				ks.poolMax(got, in, 3, offsets)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("kernels %s, %d channels, %d positions: channel %d = %g (%#x), Go %g (%#x)",
							ks.name, c, npos, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
					}
				}
			}
		}
	}
}

// TestPoolScatterKernels checks each kernel set's max-pool gradient row
// function against the selection rule of selectAndScatterMaxFast (the
// first maximum of the window, or its last NaN), bit for bit, with NaNs,
// infinities, signed zeros and ties, 1-40 channels, 1-4 window positions.
func TestPoolScatterKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)), 1, -1}
	tested := 0
	for _, ks := range convKernelsAvailable {
		if ks.poolScatter == nil {
			continue
		}
		for c := 1; c <= 40; c++ {
			for npos := 1; npos <= 4; npos++ {
				in := make([]float32, 3+npos*(c+2))
				for i := range in {
					in[i] = float32(rng.NormFloat64())
					if rng.IntN(3) == 0 {
						in[i] = special[rng.IntN(len(special))]
					}
				}
				offsets := make([]int, npos)
				for j := range offsets {
					offsets[j] = j * (c + 2)
				}
				src := make([]float32, c)
				for i := range src {
					src[i] = float32(rng.NormFloat64())
				}
				want := make([]float32, len(in))
				got := make([]float32, len(in))
				for i := range want {
					want[i] = float32(i)
					got[i] = float32(i)
				}
				n := ks.poolScatter(got, in, src, 3, offsets)
				if n != c/8*8 {
					t.Fatalf("kernels %s, %d channels: took %d", ks.name, c, n)
				}
				for i := 0; i < n; i++ {
					best, sel := in[3+i], 3
					for _, off := range offsets[1:] {
						if v := in[3+off+i]; v > best || v != v {
							best, sel = v, 3+off
						}
					}
					want[sel+i] += src[i]
				}
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("kernels %s, %d channels, %d positions: out[%d] = %g, want %g", ks.name, c, npos, i, got[i], want[i])
					}
				}
				tested++
			}
		}
	}
	if tested == 0 {
		t.Skip("no kernel set with a SIMD max-pool gradient on this CPU or build")
	}
}
