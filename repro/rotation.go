package repro

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/train"
)

// Open-set scores of a run trained with the rotation head
// (train.Config.RotationHead): the head's loss over the four quarter turns
// (model.Net.RotationScores), and its sum with the method's first score.
// The sum is fixed in advance: each of the two scores is standardised by
// its mean and standard deviation over the validation images of the known
// classes (never the test images), then they are added.

// ScoreRotation is the rotation head's score: the mean over the four
// quarter turns k of -log p(k | the image turned by k).
const ScoreRotation = "rotation"

// rotationPlus names the standardised sum of score and ScoreRotation.
func rotationPlus(score string) string { return score + " + " + ScoreRotation }

// withRotationScores is scores followed by ScoreRotation and its sum with
// the first score.
func withRotationScores(scores []string) []string {
	if len(scores) == 0 || slices.Contains(scores, ScoreRotation) {
		return scores
	}
	return append(slices.Clone(scores), ScoreRotation, rotationPlus(scores[0]))
}

// addRotationScores adds ScoreRotation and rotationPlus(base) of the
// validation, known test and unknown test images to vs, ks and us (which
// hold base's values of the same images).
func addRotationScores(ctx context.Context, run *train.Run, base string, valSet, knownTest, unknownTest data.Set, vs, ks, us map[string][]float64) error {
	sets := []data.Set{valSet, knownTest, unknownTest}
	outs := []map[string][]float64{vs, ks, us}
	for i, set := range sets {
		pix, _, err := setPixels(ctx, set)
		if err != nil {
			return fmt.Errorf("repro open-set: %w", err)
		}
		s, err := run.RotationScores(pix, set.Len())
		if err != nil {
			return fmt.Errorf("repro open-set: %w", err)
		}
		v := make([]float64, len(s))
		for j, x := range s {
			v[j] = float64(x)
		}
		outs[i][ScoreRotation] = v
	}
	for _, o := range outs {
		sum, err := standardisedSum(o[base], o[ScoreRotation], vs[base], vs[ScoreRotation])
		if err != nil {
			return fmt.Errorf("repro open-set, %s: %w", rotationPlus(base), err)
		}
		o[rotationPlus(base)] = sum
	}
	return nil
}

// unseenRotationScores adds ScoreRotation of the n images pix (encoded as
// z32) to feat; its sum with the run's open-set score is a fusion
// (unseenFusions), standardised by the experiment's one rule.
func unseenRotationScores(run *train.Run, pix, z32 []float32, feat map[string][]float64) error {
	n := len(z32) / run.Layout().ND()
	r, err := run.RotationScores(pix, n)
	if err != nil {
		return fmt.Errorf("repro unseen: %w", err)
	}
	rot := make([]float64, n)
	for i, x := range r {
		rot[i] = float64(x)
	}
	feat[ScoreRotation] = rot
	return nil
}

// finite is xs without NaN and infinite values.
func finite(xs []float64) []float64 {
	return slices.DeleteFunc(slices.Clone(xs), func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) })
}
