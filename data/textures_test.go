package data

import (
	"bytes"
	"context"
	"math"
	"testing"
)

func TestTexturesDeterministic(t *testing.T) {
	ctx := context.Background()
	for _, kind := range []SetKind{TrainSet, GenSet} {
		a, err := Textures(ctx, TextureConfig{Set: kind, PerClass: 6, Seed: 42, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Textures(ctx, TextureConfig{Set: kind, PerClass: 6, Seed: 42, Workers: 4})
		c, _ := Textures(ctx, TextureConfig{Set: kind, PerClass: 6, Seed: 43})
		more, _ := Textures(ctx, TextureConfig{Set: kind, PerClass: 8, Seed: 42})
		if a.Len() != 30 || len(a.ClassNames) != 5 {
			t.Fatalf("%s: %d images of %d classes", kind, a.Len(), len(a.ClassNames))
		}
		for i := range a.RGB {
			if !bytes.Equal(a.RGB[i], b.RGB[i]) || a.IDs[i] != b.IDs[i] || a.Labels[i] != b.Labels[i] {
				t.Fatalf("%s image %d: same seed, different bytes (1 vs 4 workers)", kind, i)
			}
			if bytes.Equal(a.RGB[i], c.RGB[i]) {
				t.Fatalf("%s image %d: seeds 42 and 43 gave the same image", kind, i)
			}
			// Image k of a class does not depend on PerClass.
			cl, k := i/6, i%6
			if !bytes.Equal(a.RGB[i], more.RGB[cl*8+k]) {
				t.Fatalf("%s image %d changes with PerClass", kind, i)
			}
		}
	}
	tr := textures(t, TrainSet, 6, 42)
	gen := textures(t, GenSet, 6, 42)
	for i := range tr.RGB {
		if bytes.Equal(tr.RGB[i], gen.RGB[i]) {
			t.Fatalf("train and gen sets share image %d", i)
		}
	}
	if _, err := Textures(ctx, TextureConfig{PerClass: MaxPerClass + 1}); err == nil {
		t.Fatal("too many images accepted")
	}
	if _, err := Textures(ctx, TextureConfig{Set: "other"}); err == nil {
		t.Fatal("unknown set accepted")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Textures(cctx, TextureConfig{PerClass: 50}); err == nil {
		t.Fatal("cancelled generation returned no error")
	}
}

func TestTextureDefaults(t *testing.T) {
	b := textures(t, TrainSet, 0, 1)
	if b.Len() != 650 {
		t.Fatalf("default train set: %d images, want 650", b.Len())
	}
	for c, n := range b.Counts() {
		if n != 130 {
			t.Fatalf("class %s: %d images", b.ClassNames[c], n)
		}
	}
	g := textures(t, GenSet, 0, 1)
	if g.Len() != 80 {
		t.Fatalf("default gen set: %d images, want 80", g.Len())
	}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
}

// centroidAccuracy trains a nearest-centroid classifier on the raw pixels
// of train and returns its accuracy on test.
func centroidAccuracy(t *testing.T, train, test Set) float64 {
	nc := len(train.Classes())
	cent := make([][]float64, nc)
	cnt := make([]int, nc)
	for c := range cent {
		cent[c] = make([]float64, Pixels)
	}
	px := make([]float32, Pixels)
	for i := 0; i < train.Len(); i++ {
		l, err := train.Image(i, px)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range px {
			cent[l][k] += float64(v)
		}
		cnt[l]++
	}
	for c := range cent {
		for k := range cent[c] {
			cent[c][k] /= float64(cnt[c])
		}
	}
	ok := 0
	for i := 0; i < test.Len(); i++ {
		l, _ := test.Image(i, px)
		best, bd := -1, math.Inf(1)
		for c := range cent {
			d := 0.0
			for k, v := range px {
				e := float64(v) - cent[c][k]
				d += e * e
			}
			if d < bd {
				best, bd = c, d
			}
		}
		if best == l {
			ok++
		}
	}
	return float64(ok) / float64(test.Len())
}

// TestNotTriviallySeparable: a nearest-centroid classifier on raw 32x32
// pixels must stay below 95% on the test split (pre split, unaugmented
// test images; centroids of the unaugmented and of the augmented train
// side).
func TestNotTriviallySeparable(t *testing.T) {
	b := textures(t, TrainSet, 0, 1)
	_, test, err := Split(b, SplitConfig{Mode: SplitPre, AugPerImage: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	trainPlain, _, _ := Split(b, SplitConfig{Mode: SplitPre, AugPerImage: 1, Aug: NoAugment(), Seed: 1})
	trainAug, _, _ := Split(b, SplitConfig{Mode: SplitPre, AugPerImage: 2, Seed: 1})
	for name, tr := range map[string]Set{"unaugmented": trainPlain, "augmented": trainAug} {
		acc := centroidAccuracy(t, tr, test)
		t.Logf("nearest centroid on raw pixels, %s train side: test accuracy %.1f%%", name, 100*acc)
		if acc >= 0.95 {
			t.Fatalf("nearest centroid reaches %.1f%%: the classes are trivially separable", 100*acc)
		}
	}
}

// orientationEnergy returns the mean absolute horizontal and vertical
// differences of a gray image.
func orientationEnergy(px []float32) (dx, dy float64) {
	for y := 0; y < Size-1; y++ {
		for x := 0; x < Size-1; x++ {
			dx += math.Abs(float64(px[y*Size+x+1] - px[y*Size+x]))
			dy += math.Abs(float64(px[(y+1)*Size+x] - px[y*Size+x]))
		}
	}
	return dx, dy
}

// TestClassesLookRight checks what a person checks on the contact sheet,
// with simple measures: horizontal lines change along y more than along x
// and vertical lines the reverse (so labels are not swapped), and uniform
// images are not flat (folds, prints, shading) yet carry less fine
// structure than the patterned classes. It holds for the generalization
// set too, less strictly.
func TestClassesLookRight(t *testing.T) {
	for _, tc := range []struct {
		kind    SetKind
		per     int
		minLine float64
	}{{TrainSet, 0, 0.97}, {GenSet, 40, 0.85}} {
		b := textures(t, tc.kind, tc.per, 1)
		px := make([]float32, Pixels)
		idx := map[string]int{}
		for i, c := range b.ClassNames {
			idx[c] = i
		}
		okH, okV, nH, nV := 0, 0, 0, 0
		energy := make([]float64, len(b.ClassNames))
		flat := 0
		for i := 0; i < b.Len(); i++ {
			l, _ := b.Image(i, px)
			dx, dy := orientationEnergy(px)
			energy[l] += dx + dy
			switch l {
			case idx["hlines"]:
				nH++
				if dy > dx {
					okH++
				}
			case idx["vlines"]:
				nV++
				if dx > dy {
					okV++
				}
			case idx["uniform"]:
				var m, s float64
				for _, v := range px {
					m += float64(v)
				}
				m /= Pixels
				for _, v := range px {
					s += (float64(v) - m) * (float64(v) - m)
				}
				if math.Sqrt(s/Pixels) < 0.01 {
					flat++
				}
			}
		}
		fh, fv := float64(okH)/float64(nH), float64(okV)/float64(nV)
		t.Logf("%s: hlines vertical-dominant %.0f%%, vlines horizontal-dominant %.0f%%, flat uniform %d", tc.kind, 100*fh, 100*fv, flat)
		if fh < tc.minLine || fv < tc.minLine {
			t.Fatalf("%s: only %.0f%% of hlines and %.0f%% of vlines have the right orientation", tc.kind, 100*fh, 100*fv)
		}
		if flat > nH/10 {
			t.Fatalf("%s: %d uniform images are flat", tc.kind, flat)
		}
		u := energy[idx["uniform"]]
		for c, e := range energy {
			if c != idx["uniform"] && e <= u {
				t.Fatalf("%s: class %s has less fine structure than uniform", tc.kind, b.ClassNames[c])
			}
		}
	}
}

// TestGenSetIsShifted: the generalization set is rendered differently,
// blurrier than the training set (less pixel-to-pixel change per image).
func TestGenSetIsShifted(t *testing.T) {
	tr := textures(t, TrainSet, 0, 1)
	gen := textures(t, GenSet, 0, 1)
	mean := func(b *Base) float64 {
		px := make([]float32, Pixels)
		s := 0.0
		for i := 0; i < b.Len(); i++ {
			b.Image(i, px)
			dx, dy := orientationEnergy(px)
			s += dx + dy
		}
		return s / float64(b.Len())
	}
	mt, mg := mean(tr), mean(gen)
	t.Logf("mean gradient energy: train %.1f, gen %.1f", mt, mg)
	if mg > 0.8*mt {
		t.Fatalf("gen set not blurrier than train: %.1f vs %.1f", mg, mt)
	}
}
