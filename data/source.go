package data

import (
	"context"
	"errors"
	"fmt"
)

// Names of the built-in image sources, as lsconf's --data and --gen flags
// and a run's recorded data description (train.DataInfo) write them.
const (
	// BuiltinTrain is the built-in training textures (Textures, TrainSet).
	BuiltinTrain = "builtin"
	// BuiltinGen is the built-in generalization set (Textures, GenSet).
	BuiltinGen = "builtin-gen"
	// NoSource is "no generalization set".
	NoSource = "none"
)

// LoadSource loads the base images a source names: BuiltinTrain or
// BuiltinGen (generated with dataSeed), or else an ImageFolder path loaded
// with opts. With opts.Log set, skipped files are listed there and a
// summary line follows them.
func LoadSource(ctx context.Context, source string, dataSeed uint64, opts LoadOptions) (*Base, error) {
	switch source {
	case BuiltinTrain, BuiltinGen:
		kind := TrainSet
		if source == BuiltinGen {
			kind = GenSet
		}
		b, err := Textures(ctx, TextureConfig{Set: kind, Seed: dataSeed})
		if err != nil {
			return nil, fmt.Errorf("built-in textures: %w", err)
		}
		return b, nil
	case "":
		return nil, errors.New("no data: give --data DIR (an ImageFolder: one sub-folder per class) or --data builtin")
	}
	b, rep, err := LoadImageFolder(ctx, source, opts)
	if err != nil {
		return nil, err
	}
	if opts.Log != nil && len(rep.Skipped) > 0 {
		fmt.Fprintf(opts.Log, "%s: loaded %d images, skipped %d (listed above)\n", source, rep.Loaded, len(rep.Skipped))
	}
	return b, nil
}
