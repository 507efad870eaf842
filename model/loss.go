package model

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified

	"github.com/lsconf/lsconf/latent"
)

// Mode is the training loss.
type Mode string

const (
	// ModeCE trains with the cross entropy alone (L_CE).
	ModeCE Mode = "ce"
	// ModeCEG trains with L_CE + k_g L_G (eq 10).
	ModeCEG Mode = "ce+g"
	// ModeMSEG trains the autoencoder without the classifier: the
	// decoder's mean squared error + k_g L_G (the paper's "MSE" case of
	// section 4). The classifier's weights stay as initialised; classes
	// are read from the nearest cluster.
	ModeMSEG Mode = "mse+g"
)

// ParseMode reads "ce", "ce+g" or "mse+g".
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case ModeCE, ModeCEG, ModeMSEG:
		return Mode(s), nil
	}
	return "", fmt.Errorf("mode %q: want ce, ce+g or mse+g", s)
}

// TrainsLG reports whether L_G (and the centre pull) enter the loss.
func (m Mode) TrainsLG() bool { return m == ModeCEG || m == ModeMSEG }

// String is the mode's name.
func (m Mode) String() string { return string(m) }

// Set reads "ce" or "ce+g" (a command-line flag value).
func (m *Mode) Set(v string) error {
	p, err := ParseMode(v)
	if err == nil {
		*m = p
	}
	return err
}

// Type names the flag value's kind.
func (m *Mode) Type() string { return "mode" }

// ownCentres returns, for z [B, n_d] and integer labels [B], the centre
// [B, n_d] and the radius [B] of each sample's own class.
func ownCentres(z, labels *Node, l *latent.Layout) (centre, radius *Node) {
	g := z.Graph()
	oneHot := OneHot(labels, l.NC(), z.DType())
	centre = Dot(oneHot, ConstAsDType(g, z.DType(), l.Centers())).Product()
	radius = Dot(oneHot, ConstAsDType(g, z.DType(), l.Radii())).Product()
	return centre, radius
}

// OwnDistance returns ||z_j - C_{y_j}|| [B] for z [B, n_d] and labels [B].
// Its gradient is finite everywhere: at distance 0 it is 0.
func OwnDistance(z, labels *Node, l *latent.Layout) *Node {
	centre, _ := ownCentres(z, labels, l)
	s := ReduceSum(Square(Sub(z, centre)), 1)
	pos := GreaterThan(s, ZerosLike(s))
	return Where(pos, Sqrt(Where(pos, s, OnesLike(s))), ZerosLike(s))
}

// GeometricLoss is L_G (eq 8) of z [B, n_d] with integer labels [B]: the
// sum (or mean) over the batch of f_d(||z_j - C_{y_j}||, r_{y_j}), with
// f_d(x, r) = exp(ReLU(x - r)) - 1 (eq 9). It matches
// latent.(*Layout).LG, and its autodiff gradient matches LGGrad.
func GeometricLoss(z, labels *Node, l *latent.Layout, red latent.Reduction) *Node {
	_, radius := ownCentres(z, labels, l)
	d := OwnDistance(z, labels, l)
	// exp(x) - 1 (GoMLX's Expm1 has no gradient); exact 0 inside a cluster.
	fd := AddScalar(Exp(MaxScalar(Sub(d, radius), 0)), -1)
	if red == latent.Mean {
		return ReduceAllMean(fd)
	}
	return ReduceAllSum(fd)
}

// CenterLoss is the optional centre pull that lsconf adds to L_G (not in
// the paper): the sum (or mean) over the batch of (||z_j - C_{y_j}|| /
// r_{y_j})^2. L_G's f_d is exactly 0 inside a cluster, so nothing there
// resists the cross entropy, which pushes points outward to the cluster's
// rim (the paper's "petals"); a small multiple of this term keeps each
// class centred on its configured centre.
func CenterLoss(z, labels *Node, l *latent.Layout, red latent.Reduction) *Node {
	centre, radius := ownCentres(z, labels, l)
	q := Div(ReduceSum(Square(Sub(z, centre)), 1), Square(radius))
	if red == latent.Mean {
		return ReduceAllMean(q)
	}
	return ReduceAllSum(q)
}

// CrossEntropy is the batch mean of -log softmax(logits)[label] for
// logits [B, n_c] and integer labels [B] (L_CE).
func CrossEntropy(logits, labels *Node) *Node {
	oneHot := OneHot(labels, logits.Shape().Dimensions[1], logits.DType())
	return Neg(ReduceAllMean(ReduceSum(Mul(oneHot, LogSoftmax(logits, -1)), 1)))
}

// Correct counts the samples whose argmax logit is the label, as a scalar
// of the logits' dtype.
func Correct(logits, labels *Node) *Node {
	pred := ArgMax(logits, 1, labels.DType())
	return ReduceAllSum(ConvertDType(Equal(pred, labels), logits.DType()))
}
