package model

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
)

// Head is the classifier head: how the logits come from z.
type Head string

const (
	// HeadDense is the paper's classifier, three dense layers
	// n_d -> 32 -> 64 -> n_c (Table 1).
	HeadDense Head = "dense"
	// HeadDistance takes the logits from the distances of z to the
	// configured centres: logit_k = -s (||z - C_k|| / r_k)^2 (DistanceLogits).
	// It has no weights of its own (one scalar when the scale is learned),
	// and L_CE then shapes the geometry directly.
	HeadDistance Head = "distance"
)

// DefaultDistScale is the distance head's scale s when none is given,
// chosen by measurement (docs/heads.md: Fashion-MNIST 300 per class, 5
// epochs, s in {0.05, 0.1, 0.25, 1, 4} and a learned s; 0.25 was the most
// accurate). With r_c = 0.68 x R_d/2, a point at its own centre has logit
// 0 and a class whose centre is R_d away about -2.2 (softmax probability
// of its own class 0.49 with 10 classes on the simplex): L_CE keeps
// pulling toward the centre rather than saturating.
const DefaultDistScale = 0.25

// ParseHead reads "dense" or "distance"; "" is dense (runs recorded before
// heads existed).
func ParseHead(s string) (Head, error) {
	switch Head(s) {
	case "":
		return HeadDense, nil
	case HeadDense, HeadDistance:
		return Head(s), nil
	}
	return "", fmt.Errorf("head %q: want dense or distance", s)
}

// OrDense is the head, with "" (recorded before heads existed) read as
// HeadDense.
func (h Head) OrDense() Head {
	if h == "" {
		return HeadDense
	}
	return h
}

// head is the configuration's head ("" reads as dense).
func (c Config) head() Head { return c.Head.OrDense() }

// IsDistance reports whether the model classifies by the distance head.
func (c Config) IsDistance() bool { return c.head() == HeadDistance }

// OpenSetScale is the distance head's scale s when it is fixed (the
// head's logits then follow from z and the layout alone), 0 for the dense
// head and for a learned scale.
func (c Config) OpenSetScale() float64 {
	if !c.IsDistance() || c.DistLearnScale {
		return 0
	}
	return c.distScale()
}

// distScale is the fixed factor of the distance head's scale.
func (c Config) distScale() float64 {
	if c.DistScale == 0 {
		return DefaultDistScale
	}
	return c.DistScale
}

// validateHead reports what is wrong with the head's settings.
func (c Config) validateHead() error {
	if _, err := ParseHead(string(c.Head)); err != nil {
		return fmt.Errorf("model config: %w", err)
	}
	if !c.IsDistance() {
		if c.DistScale != 0 || c.DistLearnScale {
			return fmt.Errorf("model config: a distance-head scale is set on the %s head", c.head())
		}
		return nil
	}
	switch {
	case c.Layout == nil:
		return fmt.Errorf("model config: the distance head needs the latent layout")
	case c.Layout.NC() != c.NC || c.Layout.ND() != c.ND:
		return fmt.Errorf("model config: layout has n_c = %d, n_d = %d; model has n_c = %d, n_d = %d", c.Layout.NC(), c.Layout.ND(), c.NC, c.ND)
	case c.DistScale < 0 || math.IsNaN(c.DistScale) || math.IsInf(c.DistScale, 0):
		return fmt.Errorf("model config: distance-head scale %v must be a positive number", c.DistScale)
	}
	return nil
}

// headSpecs lists the classifier's trainable tensors: the dense head's
// three layers, or the distance head's log scale when it is learned.
func headSpecs(c Config) []ParamSpec {
	if c.IsDistance() {
		if c.DistLearnScale {
			return []ParamSpec{{Name: "dist.log_scale", Shape: []int{1}, Kind: LogScale}}
		}
		return nil
	}
	var out []ParamSpec
	dims := []int{c.ND, Hidden1, Hidden2, c.NC}
	for i := 0; i < 3; i++ {
		n := fmt.Sprintf("cls%d", i)
		out = append(out,
			ParamSpec{Name: n + ".kernel", Shape: []int{dims[i], dims[i+1]}, Kind: Kernel, FanIn: dims[i]},
			ParamSpec{Name: n + ".bias", Shape: []int{dims[i+1]}, Kind: Bias, FanIn: dims[i]})
	}
	return out
}

// DistanceLogits is the distance head on z [B, n_d]: logit_k =
// -s (||z - C_k|| / r_k)^2 [B, n_c], with s the configuration's fixed
// scale, times exp(params[0]) when the scale is learned. Its argmax is
// the nearest centre in units of each cluster's radius (the nearest
// centre itself when the radii are equal).
func DistanceLogits(c Config, params []*Node, z *Node) *Node {
	l := c.Layout
	nc, nd := l.NC(), l.ND()
	b := z.Shape().Dimensions[0]
	g := z.Graph()
	centres := ConstAsDType(g, z.DType(), l.Centers()) // [n_c, n_d]
	diff := Sub(Reshape(z, b, 1, nd), Reshape(centres, 1, nc, nd))
	d2 := ReduceSum(Square(diff), 2) // [B, n_c]
	radii := l.Radii()
	inv := make([]float64, nc)
	for k, r := range radii {
		inv[k] = -c.distScale() / (r * r)
	}
	logits := Mul(d2, Reshape(ConstAsDType(g, z.DType(), inv), 1, nc))
	if c.DistLearnScale {
		logits = Mul(logits, Reshape(Exp(params[0]), 1, 1))
	}
	return logits
}
