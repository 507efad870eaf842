package plot

import (
	"fmt"
	"math"
	"sort"

	"github.com/lsconf/lsconf/latent"
)

// Plane is the 2-D view of an n_d-dimensional latent space: point z is
// drawn at (z·U, z·V). U and V are orthonormal, so the projection of a
// cluster's ball of radius r_c is a disc of the same radius around the
// projected centre, and the LS origin stays at (0, 0).
type Plane struct {
	U, V           []float64
	XLabel, YLabel string
}

// Project returns the figure coordinates of z (len(z) must be len(U)).
func (p Plane) Project(z []float64) (x, y float64) {
	for i, zi := range z {
		x += zi * p.U[i]
		y += zi * p.V[i]
	}
	return x, y
}

// axisPlane is the identity view of a 2-D latent space.
func axisPlane() Plane {
	return Plane{U: []float64{1, 0}, V: []float64{0, 1}, XLabel: "z0", YLabel: "z1"}
}

// PlaneFor chooses the view of an nd-dimensional latent space.
//
// For nd = 2 it is the identity (axes z0, z1). For nd > 2 with a layout
// it is the best, by the smallest distance between projected centres (a
// candidate must beat the earlier ones by more than 1e-6 relative), of:
//   - "PCA": the two leading principal components of the centres;
//   - "polygon plane": the least-squares plane that sends centre i towards
//     angle 2*pi*i/n_c (for a regular simplex this is exact: the centres
//     land on a regular polygon, in the same order as the 2-D circle
//     layout);
//   - "spread plane": each of those improved by a deterministic descent on
//     the projected centres' repulsion energy (see spreadAxes), which
//     matters for spherical codes, where no plane shows every centre well.
//
// Without a layout it is the two leading principal components of the
// finite points. The axis labels name the choice.
func PlaneFor(nd int, layout *latent.Layout, points [][]float64) (Plane, error) {
	if nd < 2 {
		return Plane{}, fmt.Errorf("plane: latent dimension %d, need at least 2", nd)
	}
	if layout != nil && layout.ND() != nd {
		return Plane{}, fmt.Errorf("plane: layout has n_d = %d, points have %d", layout.ND(), nd)
	}
	if nd == 2 {
		return axisPlane(), nil
	}
	suffix := fmt.Sprintf(" (n_d = %d)", nd)
	if layout == nil {
		u, v := principalAxes(nd, finiteRows(points, nd))
		return Plane{U: u, V: v, XLabel: "PCA axis 1 of the points" + suffix, YLabel: "PCA axis 2 of the points" + suffix}, nil
	}
	centres := layout.Centers()
	n := len(centres)
	pu, pv := principalAxes(nd, centres)
	cands := []Plane{{U: pu, V: pv,
		XLabel: fmt.Sprintf("PCA axis 1 of the %d centres%s", n, suffix),
		YLabel: fmt.Sprintf("PCA axis 2 of the %d centres%s", n, suffix)}}
	if qu, qv, ok := polygonAxes(nd, centres); ok {
		cands = append(cands, Plane{U: qu, V: qv, XLabel: "polygon-plane axis 1" + suffix, YLabel: "polygon-plane axis 2" + suffix})
	}
	for _, c := range cands[:len(cands):len(cands)] {
		su, sv := spreadAxes(centres, c.U, c.V)
		cands = append(cands, Plane{U: su, V: sv, XLabel: "spread-plane axis 1" + suffix, YLabel: "spread-plane axis 2" + suffix})
	}
	best, bestD := cands[0], minProjectedDistance(cands[0], centres)
	for _, c := range cands[1:] {
		if d := minProjectedDistance(c, centres); d > bestD*(1+1e-6) {
			best, bestD = c, d
		}
	}
	return best, nil
}

// minProjectedDistance is the smallest distance between two projected
// points (+Inf for fewer than two).
func minProjectedDistance(p Plane, pts [][]float64) float64 {
	m := math.Inf(1)
	for i := range pts {
		xi, yi := p.Project(pts[i])
		for j := i + 1; j < len(pts); j++ {
			xj, yj := p.Project(pts[j])
			m = math.Min(m, math.Hypot(xi-xj, yi-yj))
		}
	}
	return m
}

// finiteRows returns the rows of pts of length nd whose entries are all
// finite.
func finiteRows(pts [][]float64, nd int) [][]float64 {
	var out [][]float64
	for _, z := range pts {
		if len(z) == nd && allFinite(z) {
			out = append(out, z)
		}
	}
	return out
}

// allFinite reports whether no entry of z is NaN or infinite.
func allFinite(z []float64) bool {
	for _, x := range z {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// principalAxes returns the two leading principal directions of the rows
// of pts (centred on their mean), completed with coordinate axes when the
// rows span fewer than two dimensions. Signs are fixed so that each axis's
// largest component is positive.
func principalAxes(nd int, pts [][]float64) (u, v []float64) {
	mean := make([]float64, nd)
	for _, z := range pts {
		for i := range mean {
			mean[i] += z[i] / float64(len(pts))
		}
	}
	m := make([][]float64, nd)
	for i := range m {
		m[i] = make([]float64, nd)
	}
	for _, z := range pts {
		for i := 0; i < nd; i++ {
			for j := 0; j < nd; j++ {
				m[i][j] += (z[i] - mean[i]) * (z[j] - mean[j])
			}
		}
	}
	vals, vecs := SymEigen(m)
	order := make([]int, nd)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })
	var axes [][]float64
	tol := 1e-12 * math.Max(1, math.Abs(vals[order[0]]))
	for _, k := range order[:2] {
		if vals[k] > tol {
			axes = append(axes, column(vecs, k))
		}
	}
	axes = completeBasis(nd, axes)
	return fixSign(axes[0]), fixSign(axes[1])
}

