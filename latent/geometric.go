package latent

import (
	"fmt"
	"math"
)

// FD is the distance function of eq 9: f_d(x, r) = exp(ReLU(x - r)) - 1.
// It is exactly 0 inside the cluster (x <= r) and grows exponentially
// outside.
func FD(x, r float64) float64 {
	return math.Expm1(math.Max(x-r, 0))
}

// FDDeriv is d f_d / dx: exp(x - r) for x > r, 0 otherwise (the kink at
// x = r takes the inside value, as ReLU's subgradient does in GoMLX and
// PyTorch).
func FDDeriv(x, r float64) float64 {
	if x > r {
		return math.Exp(x - r)
	}
	return 0
}

// Reduction says how L_G combines the batch samples.
type Reduction int

const (
	// Sum adds the per-sample terms: eq 8 as written, the default.
	Sum Reduction = iota
	// Mean divides the sum by the batch size.
	Mean
)

// String names the reduction as the command line spells it.
func (r Reduction) String() string {
	if r == Mean {
		return "mean"
	}
	return "sum"
}

// ParseReduction reads "sum" or "mean".
func ParseReduction(s string) (Reduction, error) {
	switch s {
	case "sum", "":
		return Sum, nil
	case "mean":
		return Mean, nil
	}
	return Sum, fmt.Errorf("L_G reduction %q: want sum or mean", s)
}

// ReductionName is a Reduction as settings and run.json write it: "sum"
// (eq 8), "mean", or "" (unset; sum unless a default says otherwise). It
// is checked where it is read (Set, UnmarshalText), so a ReductionName in
// hand converts without error.
type ReductionName string

// The names of the reductions.
const (
	SumName  ReductionName = "sum"
	MeanName ReductionName = "mean"
)

// Reduction is the reduction n names ("" is Sum).
func (n ReductionName) Reduction() Reduction {
	if n == MeanName {
		return Mean
	}
	return Sum
}

// String is the name ("sum" for "").
func (n ReductionName) String() string { return n.Reduction().String() }

// Set reads "sum" or "mean" (a command-line flag value).
func (n *ReductionName) Set(v string) error {
	r, err := ParseReduction(v)
	if err == nil {
		*n = ReductionName(r.String())
	}
	return err
}

// Type names the flag value's kind.
func (n *ReductionName) Type() string { return "reduction" }

// UnmarshalText reads a recorded name ("" stays "").
func (n *ReductionName) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*n = ""
		return nil
	}
	return n.Set(string(b))
}

// checkBatch validates a batch of encodings and labels against the layout.
func (l *Layout) checkBatch(z [][]float64, y []int) error {
	if len(z) != len(y) {
		return fmt.Errorf("%d encodings but %d labels", len(z), len(y))
	}
	for j := range z {
		if err := l.checkPoint(z[j]); err != nil {
			return fmt.Errorf("sample %d: %w", j, err)
		}
		if y[j] < 0 || y[j] >= l.NC() {
			return fmt.Errorf("sample %d: label %d outside [0, %d)", j, y[j], l.NC())
		}
	}
	return nil
}

// checkPoint validates one encoding: n_d finite coordinates.
func (l *Layout) checkPoint(z []float64) error {
	if len(z) != l.ND() {
		return fmt.Errorf("encoding has %d coordinates, layout has n_d = %d", len(z), l.ND())
	}
	for k, x := range z {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("coordinate %d is %v, not a finite number", k, x)
		}
	}
	return nil
}

// LG is the geometric loss of eq 8 over a batch: the f_d distance of each
// encoding z[j] to the centre of its own class y[j], summed (or averaged)
// over the batch. An empty batch has loss 0.
func (l *Layout) LG(z [][]float64, y []int, red Reduction) (float64, error) {
	if err := l.checkBatch(z, y); err != nil {
		return 0, fmt.Errorf("L_G: %w", err)
	}
	s := 0.0
	for j := range z {
		s += FD(dist(z[j], l.centers[y[j]]), l.radii[y[j]])
	}
	if red == Mean && len(z) > 0 {
		s /= float64(len(z))
	}
	return s, nil
}

// LGGrad is the gradient of LG with respect to every encoding:
// exp(d - r) * (z_j - C_y)/d for samples outside their cluster (d > r),
// zero inside.
func (l *Layout) LGGrad(z [][]float64, y []int, red Reduction) ([][]float64, error) {
	if err := l.checkBatch(z, y); err != nil {
		return nil, fmt.Errorf("L_G gradient: %w", err)
	}
	scale := 1.0
	if red == Mean && len(z) > 0 {
		scale = 1 / float64(len(z))
	}
	g := make([][]float64, len(z))
	for j := range z {
		c := l.centers[y[j]]
		d := dist(z[j], c)
		g[j] = make([]float64, len(z[j]))
		fp := FDDeriv(d, l.radii[y[j]])
		if fp == 0 || d == 0 {
			continue
		}
		for k := range g[j] {
			g[j][k] = scale * fp * (z[j][k] - c[k]) / d
		}
	}
	return g, nil
}

// Distances returns d_ji = ||z - C_i|| for every centre i (eq 11).
func (l *Layout) Distances(z []float64) ([]float64, error) {
	if err := l.checkPoint(z); err != nil {
		return nil, fmt.Errorf("distances: %w", err)
	}
	d := make([]float64, l.NC())
	for i, c := range l.centers {
		d[i] = dist(z, c)
	}
	return d, nil
}
