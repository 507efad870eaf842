package model

import (
	"math"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/latent"
)

// TestContrastiveHeadSpecs: without the contrastive head a model has
// exactly the tensors it always had (an old checkpoint loads); with it
// four more come last, after the decoder's and the rotation head's, whose
// offsets do not move. Weights without the head are refused by a model
// with it, and a model without it refuses to project.
func TestContrastiveHeadSpecs(t *testing.T) {
	for _, c := range []Config{{NC: 3, ND: 2, Width: 16}, {NC: 3, ND: 2, Width: 16, Decoder: true, RotationHead: true, RotationHidden: 8}} {
		r := c
		r.ContrastiveHead = true
		plain := Specs(c)
		last := addedSpecs(t, c, r, 4)
		if last[0].Name != "con.hidden.kernel" || last[0].Shape[0] != c.Flat() || last[0].Shape[1] != ContrastiveHidden ||
			last[2].Shape[0] != ContrastiveHidden || last[3].Shape[0] != ContrastiveDim {
			t.Errorf("%+v: contrastive tensors %v", c, last)
		}
		p1, s1 := decoderOffsets(c)
		p2, s2 := decoderOffsets(r)
		if p1 != p2 || s1 != s2 || contrastiveOffset(r) != len(plain) {
			t.Errorf("%+v: offsets moved: decoder (%d, %d) vs (%d, %d), contrastive %d of %d", c, p1, s1, p2, s2, contrastiveOffset(r), len(plain))
		}
		if c.RotationHead && rotationOffset(r) != rotationOffset(c) {
			t.Errorf("rotation offset moved: %d with the contrastive head, %d without", rotationOffset(r), rotationOffset(c))
		}
	}
	headlessWeights(t, "contrastive head", func(c *Config) { c.ContrastiveHead = true }, func(n *Net) error {
		_, err := n.ContrastiveProjections(make([]float32, 1024), 1)
		return err
	})
}

// headlessWeights checks that weights saved without an optional head
// load into a model without it, which refuses to use it (use returns an
// error), and are refused by a model with it (add sets the head).
func headlessWeights(t *testing.T, head string, add func(*Config), use func(*Net) error) {
	t.Helper()
	b := testBackend(t)
	c := Config{NC: 3, ND: 2, Width: 16}
	w, err := Init(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	n, err := NewNet(b, c, w)
	if err != nil {
		t.Fatalf("old weights: %v", err)
	}
	defer n.Close()
	if err := use(n); err == nil {
		t.Errorf("the %s of a model without it: no error", head)
	}
	add(&c)
	if _, err := NewNet(b, c, w); err == nil {
		t.Errorf("weights without the %s loaded into a model with it", head)
	}
}

// TestContrastiveProjectionUnitNorm: every projection of an initialised
// model with the head has norm 1 (and the images get different ones).
func TestContrastiveProjectionUnitNorm(t *testing.T) {
	b := testBackend(t)
	c := Config{NC: 3, ND: 2, Width: 16, ContrastiveHead: true}
	w, err := Init(c, 2)
	if err != nil {
		t.Fatal(err)
	}
	n, err := NewNet(b, c, w)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	x, _ := cornerImages(5, 4, false)
	testutil.Within(t, graphTimeout, func() {
		p, err := n.ContrastiveProjections(x, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 5*ContrastiveDim {
			t.Fatalf("%d values for 5 images, want %d", len(p), 5*ContrastiveDim)
		}
		for i := range 5 {
			s := 0.0
			for _, v := range p[i*ContrastiveDim : (i+1)*ContrastiveDim] {
				s += float64(v) * float64(v)
			}
			if math.Abs(math.Sqrt(s)-1) > 1e-4 {
				t.Errorf("projection %d has norm %v", i, math.Sqrt(s))
			}
		}
		d := 0.0
		for k := range ContrastiveDim {
			d += math.Abs(float64(p[k] - p[ContrastiveDim+k]))
		}
		if d < 1e-4 {
			t.Errorf("two different images have the same projection")
		}
	})
}

// TestContrastiveLossByHand: two pairs of unit 2-D vectors at tau 0.5.
// Each view equal to its pair's: every anchor sees similarities 0 (the
// other image), 1 (its view) and 0 (the other view), so the loss is
// -log(e^2 / (e^2 + 2)) = log(1 + 2e^-2). The views swapped: its view is
// at similarity 0 and the other image's view at 1, log(2 + e^2). With
// the two images again as extra negatives (similarities 1 and 0 more),
// the first case becomes -log(e^2 / (2e^2 + 3)) = log(2 + 3e^-2).
func TestContrastiveLossByHand(t *testing.T) {
	b := testBackend(t)
	cases := []struct {
		p2, neg []float32
		want    float64
	}{
		{[]float32{1, 0, 0, 1}, nil, math.Log(1 + 2*math.Exp(-2))},
		{[]float32{0, 1, 1, 0}, nil, math.Log(2 + math.Exp(2))},
		{[]float32{1, 0, 0, 1}, []float32{1, 0, 0, 1}, math.Log(2 + 3*math.Exp(-2))},
	}
	testutil.Within(t, graphTimeout, func() {
		for _, tc := range cases {
			in := []any{tensors.FromFlatDataAndDimensions([]float32{1, 0, 0, 1}, 2, 2), tensors.FromFlatDataAndDimensions(tc.p2, 2, 2)}
			if tc.neg != nil {
				in = append(in, tensors.FromFlatDataAndDimensions(tc.neg, 2, 2))
			}
			out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
				var neg *graph.Node
				if len(in) == 3 {
					neg = in[2]
				}
				return []*graph.Node{ContrastiveLoss(in[0], in[1], neg, 0.5)}
			}, in...)
			if got := float64(tensors.ToScalar[float32](out[0])); math.Abs(got-tc.want) > 1e-4 {
				t.Errorf("views %v, negatives %v: loss %v, want %v", tc.p2, tc.neg, got, tc.want)
			}
		}
	})
}

