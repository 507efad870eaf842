// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/compute/support/envutil"
	"k8s.io/klog/v2"
)

// lsconf fork: a fast path of ConvGeneral for float32 convolutions with one
// or two spatial axes, any axis layout, any strides and paddings, and no
// input/kernel dilation or grouping. That covers a forward convolution and
// the two convolutions GoMLX's autodiff emits for its gradients (w.r.t. the
// input: the output gradient convolved with the reversed kernel, its channel
// axes swapped; w.r.t. the kernel: the input convolved with the output
// gradient, batch and channel roles swapped), which the upstream executor
// computes one output value at a time (~0.2 GFLOP/s).
//
// The convolution is computed as a matrix product (implicit GEMM) with
// register-blocked micro-kernels (convfast_kernels.go), in one of three
// arrangements (choosePath):
//
//   - convFastPixels, for the usual layouts (input channels contiguous): rows
//     are the output positions (batch, y, x), columns the output channels,
//     the contraction runs over (ky, kx, input channel). Blocks of rows are
//     im2col-packed into a small buffer per worker, the kernel is packed once
//     per call, and the workers split the rows.
//   - convFastDirect (convfast_direct.go), the same without im2col, for
//     stride-1 NHWC inputs with few channels: a zero-padded copy of the
//     input is read in place.
//   - convFastChannels, for the kernel-gradient layout (the input's "batch"
//     axis contiguous, as in GoMLX's convVJPWrtKernel): rows are the output
//     channels, columns the output positions (y, x, batch) with batch
//     innermost, and the contraction runs over (input channel, ky, kx), which
//     there is the real batch and image: it is long and its operands are read
//     in memory order. The workers split the contraction (each with its own
//     accumulator) or the columns. Used when that output is small; larger
//     kernel gradients (short contractions) go to convFastPixels.
//
// The upstream executor stays the reference (execConvGeneralReference) and
// the fallback for everything else. GOMLX_CONV_FAST=false disables the fast
// path.

// ConvFastEnv is the environment variable that disables the fast float32
// ConvGeneral when set to false.
const ConvFastEnv = "GOMLX_CONV_FAST"

var convFastEnabled = func() bool {
	v, err := envutil.ReadBool(ConvFastEnv, true)
	if err != nil {
		klog.Errorf("invalid %s: %v; fast ConvGeneral stays enabled", ConvFastEnv, err)
		return true
	}
	return v
}()

// convGeom is a convolution in logical axes, with the memory strides (in
// elements) of each axis of the input (b, y, x, c), kernel (y, x, in, out) and
// output (b, y, x, c). One spatial axis is expressed as y of size 1.
type convGeom struct {
	batch, inH, inW, inC int
	outH, outW, outC     int
	kH, kW               int
	strideY, strideX     int
	padY, padX           int // low paddings

	inSB, inSY, inSX, inSC     int
	kSY, kSX, kSI, kSO         int
	outSB, outSY, outSX, outSC int
}

