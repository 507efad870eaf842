package latent

import (
	"fmt"
	"math"
)

// Plane is a 2-D view of an n_d-dimensional LS: two orthonormal axes U and
// V (n_d values each); a point z is drawn at (z·U, z·V). Name says which
// plane it is, for a caption.
type Plane struct {
	U    []float64 `json:"u"`
	V    []float64 `json:"v"`
	Name string    `json:"name"`
}

// Project returns z's coordinates in the plane.
func (p Plane) Project(z []float64) (x, y float64) {
	for i := range z {
		if i < len(p.U) {
			x += z[i] * p.U[i]
			y += z[i] * p.V[i]
		}
	}
	return x, y
}

// Lift returns the LS point of plane coordinates (x, y): x U + y V.
func (p Plane) Lift(x, y float64) []float64 {
	z := make([]float64, len(p.U))
	for i := range z {
		z[i] = x*p.U[i] + y*p.V[i]
	}
	return z
}

// ViewPlane is the plane a 2-D view of the layout is drawn in. For n_d = 2
// it is the LS itself. Above, drawing the first two coordinates puts most
// centres of a simplex on one spot, so the plane is chosen to spread the
// centres: of two candidates, the one whose projected centres have the
// larger smallest pairwise distance (ties: the first):
//   - the principal plane of the centres (the two directions of largest
//     variance, by power iteration with deflation),
//   - the polygon plane, spanned by sum_i cos(2 pi i/n_c) c_i and
//     sum_i sin(2 pi i/n_c) c_i (for a regular simplex the centres then
//     form a regular n_c-gon, its Petrie projection), and
//   - the plane of every two LS axes.
func (l *Layout) ViewPlane() Plane {
	nd := l.ND()
	if nd == 2 {
		return Plane{U: []float64{1, 0}, V: []float64{0, 1}, Name: "the LS plane (n_d = 2)"}
	}
	cs := l.Centers()
	type cand struct {
		name string
		u, v []float64
	}
	pu, pv := principalAxes(cs)
	qu, qv := polygonAxes(cs)
	cands := []cand{{"principal plane of the centres", pu, pv}, {"polygon plane of the centres", qu, qv}}
	for a := range nd {
		for b := a + 1; b < nd; b++ {
			u, v := make([]float64, nd), make([]float64, nd)
			u[a], v[b] = 1, 1
			cands = append(cands, cand{fmt.Sprintf("plane of LS axes %d and %d", a+1, b+1), u, v})
		}
	}
	var best Plane
	bestD := -1.0
	for _, c := range cands {
		u, v, ok := orthonormal(c.u, c.v)
		if !ok {
			continue
		}
		p := Plane{U: u, V: v}
		if d := minProjectedDistance(p, cs); d > bestD*(1+1e-9) {
			best, bestD = p, d
			best.Name = fmt.Sprintf("the %s (n_d = %d projected to 2: of the principal plane, the polygon plane and the planes of two LS axes, the one whose %d projected centres lie farthest apart; smallest distance %.3g, R_d = %.3g)",
				c.name, nd, len(cs), d, l.Rd())
		}
	}
	return best
}

// minProjectedDistance is the smallest distance between two projected
// centres.
func minProjectedDistance(p Plane, cs [][]float64) float64 {
	d := math.Inf(1)
	for i := range cs {
		xi, yi := p.Project(cs[i])
		for j := i + 1; j < len(cs); j++ {
			xj, yj := p.Project(cs[j])
			d = min(d, math.Hypot(xi-xj, yi-yj))
		}
	}
	return d
}

// principalAxes are the two leading eigenvectors of the centres'
// covariance (power iteration from fixed starts, the second deflated).
func principalAxes(cs [][]float64) (u, v []float64) {
	nd := len(cs[0])
	mean := make([]float64, nd)
	for _, c := range cs {
		for k, x := range c {
			mean[k] += x / float64(len(cs))
		}
	}
	cov := make([][]float64, nd)
	for a := range cov {
		cov[a] = make([]float64, nd)
		for _, c := range cs {
			for b := range nd {
				cov[a][b] += (c[a] - mean[a]) * (c[b] - mean[b])
			}
		}
	}
	power := func(deflate []float64) []float64 {
		x := make([]float64, nd)
		for k := range x {
			x[k] = 1 / math.Sqrt(float64(k+1)) // a fixed, generic start
		}
		for range 500 {
			y := make([]float64, nd)
			for a := range nd {
				for b := range nd {
					y[a] += cov[a][b] * x[b]
				}
			}
			if deflate != nil {
				d := dot(y, deflate)
				for k := range y {
					y[k] -= d * deflate[k]
				}
			}
			n := math.Sqrt(dot(y, y))
			if n == 0 {
				return x
			}
			for k := range y {
				y[k] /= n
			}
			x = y
		}
		return x
	}
	u = power(nil)
	v = power(u)
	return u, v
}

// polygonAxes are sum_i cos(2 pi i/n) c_i and sum_i sin(2 pi i/n) c_i.
func polygonAxes(cs [][]float64) (u, v []float64) {
	nd, n := len(cs[0]), len(cs)
	u, v = make([]float64, nd), make([]float64, nd)
	for i, c := range cs {
		a := 2 * math.Pi * float64(i) / float64(n)
		for k, x := range c {
			u[k] += math.Cos(a) * x
			v[k] += math.Sin(a) * x
		}
	}
	return u, v
}

// orthonormal makes u unit and v unit and orthogonal to it (Gram-Schmidt);
// ok is false when they are (nearly) dependent.
func orthonormal(u, v []float64) (a, b []float64, ok bool) {
	nu := math.Sqrt(dot(u, u))
	if !(nu > 1e-12) {
		return nil, nil, false
	}
	a = make([]float64, len(u))
	for k := range u {
		a[k] = u[k] / nu
	}
	d := dot(v, a)
	b = make([]float64, len(v))
	for k := range v {
		b[k] = v[k] - d*a[k]
	}
	nb := math.Sqrt(dot(b, b))
	if !(nb > 1e-9*max(1, math.Sqrt(dot(v, v)))) {
		return nil, nil, false
	}
	for k := range b {
		b[k] /= nb
	}
	return a, b, true
}
