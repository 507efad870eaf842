package model

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
)

// DecoderLevels are the encoder levels the decoder mirrors, from 8x8 up to
// 32x32: a dense layer maps z to 4x4 maps of the level-3 channels, then
// each of these levels upsamples x2 and applies a double convolution with
// that level's channels.
var DecoderLevels = [3]int{2, 1, 0}

// decName names the j-th convolution of decoder level l.
func decName(l, j int) string { return fmt.Sprintf("dec%d.conv%d", l, j) }

// decoderSpecs lists the decoder's trainable tensors: the dense layer
// z -> 4x4x(level-3 channels), the three double convolutions (kernel,
// batch-norm gamma and beta each), and the output convolution to one
// channel (kernel and bias).
func decoderSpecs(c Config) []ParamSpec {
	ch := c.Channels()
	in := ch[3]
	d := 4 * 4 * in
	out := []ParamSpec{
		{Name: "dec.dense.kernel", Shape: []int{c.ND, d}, Kind: Kernel, FanIn: c.ND},
		{Name: "dec.dense.bias", Shape: []int{d}, Kind: Bias, FanIn: c.ND},
	}
	for _, l := range DecoderLevels {
		for j := 0; j < 2; j++ {
			n := decName(l, j)
			out = append(out,
				ParamSpec{Name: n + ".kernel", Shape: []int{9 * in, ch[l]}, Kind: Kernel, FanIn: 9 * in},
				ParamSpec{Name: n + ".bn.gamma", Shape: []int{ch[l]}, Kind: Gamma},
				ParamSpec{Name: n + ".bn.beta", Shape: []int{ch[l]}, Kind: Beta})
			in = ch[l]
		}
	}
	return append(out,
		ParamSpec{Name: "dec.out.kernel", Shape: []int{9 * in, 1}, Kind: Kernel, FanIn: 9 * in},
		ParamSpec{Name: "dec.out.bias", Shape: []int{1}, Kind: Bias, FanIn: 9 * in})
}

// decoderBNSpecs lists the decoder's batch-norm running statistics.
func decoderBNSpecs(c Config) []ParamSpec {
	ch := c.Channels()
	var out []ParamSpec
	for _, l := range DecoderLevels {
		for j := 0; j < 2; j++ {
			n := decName(l, j)
			out = append(out,
				ParamSpec{Name: n + ".bn.running_mean", Shape: []int{ch[l]}, Kind: RunningMean},
				ParamSpec{Name: n + ".bn.running_var", Shape: []int{ch[l]}, Kind: RunningVar})
		}
	}
	return out
}

// decoderOffsets returns where the decoder's tensors start in Specs and
// BNSpecs order (they come after the encoder's and the classifier's).
func decoderOffsets(c Config) (p, s int) {
	c.Decoder, c.RotationHead, c.RotationHidden, c.ContrastiveHead = false, false, 0, false
	return len(Specs(c)), len(BNSpecs(c))
}

// Upsample2 is a nearest-neighbour x2 upsampling of x [B, H, W, C] to
// [B, 2H, 2W, C], written as two concatenations of x with itself (each
// between reshapes): memory copies forward, slices and one element-wise
// Add backward, all on the backend's fast paths (a broadcast would
// differentiate into a generic ReduceSum).
func Upsample2(x *Node) *Node {
	d := x.Shape().Dimensions
	b, h, w, c := d[0], d[1], d[2], d[3]
	x = Reshape(x, b, h, w, 1, c)
	x = Reshape(Concatenate([]*Node{x, x}, 3), b, h, 1, 2*w, c)
	return Reshape(Concatenate([]*Node{x, x}, 2), b, 2*h, 2*w, c)
}

// Decode builds the decoder on z [B, n_d] with params and bn in Specs and
// BNSpecs order (the whole model's; c.Decoder must be set). It returns
// the images [B, 32*32] in (0, 1) (a sigmoid output) and, in training
// mode, the updated running statistics of the decoder's batch norms
// (decoder order).
func Decode(c Config, params, bn []*Node, z *Node, training bool) (img *Node, newBN []*Node) {
	return decode(c, params, bn, nil, z, training)
}

// DecodeFolded is Decode at inference with each batch norm folded into its
// convolution: folded is FoldBN's output (the encoder's tensors, then the
// decoder's), and each double convolution's layer is ConvBiasReLU.
func DecodeFolded(c Config, params, folded []*Node, z *Node) *Node {
	img, _ := decode(c, params, nil, folded, z, false)
	return img
}

// decode is Decode, or DecodeFolded when folded is not nil.
func decode(c Config, params, bn, folded []*Node, z *Node, training bool) (img *Node, newBN []*Node) {
	c = c.WithDefaults()
	if !c.Decoder {
		panic(fmt.Errorf("model: decode: the model has no decoder"))
	}
	bn = graphInputs("decode", c, params, bn, folded)
	p, s := decoderOffsets(c)
	if folded != nil {
		s = encoderFolded
	}
	b := z.Shape().Dimensions[0]
	ch := c.Channels()
	h := Dot(z, params[p]).Product()
	h = Add(h, lastAxis(params[p+1], h))
	h = ReLU(Reshape(h, b, 4, 4, ch[3]))
	p += 2
	for range DecoderLevels {
		h = Upsample2(h)
		for j := 0; j < 2; j++ {
			if folded != nil {
				h = ConvBiasReLU(h, folded[s], folded[s+1])
			} else {
				h = convBNReLU(c, h, params[p], params[p+1], params[p+2], bn[s], bn[s+1], training, &newBN)
			}
			p, s = p+3, s+2
		}
	}
	// The bias is added on the channel axis (of size 1) before the
	// reshape, so that the compute fork stores it with the convolution's
	// output (its bias epilogue).
	h = Conv3x3(h, params[p])
	h = Add(h, lastAxis(params[p+1], h))
	return Sigmoid(Reshape(h, b, 32*32)), newBN
}

// ReconstructionLoss is the mean over the batch and the pixels of
// (img - x)^2 for images img [B, 1024] and inputs x [B, 32, 32, 1] (or
// [B, 1024]).
func ReconstructionLoss(img, x *Node) *Node {
	b := img.Shape().Dimensions[0]
	return ReduceAllMean(Square(Sub(img, Reshape(x, b, 32*32))))
}
