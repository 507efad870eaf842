package plot

import (
	"strings"
	"testing"
)

func TestThinAndGeneralizationMarkers(t *testing.T) {
	pts := make([][]float64, 10000)
	lab := make([]int, len(pts))
	for i := range pts {
		pts[i], lab[i] = []float64{float64(i), 0}, i%3
	}
	c := Thin(TrainCloud("test", pts, lab), 5000)
	if len(c.Points) != 5000 || len(c.Labels) != 5000 || c.Points[1][0] != 2 || c.Labels[1] != 2 || !strings.Contains(c.Name, "5000 of 10000 drawn") {
		t.Fatalf("thinned cloud: %d points, name %q, second point %v", len(c.Points), c.Name, c.Points[1])
	}
	if u := Thin(TrainCloud("x", pts[:10], nil), 5000); len(u.Points) != 10 || u.Name != "x" {
		t.Fatalf("small cloud changed: %+v", u)
	}
	if r := GeneralizationCloud("gen", pts[:80], nil).Radius; r != LargePoint {
		t.Fatalf("80 generalization points: radius %v, want the paper's large %v", r, LargePoint)
	}
	big := GeneralizationCloud("gen", pts, nil).Radius
	if big != 1.5*SmallPoint {
		t.Fatalf("10000 generalization points: radius %v, want the smallest, %v", big, 1.5*SmallPoint)
	}
	if r := GeneralizationCloud("gen", pts[:400], nil).Radius; !(r < LargePoint && r > 1.5*SmallPoint) {
		t.Fatalf("400 generalization points: radius %v, want between %v and %v", r, 1.5*SmallPoint, LargePoint)
	}
	// A figure of named classes draws (names at the centres) without error.
	if _, err := Scatter(ScatterSpec{Classes: []string{"a", "b", "c"}, Clouds: []Cloud{c}, View: View{Half: 2}}); err != nil {
		t.Fatal(err)
	}
}