// newConvGeom returns the geometry of the convolution, and false when the
// fast path does not apply to it.
func newConvGeom(params *convNode, inShape, kShape, outShape shapes.Shape) (g convGeom, ok bool) {
	if inShape.DType != dtypes.Float32 || kShape.DType != dtypes.Float32 || outShape.DType != dtypes.Float32 {
		return g, false
	}
	if params.hasInputDilations || params.hasKernelDilations || params.channelGroupCount > 1 || params.batchGroupCount > 1 {
		return g, false
	}
	ax := params.axes
	spatial := len(ax.InputSpatial)
	if spatial < 1 || spatial > 2 || len(ax.KernelSpatial) != spatial || len(ax.OutputSpatial) != spatial {
		return g, false
	}
	if inShape.IsDynamic() || kShape.IsDynamic() || outShape.IsDynamic() {
		return g, false
	}
	in, k, out := inShape.Dimensions, kShape.Dimensions, outShape.Dimensions
	ins, ks, outs := inShape.Strides(), kShape.Strides(), outShape.Strides()
	g = convGeom{
		batch: in[ax.InputBatch], inC: in[ax.InputChannels],
		outC: out[ax.OutputChannels],
		inH:  1, inW: 1, outH: 1, outW: 1, kH: 1, kW: 1,
		strideY: 1, strideX: 1,
		inSB: ins[ax.InputBatch], inSC: ins[ax.InputChannels],
		kSI: ks[ax.KernelInputChannels], kSO: ks[ax.KernelOutputChannels],
		outSB: outs[ax.OutputBatch], outSC: outs[ax.OutputChannels],
	}
	if k[ax.KernelInputChannels] != g.inC || k[ax.KernelOutputChannels] != g.outC || out[ax.OutputBatch] != g.batch {
		return g, false
	}
	// The last spatial axis is x; with two, the first is y.
	sx := spatial - 1
	g.inW, g.outW, g.kW = in[ax.InputSpatial[sx]], out[ax.OutputSpatial[sx]], k[ax.KernelSpatial[sx]]
	g.inSX, g.outSX, g.kSX = ins[ax.InputSpatial[sx]], outs[ax.OutputSpatial[sx]], ks[ax.KernelSpatial[sx]]
	g.strideX, g.padX = params.strides[sx], params.paddings[sx][0]
	if spatial == 2 {
		g.inH, g.outH, g.kH = in[ax.InputSpatial[0]], out[ax.OutputSpatial[0]], k[ax.KernelSpatial[0]]
		g.inSY, g.outSY, g.kSY = ins[ax.InputSpatial[0]], outs[ax.OutputSpatial[0]], ks[ax.KernelSpatial[0]]
		g.strideY, g.padY = params.strides[0], params.paddings[0][0]
	}
	if g.strideX < 1 || g.strideY < 1 {
		return g, false
	}
	if g.batch*g.outH*g.outW*g.outC == 0 {
		return g, false
	}
	return g, true
}

// execConvFast computes the convolution into output if the fast path
// applies, and reports whether it did.
func execConvFast(backend *gobackend.Backend, params *convNode, input, kernel, output *gobackend.Buffer, kern convKernels, ep convEpilogue) bool {
	if !convFastEnabled {
		return false
	}
	g, ok := newConvGeom(params, input.RawShape, kernel.RawShape, output.RawShape)
	if !ok {
		return false
	}
	in := input.Flat.([]float32)
	k := kernel.Flat.([]float32)
	out := output.Flat.([]float32)
	if g.inH*g.inW*g.inC == 0 || g.kH*g.kW*g.inC == 0 {
		// Empty contraction: the output is 0 (then the epilogue).
		clear(out)
		ep.applyStrided(out, output.RawShape, params.axes.OutputChannels)
		return true
	}
	g.run(backend, g.choosePath(), in, k, out, kern, ep)
	return true
}

// convPath is one of the fast convolution's arrangements.
type convPath int

const (
	convPathPixels convPath = iota
	convPathDirect
	convPathChannels
	// lsconf fork: convFastKGrad (convfast_kgrad_lsconf.go).
	convPathKGrad
	// lsconf fork: convFastDirectImages (convfast_direct.go), which
	// convPathDirect runs when the batch gives every worker
	// convDirectImagesPerWorker images.
	convPathDirectImages
)

// choosePath picks the arrangement for the geometry.
func (g *convGeom) choosePath() convPath {
	switch {
	case g.useKGrad():
		return convPathKGrad
	case g.useChannels():
		return convPathChannels
	case g.useDirect():
		return convPathDirect
	}
	return convPathPixels
}

// directApplies reports whether convFastDirect can compute the geometry.
func (g *convGeom) directApplies() bool {
	return g.strideX == 1 && g.strideY == 1 && g.inSC == 1 && g.inSX == g.inC
}