// TestTurnedNegativesByHand: pixel (y, x) = 32y + x; image j is turned
// by 1 + j mod 3 quarter turns clockwise (TestTurnImagesByHand's
// formulas), never left upright.
func TestTurnedNegativesByHand(t *testing.T) {
	b := testBackend(t)
	x := indexImages(4)
	want := turnedPixel
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			return []*graph.Node{TurnedNegatives(in[0])}
		}, tensors.FromFlatDataAndDimensions(x, 4, 32, 32, 1))
		m := tensors.MustCopyFlatData[float32](out[0])
		for j := range 4 {
			for y := range 32 {
				for xx := range 32 {
					if got := m[j*1024+y*32+xx]; got != want(1+j%3, y, xx) {
						t.Fatalf("image %d: (%d, %d) = %v, want %v", j, y, xx, got, want(1+j%3, y, xx))
					}
				}
			}
		}
	})
}

// viewByHand is ContrastiveView of one image (1024 pixels) at batch index
// j, written out pixel by pixel.
func viewByHand(img []float32, j int) []float32 {
	p := ContrastiveViewParams(j)
	src := func(y, x int) float64 {
		if p.Mirror {
			x = 31 - x
		}
		return float64(img[y*32+x])
	}
	moved := make([]float64, 1024)
	mean := 0.0
	for y := range 32 {
		for x := range 32 {
			sy, sx := y-p.DY, x-p.DX
			if sy >= 0 && sy < 32 && sx >= 0 && sx < 32 {
				moved[y*32+x] = src(sy, sx)
			}
			mean += moved[y*32+x] / 1024
		}
	}
	out := make([]float32, 1024)
	for i, v := range moved {
		out[i] = float32(min(1, max(0, p.Contrast*(v-mean)+mean+p.Brightness)))
	}
	return out
}

// TestContrastiveViewByHand: the parameters of a few indices as the doc
// gives them; one bright pixel at (10, 10) of image 0 (moved 3 up and 1
// left, contrast 0.7, brightness -0.2) lands at (7, 9) with value
// 0.7 (1 - m) + m - 0.2, m = 1/1024, every other pixel clipped to 0; and
// a batch of 9 graded images equals the pixel-by-pixel transform.
func TestContrastiveViewByHand(t *testing.T) {
	for j, want := range map[int]ViewParams{
		0: {DY: -3, DX: -1, Mirror: false, Contrast: 0.7, Brightness: -0.2},
		1: {DY: -2, DX: 2, Mirror: true, Contrast: 0.8, Brightness: 0.05},
		4: {DY: 1, DX: -3, Mirror: false, Contrast: 1.1, Brightness: -0.1},
	} {
		got := ContrastiveViewParams(j)
		if got.DY != want.DY || got.DX != want.DX || got.Mirror != want.Mirror || math.Abs(got.Contrast-want.Contrast) > 1e-12 || math.Abs(got.Brightness-want.Brightness) > 1e-12 {
			t.Errorf("index %d: %+v, want %+v", j, got, want)
		}
	}
	b := testBackend(t)
	const n = 9
	x := make([]float32, n*1024)
	x[10*32+10] = 1
	for i := 1; i < n; i++ {
		for p := range 1024 {
			x[i*1024+p] = float32((p*(i+3))%97) / 96
		}
	}
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			return []*graph.Node{ContrastiveView(in[0])}
		}, tensors.FromFlatDataAndDimensions(x, n, 32, 32, 1))
		v := tensors.MustCopyFlatData[float32](out[0])
		m := 1.0 / 1024
		for p := range 1024 {
			want := 0.0
			if p == 7*32+9 {
				want = 0.7*(1-m) + m - 0.2
			}
			if math.Abs(float64(v[p])-want) > 1e-5 {
				t.Fatalf("image 0 pixel (%d, %d) = %v, want %v", p/32, p%32, v[p], want)
			}
		}
		for i := 1; i < n; i++ {
			want := viewByHand(x[i*1024:(i+1)*1024], i)
			for p := range 1024 {
				if math.Abs(float64(v[i*1024+p]-want[p])) > 1e-5 {
					t.Fatalf("image %d pixel (%d, %d) = %v, want %v (%+v)", i, p/32, p%32, v[i*1024+p], want[p], ContrastiveViewParams(i))
				}
			}
		}
	})
}

