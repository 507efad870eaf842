// Package data provides the images lsconf trains and searches on: the
// built-in procedural clothing-texture sets (a training set and a shifted
// "generalization" set), a loader for ImageFolder trees of the user's own
// images, the paper's augmentations, the "pre" and "post" 80/20 splits, and
// streaming batches.
//
// # Flow
//
//	base, _ := data.Textures(ctx, data.TextureConfig{Seed: 1})            // 650 colour base images
//	gen, _ := data.Textures(ctx, data.TextureConfig{Set: data.GenSet, Seed: 1}) // 80, a Set as is
//	// or: base, report, err := data.LoadImageFolder(ctx, dir, data.LoadOptions{})
//	train, test, _ := data.Split(base, data.SplitConfig{Mode: data.SplitPost, AugPerImage: 100, Seed: 1})
//	for epoch := 0; epoch < n; epoch++ {
//		b, _ := data.NewBatcher(train, data.BatchConfig{BatchSize: 64, Shuffle: true, Seed: 1, DropLast: true}, epoch)
//		for {
//			batch, err := b.Next() // io.EOF at the end of the epoch
//			...
//			b.Release(batch)
//		}
//		b.Close()
//	}
//
// # Images
//
// A Base holds colour base images of BaseSize x BaseSize (64) RGB bytes:
// colour is kept because the colour jitter comes before grayscale (paper
// 5.1). What a model sees is a Set: Size x Size (32) grayscale float32 in
// [0, 1], luma 0.299 R + 0.587 G + 0.114 B (BT.601, as PIL and
// torchvision). A Base is itself a Set of its unaugmented images (area
// average 64 -> 32, then luma).
//
// # Built-in textures
//
// Textures renders the five classes in sorted order (dots, hlines,
// squares, uniform, vlines; sorted so that a written-then-loaded copy has
// the same labels). Each image is a garment crop: a pattern (stripes of
// random period, duty, phase, pin-, double-, three-colour and soft knit
// stripes; checkerboards, gingham, tartan-like plaids and windowpane
// grids; polka dots on square or hex lattices with slight irregularity;
// for uniform a plain heathered fabric), slightly rotated (up to 8 deg) and
// draped (waves), with 0-3 fabric folds (light and dark flanks, crease,
// pattern displaced across the fold), lighting gradients and a round-torso
// shading, prints (logo-like shapes and lettering, most often on uniform,
// which also gets more and stronger folds), specks, a white-balance tint.
// Colours are garment-like (many neutrals, navy, denim, earth tones) with
// a luma contrast between print and ground of 0.12-0.6 (dots 0.18-0.6).
// Rendering is at 128x128, area-averaged to 64x64, then a Gaussian blur of
// 0-1 pixel, sensor noise (luma and chroma), 8 bits. Pattern sizes are
// chosen in 32x32 output pixels: stripe periods 3.2-12, check cells 2-7,
// dot spacing 3.5-10.
//
// The generalization set (GenSet) draws the same five patterns but renders
// them like crops of small, poor person-camera images (Market1501): native
// resolution 16-28 pixels, coarser patterns, dim colour-cast lighting,
// washed-out contrast, 65% of crops include the edge of the person
// (background, skin, hair or another garment beyond a slanted border), lens
// blur, stronger chroma noise, real JPEG compression (quality 20-50, 4:2:0,
// blocks at a random offset), a bilinear upscale and more blur.
//
// Every image depends only on (seed, set, class, index), through lsconf's
// own SplitMix64 generator (not math/rand, whose streams may change across
// Go releases), so the same seed gives byte-identical data, and workers do
// not change the result.
//
// # Loading
//
// LoadImageFolder reads root/<class>/... (see its documentation for the
// rules). Bad input is an error when it makes the whole folder unusable
// (missing root, no class folders, a single class, an empty class) and a
// counted skip, listed in the LoadReport with its reason and logged, when
// it concerns one file (unreadable, not an image, corrupt, too large for
// the decompression-bomb guard, symbolic link loop, too deep). Strict
// turns skips into errors. Resizing is area averaging, as the index
// package's, so a file gives the same 32x32 pixels in both (up to the
// 8-bit base image).
//
// # Augmentations
//
// Augmenter applies the paper's augmentations (5.1): a geometric transform
// (rotation uniform in +-RotationDeg, affine scale / shear / translate,
// perspective with torchvision's inward corner displacement), colour
// jitter (brightness, contrast, saturation, hue, as torchvision's
// ColorJitter, in a random order) before grayscale, and a random erase of
// exactly EraseFrac of the area (nearest whole pixels; aspect log-uniform
// in [0.3, 3.3]; probability EraseP; filled with one random gray). The
// base image is first area-averaged to Size x Size colour; jitter and
// grayscale act on it pixel by pixel, then the geometry samples it
// bilinearly (mirrored borders by default), then the erase. Doing the
// per-pixel jitter before the geometry instead of after (torchvision's
// order) changes nothing but interpolation and costs a third. Every
// augmented image is followed by its horizontal (left-right) and vertical
// (up-down) mirror: exact flips of the augmented image, erase included.
// As in torchvision, the saturation factor alone does not change the gray
// output (it blends with the image's own luma); it matters through
// clipping and together with the hue shift. Parameters the paper does not
// give are in DefaultAugment.
//
// # Splits and streaming
//
// Split is stratified by class and seeded. "pre" splits base images,
// augments the train side, and keeps the test side unaugmented without
// mirrors. "post" augments everything and splits the augmented images, as
// the paper (so mirror copies and augmentations of one base image fall on
// both sides). Augmented images are computed on the fly from (seed, base
// image, augmentation number): a million-image set costs only one int32
// per image for "post" (its index), and the Batcher's epoch order adds one
// int32 per image. The Batcher computes batches on background goroutines
// (Workers, Prefetch) in a fixed order, so each batch depends only on
// (set, config, epoch).
package data
