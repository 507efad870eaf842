package model

import (
	"fmt"
	"math"
)

// FoldBN folds each inference batch norm into the convolution before it:
// with scale = gamma / sqrt(running_var + eps), the folded kernel is
// kernel * scale (per output channel) and the bias is
// beta - running_mean * scale, so that
// ConvBiasReLU(x, kernel', bias') = ReLU(BatchNormInfer(Conv3x3(x, kernel))).
// It returns kernel', bias' for each of the ten convolutions in order
// (twenty slices; BNSpecs order of shapes is [9*Cin, Cout], [Cout]),
// computed in float64 and rounded once to float32.
func FoldBN(c Config, w *Weights) ([][]float32, error) {
	c = c.WithDefaults()
	if err := w.Check(c); err != nil {
		return nil, fmt.Errorf("fold batch norm: %w", err)
	}
	out := make([][]float32, 0, len(BNSpecs(c)))
	for i := 0; i < 2*Levels; i++ {
		kernel, gamma, beta := w.Params[3*i], w.Params[3*i+1], w.Params[3*i+2]
		mean, vari := w.BN[2*i], w.BN[2*i+1]
		cout := len(gamma)
		scale := make([]float64, cout)
		bias := make([]float32, cout)
		for o := range scale {
			scale[o] = float64(gamma[o]) / math.Sqrt(float64(vari[o])+c.BNEpsilon)
			bias[o] = float32(float64(beta[o]) - float64(mean[o])*scale[o])
		}
		k := make([]float32, len(kernel))
		for j, v := range kernel {
			k[j] = float32(float64(v) * scale[j%cout])
		}
		out = append(out, k, bias)
	}
	return out, nil
}

// foldedSpecs are the shapes of FoldBN's tensors.
func foldedSpecs(c Config) []ParamSpec {
	var out []ParamSpec
	specs := Specs(c)
	for i := 0; i < 2*Levels; i++ {
		k := specs[3*i]
		out = append(out, ParamSpec{Name: k.Name + ".folded", Shape: k.Shape},
			ParamSpec{Name: convName(i/2, i%2) + ".folded_bias", Shape: []int{k.Shape[1]}})
	}
	return out
}
