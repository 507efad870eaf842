package saebench

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Param names one trainable tensor and gives its shape and fan-in.
type Param struct {
	Name  string
	Shape []int
	// FanIn > 0 initialises uniform in +-1/sqrt(FanIn); FanIn == 0 with
	// Ones set initialises to 1, else to 0.
	FanIn int
	Ones  bool
}

// Size is the number of values of the tensor.
func (p Param) Size() int {
	n := 1
	for _, d := range p.Shape {
		n *= d
	}
	return n
}

// Params lists the trainable tensors in a fixed order: for each of the ten
// convolutions its HWIO kernel [3, 3, Cin, Cout], batch-norm gamma and
// beta; then heads a and b (kernel [4*C5, n_d] and bias) and the
// classifier's three dense layers.
func (c Config) Params() []Param {
	var out []Param
	in := 1
	for l, ch := range c.Channels() {
		for j := 0; j < 2; j++ {
			n := fmt.Sprintf("enc%d.conv%d", l, j)
			out = append(out,
				Param{Name: n + ".kernel", Shape: []int{3, 3, in, ch}, FanIn: 9 * in},
				Param{Name: n + ".gamma", Shape: []int{ch}, Ones: true},
				Param{Name: n + ".beta", Shape: []int{ch}})
			in = ch
		}
	}
	flat := 4 * c.Channels()[4]
	for _, h := range []string{"a", "b"} {
		out = append(out,
			Param{Name: h + ".kernel", Shape: []int{flat, ND}, FanIn: flat},
			Param{Name: h + ".bias", Shape: []int{ND}, FanIn: flat})
	}
	dims := []int{ND, 32, 64, NC}
	for i := 0; i < 3; i++ {
		n := fmt.Sprintf("cls%d", i)
		out = append(out,
			Param{Name: n + ".kernel", Shape: []int{dims[i], dims[i+1]}, FanIn: dims[i]},
			Param{Name: n + ".bias", Shape: []int{dims[i+1]}, FanIn: dims[i]})
	}
	return out
}

// InitParams draws the initial values of Params from seed.
func (c Config) InitParams(seed uint64) [][]float32 {
	rng := rand.New(rand.NewPCG(seed, 0x5ae))
	ps := c.Params()
	out := make([][]float32, len(ps))
	for i, p := range ps {
		v := make([]float32, p.Size())
		switch {
		case p.FanIn > 0:
			bound := 1 / math.Sqrt(float64(p.FanIn))
			for j := range v {
				v[j] = float32((2*rng.Float64() - 1) * bound)
			}
		case p.Ones:
			for j := range v {
				v[j] = 1
			}
		}
		out[i] = v
	}
	return out
}

// InputBatch draws a batch of Batch images [B, 32, 32, 1] in [0, 1) and labels
// in [0, NC) from seed.
func (c Config) InputBatch(seed uint64) (x []float32, y []int32) {
	rng := rand.New(rand.NewPCG(seed, 0xba7c4))
	x = make([]float32, c.Batch*32*32)
	for i := range x {
		x[i] = rng.Float32()
	}
	y = make([]int32, c.Batch)
	for i := range y {
		y[i] = int32(rng.IntN(NC))
	}
	return x, y
}
