package train

import (
	"fmt"
	"math"
	"path/filepath"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/model"
)

// DefaultOutlierWeight is the outlier images' weight when a folder of
// them is given without one: the outlier-exposure paper's lambda for its
// classifiers (Hendrycks et al. 2019).
const DefaultOutlierWeight = 0.5

// OutlierInfo is what run.json records of a run's outlier set (outlier
// exposure, Config.OutlierWeight).
type OutlierInfo struct {
	// Dir is the folder the images were loaded from (absolute).
	Dir string `json:"dir"`
	// Count is the number of distinct images trained on; Duplicates and
	// Skipped the files dropped (data.Outliers).
	Count      int `json:"count"`
	Duplicates int `json:"duplicates,omitempty"`
	Skipped    int `json:"skipped,omitempty"`
	// PerStep is the number of outlier images each step adds: half the
	// batch size (at least 1; half the batch on a smaller last batch).
	PerStep int `json:"per_step"`
}

// validateOutliers checks the outlier weight.
func (c Config) validateOutliers() error {
	if c.OutlierWeight < 0 || math.IsNaN(c.OutlierWeight) || math.IsInf(c.OutlierWeight, 0) {
		return fmt.Errorf("train config: outlier weight %v must be a non-negative number", c.OutlierWeight)
	}
	if c.OutlierWeight > 0 && c.Mode == model.ModeMSEG {
		return fmt.Errorf("train config: outlier images need mode ce or ce+g, not %s", c.Mode)
	}
	return nil
}

// withOutliers records the outlier set o in c (c.Outliers) and checks
// that weight and set go together.
func (c *Config) withOutliers(o *data.Outliers) error {
	switch {
	case c.OutlierWeight > 0 && (o == nil || o.Len() == 0):
		return fmt.Errorf("an outlier weight of %g but no outlier images", c.OutlierWeight)
	case c.OutlierWeight == 0 && o != nil:
		return fmt.Errorf("outlier images from %s but no outlier weight", o.Dir)
	case o == nil:
		c.Outliers = nil
		return nil
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		dir = o.Dir
	}
	c.Outliers = &OutlierInfo{Dir: filepath.ToSlash(dir), Count: o.Len(), Duplicates: o.Duplicates, Skipped: o.Skipped,
		PerStep: outliersPerStep(c.WithDefaults().BatchSize)}
	return nil
}

// outliersPerStep is the number of outlier images a batch of b known
// images gets: half of it, at least 1.
func outliersPerStep(b int) int { return max(1, b/2) }

// step runs one train step on the known batch (x, y), with the step's
// outlier images when the run has them.
func (t *trainer) step(x []float32, y []int32) (model.StepResult, error) {
	o := t.sets.Outliers
	if t.cfg.OutlierWeight <= 0 || o == nil {
		return t.net.TrainStep(x, y)
	}
	n := outliersPerStep(len(y))
	buf := make([]float32, n*data.Pixels)
	if err := o.Batch(t.cfg.Seed, t.pos.Step, n, buf); err != nil {
		return model.StepResult{}, fmt.Errorf("train: %w", err)
	}
	return t.net.TrainStepOutliers(x, y, buf)
}
