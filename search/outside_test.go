package search

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/latent"
)

// TestOutsideQueryRanksByDistance: a point outside every cluster scores 0
// against everything; it is marked, noted, and its results are the
// records nearest to it (not the lowest ids), each with its outside score.
func TestOutsideQueryRanksByDistance(t *testing.T) {
	classes := []string{"dots", "hlines", "squares", "uniform", "vlines"}
	e := clusterEngine(t, classes, 20, latent.PaperRC)
	l := e.Layout()
	// far out beyond the vlines centre (the last class: the highest ids)
	c := l.Center(4)
	p := []float64{3 * c[0], 3 * c[1]}
	r := mustRun(t, e, Spec{Point: fmt.Sprintf("%v,%v", p[0], p[1])}, 10)
	q, res := r.Query, r.Results
	if !q.Outside || q.Note == "" {
		t.Fatalf("query at %v: outside %v, note %q", p, q.Outside, q.Note)
	}
	last := -1.0
	for _, r := range res {
		if r.Label != "vlines" || r.Score != 0 || r.Distance == nil || *r.Distance < last {
			t.Fatalf("outside query: %+v (want vlines by increasing distance)", r)
		}
		last = *r.Distance
		if r.Outside || r.OutsideScore > 1+1e-6 || r.OutsideScore < 0 {
			t.Errorf("record %d inside r_c: outside %v, score %v", r.ID, r.Outside, r.OutsideScore)
		}
	}
	// An inside query: ranked by sim, not marked, outside scores filled.
	c1 := l.Center(1)
	r = mustRun(t, e, Spec{Point: fmt.Sprintf("%v,%v", c1[0], c1[1])}, 5)
	q, res = r.Query, r.Results
	if q.Outside || q.Note != "" {
		t.Errorf("centre query marked outside: %+v", q)
	}
	for _, r := range res {
		if r.Label != "hlines" || r.Distance != nil || r.OutsideScore > 1+1e-6 || math.IsNaN(r.OutsideScore) {
			t.Errorf("centre query result %+v", r)
		}
	}
	// A record far outside is flagged.
	o, near := l.OutsideScore([]float64{10, 0})
	if near != 0 || o < 10 {
		t.Errorf("OutsideScore((10, 0)) = %v near %d", o, near)
	}
}

// TestCalibratedOutside: with a calibrated threshold in the index's
// identity, records and queries beyond it are outside (unknown) although
// their v is not all zero; without one, the same records are not.
func TestCalibratedOutside(t *testing.T) {
	classes := []string{"dots", "hlines", "squares", "uniform", "vlines"}
	e := clusterEngine(t, classes, 20, latent.PaperRC)
	l := e.Layout()
	// a point 0.8 r_c from the dots centre: inside every threshold >= 0.8
	c := l.Center(0)
	spec := Spec{Point: fmt.Sprintf("%v,%v", c[0]+0.8*l.Radius(0), c[1])}
	r := mustRun(t, e, spec, 100)
	if r.Query.Unknown || r.Query.Outside {
		t.Fatalf("uncalibrated: query at 0.8 r_c is unknown %v, outside %v", r.Query.Unknown, r.Query.Outside)
	}
	for _, x := range r.Results {
		if x.Outside {
			t.Fatalf("uncalibrated: record %d within r_c marked outside", x.ID)
		}
	}
	e.identity.Outside = &latent.Calibration{OpenSetRule: latent.RuleFor(0), TPR: 0.95, Threshold: 0.5, N: 100, On: "test"}
	r = mustRun(t, e, spec, 100)
	if q := r.Query; !q.Unknown || q.Outside {
		t.Errorf("calibrated at 0.5: query at 0.8 r_c: unknown %v (want true), outside %v (want false: its v is not zero)", q.Unknown, q.Outside)
	}
	beyond, marked := 0, 0
	for _, x := range r.Results {
		if x.OutsideScore > 0.5 {
			beyond++
		}
		if x.Outside != (x.OutsideScore > 0.5) {
			t.Errorf("record %d at %.3f r_c: outside %v under threshold 0.5", x.ID, x.OutsideScore, x.Outside)
		}
		if x.Outside {
			marked++
		}
	}
	if beyond == 0 || marked != beyond {
		t.Errorf("%d of %d records beyond the threshold, %d marked", beyond, len(r.Results), marked)
	}
	if s := OutsideRule(e.identity.Outside, r.Query.Unknown); !strings.Contains(s, "unknown") || !strings.Contains(s, "0.5 r_c") {
		t.Errorf("OutsideRule: %q", s)
	}
}

func TestCheckPointNorm(t *testing.T) {
	for _, c := range []struct {
		z  []float64
		ok bool
	}{
		{[]float64{0, 0}, true},
		{[]float64{1e154, 0}, false}, // 1e308 > MaxFloat64/4
		{[]float64{6e153, 0}, true},
		{[]float64{-6e153, 6e153}, false},
		{[]float64{1e155, 0}, false},
		{[]float64{math.MaxFloat64, 0}, false},
		{[]float64{math.Inf(1), 0}, false},
		{[]float64{math.NaN(), 0}, false},
		{[]float64{1e-300, 1e-300}, true},
	} {
		if err := CheckPointNorm(c.z); (err == nil) != c.ok {
			t.Errorf("%v: %v, want ok=%v", c.z, err, c.ok)
		}
	}
	if _, err := ParsePoint("1e155,0", 2); err == nil || !strings.Contains(err.Error(), "too far") {
		t.Errorf("ParsePoint of a huge point: %v", err)
	}
}
