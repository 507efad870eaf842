// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

import "github.com/gomlx/compute/internal/gobackend"

// lsconf fork: convFastDirect, the im2col-free variant of convFastPixels
// for stride-1 convolutions whose input has channels contiguous and pixels
// contiguous along x (NHWC).
//
// The input is copied once into a zero-padded buffer, images of
// Hp x Wp pixels (Hp = outH+kH-1, Wp = outW+kW-1). Rows of the matrix
// product are then the positions (oy, ox') of a padded output grid,
// ox' in [0, Wp): for a kernel row ky, the values that row (oy, ox') needs
// are Xp[b, oy+ky, ox'+kx, c] for (kx, c), which start at
// base(b, ky) + (oy*Wp + ox')*C: equally spaced rows (stride C) of kW*C
// contiguous values, which the row-major micro-kernel reads in place with
// lda = C. Columns ox' >= outW are computed and dropped: the cost is a
// factor Wp/outW (1.06 at 32 pixels, 1.5 at 4), against the im2col copies
// it saves, which dominate at small channel counts.

// convDirectTilesPerItem is the number of micro-kernel row tiles of one
// work item.
const convDirectTilesPerItem = 8

// useDirect reports whether convFastDirect applies and is worth it.
func (g *convGeom) useDirect() bool {
	if !g.directApplies() {
		return false
	}
	// Wasted rows (padded columns) against saved im2col copies: measured
	// here, direct wins below ~32 channels (3.5x at 16), im2col from 64.
	return g.inC <= 32 && g.outW >= 4
}

func convFastDirect(backend *gobackend.Backend, g *convGeom, in, k, out []float32, kern convKernels, ep convEpilogue) {
	const mr, ldc = convKernRMRows, convKernCols
	c := g.inC
	kTot := g.kH * g.kW * c
	strips := convStrips(g.outC, kTot)
	workers := forkWorkers(backend)
	bp := g.packKernelStrips(backend, workers, k, strips, kTot)
	defer putF32(bp)
	wcol := g.directDotKernel(bp, strips, kTot, kern)
	defer putF32(wcol)

	// Zero-padded input, plus slack for the last tile's extra rows.
	hp, wp := g.outH+g.kH-1, g.outW+g.kW-1
	imgSize := hp * wp * c
	slack := (mr + g.kW) * c
	xp := getF32(g.batch*imgSize + slack)
	defer putF32(xp)
	clear(xp[g.batch*imgSize:])
	forkParallel(backend, workers, g.batch, func(_, b int) {
		g.padDirect(xp[b*imgSize:(b+1)*imgSize], in, b, hp, wp)
	})

	rowsPerImage := g.outH * wp
	tilesPerImage := (rowsPerImage + mr - 1) / mr
	itemsPerImage := (tilesPerImage + convDirectTilesPerItem - 1) / convDirectTilesPerItem
	scr := make([][]float32, workers)
	defer func() {
		for _, s := range scr {
			putF32(s)
		}
	}()
	itemRows := convDirectTilesPerItem * mr
	forkParallel(backend, workers, g.batch*itemsPerImage, func(w, item int) {
		if scr[w] == nil {
			scr[w] = getF32(len(strips) * itemRows * ldc)
		}
		b, it := item/itemsPerImage, item%itemsPerImage
		t0 := it * convDirectTilesPerItem
		g.directTiles(xp[b*imgSize:], scr[w], strips, bp, wcol, b, t0, min(t0+convDirectTilesPerItem, tilesPerImage), out, kern, ep)
	})
}

// padDirect writes image b of the NHWC input in into img (hp x wp pixels)
// with its zero padding.
func (g *convGeom) padDirect(img, in []float32, b, hp, wp int) {
	c := g.inC
	for yp := 0; yp < hp; yp++ {
		row := img[yp*wp*c : (yp+1)*wp*c]
		iy := yp - g.padY
		if iy < 0 || iy >= g.inH {
			clear(row)
			continue
		}
		// Columns xp with ix = xp - padX inside the input.
		x0 := max(0, g.padX)
		x1 := min(wp, g.inW+g.padX)
		if x0 >= x1 {
			clear(row)
			continue
		}
		clear(row[:x0*c])
		src := b*g.inSB + iy*g.inSY + (x0-g.padX)*g.inSX
		copy(row[x0*c:x1*c], in[src:src+(x1-x0)*c])
		clear(row[x1*c:])
	}
}

