package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/latent"
)

// sectorConfigs are the encoder configurations the tests cover.
func sectorConfigs(t *testing.T) map[string]*latent.Sectors {
	t.Helper()
	out := map[string]*latent.Sectors{"paper-eq6": latent.PaperEq6()}
	for _, n := range []int{5, 6, 7} {
		s, err := latent.DefaultSectors(n)
		if err != nil {
			t.Fatal(err)
		}
		out[s.Kind()+"-"+string(rune('0'+n))] = s
	}
	return out
}

// hardPoints returns points that stress the transform: every boundary of
// every range (and the rotation's images of them) approached within a few
// ulps from both sides at radii from subnormal to 1e30, random points,
// the origin, axis points and huge or tiny coordinates.
func hardPoints(s *latent.Sectors, rng *rand.Rand) [][2]float64 {
	var angles []float64
	for _, r := range s.Prohibited() {
		for _, a := range []float64{r.From, r.From + r.Width, r.From - s.Rotation(), r.From + r.Width - s.Rotation()} {
			for k := -4; k <= 4; k++ {
				angles = append(angles, a+float64(k)*1e-7, a+float64(k)*1e-16)
			}
		}
	}
	var pts [][2]float64
	for _, a := range angles {
		for _, r := range []float64{1e-44, 1e-38, 1e-20, 1e-3, 0.85, 1, 37, 1e15, 1e30, 1e36} {
			pts = append(pts, [2]float64{r * math.Cos(a), r * math.Sin(a)})
		}
	}
	for i := 0; i < 5000; i++ {
		a := 2 * math.Pi * rng.Float64()
		r := math.Pow(10, -3+6*rng.Float64())
		pts = append(pts, [2]float64{r * math.Cos(a), r * math.Sin(a)})
	}
	pts = append(pts, [2]float64{0, 0}, [2]float64{1, 0}, [2]float64{0, 1}, [2]float64{-1, 0}, [2]float64{0, -1},
		[2]float64{math.MaxFloat32, math.MaxFloat32}, [2]float64{-math.MaxFloat32, 1}, [2]float64{1e-45, 1e-45})
	return pts
}

func runSectors(t *testing.T, s *latent.Sectors, pts [][2]float64, f64 bool) [][2]float64 {
	t.Helper()
	b := testBackend(t)
	var in any
	if f64 {
		flat := make([]float64, 0, 2*len(pts))
		for _, p := range pts {
			flat = append(flat, p[0], p[1])
		}
		in = tensors.FromFlatDataAndDimensions(flat, len(pts), 2)
	} else {
		flat := make([]float32, 0, 2*len(pts))
		for _, p := range pts {
			flat = append(flat, float32(p[0]), float32(p[1]))
		}
		in = tensors.FromFlatDataAndDimensions(flat, len(pts), 2)
	}
	out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
		return []*graph.Node{SectorTransform(in[0], s)}
	}, in)
	res := make([][2]float64, len(pts))
	if f64 {
		v := tensors.MustCopyFlatData[float64](out[0])
		for i := range res {
			res[i] = [2]float64{v[2*i], v[2*i+1]}
		}
	} else {
		v := tensors.MustCopyFlatData[float32](out[0])
		for i := range res {
			res[i] = [2]float64{float64(v[2*i]), float64(v[2*i+1])}
		}
	}
	return res
}

