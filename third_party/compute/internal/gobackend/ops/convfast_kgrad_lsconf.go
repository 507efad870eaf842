// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

import "github.com/gomlx/compute/internal/gobackend"

// lsconf fork: convFastKGrad, the kernel gradient of a stride-1 NHWC
// convolution with few input channels, without packing.
//
// GoMLX's kernel-gradient ConvGeneral (convVJPWrtKernel) has the layer's
// input x [B, H, W, C] as its input with the roles of batch and channels
// swapped (batch = C, contiguous; channels = B), the output gradient
// dy [B, H', W', Co] as its kernel (input channels = B, spatial = H', W')
// and the kernel gradient [kH, kW, C, Co] as its output, of spatial size
// kH x kW (the taps). So
//
//	dW[ty, tx, ci, co] = sum over (b, y, x) of xp[b, y+ty, x+tx, ci] dy[b, y, x, co]
//
// with xp the zero-padded x. As in convFastDirect, let x run over the
// padded width Wp = W' + kW - 1 (dy is zero there): for a tap row ty the
// values (tx, ci) that contraction step p = (y, x) needs are xp[b, y+ty,
// x+tx, ci], which start at ((y+ty)*Wp + x)*C: equally spaced rows
// (stride C) of kW*C contiguous values. The k-major micro-kernel reads
// them in place as its B operand (ldb = C, 32 columns (tx, ci) per strip;
// columns past kW*C are computed and dropped) against dy rows (A, output
// channels, padded to a multiple of 8) over the whole image, p < H'*Wp.
// Per image, only x (into a padded buffer) and dy (into a width-padded
// one) are copied; convFastChannels instead packs kH*kW*C values per
// contraction step, which at few channels costs more than the products.
// The workers split the images, each with its own accumulators.

// useKGrad reports whether convFastKGrad applies and is worth it: images
// of at least 4 pixels across (the padded columns cost Wp/W') and a
// contraction per image (H'*Wp) of at least 64 steps (each micro-kernel
// call loads and stores its accumulators once). Measured
// (BenchmarkConvFast dw, GFLOP per CPU-second against convFastChannels):
// better or equal from 8x8 images at every channel count of the SAE, 3.5x
// worse at 4x4 with 512 channels.
func (g *convGeom) useKGrad() bool {
	return g.kgradApplies() && g.kW >= 4 && g.kH*(g.kW+g.outW-1) >= 64
}

// kgradApplies reports whether convFastKGrad can compute the geometry:
// stride 1, non-negative low paddings, the input NHWC with the convolution's
// batch axis as the channels (x [B, H, W, C]) and the kernel NHWC with its
// output channels last (dy [B, H', W', Co]).
func (g *convGeom) kgradApplies() bool {
	c := g.batch
	return g.strideX == 1 && g.strideY == 1 && g.padX >= 0 && g.padY >= 0 &&
		g.inSB == 1 && g.inSX == c && (g.inH == 1 || g.inSY == g.inW*c) && g.inSC == g.inH*g.inW*c &&
		g.kSO == 1 && g.kSX == g.outC && (g.kH == 1 || g.kSY == g.kW*g.outC) && g.kSI == g.kH*g.kW*g.outC
}

