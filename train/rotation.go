package train

import "fmt"

// HasRotationHead reports whether the run's model has a rotation head (it
// was trained with Config.RotationHead > 0).
func (r *Run) HasRotationHead() bool { return r.net.HasRotationHead() }

// RotationScores returns the rotation head's open-set score of n images
// (n*data.Pixels values; model.Net.RotationScores: the mean over the four
// quarter turns of the head's loss, four encodings per image). A run
// without a rotation head is an error.
func (r *Run) RotationScores(images []float32, n int) ([]float32, error) {
	if err := checkImages("rotation scores", images, n); err != nil {
		return nil, err
	}
	s, err := r.net.RotationScores(images, n)
	if err != nil {
		return nil, fmt.Errorf("rotation scores with run %s: %w", r.dir, err)
	}
	return s, nil
}
