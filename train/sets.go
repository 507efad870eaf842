package train

import (
	"context"
	"fmt"

	"github.com/lsconf/lsconf/data"
)

// Sets rebuilds the train, test and generalization sets d names (a run's
// recorded data, or a new run's). An IDX source (data.IsIDXSource) gives
// its shipped train split, augmented as d says, and its shipped test split;
// any other source's images are split with seed (d.Split, d.AugPerImage,
// d.Mirror). The Gen source's images are loaded unless Gen is empty or
// data.NoSource: an IDX source (such as a corrupted Fashion-MNIST,
// "fashion-mnist-c:KIND:SEV") gives its test split (data.LoadSet).
func (d DataInfo) Sets(ctx context.Context, seed uint64, opts data.LoadOptions) (Sets, error) {
	var sets Sets
	aug := data.AugmentFor(d.Train, d.Mirror)
	if data.IsIDXSource(d.Train) {
		s, err := data.OpenIDXSource(d.Train)
		if err != nil {
			return Sets{}, err
		}
		tr, err := data.NewGrayAugmentedSet(s.Train, d.AugPerImage, aug, seed)
		if err != nil {
			return Sets{}, fmt.Errorf("%s: %w", d.Train, err)
		}
		sets = Sets{Train: tr, Test: s.Test}
	} else {
		base, err := data.LoadSource(ctx, d.Train, d.DataSeed, opts)
		if err != nil {
			return Sets{}, err
		}
		tr, te, err := data.Split(base, data.SplitConfig{Mode: data.SplitMode(d.Split), AugPerImage: d.AugPerImage, Aug: aug, Seed: seed})
		if err != nil {
			return Sets{}, err
		}
		sets = Sets{Train: tr, Test: te}
	}
	if d.Gen != "" && d.Gen != data.NoSource {
		g, err := data.LoadSet(ctx, d.Gen, d.DataSeed, opts)
		if err != nil {
			return Sets{}, fmt.Errorf("generalization set: %w", err)
		}
		sets.Gen = g
	}
	return sets, nil
}

// SourceDefaults returns d with what its sources imply filled in: the
// built-in generalization set beside the built-in training set when Gen is
// empty, no generalization set for data.NoSource, the shipped split and
// (unless augSet) no augmentations for IDX sources, and the source's
// mirror mode (data.DefaultMirror) when Mirror is empty.
func (d DataInfo) SourceDefaults(augSet bool) DataInfo {
	if d.Gen == "" && d.Train == data.BuiltinTrain {
		d.Gen = data.BuiltinGen
	}
	if d.Gen == data.NoSource {
		d.Gen = ""
	}
	if data.IsIDXSource(d.Train) {
		d.Split = data.SplitShipped
		if !augSet {
			d.AugPerImage = 0
		}
	}
	if d.Mirror == "" {
		d.Mirror = data.DefaultMirror(d.Train)
	}
	return d
}
