package model

import (
	"math"
	"sort"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/latent"
)

// TestPlaceholderImagesByHand builds the placeholder negatives of a batch
// of four constant images: image j is combined with image j + 2 at
// lambda 0.3 (j = 0) and 0.7 (j = 1), blended (mixup) or pasted at row 10
// and column 22 (cutmix); the mask marks the pair of different classes.
func TestPlaceholderImagesByHand(t *testing.T) {
	b := testBackend(t)
	x := make([]float32, 4*1024)
	for i := range 4 {
		for p := range 1024 {
			x[i*1024+p] = float32(i + 1) // image i is all i+1
		}
	}
	labels := []int32{0, 1, 0, 0} // pairs (0, 2): same class; (1, 3): different
	for _, kind := range []PlaceholderKind{PlaceholderMixup, PlaceholderCutMix} {
		testutil.Within(t, graphTimeout, func() {
			out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
				m, mask := PlaceholderImages(in[0], in[1], kind)
				return []*graph.Node{m, mask}
			}, tensors.FromFlatDataAndDimensions(x, 4, 32, 32, 1), labels)
			if d := out[0].Shape().Dimensions; len(d) != 4 || d[0] != 2 {
				t.Fatalf("%s: placeholder shape %v, want [2 32 32 1]", kind, d)
			}
			m := tensors.MustCopyFlatData[float32](out[0])
			mask := tensors.MustCopyFlatData[float32](out[1])
			if mask[0] != 0 || mask[1] != 1 {
				t.Errorf("%s: mask %v, want [0 1]", kind, mask)
			}
			for j, lam := range []float64{0.3, 0.7} {
				a, c := float64(j+1), float64(j+3)
				for y := range 32 {
					for xx := range 32 {
						want := lam*a + (1-lam)*c
						if kind == PlaceholderCutMix {
							cut, pos := int(math.Round(lam*32)), y
							if j == 1 {
								pos = xx
							}
							want = c
							if pos < cut {
								want = a
							}
						}
						if got := float64(m[(j*32+y)*32+xx]); math.Abs(got-want) > 1e-5 {
							t.Fatalf("%s: placeholder %d at (%d, %d) = %v, want %v", kind, j, y, xx, got, want)
						}
					}
				}
			}
		})
	}
	if _, err := ParsePlaceholderKind("blend"); err == nil {
		t.Errorf("an unknown placeholder kind parsed")
	}
	if k, err := ParsePlaceholderKind(""); err != nil || k != PlaceholderMixup {
		t.Errorf(`"" parsed as %q, %v; want mixup`, k, err)
	}
}

// TestPlaceholderRotateByHand: image 0 (pixel (y, x) = 32y + x) turned
// by 90 degrees clockwise has at (y, x) the pixel (31 - x, y),
// image 1 turned by 180 degrees the pixel (31 - y, 31 - x); the mask is 1
// whatever the classes.
func TestPlaceholderRotateByHand(t *testing.T) {
	b := testBackend(t)
	x := make([]float32, 4*1024)
	for i := range 4 {
		for p := range 1024 {
			x[i*1024+p] = float32(i*1024 + p)
		}
	}
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			m, mask := PlaceholderImages(in[0], in[1], PlaceholderRotate)
			return []*graph.Node{m, mask}
		}, tensors.FromFlatDataAndDimensions(x, 4, 32, 32, 1), []int32{0, 0, 1, 1})
		if d := out[0].Shape().Dimensions; len(d) != 4 || d[0] != 2 {
			t.Fatalf("placeholder shape %v, want [2 32 32 1]", d)
		}
		m := tensors.MustCopyFlatData[float32](out[0])
		if mask := tensors.MustCopyFlatData[float32](out[1]); mask[0] != 1 || mask[1] != 1 {
			t.Errorf("mask %v, want [1 1]", mask)
		}
		for y := range 32 {
			for xx := range 32 {
				if got, want := m[y*32+xx], float32((31-xx)*32+y); got != want {
					t.Fatalf("90 degrees: (%d, %d) = %v, want %v", y, xx, got, want)
				}
				if got, want := m[1024+y*32+xx], float32(1024+(31-y)*32+31-xx); got != want {
					t.Fatalf("180 degrees: (%d, %d) = %v, want %v", y, xx, got, want)
				}
			}
		}
	})
	if k, err := ParsePlaceholderKind("rotate"); err != nil || k != PlaceholderRotate {
		t.Errorf(`"rotate" parsed as %q, %v`, k, err)
	}
}

