package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
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

// Conditions of the data sources (wrapped by their errors).
var (
	// ErrNoSource: no data source was named.
	ErrNoSource = errors.New("no data source: a folder (an ImageFolder: one sub-folder per class), builtin or fashion-mnist")
	// ErrIDXNotImages: an IDX data set was given where image files or
	// colour base images are needed.
	ErrIDXNotImages = errors.New("an IDX data set is not a folder of image files")
	// ErrNotInstalled: a named data set is not installed.
	ErrNotInstalled = errors.New("not installed")
	// ErrIDXTooLarge: an IDX set is over MaxIDXSetBytes held in memory.
	ErrIDXTooLarge = errors.New("an IDX set too large to hold in memory")
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
		return nil, ErrNoSource
	}
	if IsIDXSource(source) {
		return nil, fmt.Errorf("%s: %w (32x32 gray images, no colour base images): training and evaluation read it; to use it here, write its images as an ImageFolder first (ImportIDX)", source, ErrIDXNotImages)
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

// Names of data sources that are read from IDX files (see OpenIDXSource).
const (
	// FashionMNIST is the short name of Fashion-MNIST as Debian's
	// dataset-fashion-mnist installs it (FashionMNISTDir).
	FashionMNIST = "fashion-mnist"
	// IDXPrefix starts a source "idx:DIR": an IDX data set in DIR.
	IDXPrefix = "idx:"
)

// IsIDXSource reports whether spec names an IDX data source (corrupted
// Fashion-MNIST, CorruptPrefix, included).
func IsIDXSource(spec string) bool {
	return spec == FashionMNIST || strings.HasPrefix(spec, IDXPrefix) || strings.HasPrefix(spec, CorruptPrefix)
}

// OpenIDXSource loads the IDX data set spec names: "fashion-mnist",
// "idx:DIR", or "fashion-mnist-c:KIND:SEV[:SEED]" (Fashion-MNIST with
// both splits corrupted, CorruptGray). A missing Fashion-MNIST says how to
// install it.
func OpenIDXSource(spec string) (*IDXSplit, error) {
	if strings.HasPrefix(spec, CorruptPrefix) {
		return openCorruptSource(spec)
	}
	dir, names, err := idxSourceDir(spec)
	if err != nil {
		return nil, err
	}
	s, err := LoadIDXDir(dir, names)
	if err != nil && spec == FashionMNIST {
		return nil, fmt.Errorf("%s: %w", spec, err)
	}
	return s, err
}

// idxSourceDir resolves an IDX source to its folder and class names (nil:
// the folder's own, see LoadIDXDir); a corrupted source resolves to
// Fashion-MNIST's (its images are corrupted as they are read).
func idxSourceDir(spec string) (string, []string, error) {
	switch {
	case strings.HasPrefix(spec, CorruptPrefix):
		if _, err := ParseCorruptSource(spec); err != nil {
			return "", nil, err
		}
		return idxSourceDir(FashionMNIST)
	case spec == FashionMNIST:
		if _, err := os.Stat(FashionMNISTDir); err != nil {
			return "", nil, fmt.Errorf("%s: %w (%s missing): install Debian's dataset-fashion-mnist (scripts/setup.sh does, as root: apt-get install dataset-fashion-mnist), or use an idx:DIR source with the four IDX files", spec, ErrNotInstalled, FashionMNISTDir)
		}
		return FashionMNISTDir, FashionMNISTClasses, nil
	case strings.HasPrefix(spec, IDXPrefix):
		dir := strings.TrimPrefix(spec, IDXPrefix)
		if dir == "" {
			return "", nil, errors.New(`idx: no folder after "idx:"`)
		}
		return dir, nil, nil
	}
	return "", nil, fmt.Errorf("%q is not an IDX source (want %q or %sDIR)", spec, FashionMNIST, IDXPrefix)
}

// IDXAugment is the augmentation of IDX data sets such as Fashion-MNIST
// when augmentations are asked for (--aug-per-image >= 1): objects
// centred on black, so a black border, the left-right mirror only (a
// garment's up-down mirror is not a garment), milder geometry than the
// textures (rotation 10 deg, scale 0.9-1.1, shear 5 deg, translate 0.08,
// no perspective), brightness and contrast 0.2, an erase of 15 % of the
// area with p 0.3 filled black. Not tuned by measurement; the measured
// Fashion-MNIST runs use no random augmentation (AugPerImage 0) with the
// left-right mirror copies.
func IDXAugment() AugmentConfig {
	return AugmentConfig{
		RotationDeg: 10,
		ScaleMin:    0.9, ScaleMax: 1.1,
		ShearDeg:   5,
		Translate:  0.08,
		Brightness: 0.2, Contrast: 0.2,
		EraseFrac: 0.15, EraseP: 0.3, EraseFill: "black",
		Border: "black",
		Mirror: MirrorH,
	}
}

// AugmentFor is the augmentation of a source's training images with the
// mirror mode given (empty: the source's default): the paper's
// (DefaultAugment) for image folders and the built-in textures, IDXAugment
// for IDX sources.
func AugmentFor(source, mirror string) AugmentConfig {
	a := DefaultAugment()
	if IsIDXSource(source) {
		a = IDXAugment()
	}
	if mirror != "" {
		a.Mirror = mirror
	}
	return a
}

// DefaultMirror is a source's mirror mode when none is given.
func DefaultMirror(source string) string { return AugmentFor(source, "").Mirror }

// LoadSet loads a source as one labelled Set, for evaluating or drawing a
// run: an IDX source (IsIDXSource) gives its shipped test split (noted on
// opts.Log), other sources their base images (LoadSource).
func LoadSet(ctx context.Context, source string, dataSeed uint64, opts LoadOptions) (Set, error) {
	if IsIDXSource(source) {
		s, err := OpenIDXSource(source)
		if err != nil {
			return nil, err
		}
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "%s: using its test split (%d images)\n", source, s.Test.Len())
		}
		return s.Test, nil
	}
	return LoadSource(ctx, source, dataSeed, opts)
}
