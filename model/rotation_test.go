package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/latent"
)

// TestRotationHeadSpecs: without the rotation head a model has exactly
// the tensors it always had (an old checkpoint loads); with it two more
// come last, after the decoder's, whose offsets do not move.
func TestRotationHeadSpecs(t *testing.T) {
	for _, dec := range []bool{false, true} {
		c := Config{NC: 3, ND: 2, Width: 16, Decoder: dec}
		r := c
		r.RotationHead = true
		plain := Specs(c)
		if got := addedSpecs(t, c, r, 2)[0]; got.Name != "rot.kernel" || got.Shape[0] != c.Flat() || got.Shape[1] != Rotations {
			t.Errorf("decoder %v: first rotation tensor %s %v", dec, got.Name, got.Shape)
		}
		p1, s1 := decoderOffsets(c)
		p2, s2 := decoderOffsets(r)
		if p1 != p2 || s1 != s2 || rotationOffset(r) != len(plain) {
			t.Errorf("decoder %v: offsets moved: decoder (%d, %d) vs (%d, %d), rotation %d of %d", dec, p1, s1, p2, s2, rotationOffset(r), len(plain))
		}
	}
	// a hidden layer adds its kernel and bias before the output's; without
	// the head it is refused
	h := Config{NC: 3, ND: 2, Width: 16, RotationHead: true, RotationHidden: 32}
	hs := Specs(h)
	if len(hs) != len(Specs(Config{NC: 3, ND: 2, Width: 16}))+4 || hs[len(hs)-4].Name != "rot.hidden.kernel" || hs[len(hs)-2].Shape[0] != 32 {
		t.Errorf("rotation head with a hidden layer: %d tensors, last four %v", len(hs), hs[len(hs)-4:])
	}
	if err := (Config{NC: 3, ND: 2, Width: 16, RotationHidden: 32}).Validate(); err == nil {
		t.Errorf("a hidden rotation layer without the head validated")
	}
	// weights saved without the head load into a model without it, and
	// are refused by one with it
	headlessWeights(t, "rotation head", func(c *Config) { c.RotationHead = true }, func(n *Net) error {
		_, err := n.RotationScores(make([]float32, 1024), 1)
		return err
	})
}

// TestTurnImagesByHand: pixel (y, x) = 32y + x; one quarter turn
// clockwise puts (31 - x, y) at (y, x), two (31 - y, 31 - x), three (x,
// 31 - y); RotatedImages turns image j by j mod 4 and returns those turns.
func TestTurnImagesByHand(t *testing.T) {
	b := testBackend(t)
	x := indexImages(5)
	want := turnedPixel
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			r, k := RotatedImages(in[0])
			return []*graph.Node{r, k}
		}, tensors.FromFlatDataAndDimensions(x, 5, 32, 32, 1))
		m := tensors.MustCopyFlatData[float32](out[0])
		ks := tensors.MustCopyFlatData[int32](out[1])
		for j := range 5 {
			if ks[j] != int32(j%4) {
				t.Fatalf("turns %v, want j mod 4", ks)
			}
			for y := range 32 {
				for xx := range 32 {
					if got := m[j*1024+y*32+xx]; got != want(j, y, xx) {
						t.Fatalf("image %d turned %d times: (%d, %d) = %v, want %v", j, j%4, y, xx, got, want(j, y, xx))
					}
				}
			}
		}
	})
}

// corner draws n images with a bright square in the top-left quadrant
// (oriented: each quarter turn moves it to another corner) on noise; its
// class is i%3 by the square's size. centred draws n images with the square
// in the middle (a quarter turn leaves them nearly unchanged: the
// orientation is ambiguous).
func cornerImages(n int, seed uint64, centred bool) ([]float32, []int32) {
	rng := rand.New(rand.NewPCG(seed, 7))
	x := make([]float32, n*1024)
	y := make([]int32, n)
	for i := range n {
		y[i] = int32(i % 3)
		s := 6 + 3*(i%3)
		y0, x0 := 2+rng.IntN(4), 2+rng.IntN(4)
		if centred {
			y0, x0 = 16-s/2, 16-s/2
		}
		for r := range 32 {
			for c := range 32 {
				v := 0.2 + 0.2*rng.Float64()
				if r >= y0 && r < y0+s && c >= x0 && c < x0+s {
					v = 0.9
				}
				x[i*1024+r*32+c] = float32(v)
			}
		}
	}
	return x, y
}

