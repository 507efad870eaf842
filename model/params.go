package model

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ParamKind says how a tensor is initialised.
type ParamKind int

const (
	// Kernel is a convolution or dense weight matrix: uniform in
	// +-1/sqrt(fan_in) (PyTorch's default for Conv2d and Linear).
	Kernel ParamKind = iota
	// Bias is a dense bias: uniform in +-1/sqrt(fan_in), as PyTorch does.
	Bias
	// Gamma is a batch-norm scale, initialised to 1.
	Gamma
	// Beta is a batch-norm shift, initialised to 0.
	Beta
	// RunningMean is a batch-norm running mean, initialised to 0.
	RunningMean
	// RunningVar is a batch-norm running variance, initialised to 1.
	RunningVar
	// LogScale is a learned log scale, initialised to 0 (scale 1).
	LogScale
)

// ParamSpec names one tensor of the model and gives its shape.
type ParamSpec struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	Kind  ParamKind
	FanIn int `json:"-"`
}

// Size is the number of values of the tensor.
func (p ParamSpec) Size() int {
	n := 1
	for _, d := range p.Shape {
		n *= d
	}
	return n
}

// convName names the j-th convolution (0 or 1) of encoder level l.
func convName(l, j int) string { return fmt.Sprintf("enc%d.conv%d", l, j) }

// Specs lists the trainable tensors of the model in a fixed order: for each
// of the ten convolutions its kernel [9*Cin, Cout] (rows ordered by
// (dy, dx, cin)), batch-norm gamma and beta; then the heads a and b
// (kernel [Flat, n_d] and bias), then the classifier head's (headSpecs),
// then, when c.Decoder, the decoder's tensors (decoderSpecs), then, when
// c.RotationHead, the rotation head's (rotationSpecs), then, when
// c.ContrastiveHead, the contrastive projection's (contrastiveSpecs).
// The convolutions have no bias: the batch norm that follows each one
// would cancel it.
func Specs(c Config) []ParamSpec {
	var out []ParamSpec
	in := 1
	for l, ch := range c.Channels() {
		for j := 0; j < 2; j++ {
			n := convName(l, j)
			out = append(out,
				ParamSpec{Name: n + ".kernel", Shape: []int{9 * in, ch}, Kind: Kernel, FanIn: 9 * in},
				ParamSpec{Name: n + ".bn.gamma", Shape: []int{ch}, Kind: Gamma},
				ParamSpec{Name: n + ".bn.beta", Shape: []int{ch}, Kind: Beta})
			in = ch
		}
	}
	f := c.Flat()
	for _, h := range []string{"head_a", "head_b"} {
		out = append(out,
			ParamSpec{Name: h + ".kernel", Shape: []int{f, c.ND}, Kind: Kernel, FanIn: f},
			ParamSpec{Name: h + ".bias", Shape: []int{c.ND}, Kind: Bias, FanIn: f})
	}
	out = append(out, headSpecs(c)...)
	if c.Decoder {
		out = append(out, decoderSpecs(c)...)
	}
	if c.RotationHead {
		out = append(out, rotationSpecs(c)...)
	}
	if c.ContrastiveHead {
		out = append(out, contrastiveSpecs(c)...)
	}
	return out
}

// BNSpecs lists the batch-norm running statistics (mean then variance of
// each of the ten batch norms), in the order of the convolutions, then
// the decoder's when c.Decoder.
func BNSpecs(c Config) []ParamSpec {
	var out []ParamSpec
	for l, ch := range c.Channels() {
		for j := 0; j < 2; j++ {
			n := convName(l, j)
			out = append(out,
				ParamSpec{Name: n + ".bn.running_mean", Shape: []int{ch}, Kind: RunningMean},
				ParamSpec{Name: n + ".bn.running_var", Shape: []int{ch}, Kind: RunningVar})
		}
	}
	if c.Decoder {
		out = append(out, decoderBNSpecs(c)...)
	}
	return out
}

// Weights are the values of a model: the trainable tensors in Specs order
// and the batch-norm running statistics in BNSpecs order, each flat and
// row-major.
type Weights struct {
	Params [][]float32
	BN     [][]float32
}

// Init returns freshly initialised weights for the configuration; the same
// seed always gives the same weights.
func Init(c Config, seed uint64) (*Weights, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x5AE1A7E47))
	w := &Weights{}
	for _, s := range Specs(c) {
		w.Params = append(w.Params, initTensor(s, rng))
	}
	for _, s := range BNSpecs(c) {
		w.BN = append(w.BN, initTensor(s, rng))
	}
	return w, nil
}

func initTensor(s ParamSpec, rng *rand.Rand) []float32 {
	v := make([]float32, s.Size())
	switch s.Kind {
	case Kernel, Bias:
		bound := 1 / math.Sqrt(float64(s.FanIn))
		for i := range v {
			v[i] = float32((2*rng.Float64() - 1) * bound)
		}
	case Gamma, RunningVar:
		for i := range v {
			v[i] = 1
		}
	}
	return v
}

// Check verifies that the weights have the tensors and sizes the
// configuration needs and that every value is finite.
func (w *Weights) Check(c Config) error {
	if err := checkTensors("parameter", Specs(c), w.Params); err != nil {
		return err
	}
	return checkTensors("batch-norm statistic", BNSpecs(c), w.BN)
}

func checkTensors(what string, specs []ParamSpec, vals [][]float32) error {
	if len(vals) != len(specs) {
		return fmt.Errorf("weights: %d %ss, the model has %d", len(vals), what, len(specs))
	}
	for i, s := range specs {
		if len(vals[i]) != s.Size() {
			return fmt.Errorf("weights: %s %s has %d values, want %d (shape %v)", what, s.Name, len(vals[i]), s.Size(), s.Shape)
		}
		for _, x := range vals[i] {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("weights: %s %s holds a non-finite value %v", what, s.Name, x)
			}
		}
	}
	return nil
}