func convFastKGrad(backend *gobackend.Backend, g *convGeom, in, k, out []float32, kern convKernels, ep convEpilogue) {
	const mr, nr = convKernKMRows, convKernCols
	c := g.batch // the layer's input channels
	hp, wp := g.kH+g.outH-1, g.kW+g.outW-1
	cols := g.outW * c // (tx, ci)
	strips := (cols + nr - 1) / nr
	co8 := (g.outC + mr - 1) / mr * mr
	coTiles := co8 / mr
	kc := g.kH * wp
	imgSize := hp * wp * c
	accSize := g.outH * coTiles * strips * mr * nr
	workers := min(forkWorkers(backend), g.inC)
	type scratch struct{ xp, dy, acc []float32 }
	scr := make([]*scratch, workers)
	defer func() {
		for _, sc := range scr {
			if sc != nil {
				putF32(sc.xp)
				putF32(sc.dy)
				putF32(sc.acc)
			}
		}
	}()
	// lsconf fork: the images are split into one fixed, contiguous chunk a
	// worker, each with its own accumulators, summed in chunk order: which
	// goroutine runs a chunk does not change the result (the gradient is
	// the same bit for bit from run to run, as training's determinism
	// needs).
	forkParallel(backend, workers, workers, func(_, chunk int) {
		// Slack after the image: the last strip's dropped columns.
		sc := &scratch{xp: getF32(imgSize + strips*nr), dy: getF32(kc * co8), acc: getF32(accSize)}
		clear(sc.xp[imgSize:])
		clear(sc.acc)
		scr[chunk] = sc
		for b := chunk * g.inC / workers; b < (chunk+1)*g.inC/workers; b++ {
			kgradImage(g, in, k, sc.xp, sc.dy, sc.acc, b, kern)
		}
	})
	// Sum the chunks' accumulators in chunk order.
	var acc []float32
	for _, sc := range scr {
		switch {
		case sc == nil:
		case acc == nil:
			acc = sc.acc[:accSize]
		default:
			for i, v := range sc.acc[:accSize] {
				acc[i] += v
			}
		}
	}
	for ty := 0; ty < g.outH; ty++ {
		for co := 0; co < g.outC; co++ {
			t, tr := co/mr, co%mr
			for s := 0; s < strips; s++ {
				src := acc[(((ty*coTiles+t)*strips+s)*mr+tr)*nr:]
				for n := 0; n < nr; n++ {
					j := s*nr + n
					if j >= cols {
						break
					}
					tx, ci := j/c, j%c
					out[ci*g.outSB+ty*g.outSY+tx*g.outSX+co*g.outSC] = ep.apply1(src[n], co)
				}
			}
		}
	}
}

// kgradImage adds image b's products to acc (see convFastKGrad): x into
// the padded buffer xp, dy into the width-padded dy buffer, then the
// k-major micro-kernel over the whole image per tap row and strip.
func kgradImage(g *convGeom, in, k, xp, dy, acc []float32, b int, kern convKernels) {
	const mr, nr = convKernKMRows, convKernCols
	c := g.batch
	hp, wp := g.kH+g.outH-1, g.kW+g.outW-1
	strips := (g.outW*c + nr - 1) / nr
	co8 := (g.outC + mr - 1) / mr * mr
	coTiles := co8 / mr
	kc := g.kH * wp
	for yp := 0; yp < hp; yp++ {
		row := xp[yp*wp*c : (yp+1)*wp*c]
		iy := yp - g.padY
		x0, x1 := min(wp, g.padX), min(wp, g.inW+g.padX)
		if iy < 0 || iy >= g.inH || x1 <= x0 {
			clear(row)
			continue
		}
		clear(row[:x0*c])
		src := b*g.inSC + iy*g.inSY // ix = x0 - padX = 0
		copy(row[x0*c:x1*c], in[src:src+(x1-x0)*c])
		clear(row[x1*c:])
	}
	for y := 0; y < g.kH; y++ {
		for x := 0; x < wp; x++ {
			row := dy[(y*wp+x)*co8 : (y*wp+x+1)*co8]
			if x >= g.kW {
				clear(row)
				continue
			}
			src := b*g.kSI + y*g.kSY + x*g.kSX
			copyShort(row[:g.outC], k[src:src+g.outC])
			clear(row[g.outC:])
		}
	}
	for ty := 0; ty < g.outH; ty++ {
		for s := 0; s < strips; s++ {
			bp := xp[ty*wp*c+s*nr:]
			for t := 0; t < coTiles; t++ {
				kern.kernKM(dy[t*mr:], co8, bp, c, acc[((ty*coTiles+t)*strips+s)*mr*nr:], kc, true)
			}
		}
	}
}