// run computes the convolution with the given arrangement (which must
// apply: convPathDirect and convPathDirectImages need directApplies), and
// applies the epilogue ep to each output value as it is stored.
func (g *convGeom) run(backend *gobackend.Backend, path convPath, in, k, out []float32, kern convKernels, ep convEpilogue) {
	switch path {
	case convPathKGrad:
		convFastKGrad(backend, g, in, k, out, kern, ep)
	case convPathChannels:
		convFastChannels(backend, g, in, k, out, kern, ep)
	case convPathDirect:
		if g.batch >= convDirectImagesPerWorker*forkWorkers(backend) { // lsconf fork
			convFastDirectImages(backend, g, in, k, out, kern, ep)
			return
		}
		convFastDirect(backend, g, in, k, out, kern, ep)
	case convPathDirectImages: // lsconf fork
		convFastDirectImages(backend, g, in, k, out, kern, ep)
	default:
		convFastPixels(backend, g, in, k, out, kern, ep)
	}
}

// useChannels chooses the kernel-gradient arrangement: when the input's
// batch axis is contiguous and its channels are not, and the output
// (output channels x output positions, the accumulators) is small. For
// larger outputs the contraction is short and convFastPixels is faster
// (measured on the SAE's kernel gradients: 2x at 4x4 and 2x2 images).
func (g *convGeom) useChannels() bool {
	return g.inSB == 1 && g.inSC != 1 && g.outC*g.batch*g.outH*g.outW <= 1<<18
}

// Blocking of convFastPixels: rows per block (a multiple of the kernels'
// rows) and the longest contraction panel.
const (
	convPixBlockRows = 8 * convKernRMRows
	convPixKCMax     = 1024
)

// convStrip is a range of output channels [n0, n0+w) computed by one
// micro-kernel column width w (32 or 16); off is its packed kernel's
// offset.
type convStrip struct{ n0, w, off int }

// convStrips splits n output channels in strips of 32, the last one of 16
// when 16 or fewer remain.
func convStrips(n, k int) []convStrip {
	var out []convStrip
	off := 0
	for n0 := 0; n0 < n; {
		w := convKernCols
		if n-n0 <= 16 {
			w = 16
		}
		out = append(out, convStrip{n0: n0, w: w, off: off})
		off += k * w
		n0 += w
	}
	return out
}

// convFastPixels: rows = output positions (b, y, x), columns = output
// channels, contraction = (ky, kx, c).
func convFastPixels(backend *gobackend.Backend, g *convGeom, in, k, out []float32, kern convKernels, ep convEpilogue) {
	const ldc = convKernCols
	m := g.batch * g.outH * g.outW
	kTot := g.kH * g.kW * g.inC
	strips := convStrips(g.outC, kTot)
	workers := forkWorkers(backend)

	bp := g.packKernelStrips(backend, workers, k, strips, kTot)
	defer putF32(bp)

	// Contraction panels of equal length.
	panels := (kTot + convPixKCMax - 1) / convPixKCMax
	lda := (kTot + panels - 1) / panels
	blocks := (m + convPixBlockRows - 1) / convPixBlockRows
	type scratch struct{ a, c []float32 }
	scr := make([]*scratch, workers)
	defer func() {
		for _, sc := range scr {
			if sc != nil {
				putF32(sc.a)
				putF32(sc.c)
			}
		}
	}()
	forkParallel(backend, workers, blocks, func(w, blk int) {
		sc := scr[w]
		if sc == nil {
			sc = &scratch{
				a: getF32(convPixBlockRows * lda),
				c: getF32(len(strips) * convPixBlockRows * ldc),
			}
			scr[w] = sc
		}
		m0 := blk * convPixBlockRows
		rows := min(convPixBlockRows, m-m0)
		tiles := (rows + convKernRMRows - 1) / convKernRMRows
		for k0 := 0; k0 < kTot; k0 += lda {
			kc := min(lda, kTot-k0)
			g.packPixels(in, sc.a, lda, m0, rows, k0, kc)
			for s, st := range strips {
				bs := bp[st.off+k0*st.w:]
				kernFn := kern.kernRM32
				if st.w == 16 {
					kernFn = kern.kernRM16
				}
				for t := 0; t < tiles; t++ {
					kernFn(sc.a[t*convKernRMRows*lda:], lda, bs, st.w, sc.c[(s*convPixBlockRows+t*convKernRMRows)*ldc:], ldc, kc, k0 > 0)
				}
			}
		}
		g.storePixels(sc.c, out, strips, m0, rows, kern, ep)
	})
}

