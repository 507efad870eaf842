package repro

import (
	"fmt"
	"math"

	"github.com/lsconf/lsconf/train"
)

// Novelty scores from a run's decoder (a supervised autoencoder, trained
// with a reconstruction weight > 0): an image the model has not learnt to
// draw should come back worse.
const (
	// ScoreRecon is the mean squared pixel error of the image's own
	// reconstruction, |x - D(E(x))|^2 / 1024.
	ScoreRecon = "reconstruction error"
	// ScoreReconClass is the mean squared pixel error against the decoded
	// centre of the predicted class, |x - D(c_pred)|^2 / 1024 (the
	// class-conditional form, in the spirit of C2AE, Oza & Patel 2019).
	ScoreReconClass = "class reconstruction error"
	// ScoreRoundTrip is the distance of z to the encoding of its decoding,
	// |z - E(D(z))| over the layout's mean r_c.
	ScoreRoundTrip = "round-trip error"
)

// reconScoreNames are the decoder's scores in report order.
var reconScoreNames = []string{ScoreRecon, ScoreReconClass, ScoreRoundTrip}

// reconScores computes the decoder's scores of n images pix (data.Pixels
// values each) whose encodings and logits are z and logits.
func reconScores(run *train.Run, pix, z, logits []float32, n int) (map[string][]float64, error) {
	if !run.HasDecoder() {
		return nil, fmt.Errorf("reconstruction scores: run %s has no decoder", run.Dir())
	}
	l := run.Layout()
	nd, nc := l.ND(), l.NC()
	if len(z) != n*nd || len(logits) != n*nc || len(pix) != n*32*32 {
		return nil, fmt.Errorf("reconstruction scores: %d images, %d z values, %d logits, %d pixels", n, len(z), len(logits), len(pix))
	}
	const px = 32 * 32
	img, err := run.Decode(z, n)
	if err != nil {
		return nil, fmt.Errorf("reconstruction scores: %w", err)
	}
	back, err := run.Encode(img, n)
	if err != nil {
		return nil, fmt.Errorf("reconstruction scores: %w", err)
	}
	centres := make([]float32, 0, nc*nd)
	rc := 0.0
	for c := range nc {
		for _, v := range l.Center(c) {
			centres = append(centres, float32(v))
		}
		rc += l.Radius(c) / float64(nc)
	}
	protos, err := run.Decode(centres, nc)
	if err != nil {
		return nil, fmt.Errorf("reconstruction scores: %w", err)
	}
	out := map[string][]float64{ScoreRecon: make([]float64, n), ScoreReconClass: make([]float64, n), ScoreRoundTrip: make([]float64, n)}
	for i := range n {
		x := pix[i*px : (i+1)*px]
		c := train.HeadClass(logits[i*nc : (i+1)*nc])
		out[ScoreRecon][i] = float64(sqDist(x, img[i*px:(i+1)*px])) / px
		out[ScoreReconClass][i] = float64(sqDist(x, protos[c*px:(c+1)*px])) / px
		out[ScoreRoundTrip][i] = math.Sqrt(float64(sqDist(z[i*nd:(i+1)*nd], back[i*nd:(i+1)*nd]))) / rc
	}
	return out, nil
}
