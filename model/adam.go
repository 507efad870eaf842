package model

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
)

// Adam holds the optimiser's hyper-parameters (PyTorch's Adam without
// weight decay) and its learning-rate schedule.
type Adam struct {
	LR      float64 `json:"lr"`
	Beta1   float64 `json:"beta1"`
	Beta2   float64 `json:"beta2"`
	Epsilon float64 `json:"epsilon"`
	// Schedule is the learning-rate schedule: "" or ScheduleConstant (LR at
	// every step), or ScheduleCosine (LR * (1+cos(pi t/TotalSteps))/2,
	// from LR at step 1 down to 0 at TotalSteps).
	Schedule Schedule `json:"schedule,omitempty"`
	// TotalSteps is the length of the cosine schedule.
	TotalSteps int64 `json:"total_steps,omitempty"`
}

// Schedule is a learning-rate schedule as settings and run.json write it:
// "" or ScheduleConstant, or ScheduleCosine. It is checked where it is
// read (Set, UnmarshalText, ParseSchedule), so a Schedule in hand is
// valid.
type Schedule string

// Learning-rate schedules.
const (
	// ScheduleConstant keeps the learning rate fixed (the paper's setting).
	ScheduleConstant Schedule = "constant"
	// ScheduleCosine decays it along half a cosine to 0 at the last step.
	ScheduleCosine Schedule = "cosine"
)

// ParseSchedule checks a schedule name ("" means constant).
func ParseSchedule(s string) (Schedule, error) {
	switch Schedule(s) {
	case "", ScheduleConstant:
		return ScheduleConstant, nil
	case ScheduleCosine:
		return ScheduleCosine, nil
	}
	return "", fmt.Errorf("learning-rate schedule %q: want constant or cosine", s)
}

// String is the schedule's name ("constant" for "").
func (s Schedule) String() string {
	if s == "" {
		return string(ScheduleConstant)
	}
	return string(s)
}

// Set reads a schedule name (a command-line flag value).
func (s *Schedule) Set(v string) error {
	p, err := ParseSchedule(v)
	if err == nil {
		*s = p
	}
	return err
}

// Type names the flag value's kind.
func (s *Schedule) Type() string { return "schedule" }

// UnmarshalText reads a schedule name as recorded ("" stays "").
func (s *Schedule) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = ""
		return nil
	}
	return s.Set(string(b))
}

// LRAt is the learning rate of step t (1-based).
func (a Adam) LRAt(t int64) float64 {
	if a.Schedule != ScheduleCosine || a.TotalSteps <= 0 {
		return a.LR
	}
	f := min(float64(t-1), float64(a.TotalSteps)) / float64(a.TotalSteps)
	return a.LR * 0.5 * (1 + math.Cos(math.Pi*f))
}

// DefaultAdam returns Adam with PyTorch's defaults and learning rate lr.
func DefaultAdam(lr float64) Adam { return Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8} }

// stepScalars returns the two step-dependent scalars of the update at step
// t (1-based): lr(t)/(1-beta1^t) and 1/sqrt(1-beta2^t), computed in
// float64.
func (a Adam) stepScalars(t int64) (lrHat, invSqrtBC2 float64) {
	bc1 := 1 - math.Pow(a.Beta1, float64(t))
	bc2 := 1 - math.Pow(a.Beta2, float64(t))
	return a.LRAt(t) / bc1, 1 / math.Sqrt(bc2)
}

// adamUpdate returns the new parameter and moments of one Adam step:
// m' = b1 m + (1-b1) g, v' = b2 v + (1-b2) g^2,
// p' = p - lrHat * m' / (sqrt(v') * invSqrtBC2 + eps), as PyTorch does.
func adamUpdate(a Adam, p, grad, m, v, lrHat, invSqrtBC2 *Node) (np, nm, nv *Node) {
	nm = Add(MulScalar(m, a.Beta1), MulScalar(grad, 1-a.Beta1))
	nv = Add(MulScalar(v, a.Beta2), MulScalar(Square(grad), 1-a.Beta2))
	den := AddScalar(Mul(Sqrt(nv), invSqrtBC2), a.Epsilon)
	np = Sub(p, Mul(lrHat, Div(nm, den)))
	return np, nm, nv
}