// packKernelStrips packs the kernel per strip: bp[off + kk*w + n] =
// K[ky, kx, c, n0+n] with kk = (ky*kW + kx)*inC + c, zero beyond outC.
// The result comes from getF32.
func (g *convGeom) packKernelStrips(backend *gobackend.Backend, workers int, k []float32, strips []convStrip, kTot int) []float32 {
	last := strips[len(strips)-1]
	bp := getF32(last.off + kTot*last.w)
	if len(bp) < convPackSerialMax { // lsconf fork: a fan-out costs more
		workers = 1
	}
	forkParallel(backend, workers, len(strips), func(_, s int) {
		st := strips[s]
		nn := min(st.w, g.outC-st.n0)
		kk := 0
		for ky := 0; ky < g.kH; ky++ {
			for kx := 0; kx < g.kW; kx++ {
				base := ky*g.kSY + kx*g.kSX + st.n0*g.kSO
				for c := 0; c < g.inC; c++ {
					row := bp[st.off+kk*st.w : st.off+(kk+1)*st.w]
					src := base + c*g.kSI
					if g.kSO == 1 {
						copy(row[:nn], k[src:src+nn])
					} else {
						for n := 0; n < nn; n++ {
							row[n] = k[src+n*g.kSO]
						}
					}
					clear(row[nn:])
					kk++
				}
			}
		}
	})
	return bp
}

// convPackSerialMax is the packed kernel size (values) below which
// packKernelStrips packs on the calling goroutine: a fan-out (waking a
// second worker, joining it) costs more than copying that much (lsconf
// fork: the 64-channel layers' kernels at small widths, 37k values).
const convPackSerialMax = 1 << 17

// copyShort copies src to dst (of the same length) inline, for the short
// runs of the packing loops (copy's memmove call costs more there).
func copyShort(dst, src []float32) {
	n := len(src)
	if n >= 64 {
		copy(dst, src)
		return
	}
	dst = dst[:n]
	i := 0
	for ; i+8 <= n; i += 8 {
		*(*[8]float32)(dst[i : i+8]) = *(*[8]float32)(src[i : i+8])
	}
	for ; i < n; i++ {
		dst[i] = src[i]
	}
}

// packPixels writes the im2col rows m0..m0+rows (output positions) of the
// contraction range [k0, k0+kc) into a (row stride lda), zeros where the
// kernel falls outside the input, and zeros the rows up to the end of the
// last micro-kernel tile.
func (g *convGeom) packPixels(in, a []float32, lda, m0, rows, k0, kc int) {
	hw := g.outH * g.outW
	b, rem := m0/hw, m0%hw
	oy, ox := rem/g.outW, rem%g.outW
	for r := 0; r < rows; r++ {
		dst := a[r*lda : r*lda+kc]
		// Walk the taps covering [k0, k0+kc).
		tap, c0 := k0/g.inC, k0%g.inC
		for d := 0; d < kc; {
			ky, kx := tap/g.kW, tap%g.kW
			n := min(g.inC-c0, kc-d)
			iy := oy*g.strideY + ky - g.padY
			ix := ox*g.strideX + kx - g.padX
			if iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW {
				clear(dst[d : d+n])
			} else {
				src := b*g.inSB + iy*g.inSY + ix*g.inSX + c0*g.inSC
				if g.inSC == 1 {
					copyShort(dst[d:d+n], in[src:src+n])
				} else {
					for i := 0; i < n; i++ {
						dst[d+i] = in[src+i*g.inSC]
					}
				}
			}
			d += n
			tap++
			c0 = 0
		}
		ox++
		if ox == g.outW {
			ox = 0
			oy++
			if oy == g.outH {
				oy = 0
				b++
			}
		}
	}
	tileRows := (rows + convKernRMRows - 1) / convKernRMRows * convKernRMRows
	for r := rows; r < tileRows; r++ {
		clear(a[r*lda : r*lda+kc])
	}
}