// polygonAxes returns the orthonormalised least-squares map P that sends
// the centred centres towards the regular polygon T_i = (cos 2pi i/n,
// sin 2pi i/n): P = pinv(Cc) T. ok is false when the map has rank < 2.
func polygonAxes(nd int, centres [][]float64) (u, v []float64, ok bool) {
	n := len(centres)
	if n < 3 {
		return nil, nil, false
	}
	mean := make([]float64, nd)
	for _, c := range centres {
		for i := range mean {
			mean[i] += c[i] / float64(n)
		}
	}
	cc := make([][]float64, n)
	for k, c := range centres {
		cc[k] = make([]float64, nd)
		for i := range c {
			cc[k][i] = c[i] - mean[i]
		}
	}
	// M = Cc^T Cc; pinv(Cc) = pinv(M) Cc^T.
	m := make([][]float64, nd)
	for i := range m {
		m[i] = make([]float64, nd)
		for j := range m[i] {
			for k := range cc {
				m[i][j] += cc[k][i] * cc[k][j]
			}
		}
	}
	vals, vecs := SymEigen(m)
	maxVal := 0.0
	for _, x := range vals {
		maxVal = math.Max(maxVal, x)
	}
	// b = Cc^T T (nd x 2).
	b := [2][]float64{make([]float64, nd), make([]float64, nd)}
	for k := range cc {
		a := 2 * math.Pi * float64(k) / float64(n)
		for i := 0; i < nd; i++ {
			b[0][i] += cc[k][i] * math.Cos(a)
			b[1][i] += cc[k][i] * math.Sin(a)
		}
	}
	var cols [2][]float64
	for c := 0; c < 2; c++ {
		cols[c] = make([]float64, nd)
		for e := range vals {
			if vals[e] <= 1e-12*maxVal {
				continue
			}
			ve := column(vecs, e)
			s := dot(ve, b[c]) / vals[e]
			for i := range cols[c] {
				cols[c][i] += s * ve[i]
			}
		}
	}
	u = normalize(cols[0])
	if u == nil {
		return nil, nil, false
	}
	v = normalize(sub(cols[1], scale(u, dot(u, cols[1]))))
	if v == nil {
		return nil, nil, false
	}
	return u, v, true
}

// completeBasis appends coordinate axes, made orthogonal to what is there,
// until there are two orthonormal axes.
func completeBasis(nd int, axes [][]float64) [][]float64 {
	for e := 0; len(axes) < 2 && e < nd; e++ {
		w := make([]float64, nd)
		w[e] = 1
		for _, a := range axes {
			w = sub(w, scale(a, dot(a, w)))
		}
		if n := normalize(w); n != nil {
			axes = append(axes, n)
		}
	}
	return axes
}

// fixSign flips v so that its largest-magnitude component is positive.
func fixSign(v []float64) []float64 {
	k := 0
	for i := range v {
		if math.Abs(v[i]) > math.Abs(v[k])+1e-12 {
			k = i
		}
	}
	if v[k] < 0 {
		return scale(v, -1)
	}
	return v
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func scale(a []float64, s float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] * s
	}
	return out
}

func sub(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return out
}

// normalize returns a/|a|, or nil when |a| is (nearly) zero.
func normalize(a []float64) []float64 {
	n := math.Sqrt(dot(a, a))
	if n < 1e-12 {
		return nil
	}
	return scale(a, 1/n)
}

// column returns column k of m.
func column(m [][]float64, k int) []float64 {
	out := make([]float64, len(m))
	for i := range m {
		out[i] = m[i][k]
	}
	return out
}

// SymEigen returns the eigenvalues and eigenvectors (as columns) of the
// symmetric matrix a, by cyclic Jacobi rotations. a is not modified.
func SymEigen(a [][]float64) (vals []float64, vecs [][]float64) {
	n := len(a)
	m := make([][]float64, n)
	vecs = make([][]float64, n)
	for i := range m {
		m[i] = append([]float64(nil), a[i]...)
		vecs[i] = make([]float64, n)
		vecs[i][i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		off := 0.0
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				off += m[i][j] * m[i][j]
			}
		}
		if off < 1e-30 {
			break
		}
		for p := 0; p < n; p++ {
			for q := p + 1; q < n; q++ {
				if math.Abs(m[p][q]) < 1e-300 {
					continue
				}
				theta := (m[q][q] - m[p][p]) / (2 * m[p][q])
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := 0; k < n; k++ {
					mkp, mkq := m[k][p], m[k][q]
					m[k][p] = c*mkp - s*mkq
					m[k][q] = s*mkp + c*mkq
				}
				for k := 0; k < n; k++ {
					mpk, mqk := m[p][k], m[q][k]
					m[p][k] = c*mpk - s*mqk
					m[q][k] = s*mpk + c*mqk
				}
				for k := 0; k < n; k++ {
					vkp, vkq := vecs[k][p], vecs[k][q]
					vecs[k][p] = c*vkp - s*vkq
					vecs[k][q] = s*vkp + c*vkq
				}
			}
		}
	}
	vals = make([]float64, n)
	for i := range vals {
		vals[i] = m[i][i]
	}
	return vals, vecs
}
