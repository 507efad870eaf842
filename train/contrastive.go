package train

import "fmt"

// HasContrastiveHead reports whether the run's model has a contrastive
// head (it was trained with Config.Contrastive > 0).
func (r *Run) HasContrastiveHead() bool { return r.net.HasContrastiveHead() }

// ContrastiveProjections returns the unit projections of n images
// (n*data.Pixels values; model.ContrastiveDim values each, row after
// row; model.Net.ContrastiveProjections). A run without a contrastive
// head is an error.
func (r *Run) ContrastiveProjections(images []float32, n int) ([]float32, error) {
	if err := checkImages("contrastive projections", images, n); err != nil {
		return nil, err
	}
	p, err := r.net.ContrastiveProjections(images, n)
	if err != nil {
		return nil, fmt.Errorf("contrastive projections with run %s: %w", r.dir, err)
	}
	return p, nil
}
