package model

import (
	"fmt"

	"github.com/lsconf/lsconf/latent"
)

// Defaults of the batch-norm layers (PyTorch's defaults).
const (
	// DefaultBNMomentum is the weight of the current batch in the running
	// averages: running = (1-m)*running + m*batch.
	DefaultBNMomentum = 0.1
	// DefaultBNEpsilon is added to the variance before the square root.
	DefaultBNEpsilon = 1e-5
)

// Levels is the number of resolution levels of the encoder: Double at
// 32x32, then four Down blocks to 2x2.
const Levels = 5

// PaperChannels returns the output channels of Table 1's encoder levels
// at width divisor 1.
func PaperChannels() [Levels]int { return [Levels]int{64, 128, 256, 512, 512} }

// Config describes one SAE of Table 1: the latent layout's sizes, the
// width divisor and the encoder configuration.
type Config struct {
	// NC is the number of classes (the classifier's outputs).
	NC int `json:"n_c"`
	// ND is the number of latent dimensions (the heads' outputs).
	ND int `json:"n_d"`
	// Width is the width divisor W: every convolution has 1/W of the
	// paper's channels. 1 is the paper's model; it must divide 64.
	Width int `json:"width"`
	// Sectors is the polar encoder configuration applied to z = a + b, or
	// nil for the plain encoder. It needs ND = 2.
	Sectors *latent.Sectors `json:"-"`
	// BNMomentum and BNEpsilon set the batch-norm layers; 0 picks
	// DefaultBNMomentum and DefaultBNEpsilon.
	BNMomentum float64 `json:"bn_momentum"`
	BNEpsilon  float64 `json:"bn_epsilon"`
	// Head is the classifier head; "" is HeadDense (runs recorded before
	// heads existed).
	Head Head `json:"head,omitempty"`
	// DistScale is the distance head's fixed scale s (0 is
	// DefaultDistScale); DistLearnScale multiplies it by a learned
	// exp(log scale). Both only with HeadDistance.
	DistScale      float64 `json:"dist_scale,omitempty"`
	DistLearnScale bool    `json:"dist_learn_scale,omitempty"`
	// Layout is the configured latent space; the distance head needs its
	// centres and radii (run files record it beside the model).
	Layout *latent.Layout `json:"-"`
	// Decoder adds the decoder branch (Table 1's encoder mirrored, see
	// Decode); its tensors follow the classifier's in Specs and BNSpecs,
	// so a model without it has exactly the tensors it always had.
	Decoder bool `json:"decoder,omitempty"`
	// RotationHead adds the rotation head (RotationLogits): a linear map
	// from the encoder's features to Rotations logits. Its two tensors
	// come last in Specs, so a model without it has exactly the tensors
	// it always had.
	RotationHead bool `json:"rotation_head,omitempty"`
	// RotationHidden, when > 0, puts a hidden layer of this many ReLU
	// units between the features and the rotation logits (0: linear).
	RotationHidden int `json:"rotation_hidden,omitempty"`
	// ContrastiveHead adds the contrastive projection
	// (ContrastiveProjection); its tensors come last in Specs, after the
	// rotation head's.
	ContrastiveHead bool `json:"contrastive_head,omitempty"`
	// inferGrad makes the inference-mode batch norms elementary ops,
	// which have gradients (the backend's inference op has none): the
	// cycle term differentiates through the decoder and the encoder in
	// inference mode.
	inferGrad bool
}

// WithDefaults returns the configuration with zero batch-norm settings
// replaced by the defaults.
func (c Config) WithDefaults() Config {
	if c.BNMomentum == 0 {
		c.BNMomentum = DefaultBNMomentum
	}
	if c.BNEpsilon == 0 {
		c.BNEpsilon = DefaultBNEpsilon
	}
	return c
}

// Validate reports what is wrong with the configuration, if anything.
func (c Config) Validate() error {
	switch {
	case c.NC < 2:
		return fmt.Errorf("model config: n_c = %d, need at least 2 classes", c.NC)
	case c.ND < 1:
		return fmt.Errorf("model config: n_d = %d, need at least 1 latent dimension", c.ND)
	case c.Width < 1 || 64%c.Width != 0:
		return fmt.Errorf("model config: width divisor %d must divide 64 (1, 2, 4, 8, 16, 32 or 64)", c.Width)
	case c.Sectors != nil && c.ND != 2:
		return fmt.Errorf("model config: encoder %s needs n_d = 2, have n_d = %d", c.Sectors.Kind(), c.ND)
	case c.BNMomentum < 0 || c.BNMomentum > 1:
		return fmt.Errorf("model config: batch-norm momentum %v outside [0, 1]", c.BNMomentum)
	case c.RotationHidden < 0 || (c.RotationHidden > 0 && !c.RotationHead):
		return fmt.Errorf("model config: rotation hidden layer of %d units (it needs the rotation head and a size >= 0)", c.RotationHidden)
	case c.BNEpsilon < 0:
		return fmt.Errorf("model config: batch-norm epsilon %v is negative", c.BNEpsilon)
	}
	return c.validateHead()
}

// Channels returns the output channels of the encoder's five levels.
func (c Config) Channels() [Levels]int {
	var ch [Levels]int
	for i, p := range PaperChannels() {
		ch[i] = p / c.Width
	}
	return ch
}

// Flat is the size of the flattened encoder output (2x2 x last channels).
func (c Config) Flat() int { return 2 * 2 * c.Channels()[Levels-1] }

// FeatureDim is the size of Net.InferFeatures's features of an image:
// Flat, then each level's channels (their global averages).
func (c Config) FeatureDim() int {
	n := c.Flat()
	for _, ch := range c.Channels() {
		n += ch
	}
	return n
}

// Widths of the classifier's hidden layers (Table 1: n_d -> 32 -> 64 -> n_c).
const (
	Hidden1 = 32
	Hidden2 = 64
)
