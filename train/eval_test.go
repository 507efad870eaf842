package train

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/lsconf/lsconf/latent"
)

// TestScore checks the evaluation figures on hand-made encodings.
func TestScore(t *testing.T) {
	l, err := latent.Circle(3, 1, 0.3) // centres (1,0), (-0.5,0.866), (-0.5,-0.866)
	if err != nil {
		t.Fatal(err)
	}
	classes := []string{"a", "b", "c"}
	c1 := l.Center(1)
	z := []float32{
		1.1, 0, // class 0, inside, head says 0
		0.9, 0.2, // class 0, inside (d = 0.2236), head says 1
		float32(c1[0]), float32(c1[1]) + 0.5, // class 1, outside r_c (0.5), near 1, head 1
		5, 5, // class 2, outside the configured space, head 2
	}
	logits := []float32{
		3, 0, 0,
		0, 1, 0,
		0, 2, 1,
		0, 0, 1,
	}
	labels := []int32{0, 0, 1, 2}
	r, err := Score(l, latent.RuleFor(0), classes, z, logits, labels)
	if err != nil {
		t.Fatal(err)
	}
	if r.N != 4 || r.Accuracy != 0.75 {
		t.Errorf("N %d accuracy %v, want 4 and 0.75", r.N, r.Accuracy)
	}
	// Nearest cluster: 0, 0, 1, and (5,5) is nearest to centre 1 ((-0.5, 0.87)) ... or 0
	near2, out2, _ := l.Classify([]float64{5, 5})
	wantNear := 3.0
	if near2 == 2 {
		wantNear = 4
	}
	if r.NearestAccuracy != wantNear/4 || !out2 {
		t.Errorf("nearest accuracy %v, want %v (outside %v)", r.NearestAccuracy, wantNear/4, out2)
	}
	if r.Confusion[0][0] != 1 || r.Confusion[0][1] != 1 || r.Confusion[1][1] != 1 || r.Confusion[2][2] != 1 {
		t.Errorf("confusion %v", r.Confusion)
	}
	c := r.Conformance
	if c.WithinRc != 0.5 || c.Outside != 0.25 {
		t.Errorf("within r_c %v outside %v, want 0.5 and 0.25", c.WithinRc, c.Outside)
	}
	if want := math.Hypot(5, 5); math.Abs(c.MaxNorm-want) > 1e-6 {
		t.Errorf("max |z| %v, want %v", c.MaxNorm, want)
	}
	// Class 0's median is (1.0, 0.1): distance 0.1 from (1, 0).
	c0 := c.Classes[0]
	if c0.N != 2 || math.Abs(c0.MedianZ[0]-1) > 1e-6 || math.Abs(c0.MedianZ[1]-0.1) > 1e-6 || math.Abs(c0.MedianDistance-0.1) > 1e-6 || c0.WithinRc != 1 {
		t.Errorf("class 0 conformance %+v", c0)
	}
	if c1c := c.Classes[1]; math.Abs(c1c.MedianDistance-0.5) > 1e-6 || c1c.WithinRc != 0 || c1c.Outside != 0 {
		t.Errorf("class 1 conformance %+v", c1c)
	}
	if math.Abs(c.MaxMedianDistance-c.Classes[2].MedianDistance) > 1e-12 {
		t.Errorf("max median distance %v, class 2's is %v", c.MaxMedianDistance, c.Classes[2].MedianDistance)
	}
	// L_G mean: f_d of each own distance.
	wantLG := 0.0
	for i, y := range labels {
		d, _ := l.Distances([]float64{float64(z[2*i]), float64(z[2*i+1])})
		wantLG += latent.FD(d[y], l.Radius(int(y)))
	}
	if math.Abs(r.LG-wantLG/4) > 1e-9 {
		t.Errorf("L_G %v, want %v", r.LG, wantLG/4)
	}
	if _, err := Score(l, latent.RuleFor(0), classes, z, logits, []int32{0, 0, 1, 3}); err == nil {
		t.Errorf("label 3 of 3 classes accepted")
	}
}

// TestScoreFarPointsStayJSON: encodings thousands of units away (mode ce
// allows them) overflow f_d; the figures saturate and stay writable.
func TestScoreFarPointsStayJSON(t *testing.T) {
	l, err := latent.Circle(3, 1, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Score(l, latent.RuleFor(0), []string{"a", "b", "c"}, []float32{3000, 0, 0, -2000}, []float32{1, 0, 0, 0, 1, 0}, []int32{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.LG != math.MaxFloat64 {
		t.Errorf("L_G of far points %v, want it saturated at MaxFloat64", r.LG)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("evaluation of far points is not JSON: %v", err)
	}
}
