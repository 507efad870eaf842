package saebench

import "fmt"

// Conv is the graph formulation of the 3x3 convolutions.
type Conv int

const (
	// ConvIm2col is 9 shifted slices + Concatenate + one Dot.
	ConvIm2col Conv = iota
	// ConvConvolve is graph.Convolve (the backend's ConvConvolve op).
	ConvConvolve
)

// String names the formulation.
func (c Conv) String() string {
	switch c {
	case ConvIm2col:
		return "im2col"
	case ConvConvolve:
		return "convolve"
	}
	return fmt.Sprintf("Conv(%d)", int(c))
}

// Norm is the graph formulation of batch norm.
type Norm int

const (
	// NormGraph builds batch norm from reductions and elementwise ops.
	NormGraph Norm = iota
	// NormFused uses the backend's BatchNormForTraining/ForInference ops.
	NormFused
)

// String names the formulation.
func (n Norm) String() string {
	switch n {
	case NormGraph:
		return "bngraph"
	case NormFused:
		return "bnfused"
	}
	return fmt.Sprintf("Norm(%d)", int(n))
}

// Pool is the graph formulation of the 2x2 max pool.
type Pool int

const (
	// PoolReshape reshapes to [B, H/2, 2, W/2, 2, C] and reduces the max.
	PoolReshape Pool = iota
	// PoolWindow is graph.MaxPool (ReduceWindow).
	PoolWindow
)

// String names the formulation.
func (p Pool) String() string {
	switch p {
	case PoolReshape:
		return "poolreshape"
	case PoolWindow:
		return "poolwindow"
	}
	return fmt.Sprintf("Pool(%d)", int(p))
}

// Relu is the graph formulation of ReLU.
type Relu int

const (
	// ReluMax is Max(x, 0); its gradient is built from Sign ops.
	ReluMax Relu = iota
	// ReluWhere is Where(x > 0, x, 0); its gradient is one Where.
	ReluWhere
)

// String names the formulation.
func (r Relu) String() string {
	switch r {
	case ReluMax:
		return "relumax"
	case ReluWhere:
		return "reluwhere"
	}
	return fmt.Sprintf("Relu(%d)", int(r))
}

// Config chooses the network's size and graph formulation and the
// backend's worker count.
type Config struct {
	// Width is the channel divisor W (1 is the paper's model); it must
	// divide 64.
	Width int
	// Batch is the number of images per step.
	Batch int
	// Conv, Norm, Pool and Relu choose the graph formulation.
	Conv Conv
	Norm Norm
	Pool Pool
	Relu Relu
	// Parallelism is the backend's worker count (0: engine's default).
	Parallelism int
	// Seed draws the parameters and the input batch.
	Seed uint64
}

// Paper constants of the loss: k_g, the centre circle radius d_c and
// the cluster radius r_c, for n_c = 5 classes in n_d = 2 dimensions.
const (
	NC     = 5
	ND     = 2
	KG     = 0.2
	DC     = 0.85
	RC     = 0.34
	BNEps  = 1e-5
	BNMom  = 0.1
	LR     = 1e-3
	Beta1  = 0.9
	Beta2  = 0.999
	AdamEp = 1e-8
)

// Channels returns the output channels of the five encoder levels.
func (c Config) Channels() [5]int {
	w := c.Width
	return [5]int{64 / w, 128 / w, 256 / w, 512 / w, 512 / w}
}

// Validate reports what is wrong with the configuration.
func (c Config) Validate() error {
	if c.Width <= 0 || 64%c.Width != 0 {
		return fmt.Errorf("saebench: width %d must divide 64", c.Width)
	}
	if c.Batch <= 0 {
		return fmt.Errorf("saebench: batch %d must be positive", c.Batch)
	}
	if c.Parallelism < 0 {
		return fmt.Errorf("saebench: parallelism %d must be >= 0", c.Parallelism)
	}
	return nil
}

// String is a short name of the configuration, for benchmark names.
func (c Config) String() string {
	return fmt.Sprintf("W%d/B%d/%s/%s/%s/%s/p%d", c.Width, c.Batch, c.Conv, c.Norm, c.Pool, c.Relu, c.Parallelism)
}

// TrainFLOPs is the approximate number of floating-point operations of
// one train step per image in the convolutions (forward, and the two
// gradients: 3x the forward multiply-adds, 2 flops each); the rest of the
// network is negligible beside it.
func (c Config) TrainFLOPs() float64 {
	return 3 * c.forwardFLOPs()
}

// EncodeFLOPs is the same for the encoder alone (the forward pass).
func (c Config) EncodeFLOPs() float64 { return c.forwardFLOPs() }

func (c Config) forwardFLOPs() float64 {
	in, side, f := 1, 32, 0.0
	for l, ch := range c.Channels() {
		if l > 0 {
			side /= 2
		}
		f += 2 * float64(side*side*9*in*ch)
		f += 2 * float64(side*side*9*ch*ch)
		in = ch
	}
	return f
}
