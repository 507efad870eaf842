package repro

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/train"
)

// CalOutside is what a threshold on one score, calibrated on the
// validation images (latent.Calibrate at DefaultCalibrationTPR), marks
// outside: the shares of the unknown and of the known test images.
type CalOutside struct {
	Unknown float64 `json:"unknown"`
	Known   float64 `json:"known"`
}

// pair is the shares as [unknown, known], the form of
// OpenSetRun.ScoreOutside.
func (o *CalOutside) pair() [2]float64 { return [2]float64{o.Unknown, o.Known} }

// calOutside calibrates a threshold on the validation scores val and
// returns the shares of the known and unknown test scores above it.
func calOutside(val, known, unknown []float64) (*CalOutside, error) {
	c, err := latent.Calibrate(val, latent.DefaultCalibrationTPR, "validation", latent.OpenSetRule{})
	if err != nil {
		return nil, err
	}
	share := func(xs []float64) float64 {
		n := 0
		for _, x := range xs {
			if c.Outside(x) {
				n++
			}
		}
		return float64(n) / float64(max(len(xs), 1))
	}
	return &CalOutside{Unknown: share(unknown), Known: share(known)}, nil
}

// lsScoreOf is the name of m's LS score (the distance head's default
// score), "" for a method without it.
func lsScoreOf(m openMethod) string {
	if slices.Contains(m.Scores, ScoreMSPNorm) {
		return ScoreMSPNorm
	}
	return ""
}

// postHocScores adds the post-hoc scores of the run to the score maps of
// the validation (vs), known test (ks) and unknown test (us) images: the
// feature scores (cfg.FeatureScores), the decoder's (a run with a
// decoder) and the fusions of those with the method's own scores, each
// fusion fitted on vs alone. It returns the names added, in report
// order.
func postHocScores(ctx context.Context, cfg OpenSetConfig, run *train.Run, m openMethod, trainSet, valSet, knownTest, unknownTest *data.GraySet,
	vs, ks, us map[string][]float64) ([]string, error) {
	maps := []map[string][]float64{vs, ks, us}
	sets := []data.Set{valSet, knownTest, unknownTest}
	var added []string
	if cfg.FeatureScores {
		fs, err := featureScores(ctx, run, trainSet, sets, maps)
		if err != nil {
			return nil, err
		}
		for _, s := range featureScoreNames {
			if _, ok := fs[1][s]; ok {
				for i := range maps {
					maps[i][s] = fs[i][s]
				}
				added = append(added, s)
			}
		}
	}
	if run.HasDecoder() {
		for i, g := range sets {
			pix, inf, err := inferPixels(ctx, run, g)
			if err != nil {
				return nil, err
			}
			rs, err := reconScores(run, pix, inf.Z, inf.Logits, g.Len())
			if err != nil {
				return nil, fmt.Errorf("repro open-set: %w", err)
			}
			for _, s := range reconScoreNames {
				maps[i][s] = rs[s]
			}
		}
		added = append(added, reconScoreNames...)
	}
	fused, err := addFusions(fusionsFor(lsScoreOf(m), ScoreMSP), vs, ks, us)
	if err != nil {
		return nil, fmt.Errorf("repro open-set: %w", err)
	}
	return append(added, fused...), nil
}

// postHocDoc describes the post-hoc scores the report's methods carry (""
// when none).
func postHocDoc(res *OpenSetResult) string {
	var has []string
	for _, m := range res.methods() {
		has = append(has, m.Scores...)
	}
	var b strings.Builder
	if res.Config.FeatureScores {
		b.WriteString("Feature scores (--feature-scores) are fitted on each run's known training images (without their mirrors), no retraining: deep k-NN on the L2-normalised flattened last convolution features, Mahalanobis and its relative form, ViM's residual, the same on the five levels' pooled channels, k-NN on all levels side by side, k-NN in z, and products of the feature k-NN with the MSP and the LS score. ")
	}
	if slices.Contains(has, ScoreRecon) {
		fmt.Fprintf(&b, "Decoder scores (runs with a decoder): %s, the mean squared pixel error of D(E(x)); %s, that of the decoded centre of the predicted class; %s, |z - E(D(z))| over r_c. ", ScoreRecon, ScoreReconClass, ScoreRoundTrip)
	}
	if slices.ContainsFunc(has, func(s string) bool {
		return slices.Contains(fusionScoreNames, s) || slices.Contains(rotationFusionNames, s)
	}) {
		fmt.Fprintf(&b, "The standardised sums (std. sum: ...) add their parts, each standardised by its mean and standard deviation on the validation images (never on test images); LS is the distance head's %s, MSP stands in for it on runs without it (ce's control); the std. max scores take the largest standardised part instead of the sum. ", latent.ScoreMSPNorm)
	}
	if b.Len() == 0 {
		return ""
	}
	return b.String() + "\n\n"
}