// TestSectorTransformNeverProhibited checks, in float64 with latent's own
// test, that no output of the float32 (and float64) graph transform lies
// in a prohibited range, and that every output is finite.
func TestSectorTransformNeverProhibited(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for name, s := range sectorConfigs(t) {
		pts := hardPoints(s, rng)
		for _, f64 := range []bool{false, true} {
			testutil.Within(t, graphTimeout, func() {
				out := runSectors(t, s, pts, f64)
				bad := 0
				for i, o := range out {
					if math.IsNaN(o[0]) || math.IsInf(o[0], 0) || math.IsNaN(o[1]) || math.IsInf(o[1], 0) {
						t.Errorf("%s f64=%v: input %v gave non-finite %v", name, f64, pts[i], o)
					}
					if s.IsProhibitedPoint(o[0], o[1]) {
						bad++
						if bad <= 5 {
							t.Errorf("%s f64=%v: input %v -> %v at %.12g deg, a prohibited angle", name, f64, pts[i], o,
								math.Atan2(o[1], o[0])*180/math.Pi)
						}
					}
				}
				if bad > 0 {
					t.Errorf("%s f64=%v: %d of %d outputs prohibited", name, f64, bad, len(out))
				}
			})
		}
	}
}

// TestSectorTransformMatchesLatent compares the graph with latent's
// float64 Apply on the same (float32-representable) inputs: the same
// decision, and the same point to float32 precision, except where one of
// them moved a point off a boundary.
func TestSectorTransformMatchesLatent(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for name, s := range sectorConfigs(t) {
		var pts [][2]float64
		for i := 0; i < 3000; i++ {
			a := 2 * math.Pi * rng.Float64()
			r := 0.01 + 5*rng.Float64()
			pts = append(pts, [2]float64{float64(float32(r * math.Cos(a))), float64(float32(r * math.Sin(a)))})
		}
		for _, f64 := range []bool{false, true} {
			testutil.Within(t, graphTimeout, func() {
				out := runSectors(t, s, pts, f64)
				tol := 1e-6
				if f64 {
					tol = 1e-12
				}
				nudged := 0
				for i, p := range pts {
					x, y, err := s.Apply(p[0], p[1])
					if err != nil {
						t.Fatal(err)
					}
					r := math.Hypot(p[0], p[1])
					d := math.Hypot(out[i][0]-x, out[i][1]-y)
					switch {
					case d <= tol*r:
					case d <= 3*SectorMargin32*r:
						nudged++ // one side moved the point off a boundary
					default:
						t.Errorf("%s f64=%v: %v -> %v, latent says (%v, %v)", name, f64, p, out[i], x, y)
					}
				}
				if nudged > len(pts)/100 {
					t.Errorf("%s f64=%v: %d of %d points differ from latent by a boundary margin; expected only a few", name, f64, nudged, len(pts))
				}
			})
		}
	}
}

// TestSectorTransformGradient checks that the gradient through the
// transform is the rotation it applied: finite everywhere, including the
// origin.
func TestSectorTransformGradient(t *testing.T) {
	b := testBackend(t)
	s := latent.PaperEq6()
	pts := []float64{0, 0, 1, 0, math.Cos(0.3), math.Sin(0.3), 0.5, -2}
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			o := SectorTransform(in[0], s)
			// d(sum of the first output coordinate)/dz.
			return []*graph.Node{o, graph.Gradient(graph.ReduceAllSum(graph.Slice(o, graph.AxisRange(), graph.AxisRange(0, 1))), in[0])[0]}
		}, tensors.FromFlatDataAndDimensions(pts, 4, 2))
		o := tensors.MustCopyFlatData[float64](out[0])
		grad := tensors.MustCopyFlatData[float64](out[1])
		for i := 0; i < 4; i++ {
			x, y := pts[2*i], pts[2*i+1]
			theta := 0.0
			if x != 0 || y != 0 {
				theta = math.Atan2(o[2*i+1], o[2*i]) - math.Atan2(y, x)
			}
			// x' = cos(theta) x - sin(theta) y
			want := [2]float64{math.Cos(theta), -math.Sin(theta)}
			for k := 0; k < 2; k++ {
				if g := grad[2*i+k]; math.IsNaN(g) || math.Abs(g-want[k]) > 1e-9 {
					t.Errorf("point %d: dx'/dz%d = %v, want %v", i, k, g, want[k])
				}
			}
		}
	})
}
