package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/internal/atomicfile"
	"github.com/lsconf/lsconf/latent"
)

// NoCalibrationNote says what an uncalibrated run marks as outside.
const NoCalibrationNote = "the run has no calibrated outside threshold (outside.json; runs trained before it existed): only encodings outside the configured space (v all zero) are marked outside; lsconf eval --calibrate adds one"

// writeCalibration writes dir's OutsideFile.
func writeCalibration(dir string, c latent.Calibration) error {
	b, err := marshalIndent(c)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, OutsideFile), b); err != nil {
		return fmt.Errorf("write outside threshold of %s: %w", dir, err)
	}
	return nil
}

// readCalibration reads dir's OutsideFile; nil without error when the run
// has none.
func readCalibration(dir string) (*latent.Calibration, error) {
	b, err := os.ReadFile(filepath.Join(dir, OutsideFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read outside threshold of %s: %w", dir, err)
	}
	var c latent.Calibration
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, OutsideFile), err)
	}
	if err := c.Rule().Validate(); err != nil || !(c.Threshold >= 0) || math.IsInf(c.Threshold, 0) {
		return nil, fmt.Errorf("read %s: score %q threshold %v: not a calibrated outside threshold", filepath.Join(dir, OutsideFile), c.Score, c.Threshold)
	}
	if c.Score == "" {
		c.Score = latent.CalibrationScore // written before the score was recorded
	}
	return &c, nil
}

// OpenSetRule is the run's open-set score: the distance head's
// latent.DefaultDistanceScore with a fixed scale, dist/r_c otherwise.
func (r *Run) OpenSetRule() latent.OpenSetRule {
	return latent.RuleFor(r.net.Config().OpenSetScale())
}

// Calibration is the run's calibrated outside threshold, nil when it has
// none (NoCalibrationNote). Its Rule may be dist/r_c on a distance-head run
// calibrated before the score was recorded: the outside flag then scores
// by it, and open_set_score by the run's OpenSetRule.
func (r *Run) Calibration() *latent.Calibration { return r.cal }

// Calibrate encodes a held-out labelled set of the run's known classes
// (never trained on), calibrates the outside threshold at a share tpr of
// them inside (0: latent.DefaultCalibrationTPR), writes it to the run's
// OutsideFile (replacing any) and uses it from then on. on names the set.
func (r *Run) Calibrate(ctx context.Context, set data.Set, tpr float64, on string) (*latent.Calibration, error) {
	if tpr == 0 {
		tpr = latent.DefaultCalibrationTPR
	}
	inf, err := r.InferSet(ctx, set)
	if err != nil {
		return nil, err
	}
	l := r.Layout()
	nd := l.ND()
	rule := r.OpenSetRule()
	scores := make([]float64, len(inf.Labels))
	for i := range scores {
		scores[i] = rule.Of32(l, inf.Z[i*nd:(i+1)*nd])
	}
	c, err := latent.Calibrate(scores, tpr, on, rule)
	if err != nil {
		return nil, fmt.Errorf("calibrate run %s on %s: %w", r.dir, on, err)
	}
	if err := writeCalibration(r.dir, c); err != nil {
		return nil, err
	}
	r.cal = &c
	return &c, nil
}

// ImageResult is what a run says about one image: its encoding, the
// head's class probabilities and class, the nearest centre, the open-set
// score and whether it is outside.
type ImageResult struct {
	Z []float32 `json:"z"`
	// Probs is the softmax of the head's logits (either head).
	Probs     []float64 `json:"probs"`
	Predicted int       `json:"predicted"`
	// Nearest is the nearest configured centre's class; Score is the
	// run's open-set score (OpenSetRule: the distance head's MSP·d_c/|z|,
	// or the distance to the nearest centre over its r_c).
	Nearest int     `json:"nearest"`
	Score   float64 `json:"open_set_score"`
	// Outside: v all zero, or the calibration's score above its
	// threshold.
	Outside bool `json:"outside"`
}

// Describe turns n images' encodings and logits (from Infer) into
// ImageResults.
func (r *Run) Describe(z, logits []float32, n int) ([]ImageResult, error) {
	l := r.Layout()
	nd, nc := l.ND(), l.NC()
	if len(z) != n*nd || len(logits) != n*nc {
		return nil, fmt.Errorf("describe: %d z values and %d logits for %d images", len(z), len(logits), n)
	}
	out := make([]ImageResult, n)
	rule := r.OpenSetRule()
	zf := make([]float64, nd)
	for i := range out {
		zi := z[i*nd : (i+1)*nd]
		for k, x := range zi {
			zf[k] = float64(x)
		}
		row := logits[i*nc : (i+1)*nc]
		probs := HeadProbabilities(row)
		near, vOut, err := l.Classify(zf)
		if err != nil {
			return nil, fmt.Errorf("describe image %d: %w", i, err)
		}
		out[i] = ImageResult{Z: append([]float32(nil), zi...), Probs: probs, Predicted: HeadClass(row),
			Nearest: near, Score: rule.Of(l, zf), Outside: r.cal.OutsideZ(l, zf, vOut)}
	}
	return out, nil
}
