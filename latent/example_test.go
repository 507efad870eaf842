package latent_test

import (
	"fmt"
	"math"

	"github.com/lsconf/lsconf/latent"
)

// The paper's layout: 5 class centres on a circle of radius d_c = 0.85,
// cluster radius r_c = 0.34, and what a point's similarity vector says.
func ExampleCircle() {
	l, err := latent.Circle(5, 0.85, 0.34)
	if err != nil {
		panic(err)
	}
	fmt.Printf("R_d %.4f, k_b %.4f\n", l.Rd(), l.Kb())
	z := []float64{0.80, 0.05} // near the first centre (0.85, 0)
	v, _ := l.V(z)
	label, outside, _ := l.Classify(z)
	fmt.Printf("v %.3f, label %d, outside %v\n", v, label, outside)
	far := []float64{5, 5}
	_, outside, _ = l.Classify(far)
	fmt.Println("far point outside:", outside)
	// Output:
	// R_d 0.9992, k_b 0.2496
	// v [0.948 0.084 0.000 0.000 0.000], label 0, outside false
	// far point outside: true
}

// L_G (eq 8) is 0 for points inside their own cluster and grows as
// exp(d - r_c) - 1 outside it; LGGrad is its gradient with respect to z.
// The second point sits on centre 0 but is labelled 1: its distance to
// centre 1 is R_d = 0.9992, so its term is exp(0.9992 - 0.34) - 1.
func ExampleLayout_LG() {
	l, _ := latent.Circle(5, 0.85, 0.34)
	z := [][]float64{{0.85, 0.1}, {0.85, 0}} // both near centre 0
	y := []int{0, 1}                         // the second is labelled class 1
	lg, _ := l.LG(z, y, latent.Sum)
	g, _ := l.LGGrad(z, y, latent.Sum)
	fmt.Printf("L_G %.4f\n", lg)
	fmt.Printf("gradient %.4f %.4f\n", g[0], g[1])
	// Output:
	// L_G 0.9333
	// gradient [0.0000 0.0000] [1.1364 -1.5641]
}

// sim (eq 15) of two points' v vectors: high for points of the same
// cluster, 0 for points of clusters that do not touch.
func ExampleSim() {
	l, _ := latent.Circle(5, 0.85, 0.34)
	a, _ := l.V([]float64{0.85, 0})
	b, _ := l.V([]float64{0.80, 0.1})
	c, _ := l.V([]float64{-0.69, 0.5})
	fmt.Printf("%.3f %.3f\n", latent.Sim(a, b), latent.Sim(a, c))
	// Output:
	// 0.875 0.000
}

// The polar encoder configuration of the paper's prose: 5 class sectors
// of 72 degrees, each a 60-degree class part centred on a circle-layout
// centre and a 12-degree gap; a point in a gap is rotated by half a sector
// into a class part (37.2 + 36 degrees).
func ExampleDefaultSectors() {
	s, _ := latent.DefaultSectors(5)
	for _, r := range s.Prohibited() {
		fmt.Printf("prohibited from %.0f degrees, %.0f wide\n", r.From*180/math.Pi, r.Width*180/math.Pi)
	}
	x, y, _ := s.Apply(math.Cos(0.65), math.Sin(0.65)) // 37 degrees: in a gap
	fmt.Printf("37 degrees -> %.1f degrees\n", math.Atan2(y, x)*180/math.Pi)
	// Output:
	// prohibited from 30 degrees, 12 wide
	// prohibited from 102 degrees, 12 wide
	// prohibited from 174 degrees, 12 wide
	// prohibited from 246 degrees, 12 wide
	// prohibited from 318 degrees, 12 wide
	// 37 degrees -> 73.2 degrees
}
