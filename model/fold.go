package model

import (
	"fmt"
	"math"
	"strings"
)

// FoldBN folds each inference batch norm into the convolution before it:
// with scale = gamma / sqrt(running_var + eps), the folded kernel is
// kernel * scale (per output channel) and the bias is
// beta - running_mean * scale, so that
// ConvBiasReLU(x, kernel', bias') = ReLU(BatchNormInfer(Conv3x3(x, kernel))).
// It returns kernel', bias' for each of the ten encoder convolutions in
// order, then (with a decoder) for each of the decoder's six (foldedSpecs
// order: the kernel [9*Cin, Cout], then the bias [Cout]), computed in
// float64 and rounded once to float32.
func FoldBN(c Config, w *Weights) ([][]float32, error) {
	c = c.WithDefaults()
	if err := w.Check(c); err != nil {
		return nil, fmt.Errorf("fold batch norm: %w", err)
	}
	convs := foldedConvs(c)
	out := make([][]float32, 0, 2*len(convs))
	for _, cv := range convs {
		kernel, gamma, beta := w.Params[cv.p], w.Params[cv.p+1], w.Params[cv.p+2]
		mean, vari := w.BN[cv.s], w.BN[cv.s+1]
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

// foldedConv locates a convolution followed by a batch norm: its kernel,
// gamma and beta at p, p+1, p+2 in Specs order, its running mean and
// variance at s, s+1 in BNSpecs order.
type foldedConv struct{ p, s int }

// foldedConvs lists the convolutions FoldBN folds: the encoder's ten, then
// the decoder's six when the model has one.
func foldedConvs(c Config) []foldedConv {
	var out []foldedConv
	for i := 0; i < 2*Levels; i++ {
		out = append(out, foldedConv{3 * i, 2 * i})
	}
	if c.Decoder {
		p, s := decoderOffsets(c)
		p += 2 // the dense layer's kernel and bias
		for i := 0; i < 2*len(DecoderLevels); i++ {
			out = append(out, foldedConv{p + 3*i, s + 2*i})
		}
	}
	return out
}

// encoderFolded is the number of FoldBN's tensors of the encoder (they
// come first).
const encoderFolded = 4 * Levels

// foldedSpecs are the shapes of FoldBN's tensors.
func foldedSpecs(c Config) []ParamSpec {
	var out []ParamSpec
	specs := Specs(c)
	for _, cv := range foldedConvs(c) {
		k := specs[cv.p]
		out = append(out, ParamSpec{Name: k.Name + ".folded", Shape: k.Shape},
			ParamSpec{Name: strings.TrimSuffix(k.Name, ".kernel") + ".folded_bias", Shape: []int{k.Shape[1]}})
	}
	return out
}