// TestContrastiveLossFalls trains a tiny ce model with the contrastive
// term alone beside L_CE on the corner images: the term (the loss minus
// the cross entropy, over the weight) falls by more than half a nat
// below its first steps' level and below chance, log(2B - 1) (log(3B - 1)
// with the turned negatives, also trained; its floor
// at tau 0.5, every view matched and the other images orthogonal, is
// log(1 + (2B - 2) e^-2), 2.24 at B = 32). The loss validates its weight and temperature and needs the head.
func TestContrastiveLossFalls(t *testing.T) {
	l, err := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{NC: 3, ND: 2, Width: 16, Layout: l, ContrastiveHead: true}
	for _, bad := range []LossConfig{{Contrastive: -1}, {Contrastive: 1, ContrastiveTemp: -0.1}, {Contrastive: math.NaN()}, {ContrastiveTurned: true}} {
		bad.Mode, bad.Layout = ModeCE, l
		if err := bad.Validate(cfg); err == nil {
			t.Errorf("%+v validated", bad)
		}
	}
	plain := cfg
	plain.ContrastiveHead = false
	if err := (LossConfig{Mode: ModeCE, Layout: l, Contrastive: 1}).Validate(plain); err == nil {
		t.Errorf("a contrastive weight without the head validated")
	}
	x, y := cornerImages(96, 5, false)
	b := testBackend(t)
	for _, turned := range []bool{false, true} {
		testutil.Within(t, 4*graphTimeout, func() { contrastiveFalls(t, b, cfg, l, x, y, turned) })
	}
}

// contrastiveFalls trains cfg with L_CE and the contrastive term (with
// the turned negatives when turned) on x, y and checks the term falls.
func contrastiveFalls(t *testing.T, b compute.Backend, cfg Config, l *latent.Layout, x []float32, y []int32, turned bool) {
	w, err := Init(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	const weight = 0.5
	tr, err := NewTrainer(b, cfg, &State{Weights: *w}, LossConfig{Mode: ModeCE, Layout: l, Contrastive: weight, ContrastiveTurned: turned}, DefaultAdam(3e-3))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	const bs, steps = 32, 45
	var first, last float64
	for s := range steps {
		k := s % 3
		res, err := tr.TrainStep(x[k*bs*1024:(k+1)*bs*1024], y[k*bs:(k+1)*bs])
		if err != nil {
			t.Fatal(err)
		}
		con := (res.Loss - res.CE) / weight
		if s < 3 {
			first += con / 3
		}
		if s >= steps-3 {
			last += con / 3
		}
	}
	others := 2*bs - 1
	if turned {
		others += bs
	}
	chance := math.Log(float64(others))
	t.Logf("turned negatives %v: contrastive term %.3f over the first 3 steps, %.3f over the last 3 (chance %.3f)", turned, first, last, chance)
	if !(last < first-0.5 && last < chance-0.5) {
		t.Errorf("turned negatives %v: the contrastive term did not fall: %.3f first, %.3f last", turned, first, last)
	}
}

// addedSpecs checks that r's tensors are c's followed by n more (and the
// same batch-norm statistics) and returns the n.
func addedSpecs(t *testing.T, c, r Config, n int) []ParamSpec {
	t.Helper()
	plain, more := Specs(c), Specs(r)
	if len(more) != len(plain)+n || len(BNSpecs(r)) != len(BNSpecs(c)) {
		t.Fatalf("%+v: %d tensors with the head, %d without; want %d more", c, len(more), len(plain), n)
	}
	for i, s := range plain {
		if more[i].Name != s.Name {
			t.Fatalf("%+v: tensor %d is %s with the head, %s without", c, i, more[i].Name, s.Name)
		}
	}
	return more[len(plain):]
}
