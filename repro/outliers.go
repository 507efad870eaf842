package repro

import (
	"context"
	"fmt"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/train"
)

// outlierDir is the run-folder suffix of the variant's outlier exposure
// ("" without).
func (v OpenSetVariant) outlierDir() string {
	if v.OutlierWeight <= 0 {
		return ""
	}
	return fmt.Sprintf("-oe%g", v.OutlierWeight)
}

// outliers loads the variant's outlier images and sets tc's outlier
// weight (nil and unchanged without outlier exposure). The folder is read
// for every run: a few hundred small icons decode in about a second.
func (v OpenSetVariant) outliers(ctx context.Context, tc *train.Config) (*data.Outliers, error) {
	if v.OutlierWeight <= 0 {
		return nil, nil
	}
	if v.Outliers == "" {
		return nil, fmt.Errorf("repro open-set: an outlier weight of %g without an outlier folder", v.OutlierWeight)
	}
	o, err := data.LoadOutliers(ctx, v.Outliers, nil)
	if err != nil {
		return nil, fmt.Errorf("repro open-set: %w", err)
	}
	tc.OutlierWeight = v.OutlierWeight
	return o, nil
}

// outlierDoc is the report's sentence on the variant's outlier exposure
// ("" without).
func (v OpenSetVariant) outlierDoc() string {
	if v.OutlierWeight <= 0 {
		return ""
	}
	return fmt.Sprintf("It is trained with outlier exposure at weight %g: every step adds half a batch of real outlier images from %s (every image file under it, as grayscale 32x32, duplicates dropped, mirrored at random), pulled to the origin of the latent space with a uniform softmax (ce+g) or trained toward a uniform softmax alone (ce, the outlier-exposure paper's loss); the class losses see only the known images. **ce variant**, when named, is ce trained with the same outliers (its control). ", v.OutlierWeight, v.Outliers)
}

// outlierWeight is the outlier weight of experiment e's run: the
// config's for the ce+g runs, 0 for the others and without a folder.
func (c Config) outlierWeight(e Experiment) float64 {
	if e.Mode != model.ModeCEG || c.Outliers == "" {
		return 0
	}
	return c.OutlierWeight
}

// outlierSet loads the outlier images of experiment e's run (nil when it
// has none).
func (c Config) outlierSet(ctx context.Context, e Experiment) (*data.Outliers, error) {
	if c.outlierWeight(e) <= 0 {
		return nil, nil
	}
	o, err := data.LoadOutliers(ctx, c.Outliers, nil)
	if err != nil {
		return nil, fmt.Errorf("repro %s: %w", e.Name(), err)
	}
	return o, nil
}