// TestPlaceholderLossByHand: with the distance head a negative at the
// origin costs 0 (equal logits, |z| 0), one at a centre |z|^2/d_c^2 = 1
// plus the cross entropy to the uniform distribution minus log n_c; the
// mask leaves a pair of the same class out.
func TestPlaceholderLossByHand(t *testing.T) {
	b := testBackend(t)
	l, err := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{NC: 3, ND: 2, Width: 16, Head: HeadDistance, DistScale: 0.25, Layout: l}
	c0 := l.Center(0)
	z := []float64{0, 0, c0[0], c0[1], 5, 5}
	mask := []float64{1, 1, 0}
	// by hand, at centre 0: logits -s (d_k/r)^2, uniform CE minus log 3
	var logits [3]float64
	for k, c := range l.Centers() {
		d2 := (c0[0]-c[0])*(c0[0]-c[0]) + (c0[1]-c[1])*(c0[1]-c[1])
		logits[k] = -0.25 * d2 / (l.Radius(k) * l.Radius(k))
	}
	lse := math.Log(math.Exp(logits[0]) + math.Exp(logits[1]) + math.Exp(logits[2]))
	ce := 0.0
	for _, x := range logits {
		ce -= (x - lse) / 3
	}
	atCentre := 1 + ce - math.Log(3)
	want := (0 + atCentre) / 2
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			return []*graph.Node{PlaceholderLoss(in[0], DistanceLogits(cfg, nil, in[0]), in[1], l)}
		}, tensors.FromFlatDataAndDimensions(z, 3, 2), tensors.FromFlatDataAndDimensions(mask, 3))
		if got := tensors.ToScalar[float64](out[0]); math.Abs(got-want) > 1e-12 || !(atCentre > 1) {
			t.Errorf("placeholder loss %.15g, want %.15g (a negative at a centre costs %v)", got, want, atCentre)
		}
	})
}

// TestPlaceholdersPullMixturesIn trains the same tiny model twice, with
// and without placeholder negatives: with them, mixtures of two images of
// different classes encode nearer the origin relative to the known
// images (their median |z| over the known images' median is smaller), and
// the loss validates the weight.
func TestPlaceholdersPullMixturesIn(t *testing.T) {
	b := testBackend(t)
	l, err := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{NC: 3, ND: 2, Width: 16, Head: HeadDistance, Layout: l}
	if err := (LossConfig{Mode: ModeCEG, KG: 0.2, Layout: l, Placeholders: -1}).Validate(cfg); err == nil {
		t.Errorf("a negative placeholder weight validated")
	}
	x, y := stripes(96, 1)
	// held-out mixtures: image i (class i%3) blended half and half with
	// image i+1 (another class)
	mix := make([]float32, 0, 48*1024)
	for i := 0; i < 48; i++ {
		for p := range 1024 {
			mix = append(mix, 0.5*x[i*1024+p]+0.5*x[(i+1)*1024+p])
		}
	}
	ratio := func(w float64) float64 {
		wt, err := Init(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := NewTrainer(b, cfg, &State{Weights: *wt}, LossConfig{Mode: ModeCEG, KG: 0.2, Layout: l, Center: 1, Placeholders: w}, DefaultAdam(3e-3))
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		const bs, steps = 32, 60
		for s := 0; s < steps; s++ {
			k := s % 3
			if _, err := tr.TrainStep(x[k*bs*1024:(k+1)*bs*1024], y[k*bs:(k+1)*bs]); err != nil {
				t.Fatal(err)
			}
		}
		zk, _, err := tr.Net().Infer(x, len(y))
		if err != nil {
			t.Fatal(err)
		}
		zm, _, err := tr.Net().Infer(mix, 48)
		if err != nil {
			t.Fatal(err)
		}
		return medianNorm(zm) / medianNorm(zk)
	}
	testutil.Within(t, 4*graphTimeout, func() {
		without, with := ratio(0), ratio(3)
		t.Logf("median |z| of the mixtures over the known images': %.3f without placeholders, %.3f with", without, with)
		if !(with < 0.8*without) {
			t.Errorf("placeholders did not pull the mixtures in: ratio %.3f with, %.3f without", with, without)
		}
	})
}

// medianNorm is the median |z| of 2-D encodings.
func medianNorm(z []float32) float64 {
	n := make([]float64, len(z)/2)
	for i := range n {
		n[i] = math.Hypot(float64(z[2*i]), float64(z[2*i+1]))
	}
	sort.Float64s(n)
	return n[len(n)/2]
}
