package metrics

import (
	"math"
	"testing"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) {
		t.Errorf("%s = %.6g, want %.6g", what, got, want)
	}
}

// Six points on a line, score = -distance. Labels 0, 0, 1, 1, 1 and a
// class of size 1 (label 2). The expected values are worked out by hand
// in the comments, with ties ordered pessimistically.
func TestEvaluateHand(t *testing.T) {
	x := []float64{0, 1, 3, 4, 6, 2}
	labels := []int{0, 0, 1, 1, 1, 2}
	score := func(q int, dst []float64) {
		for i := range x {
			dst[i] = -math.Abs(x[i] - x[q])
		}
	}
	// q0: ranks 1(T) 5 2 3 4          R=1: P1 1, Rp 1, MAP@R 1, MRR 1, P@3 1/3
	// q1: 5 and 0 tie at 1 -> 5, 0(T)  R=1: P1 0, Rp 0, MAP@R 0, MRR 1/2, P@3 1/3
	// q2: 5,3(T) tie; 1; 0,4(T) tie   R=2: P1 0, Rp 1/2, MAP@R 1/4, MRR 1/2, P@3 1/3
	// q3: 2(T); 5,4(T) tie; 1; 0      R=2: P1 1, Rp 1/2, MAP@R 1/2, MRR 1, P@3 2/3
	// q4: 3(T) 2(T) 5 1 0             R=2: P1 1, Rp 1, MAP@R 1, MRR 1, P@3 2/3
	// q5: R=0, skipped
	for _, w := range []int{1, 3} {
		r, err := Evaluate(labels, score, Options{K: 3, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if r.Queries != 5 || r.Skipped != 1 {
			t.Fatalf("queries %d skipped %d, want 5 and 1", r.Queries, r.Skipped)
		}
		near(t, "P@1", r.P1, 0.6, 1e-12)
		near(t, "P@3", r.PK, 7.0/15, 1e-12)
		near(t, "R-precision", r.RPrecision, 0.6, 1e-12)
		near(t, "MAP@R", r.MAPR, 0.55, 1e-12)
		near(t, "MRR", r.MRR, 0.8, 1e-12)
		l0, l1 := r.PerLabel[0], r.PerLabel[1]
		near(t, "label 0 MRR", l0.MRR, 0.75, 1e-12)
		near(t, "label 0 MAP@R", l0.MAPR, 0.5, 1e-12)
		near(t, "label 1 MAP@R", l1.MAPR, 1.75/3, 1e-12)
		near(t, "label 1 P@3", l1.PK, 5.0/9, 1e-12)
		if _, ok := r.PerLabel[2]; ok {
			t.Error("the class of size 1 has a per-label entry")
		}
	}
}

// All scores equal (a query outside every cluster): nothing is credited.
func TestAllTied(t *testing.T) {
	rel := RankRelevance([]float64{0, 0, 0, 0}, []bool{true, false, true, false})
	want := []bool{false, false, true, true}
	for i := range want {
		if rel[i] != want[i] {
			t.Fatalf("ranked relevance %v, want %v", rel, want)
		}
	}
	s, ok := QueryScores(rel, 10)
	if !ok {
		t.Fatal("query with relevant items reported as lone")
	}
	near(t, "P@1", s.P1, 0, 0)
	near(t, "MAP@R", s.MAPR, 0, 0)
	near(t, "MRR", s.MRR, 1.0/3, 1e-15)
	near(t, "P@10 (k beyond the results)", s.PK, 0.2, 1e-15)
	if _, ok := QueryScores([]bool{false, false}, 1); ok {
		t.Error("query without relevant items not reported as lone")
	}
}

func TestEvaluateBadInput(t *testing.T) {
	s := func(int, []float64) {}
	if _, err := Evaluate([]int{0, 0}, s, Options{K: -1}); err == nil {
		t.Error("k < 0 accepted")
	}
	if _, err := Evaluate([]int{0, -1}, s, Options{Queries: []int{1}}); err == nil {
		t.Error("unlabelled query accepted")
	}
	if _, err := Evaluate([]int{0, 0}, nil, Options{}); err == nil {
		t.Error("nil score accepted")
	}
}

// truth 0 0 1 1, pred 0 0 0 1: contingency [[2 0] [1 1]], a = (2, 2),
// b = (3, 1). MI = 1/2 ln(4/3) + 1/4 ln(2/3) + 1/4 ln 2; H(a) = ln 2,
// H(b) = -(3/4 ln 3/4 + 1/4 ln 1/4). By the hypergeometric law
// (P(n11 = 1) = P(n11 = 2) = 1/2, P(n12 = 1) = 1/2 per row), EMI = 2 *
// (1/2 * 1/4 ln(2/3) + 1/2 * 1/2 ln(4/3) + 1/2 * 1/4 ln 2) = MI: every
// labeling with these marginals has this table, so AMI = 0.
func TestClusterHand(t *testing.T) {
	c, err := Cluster([]int{0, 0, 1, 1}, []int{0, 0, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	mi := 0.5*math.Log(4.0/3) + 0.25*math.Log(2.0/3) + 0.25*math.Log(2)
	ha := math.Log(2)
	hb := -(0.75*math.Log(0.75) + 0.25*math.Log(0.25))
	near(t, "MI", c.MI, mi, 1e-12)
	near(t, "NMI", c.NMI, mi/((ha+hb)/2), 1e-12)
	near(t, "EMI", c.EMI, mi, 1e-12)
	near(t, "AMI", c.AMI, 0, 1e-9)

	// perfect up to renaming
	c, _ = Cluster([]int{1, 1, 2, 2}, []int{2, 2, 3, 3})
	near(t, "AMI renamed", c.AMI, 1, 1e-12)
	near(t, "NMI renamed", c.NMI, 1, 1e-12)
	// one class against singletons: no information
	c, _ = Cluster([]int{0, 0, 0, 0}, []int{0, 1, 2, 3})
	near(t, "AMI singletons", c.AMI, 0, 1e-12)
	near(t, "NMI singletons", c.NMI, 0, 1e-12)
	// both one class: 1 by convention (scikit-learn)
	c, _ = Cluster([]int{5, 5, 5}, []int{7, 7, 7})
	near(t, "AMI one class", c.AMI, 1, 0)
	if _, err := Cluster([]int{1}, []int{1, 2}); err == nil {
		t.Error("length mismatch accepted")
	}
}

// scikit-learn's own test values (test_supervised.py,
// test_adjusted_mutual_info_score): MI 0.41022, EMI 0.15042, AMI 0.27821
// (arithmetic normalisation), and 0.38 for the labels repeated 110 times.
func TestClusterScikitLearn(t *testing.T) {
	a := []int{1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3}
	b := []int{1, 1, 1, 1, 2, 1, 2, 2, 2, 2, 3, 1, 3, 3, 3, 2, 2}
	c, _ := Cluster(a, b)
	near(t, "MI", c.MI, 0.41022, 5e-6)
	near(t, "EMI", c.EMI, 0.15042, 5e-6)
	near(t, "AMI", c.AMI, 0.27821, 5e-6)
	var a110, b110 []int
	for range 110 {
		a110, b110 = append(a110, a...), append(b110, b...)
	}
	c, _ = Cluster(a110, b110)
	near(t, "AMI x110", c.AMI, 0.38, 5e-3)
}

// pos 0.9 0.8 0.5, neg 0.5 0.3 0.1 0.8: pairs won 4 + (3 + 1/2) + (2 + 1/2)
// = 10 of 12. 95% of 3 positives needs all 3: threshold 0.5, negatives at
// or above it: 0.5 and 0.8, FPR 2/4.
func TestDetectHand(t *testing.T) {
	o, err := Detect([]float64{0.9, 0.8, 0.5}, []float64{0.5, 0.3, 0.1, 0.8})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "AUROC", o.AUROC, 10.0/12, 1e-15)
	near(t, "FPR@95", o.FPRAt95TPR, 0.5, 0)
	// 20 positives 1..20, negatives 0.5 and 1.5 ... : 19 of 20 positives
	// (95%) are >= 2, so the threshold is 2 and only negative 2.5 passes.
	var pos []float64
	for i := 1; i <= 20; i++ {
		pos = append(pos, float64(i))
	}
	near(t, "FPR@95 20", FPRAtTPR(pos, []float64{0.5, 1.5, 2.5, -3}, 0.95), 0.25, 0)
	// all tied: chance
	near(t, "AUROC tied", AUROC([]float64{1, 1}, []float64{1, 1, 1}), 0.5, 0)
	near(t, "FPR tied", FPRAtTPR([]float64{1, 1}, []float64{1, 1, 1}, 0.95), 1, 0)
	if _, err := Detect(nil, []float64{1}); err == nil {
		t.Error("no positives accepted")
	}
	if _, err := Detect([]float64{math.NaN()}, []float64{1}); err == nil {
		t.Error("NaN accepted")
	}
}

// TestOSCRByHand: known scores 0.1 (right), 0.3 (wrong), 0.5 (right);
// unknown 0.2 and 0.4. The curve (FPR, CCR) goes (0, 0) -> (0, 1/3) ->
// (1/2, 1/3) -> (1/2, 1/3) -> (1, 1/3) -> (1, 2/3): area 1/3. One known
// (right) and one unknown at the same score: the diagonal, 1/2. A perfect
// separation with every known right: 1.
func TestOSCRByHand(t *testing.T) {
	for _, c := range []struct {
		known   []float64
		correct []bool
		unknown []float64
		want    float64
	}{
		{[]float64{0.1, 0.3, 0.5}, []bool{true, false, true}, []float64{0.2, 0.4}, 1.0 / 3},
		{[]float64{0.2}, []bool{true}, []float64{0.2}, 0.5},
		{[]float64{0, 1}, []bool{true, true}, []float64{2, 3}, 1},
		{[]float64{0, 1}, []bool{true, false}, []float64{2, 3}, 0.5},
		{[]float64{5}, []bool{true}, []float64{1, 2}, 0},
	} {
		got, err := OSCR(c.known, c.correct, c.unknown)
		if err != nil || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("OSCR(%v, %v, %v) = %v, %v; want %v", c.known, c.correct, c.unknown, got, err, c.want)
		}
	}
	if _, err := OSCR(nil, nil, []float64{1}); err == nil {
		t.Errorf("OSCR without known items: no error")
	}
	if _, err := OSCR([]float64{math.NaN()}, []bool{true}, []float64{1}); err == nil {
		t.Errorf("OSCR with a NaN score: no error")
	}
}
