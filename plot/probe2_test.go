package plot

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lsconf/lsconf/latent"
)

func TestProbeScatter(t *testing.T) {
	l, _ := latent.Circle(5, 0.85, 0.34)
	rng := rand.New(rand.NewPCG(1, 2))
	var tr, ge [][]float64
	var tl, gl []int
	for i := 0; i < 2000; i++ {
		k := rng.IntN(5)
		c := l.Center(k)
		tr = append(tr, []float64{c[0] + rng.NormFloat64()*0.2, c[1] + rng.NormFloat64()*0.2})
		tl = append(tl, k)
	}
	for i := 0; i < 80; i++ {
		k := rng.IntN(5)
		c := l.Center(k)
		ge = append(ge, []float64{c[0] + rng.NormFloat64()*0.25, c[1] + rng.NormFloat64()*0.25})
		gl = append(gl, k)
	}
	ge = append(ge, []float64{math.NaN(), 1}, []float64{3, 0})
	gl = append(gl, 0, -1)
	names := []string{"uniform", "hlines", "vlines", "squares", "dots"}
	f, err := Scatter(ScatterSpec{Title: "ce+g seed 1 pre", Classes: names, Clouds: []Cloud{TrainCloud("train", tr, tl), GeneralizationCloud("generalization", ge, gl)}, Layout: l, View: View{Half: 2}, Query: []float64{0.3, 0.2}})
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(f, "/tmp/plotprobe/scatter"); err != nil {
		t.Fatal(err)
	}
	s, _ := latent.DefaultSectors(6)
	var pz [][]float64
	var pl []int
	for i := 0; i < 3000; i++ {
		r := math.Abs(rng.NormFloat64()) * 1.5
		phi := rng.Float64() * 2 * math.Pi
		x, y, _ := s.Apply(r*math.Cos(phi), r*math.Sin(phi))
		pz = append(pz, []float64{x, y})
		pl = append(pl, int(latent.FloorMod(math.Atan2(y, x)+math.Pi/6, 2*math.Pi)/(math.Pi/3)))
	}
	f, err = Scatter(ScatterSpec{Title: "sectors", Clouds: []Cloud{TrainCloud("train", pz, pl)}, Sectors: s, View: View{}})
	if err != nil {
		t.Fatal(err)
	}
	Save(f, "/tmp/plotprobe/sectors")
	f, err = Scatter(ScatterSpec{Title: "paper-eq6", Clouds: []Cloud{TrainCloud("", pz, pl)}, Sectors: latent.PaperEq6(), View: View{Half: 2}})
	Save(f, "/tmp/plotprobe/eq6")
	l4, _ := latent.Spread(5, 4, 0.85, 0.34)
	var z4 [][]float64
	var l4l []int
	for i := 0; i < 1000; i++ {
		k := rng.IntN(5)
		c := l4.Center(k)
		for j := range c {
			c[j] += rng.NormFloat64() * 0.15
		}
		z4 = append(z4, c)
		l4l = append(l4l, k)
	}
	f, err = Scatter(ScatterSpec{Title: "n_d=4", Clouds: []Cloud{TrainCloud("train", z4, l4l)}, Layout: l4})
	if err != nil {
		t.Fatal(err)
	}
	Save(f, "/tmp/plotprobe/nd4")
	f, _ = Scatter(ScatterSpec{Title: "empty"})
	Save(f, "/tmp/plotprobe/empty")
}