// storePixels copies the block's results (strip s, row r at
// c[(s*convPixBlockRows+r)*convKernCols]) to the output rows m0..m0+rows,
// through the epilogue ep.
func (g *convGeom) storePixels(c, out []float32, strips []convStrip, m0, rows int, kern convKernels, ep convEpilogue) {
	const ldc = convKernCols
	hw := g.outH * g.outW
	b, rem := m0/hw, m0%hw
	oy, ox := rem/g.outW, rem%g.outW
	for r := 0; r < rows; r++ {
		base := b*g.outSB + oy*g.outSY + ox*g.outSX
		for s, st := range strips {
			nn := min(st.w, g.outC-st.n0)
			src := c[(s*convPixBlockRows+r)*ldc:]
			g.storeRow(out, base, st.n0, src[:nn], kern, ep)
		}
		ox++
		if ox == g.outW {
			ox = 0
			oy++
			if oy == g.outH {
				oy = 0
				b++
			}
		}
	}
}

// Blocking of convFastChannels: contraction chunk length.
const convChanKC = 256

// convFastChannels: rows = output channels, columns = output positions
// (y, x, b) with b innermost, contraction = (c, ky, kx).
func convFastChannels(backend *gobackend.Backend, g *convGeom, in, k, out []float32, kern convKernels, ep convEpilogue) {
	const mr, nr = convKernKMRows, convKernCols
	mCols := g.outH * g.outW * g.batch
	strips := (mCols + nr - 1) / nr
	coTiles := (g.outC + mr - 1) / mr
	kTot := g.inC * g.kH * g.kW
	workers := forkWorkers(backend)

	// The kernel is read in place when its rows (c, ky, kx) are equally
	// spaced and its output channels contiguous; else chunks are packed.
	direct := g.kSO == 1 && g.outC%mr == 0 && g.kSY == g.kW*g.kSX && g.kSI == g.kH*g.kSY

	// Split the contraction in parts with their own accumulators when the
	// output is small; else split the columns.
	accSize := coTiles * strips * mr * nr
	kParts := 1
	if accSize <= 1<<18 {
		kParts = min(workers, (kTot+convChanKC-1)/convChanKC)
	}
	stripGroups := 1
	if kParts < workers {
		stripGroups = min(strips, 4*workers)
	}
	accs := make([][]float32, kParts)
	for i := range accs {
		accs[i] = getF32(accSize)
		clear(accs[i])
	}
	type scratch struct{ a, b []float32 }
	scr := make([]*scratch, workers)
	defer func() {
		for _, a := range accs {
			putF32(a)
		}
		for _, sc := range scr {
			if sc != nil {
				putF32(sc.a)
				putF32(sc.b)
			}
		}
	}()
	kPer := (kTot + kParts - 1) / kParts
	forkParallel(backend, workers, kParts*stripGroups, func(w, item int) {
		sc := scr[w]
		if sc == nil {
			sc = &scratch{b: getF32(convChanKC * nr)}
			if !direct {
				sc.a = getF32(convChanKC * coTiles * mr)
			}
			scr[w] = sc
		}
		part, grp := item/stripGroups, item%stripGroups
		acc := accs[part]
		s0 := grp * strips / stripGroups
		s1 := (grp + 1) * strips / stripGroups
		kEnd := min(kTot, (part+1)*kPer)
		for k0 := part * kPer; k0 < kEnd; k0 += convChanKC {
			kc := min(convChanKC, kEnd-k0)
			var a []float32
			var lda int
			if direct {
				a, lda = k[k0*g.kSX:], g.kSX
			} else {
				lda = coTiles * mr
				g.packChannelsKernel(k, sc.a, lda, k0, kc)
				a = sc.a
			}
			for s := s0; s < s1; s++ {
				g.packChannelsInput(in, sc.b, s, k0, kc)
				for t := 0; t < coTiles; t++ {
					kern.kernKM(a[t*mr:], lda, sc.b, nr, acc[(t*strips+s)*mr*nr:], kc, true)
				}
			}
		}
	})
	// Sum the parts and scatter to the output.
	acc := accs[0]
	for _, p := range accs[1:] {
		for i, v := range p {
			acc[i] += v
		}
	}
	for co := 0; co < g.outC; co++ {
		t, tr := co/mr, co%mr
		for s := 0; s < strips; s++ {
			src := acc[((t*strips+s)*mr+tr)*nr:]
			for n := 0; n < nr; n++ {
				mc := s*nr + n
				if mc >= mCols {
					break
				}
				b := mc % g.batch
				yx := mc / g.batch
				oy, ox := yx/g.outW, yx%g.outW
				out[b*g.outSB+oy*g.outSY+ox*g.outSX+co*g.outSC] = ep.apply1(src[n], co)
			}
		}
	}
}

