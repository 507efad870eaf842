package model

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified

	"github.com/lsconf/lsconf/latent"
)

// Placeholder negatives: synthetic unknown inputs built from the batch
// itself, so that training gives unknown inputs a place to go without any
// real unknown images. The batch's first half is mixed with its second
// half, image j with image j + B/2 at a weight lambda_j spread evenly over
// [PlaceholderMixMin, PlaceholderMixMax] (the batches are shuffled, so
// the pairs and their weights vary from step to step without a random
// source in the graph); only pairs of different classes count (PROSER's
// cross-class mixup, Zhou et al. 2021, on the input). Their loss
// (PlaceholderLoss) pulls them to the origin of the latent space and
// makes the head's softmax uniform over the classes (the objectosphere and
// entropic open-set losses, Dhamija et al. 2018), so an unknown input has
// a region of its own, away from every configured centre.

// Weights of the placeholder mixup: lambda_j runs from PlaceholderMixMin
// to PlaceholderMixMax over the half-batch.
const (
	PlaceholderMixMin = 0.3
	PlaceholderMixMax = 0.7
)

// PlaceholderKind is how two images make a placeholder negative.
type PlaceholderKind string

const (
	// PlaceholderMixup blends the two images: lambda_j x_j + (1 -
	// lambda_j) x_{j+B/2} (the default; "" reads as it).
	PlaceholderMixup PlaceholderKind = "mixup"
	// PlaceholderCutMix pastes them: image j above (even j) or left of
	// (odd j) a cut at lambda_j of the height or width, image j + B/2
	// beyond it (a cross-class CutMix).
	PlaceholderCutMix PlaceholderKind = "cutmix"
	// PlaceholderRotate turns image j of the first half by 90 degrees
	// clockwise (even j) or 180 degrees (odd j), whatever its class: shifted copies
	// of the known images as negatives (CSI's shifting transformations,
	// Tack et al. 2020), so that the encoder must tell an upright known
	// image from one that is not.
	PlaceholderRotate PlaceholderKind = "rotate"
)

// OrMixup is the kind, with "" read as PlaceholderMixup.
func (k PlaceholderKind) OrMixup() PlaceholderKind {
	if k == "" {
		return PlaceholderMixup
	}
	return k
}

// ParsePlaceholderKind reads "mixup", "cutmix" or "rotate" ("" is mixup).
func ParsePlaceholderKind(s string) (PlaceholderKind, error) {
	switch PlaceholderKind(s) {
	case "":
		return PlaceholderMixup, nil
	case PlaceholderMixup, PlaceholderCutMix, PlaceholderRotate:
		return PlaceholderKind(s), nil
	}
	return "", fmt.Errorf("placeholder kind %q: want mixup, cutmix or rotate", s)
}

// PlaceholderImages returns the placeholder negatives of the batch x [B,
// 32, 32, 1] with labels [B] (B >= 2): the B/2 combinations of x_j and
// x_{j+B/2} at weight lambda_j (PlaceholderKind) [B/2, 32, 32, 1], and a
// mask [B/2] of x's dtype that is 1 where the two images' classes differ
// (PlaceholderRotate: the first half's images turned, mask all 1).
func PlaceholderImages(x, labels *Node, kind PlaceholderKind) (mixed, mask *Node) {
	g := x.Graph()
	b := x.Shape().Dimensions[0]
	h := b / 2
	if kind == PlaceholderRotate {
		a := Slice(x, AxisRange(0, h))
		r90 := Reverse(Transpose(a, 1, 2), 2)
		r180 := Reverse(a, 1, 2)
		even := make([]float64, h)
		for j := 0; j < h; j += 2 {
			even[j] = 1
		}
		m := Reshape(ConstAsDType(g, x.DType(), even), h, 1, 1, 1)
		return Add(Mul(r90, m), Mul(r180, OneMinus(m))), OnesLike(ConvertDType(Slice(labels, AxisRange(0, h)), x.DType()))
	}
	lam := make([]float64, h)
	for j := range lam {
		lam[j] = PlaceholderMixMin
		if h > 1 {
			lam[j] += (PlaceholderMixMax - PlaceholderMixMin) * float64(j) / float64(h-1)
		}
	}
	a := Slice(x, AxisRange(0, h))
	c := Slice(x, AxisRange(h, 2*h))
	var l *Node
	if kind == PlaceholderCutMix {
		m := make([]float64, h*32*32)
		for j := range h {
			cut := int(math.Round(lam[j] * 32))
			for y := range 32 {
				for x := range 32 {
					if (j%2 == 0 && y < cut) || (j%2 == 1 && x < cut) {
						m[(j*32+y)*32+x] = 1
					}
				}
			}
		}
		l = Reshape(ConstAsDType(g, x.DType(), m), h, 32, 32, 1)
	} else {
		l = Reshape(ConstAsDType(g, x.DType(), lam), h, 1, 1, 1)
	}
	mixed = Add(Mul(a, l), Mul(c, OneMinus(l)))
	ya := Slice(labels, AxisRange(0, h))
	yc := Slice(labels, AxisRange(h, 2*h))
	mask = ConvertDType(NotEqual(ya, yc), x.DType())
	return mixed, mask
}

// PlaceholderLoss is the loss of the placeholder negatives' encodings z
// [H, n_d] and logits [H, n_c] under mask [H]: the masked mean of
// |z|^2 / d^2 (d the largest distance of a configured centre from the
// origin, so a negative at a centre costs 1) plus the cross entropy to
// the uniform distribution over the classes minus its minimum log n_c (0
// when the softmax is uniform). Both are 0 at the origin for the distance
// head, whose logits are then equal; the dense head learns uniform logits.
func PlaceholderLoss(z, logits, mask *Node, l *latent.Layout) *Node {
	d := l.MaxCenterNorm()
	if d <= 0 {
		d = 1
	}
	nc := logits.Shape().Dimensions[1]
	norm2 := DivScalar(ReduceSum(Square(z), 1), d*d)
	ent := AddScalar(Neg(ReduceMean(LogSoftmax(logits, -1), 1)), -math.Log(float64(nc)))
	per := Mul(Add(norm2, ent), mask)
	return Div(ReduceAllSum(per), MaxScalar(ReduceAllSum(mask), 1))
}