// TestRotationHeadLearns trains a tiny model with the rotation head
// (linear, and with a hidden layer of 32 units) on oriented images: the rotation score of held-out oriented images falls
// well below log 4 (chance), while images of a centred square, never
// trained on and nearly the same under every turn, stay near or above
// log 4. The loss validates its weight and needs the head.
func TestRotationHeadLearns(t *testing.T) {
	l, err := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{NC: 3, ND: 2, Width: 16, Head: HeadDistance, Layout: l, RotationHead: true}
	if err := (LossConfig{Mode: ModeCEG, KG: 0.2, Layout: l, Rotation: -1}).Validate(cfg); err == nil {
		t.Errorf("a negative rotation weight validated")
	}
	plain := cfg
	plain.RotationHead = false
	if err := (LossConfig{Mode: ModeCEG, KG: 0.2, Layout: l, Rotation: 1}).Validate(plain); err == nil {
		t.Errorf("a rotation weight without the head validated")
	}
	x, y := cornerImages(96, 1, false)
	held, _ := cornerImages(48, 2, false)
	amb, _ := cornerImages(48, 3, true)
	for _, hidden := range []int{0, 32} {
		cfg.RotationHidden = hidden
		testutil.Within(t, 4*graphTimeout, func() { rotationLearns(t, cfg, l, x, y, held, amb) })
	}
}

// rotationLearns trains cfg with the rotation head on x, y and checks the
// scores of the held-out oriented images and of the ambiguous ones.
func rotationLearns(t *testing.T, cfg Config, l *latent.Layout, x []float32, y []int32, held, amb []float32) {
	b := testBackend(t)
	mean := func(v []float32) float64 {
		s := 0.0
		for _, a := range v {
			s += float64(a)
		}
		return s / float64(len(v))
	}
	{
		w, err := Init(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := NewTrainer(b, cfg, &State{Weights: *w}, LossConfig{Mode: ModeCEG, KG: 0.2, Layout: l, Center: 1, Rotation: 1, Placeholders: 0.3, PlaceholderKind: PlaceholderRotate}, DefaultAdam(3e-3))
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		before, err := tr.Net().RotationScores(held, 48)
		if err != nil {
			t.Fatal(err)
		}
		const bs, steps = 32, 60
		for s := 0; s < steps; s++ {
			k := s % 3
			if _, err := tr.TrainStep(x[k*bs*1024:(k+1)*bs*1024], y[k*bs:(k+1)*bs]); err != nil {
				t.Fatal(err)
			}
		}
		after, err := tr.Net().RotationScores(held, 48)
		if err != nil {
			t.Fatal(err)
		}
		ambig, err := tr.Net().RotationScores(amb, 48)
		if err != nil {
			t.Fatal(err)
		}
		b0, a0, m0 := mean(before), mean(after), mean(ambig)
		t.Logf("hidden %d: rotation score of held-out oriented images %.3f before, %.3f after training; centred squares %.3f (log 4 = %.3f)", cfg.RotationHidden, b0, a0, m0, math.Log(4))
		if !(a0 < 0.5*math.Log(4) && a0 < b0) {
			t.Errorf("hidden %d: the rotation head did not learn: score %.3f before, %.3f after", cfg.RotationHidden, b0, a0)
		}
		if !(m0 > 0.8*math.Log(4) && m0 > 2*a0) {
			t.Errorf("hidden %d: centred squares scored %.3f, oriented images %.3f: want the ambiguous ones near log 4 and well above", cfg.RotationHidden, m0, a0)
		}
	}
}

// indexImages returns n images whose pixel (y, x) is 32y + x.
func indexImages(n int) []float32 {
	x := make([]float32, n*1024)
	for i := range n {
		for p := range 1024 {
			x[i*1024+p] = float32(p)
		}
	}
	return x
}

// turnedPixel is pixel (y, x) of an indexImages image turned by k quarter
// turns clockwise: (31 - x, y) for one, (31 - y, 31 - x) for two, (x,
// 31 - y) for three.
func turnedPixel(k, y, x int) float32 {
	switch k % 4 {
	case 1:
		return float32((31-x)*32 + y)
	case 2:
		return float32((31-y)*32 + 31 - x)
	case 3:
		return float32(x*32 + 31 - y)
	}
	return float32(y*32 + x)
}