// packChannelsKernel packs kernel rows k0..k0+kc of the contraction
// (c, ky, kx) into a[kk*lda + co], zeros beyond outC.
func (g *convGeom) packChannelsKernel(k, a []float32, lda, k0, kc int) {
	for kk := 0; kk < kc; kk++ {
		q := k0 + kk
		c, yx := q/(g.kH*g.kW), q%(g.kH*g.kW)
		ky, kx := yx/g.kW, yx%g.kW
		src := c*g.kSI + ky*g.kSY + kx*g.kSX
		row := a[kk*lda : kk*lda+lda]
		for co := 0; co < g.outC; co++ {
			row[co] = k[src+co*g.kSO]
		}
		clear(row[g.outC:])
	}
}

// packChannelsInput packs the input values of column strip s (output
// positions (oy, ox, b), b innermost) for contraction rows k0..k0+kc into
// b[kk*cols + n], zeros where the kernel falls outside the input or past
// the last column.
func (g *convGeom) packChannelsInput(in, bp []float32, s, k0, kc int) {
	const nr = convKernCols
	mCols := g.outH * g.outW * g.batch
	m0 := s * nr
	// Runs of consecutive b within the strip.
	type run struct{ oy, ox, b0, n, d int }
	var runsBuf [nr]run
	runs := runsBuf[:0]
	for d := 0; d < nr && m0+d < mCols; {
		mc := m0 + d
		b0 := mc % g.batch
		yx := mc / g.batch
		n := min(g.batch-b0, nr-d, mCols-mc)
		runs = append(runs, run{oy: yx / g.outW, ox: yx % g.outW, b0: b0, n: n, d: d})
		d += n
	}
	khw := g.kH * g.kW
	c, yx := k0/khw, k0%khw
	ky, kx := yx/g.kW, yx%g.kW
	full := len(runs) == 1 && runs[0].n == nr && g.inSB == 1
	for kk := 0; kk < kc; kk++ {
		row := bp[kk*nr : kk*nr+nr]
		if full {
			r := runs[0]
			iy := r.oy*g.strideY + ky - g.padY
			ix := r.ox*g.strideX + kx - g.padX
			if iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW {
				*(*[nr]float32)(row) = [nr]float32{}
			} else {
				src := r.b0 + iy*g.inSY + ix*g.inSX + c*g.inSC
				*(*[nr]float32)(row) = *(*[nr]float32)(in[src : src+nr])
			}
		} else {
			clear(row)
			for _, r := range runs {
				iy := r.oy*g.strideY + ky - g.padY
				ix := r.ox*g.strideX + kx - g.padX
				if iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW {
					continue
				}
				src := r.b0*g.inSB + iy*g.inSY + ix*g.inSX + c*g.inSC
				if g.inSB == 1 {
					copyShort(row[r.d:r.d+r.n], in[src:src+r.n])
				} else {
					for i := 0; i < r.n; i++ {
						row[r.d+i] = in[src+i*g.inSB]
					}
				}
			}
		}
		kx++
		if kx == g.kW {
			kx = 0
			ky++
			if ky == g.kH {
				ky = 0
				c++
			}
		}
	}
}