// directTiles computes the row tiles [t0, t1) of image b, whose padded
// input starts img (followed by at least the slack convFastDirect leaves),
// into the per-worker buffer cb (len(strips) blocks of
// convDirectTilesPerItem tiles) and stores their valid rows through the
// epilogue. With wcol (directDotKernel: one output channel) the products
// are the kernel set's dot products of each row with wcol.
func (g *convGeom) directTiles(img, cb []float32, strips []convStrip, bp, wcol []float32, b, t0, t1 int, out []float32, kern convKernels, ep convEpilogue) {
	const mr, ldc = convKernRMRows, convKernCols
	c := g.inC
	wp := g.outW + g.kW - 1
	rowsPerImage := g.outH * wp
	itemRows := convDirectTilesPerItem * mr
	for s, st := range strips {
		if wcol != nil { // lsconf fork: one output channel, dot products
			for t := t0; t < t1; t++ {
				kern.dotRows(img[t*mr*c:], c, g.kH, wp*c, wcol, g.kW*c, cb[(t-t0)*mr*ldc:], ldc, mr)
			}
			break
		}
		kernFn := kern.kernRM32
		if st.w == 16 {
			kernFn = kern.kernRM16
			if kern.kernRM8 != nil && g.outC-st.n0 <= 8 { // lsconf fork
				kernFn = kern.kernRM8
			}
		}
		for t := t0; t < t1; t++ {
			r0 := t * mr // first padded-grid row of the tile
			ct := cb[(s*itemRows+(t-t0)*mr)*ldc:]
			for ky := 0; ky < g.kH; ky++ {
				a := img[(ky*wp+r0)*c:]
				kernFn(a, c, bp[st.off+ky*g.kW*c*st.w:], st.w, ct, ldc, g.kW*c, ky > 0)
			}
		}
	}
	// Store the valid rows: runs of consecutive output pixels of one
	// image row, through the epilogue.
	for t := t0; t < t1; t++ {
		r1 := min(t*mr+mr, rowsPerImage)
		for r := t * mr; r < r1; {
			oy, ox := r/wp, r%wp
			if ox >= g.outW {
				r += wp - ox
				continue
			}
			n := min(r1-r, g.outW-ox)
			base := b*g.outSB + oy*g.outSY + ox*g.outSX
			for s, st := range strips {
				nn := min(st.w, g.outC-st.n0)
				g.storeRows(out, base, st.n0, cb[(s*itemRows+r-t0*mr)*ldc:], ldc, n, nn, kern, ep)
			}
			r += n
		}
	}
}

// lsconf fork: convDirectImagesPerWorker is the batch per worker from
// which convFastDirect takes whole images as work items
// (convFastDirectImages).
const convDirectImagesPerWorker = 4

// convFastDirectImages is convFastDirect with whole images as work items:
// each worker pads the image it computes into its own buffer (zeroed once,
// then reused while it is in cache), so the convolution is one fan-out
// instead of two and needs no batch-sized padded copy. Wanted when the
// batch gives every worker several images; with fewer, convFastDirect
// splits images into tiles.
func convFastDirectImages(backend *gobackend.Backend, g *convGeom, in, k, out []float32, kern convKernels, ep convEpilogue) {
	convFastDirectImagesPool(backend, g, in, k, out, kern, ep, nil)
}

// convFastDirectImagesPool is convFastDirectImages, followed, when pool is
// not nil, by a max pool of each image (convpool_lsconf.go): the worker
// stores the image's convolution output in its own buffer (the geometry's
// output strides, batch stride 0) and pools it from there into out.
func convFastDirectImagesPool(backend *gobackend.Backend, g *convGeom, in, k, out []float32, kern convKernels, ep convEpilogue, pool *convPoolPlan) {
	const mr, ldc = convKernRMRows, convKernCols
	c := g.inC
	kTot := g.kH * g.kW * c
	strips := convStrips(g.outC, kTot)
	workers := forkWorkers(backend)
	bp := g.packKernelStrips(backend, workers, k, strips, kTot)
	defer putF32(bp)
	wcol := g.directDotKernel(bp, strips, kTot, kern)
	defer putF32(wcol)

	hp, wp := g.outH+g.kH-1, g.outW+g.kW-1
	imgSize := hp * wp * c
	slack := (mr + g.kW) * c
	tilesPerImage := (g.outH*wp + mr - 1) / mr
	itemRows := convDirectTilesPerItem * mr
	gs := g // the geometry the tiles are stored with
	if pool != nil {
		gi := *g
		gi.outSB = 0
		gs = &gi
	}
	type scratch struct{ img, cb, y []float32 }
	scr := make([]scratch, workers)
	defer func() {
		for _, s := range scr {
			putF32(s.img)
			putF32(s.cb)
			putF32(s.y)
		}
	}()
	forkParallel(backend, workers, g.batch, func(w, b int) {
		s := &scr[w]
		if s.img == nil {
			s.img = getF32(imgSize + slack)
			clear(s.img[imgSize:])
			s.cb = getF32(len(strips) * itemRows * ldc)
			if pool != nil {
				s.y = getF32(g.outSB)
			}
		}
		g.padDirect(s.img[:imgSize], in, b, hp, wp)
		dst := out
		if pool != nil {
			dst = s.y
		}
		for t0 := 0; t0 < tilesPerImage; t0 += convDirectTilesPerItem {
			gs.directTiles(s.img, s.cb, strips, bp, wcol, b, t0, min(t0+convDirectTilesPerItem, tilesPerImage), dst, kern, ep)
		}
		if pool != nil {
			pool.image(out[b*pool.outImage:(b+1)*pool.outImage], s.y, kern)
		}
	})
}

// directDotKernel returns, for a convolution with one output channel and a
// kernel set with dotRows, its kernel as kTot contiguous values (the
// packed strip's first column), else nil (lsconf fork).
func (g *convGeom) directDotKernel(bp []float32, strips []convStrip, kTot int, kern convKernels) []float32 {
	if g.outC != 1 || kern.dotRows == nil || len(strips) != 1 {
		return nil
	}
	w := getF32(kTot)
	st := strips[0]
	for k := range w {
		w[k] = bp[st.off+k*st.w]
	}
	return w
}
