package data

import (
	"testing"
)

func TestPreSplitSeparatesBaseImages(t *testing.T) {
	b := textures(t, TrainSet, 20, 1)
	train, test, err := Split(b, SplitConfig{Mode: SplitPre, AugPerImage: 4, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	inTrain := map[int]bool{}
	perClass := make([]int, len(b.ClassNames))
	for i := 0; i < train.Len(); i++ {
		o := train.Origin(i)
		if o.Aug < 0 || o.Aug >= 4 {
			t.Fatalf("train image %d: origin %+v", i, o)
		}
		inTrain[o.Base] = true
	}
	for i := 0; i < test.Len(); i++ {
		o := test.Origin(i)
		if inTrain[o.Base] {
			t.Fatalf("base image %d (%s) is on both sides", o.Base, b.IDs[o.Base])
		}
		if o.Aug != -1 || o.Copy != CopyPlain {
			t.Fatalf("test image %d is augmented: %+v", i, o)
		}
		perClass[b.Labels[o.Base]]++
	}
	// 80/20 per class: 16 train and 4 test base images of each class.
	if len(inTrain) != 80 || test.Len() != 20 || train.Len() != 80*4*3 {
		t.Fatalf("train %d base images (%d images), test %d", len(inTrain), train.Len(), test.Len())
	}
	for c, n := range perClass {
		if n != 4 {
			t.Fatalf("class %s: %d test images, want 4", b.ClassNames[c], n)
		}
	}
	// The test side is the unaugmented images.
	got := make([]float32, Pixels)
	want := make([]float32, Pixels)
	for i := 0; i < test.Len(); i++ {
		l, _ := test.Image(i, got)
		o := test.Origin(i)
		lw, _ := b.Image(o.Base, want)
		if l != lw {
			t.Fatalf("test image %d: label %d, base label %d", i, l, lw)
		}
		for k := range got {
			if got[k] != want[k] {
				t.Fatalf("test image %d differs from its base image", i)
			}
		}
	}
}

func TestPostSplit(t *testing.T) {
	b := textures(t, TrainSet, 10, 1)
	train, test, err := Split(b, SplitConfig{Mode: SplitPost, AugPerImage: 6, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	total := 50 * 6 * 3
	if train.Len()+test.Len() != total || train.Len() != 720 {
		t.Fatalf("train %d + test %d, want 720 + 180", train.Len(), test.Len())
	}
	seen := map[Origin]bool{}
	trBase := map[int]bool{}
	both := 0
	classes := make([]int, 5)
	for i := 0; i < train.Len(); i++ {
		o := train.Origin(i)
		seen[o] = true
		trBase[o.Base] = true
	}
	for i := 0; i < test.Len(); i++ {
		o := test.Origin(i)
		if seen[o] {
			t.Fatalf("augmented image %+v on both sides", o)
		}
		seen[o] = true
		if trBase[o.Base] {
			both++
		}
		classes[b.Labels[o.Base]]++
	}
	if len(seen) != total {
		t.Fatalf("%d distinct augmented images, want %d", len(seen), total)
	}
	for c, n := range classes {
		if n != 36 {
			t.Fatalf("class %d: %d test images, want 36 (stratified 20%%)", c, n)
		}
	}
	// As the paper's "post" split: base images are on both sides.
	if both == 0 {
		t.Fatal("post split kept every base image on one side")
	}
}

func TestSplitDeterminism(t *testing.T) {
	b := textures(t, TrainSet, 6, 1)
	for _, mode := range []SplitMode{SplitPre, SplitPost} {
		cfg := SplitConfig{Mode: mode, AugPerImage: 3, Seed: 11}
		tr1, te1, err := Split(b, cfg)
		if err != nil {
			t.Fatal(err)
		}
		tr2, te2, _ := Split(b, cfg)
		if hashSet(t, tr1) != hashSet(t, tr2) || hashSet(t, te1) != hashSet(t, te2) {
			t.Fatalf("%s: same seed, different data", mode)
		}
		cfg.Seed = 12
		tr3, te3, _ := Split(b, cfg)
		if hashSet(t, tr1) == hashSet(t, tr3) {
			t.Fatalf("%s: different seeds, same train data", mode)
		}
		if mode == SplitPost && hashSet(t, te1) == hashSet(t, te3) {
			t.Fatalf("%s: different seeds, same test data", mode)
		}
	}
}

func TestSplitErrors(t *testing.T) {
	b := textures(t, TrainSet, 2, 1)
	for _, c := range []SplitConfig{
		{Mode: "middle", AugPerImage: 1},
		{Mode: SplitPre, AugPerImage: -1},
		{Mode: SplitPre, AugPerImage: 1, TrainFrac: 1.5},
		{Mode: SplitPost, AugPerImage: 1 << 30},
		{Mode: SplitPre, AugPerImage: 1, Aug: AugmentConfig{RotationDeg: -3}},
	} {
		if _, _, err := Split(b, c); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
	bad := &Base{ClassNames: []string{"a"}, RGB: [][]uint8{make([]uint8, 10)}, Labels: []int{0}, IDs: []string{"x"}}
	if _, _, err := Split(bad, SplitConfig{Mode: SplitPre, AugPerImage: 1}); err == nil {
		t.Error("malformed base set accepted")
	}
	if _, err := (&AugmentedSet{base: b, bases: []int{0}, per: 1, aug: &Augmenter{}}).Image(5, make([]float32, Pixels)); err == nil {
		t.Error("index out of range accepted")
	}
}
