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
// A Base holds colour base images of BaseSize x BaseSize (64) RGB bytes
// (the colour jitter comes before grayscale). What a model sees is a Set:
// Size x Size (32) grayscale float32 in [0, 1]. A Base is itself a Set of
// its unaugmented images.
//
// Every image depends only on (seed, set, class, index, augmentation
// number), never on worker counts or timing. LoadImageFolder's rules for
// bad input, the augmentation parameters, the splits and the built-in
// textures are described, with the decisions behind them, in docs/data.md.
package data
