package train

import (
	"context"
	"fmt"

	"github.com/lsconf/lsconf/data"
)

// Sets rebuilds the train, test and generalization sets d names (a run's
// recorded data, or a new run's): the Train source's images split with
// seed (d.Split, d.AugPerImage), and the Gen source's images unless Gen is
// empty or data.NoSource. Sources are loaded with data.LoadSource.
func (d DataInfo) Sets(ctx context.Context, seed uint64, opts data.LoadOptions) (Sets, error) {
	base, err := data.LoadSource(ctx, d.Train, d.DataSeed, opts)
	if err != nil {
		return Sets{}, err
	}
	tr, te, err := data.Split(base, data.SplitConfig{Mode: data.SplitMode(d.Split), AugPerImage: d.AugPerImage, Seed: seed})
	if err != nil {
		return Sets{}, err
	}
	sets := Sets{Train: tr, Test: te}
	if d.Gen != "" && d.Gen != data.NoSource {
		g, err := data.LoadSource(ctx, d.Gen, d.DataSeed, opts)
		if err != nil {
			return Sets{}, fmt.Errorf("generalization set: %w", err)
		}
		sets.Gen = g
	}
	return sets, nil
}
