package index

import "github.com/lsconf/lsconf/latent"

// Model is what indexing needs from a trained run (train.Run satisfies it):
// a stable identity, the configured layout and classes, and the encoder.
type Model interface {
	// ID is the stable identity of the model (same weights, same id).
	ID() string
	// Layout is the configured latent layout v vectors are computed against.
	Layout() *latent.Layout
	// Classes are the class names, index = label.
	Classes() []string
	// Sectors is the polar encoder configuration, nil when plain.
	Sectors() *latent.Sectors
	// Encode maps n images of data.Pixels gray float32 values in [0, 1]
	// to n encodings of n_d values each.
	Encode(images []float32, n int) ([]float32, error)
}

// Check returns nil when m is the model this identity describes (same ID
// and layout), else an error wrapping ErrModelMismatch; path names the
// index in the message.
func (id Identity) Check(path string, m Model) error {
	return checkIdentity(path, id, m)
}
