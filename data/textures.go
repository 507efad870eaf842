package data

import (
	"context"
	"fmt"

	"github.com/lsconf/lsconf/internal/parallel"
)

// SetKind names a built-in generated set.
type SetKind string

const (
	// TrainSet is the training texture set: clean-ish garment crops.
	TrainSet SetKind = "train"
	// GenSet is the shifted "generalization" set: the same five patterns
	// rendered like small, poor person-camera crops (low resolution then
	// upscaled, heavy blur, JPEG blocking, colour casts, crop borders). It
	// is never used for training.
	GenSet SetKind = "gen"
)

// Default sizes of the built-in sets.
const (
	DefaultTrainPerClass = 130 // 650 base images, as the paper
	DefaultGenPerClass   = 16  // 80 images, as the paper's Market1501 subset
	// MaxPerClass bounds PerClass (100,000 images, 1.2 GB in memory).
	MaxPerClass = 20000
)

// TextureClasses returns the built-in classes in label order: the sorted
// folder names, so that the in-memory set and a written-then-loaded copy
// agree (LoadImageFolder sorts class folders).
func TextureClasses() []string {
	return []string{"dots", "hlines", "squares", "uniform", "vlines"}
}

// TextureConfig chooses a built-in set.
type TextureConfig struct {
	// Set is TrainSet (default) or GenSet.
	Set SetKind
	// PerClass is the number of images per class; 0 means the default
	// (DefaultTrainPerClass or DefaultGenPerClass).
	PerClass int
	// Seed selects the images; the same seed gives the same bytes. Train
	// and gen sets of the same seed share no image.
	Seed uint64
	// Workers render in parallel (0 = GOMAXPROCS); the result does not
	// depend on it.
	Workers int
	// Progress, if set, is called after each image with the number done
	// so far (from one goroutine at a time).
	Progress func(done int)
}

// Textures renders a built-in texture set: PerClass base images of each of
// TextureClasses, ordered by class then index, with IDs "<class>/<nnnn>".
// Image i of a class depends only on (Seed, Set, class, i), so a larger
// PerClass extends a smaller one.
func Textures(ctx context.Context, cfg TextureConfig) (*Base, error) {
	kind := cfg.Set
	if kind == "" {
		kind = TrainSet
	}
	per := cfg.PerClass
	var tag uint64
	switch kind {
	case TrainSet:
		tag = 0x747261696e // "train"
		if per == 0 {
			per = DefaultTrainPerClass
		}
	case GenSet:
		tag = 0x67656e // "gen"
		if per == 0 {
			per = DefaultGenPerClass
		}
	default:
		return nil, fmt.Errorf("textures: unknown set %q (want %q or %q)", kind, TrainSet, GenSet)
	}
	if per < 0 || per > MaxPerClass {
		return nil, fmt.Errorf("textures: %d images per class (at most %d: the set is held in memory, 12 KB an image)", per, MaxPerClass)
	}
	classes := TextureClasses()
	n := per * len(classes)
	b := &Base{ClassNames: classes, RGB: make([][]uint8, n), Labels: make([]int, n), IDs: make([]string, n)}
	err := parallel.For(ctx, n, cfg.Workers, func(i int) {
		c, k := i/per, i%per
		r := newRNG(cfg.Seed, tag, uint64(c), uint64(k))
		if kind == TrainSet {
			b.RGB[i] = renderTrain(r, classes[c])
		} else {
			b.RGB[i] = renderGen(r, classes[c])
		}
		b.Labels[i] = c
		b.IDs[i] = fmt.Sprintf("%s/%04d", classes[c], k)
	}, cfg.Progress)
	if err != nil {
		return nil, fmt.Errorf("textures: %w", err)
	}
	return b, nil
}

// newPattern draws the pattern of a class.
func newPattern(r *rng, pal *palette, st style, class string) pattern {
	switch class {
	case "hlines":
		return newStripes(r, pal, st, false)
	case "vlines":
		return newStripes(r, pal, st, true)
	case "squares":
		return newChecks(r, pal, st)
	case "dots":
		return newDots(r, pal, st)
	default:
		return newPlain(r, pal)
	}
}

// trainStyle are the pattern sizes of the training set, in output pixels.
var trainStyle = style{
	stripeMin: 3.2, stripeMax: 12,
	checkMin: 2, checkMax: 7,
	dotMin: 3.5, dotMax: 10,
	contrastMin: 0.12, contrastMax: 0.6,
}

// renderTrain renders one training image: the scene at 128x128, area
// averaged to 64x64, a light blur, sensor noise, 8 bits.
func renderTrain(r *rng, class string) []uint8 {
	const n = 2 * BaseSize
	pal := newPalette(r, 0.1, 0.9)
	st := trainStyle
	st.aa = float64(Size) / n
	pat := newPattern(r, pal, st, class)
	cfg := sceneConfig{
		rotMax: 8, foldWeights: []float64{0.35, 0.35, 0.2, 0.1}, foldAmpMax: 0.3,
		printP: 0.08, maxSpecks: 4, gradMax: 0.3, tintMax: 0.08, expoMin: 0.75, expoMax: 1.1,
	}
	if class == "uniform" {
		cfg.foldWeights = []float64{0.1, 0.35, 0.3, 0.25}
		cfg.foldAmpMax = 0.4
		cfg.printP = 0.4
		cfg.maxSpecks = 8
	}
	sc := newScene(r, pat, pal, cfg)
	img := resizeArea(sc.render(n), n, n, 3, BaseSize, BaseSize)
	blur(img, BaseSize, BaseSize, 3, r.uniform(0, 1))
	addNoise(r, img, r.uniform(0.004, 0.03), 0.5)
	return toBytes(img)
}
