package repro

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/metrics"
	"github.com/lsconf/lsconf/model"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// TestFeatureScoresByHand checks the k-NN, Mahalanobis, relative
// Mahalanobis and residual scores on a 2-D case worked by hand.
func TestFeatureScoresByHand(t *testing.T) {
	bank := newKNNBank([]float32{2, 0, 0, 3}, 2, true) // normalised: (1,0), (0,1)
	got := bank.scores([]float32{1, 1}, []int{1, 2})
	want := math.Sqrt(2 - math.Sqrt2) // |(1,1)/sqrt2 - (1,0)|
	if !near(got[0][0], want) || !near(got[1][0], want) {
		t.Errorf("k-NN distances %v, want %v for k=1 and 2", got, want)
	}
	// class 0 around (0,0), class 1 around (10,0): within-class
	// covariance diag(0.5, 0.5); global mean (5,0), covariance
	// diag(25.5, 0.5).
	x := []float32{-1, 0, 1, 0, 0, -1, 0, 1, 9, 0, 11, 0, 10, -1, 10, 1}
	y := []int32{0, 0, 0, 0, 1, 1, 1, 1}
	g, err := fitGaussian(x, y, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	maha, rmaha, resid := g.scores([]float32{10, 2})
	if !near(maha[0], 8) { // (0,2) off class 1: 4/0.5
		t.Errorf("Mahalanobis %v, want 8", maha[0])
	}
	if bg := 25/25.5 + 4/0.5; !near(rmaha[0], 8-bg) {
		t.Errorf("relative Mahalanobis %v, want %v", rmaha[0], 8-bg)
	}
	if !near(resid[0], 2) { // 90% of the variance is along x: the residual is y
		t.Errorf("residual %v, want 2", resid[0])
	}
}

// TestFeatureScoresFlagOffManifold: features of known classes lie near a
// low-dimensional subspace; inputs off it (and off the class clusters)
// must score higher by every feature score.
func TestFeatureScoresFlagOffManifold(t *testing.T) {
	const dim, nc, per = 16, 3, 200
	rng := rand.New(rand.NewPCG(1, 2))
	center := func(c int) []float64 {
		v := make([]float64, dim)
		v[c] = 4
		return v
	}
	sample := func(c int, off bool) []float32 {
		out := make([]float32, dim)
		m := center(c)
		for t := range dim {
			s := 0.05 // the known manifold is thin off the first nc axes
			if t < nc {
				s = 0.5
			}
			if off && t >= nc {
				s = 1.5
			}
			out[t] = float32(m[t] + s*rng.NormFloat64())
		}
		return out
	}
	var x []float32
	var y []int32
	for c := range nc {
		for range per {
			x = append(x, sample(c, false)...)
			y = append(y, int32(c))
		}
	}
	g, err := fitGaussian(x, y, nc, dim)
	if err != nil {
		t.Fatal(err)
	}
	bank := newKNNBank(x, dim, true)
	var known, unknown []float32
	for i := range 150 {
		known = append(known, sample(i%nc, false)...)
		unknown = append(unknown, sample(i%nc, true)...)
	}
	score := func(q []float32) map[string][]float64 {
		kn := bank.scores(q, []int{1, 10})
		m, r, res := g.scores(q)
		return map[string][]float64{"knn1": kn[0], "knn10": kn[1], "maha": m, "rmaha": r, "resid": res}
	}
	ks, us := score(known), score(unknown)
	for name := range ks {
		d, err := metrics.Detect(us[name], ks[name])
		if err != nil {
			t.Fatal(err)
		}
		if d.AUROC < 0.95 {
			t.Errorf("%s: AUROC %.3f of off-manifold inputs, want >= 0.95", name, d.AUROC)
		}
	}
}

// TestSymEigen checks the Jacobi eigen-decomposition on a 3x3 matrix:
// A v = lambda v, eigenvalues in decreasing order.
func TestSymEigen(t *testing.T) {
	a := [][]float64{{4, 1, 0}, {1, 3, 1}, {0, 1, 2}}
	vecs, vals := symEigen(a)
	for i, v := range vecs {
		for r := range 3 {
			av := 0.0
			for c := range 3 {
				av += a[r][c] * v[c]
			}
			if !near(av, vals[i]*v[r]) {
				t.Fatalf("eigenpair %d: (A v)[%d] = %v, lambda v = %v", i, r, av, vals[i]*v[r])
			}
		}
	}
	if !(vals[0] >= vals[1] && vals[1] >= vals[2]) || !near(vals[0]+vals[1]+vals[2], 9) {
		t.Errorf("eigenvalues %v: want decreasing, summing to the trace 9", vals)
	}
}

// TestUnseenFeatureTable: the unseen report lists the feature scores the
// runs carry and their calibrated outside shares, with "-" for a mode
// whose runs lack one (ce has no LS score to combine with), and no table
// without them.
func TestUnseenFeatureTable(t *testing.T) {
	l, err := latent.Circle(2, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig().WithDefaults()
	res := &UnseenResult{Classes: []string{"a", "b", "c"}, Seeds: []uint64{1}, Runs: []*UnseenRun{
		{Held: "a", Mode: model.ModeCEG, Seed: 1, Median: []float64{0, 0}, Nearest: map[string]float64{"b": 1}, OpenSet: map[string]metrics.OpenSet{ScoreFeatKNN10: {AUROC: 0.75, FPRAt95TPR: 0.5}, ScoreFeatKNNxLS: {AUROC: 0.625, FPRAt95TPR: 0.75}},
			FeatureCalOutside: map[string][2]float64{ScoreFeatKNN10: {0.5, 0.04}}, TPRAt5FPR: map[string]float64{ScoreFeatKNN10: 0.4}},
		{Held: "a", Mode: model.ModeCE, Seed: 1, Median: []float64{0, 0}, Nearest: map[string]float64{"b": 1}, OpenSet: map[string]metrics.OpenSet{ScoreFeatKNN10: {AUROC: 0.875, FPRAt95TPR: 0.25}}},
	}}
	md := unseenDoc(cfg, l, res).Markdown()
	for _, row := range []string{"| feature k-NN k=10 | 0.750 | 0.50 | 0.40 | 50.0% / 4.0% | 0.875 | 0.25 | not tested | - |", "| 0.625 | 0.75 | not tested | - | - | - | - | - |"} {
		if !strings.Contains(md, row) {
			t.Errorf("report lacks %q:\n%s", row, md)
		}
	}
	for _, r := range res.Runs {
		r.OpenSet = map[string]metrics.OpenSet{}
	}
	if md := unseenDoc(cfg, l, res).Markdown(); strings.Contains(md, "--feature-scores") {
		t.Errorf("a feature table without feature scores")
	}
}
