package repro

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/train"
)

// Post-hoc open-set scores on the encodings z themselves (--z-scores):
// class-conditional Gaussians of the known classes' z, fitted on the known
// training images' encodings (the images the run trained on, without
// their mirrors), so that the validation images stay free for the
// threshold and for standardising the sum.
const (
	// ScoreZMaha is the squared Mahalanobis distance of z to the nearest
	// class mean under the classes' shared covariance (Lee et al. 2018, on
	// z instead of the features).
	ScoreZMaha = "z Mahalanobis"
	// ScoreZMahaClass is the squared Mahalanobis distance of z to the mean
	// of the class the head predicts, under that class's own covariance.
	ScoreZMahaClass = "z Mahalanobis, per-class covariance"
	// ScoreZMahaVal is ScoreZMaha fitted on the validation images instead
	// of the training images (its calibrated outside is not measured: the
	// threshold would be made on the images it was fitted on).
	ScoreZMahaVal = "z Mahalanobis, validation-fitted"
	// ScoreZPerpMaha is ScoreZMaha on z_⊥ alone, the coordinates of z
	// outside the span of the configured centres (only in layouts with
	// more dimensions than the centres span).
	ScoreZPerpMaha = "z_⊥ Mahalanobis"
	// ScoreZSum is the method's first score (the default open-set score
	// for the distance head, MSP for ce; of z_∥ for the variant, whose
	// extra dimensions may carry more than the class) plus ScoreZMaha,
	// each standardised by its mean and standard deviation on the
	// validation images: a combination fixed in advance.
	ScoreZSum = "own score + z Mahalanobis, standardised"
)

// zScoreNames are the z-space scores in report order.
var zScoreNames = []string{ScoreZMaha, ScoreZMahaClass, ScoreZMahaVal, ScoreZPerpMaha, ScoreZSum}

// zSumBase is the score ScoreZSum adds to the Mahalanobis: the method's
// first, or its z_∥ form when the method has one (the variant).
func zSumBase(m openMethod) string {
	if slices.Contains(m.Scores, ScoreMSPNormSpan) {
		return ScoreMSPNormSpan
	}
	return m.Scores[0]
}

// zDetector holds the Gaussians the z-space scores use.
type zDetector struct {
	nd, nc int
	// shared: class means with the shared within-class covariance;
	// perClass: one Gaussian per class (its own covariance).
	shared   *gaussian
	perClass []*gaussian
	// perp is an orthonormal basis of the complement of the centres'
	// span (nil when the centres span all of z) and sharedPerp the
	// shared-covariance Gaussian of the z_⊥ coordinates.
	perp       [][]float64
	sharedPerp *gaussian
}

// perpCoords returns the coordinates of each row of z (nd values) in the
// basis perp.
func perpCoords(perp [][]float64, z []float32, nd int) []float32 {
	n := len(z) / nd
	out := make([]float32, 0, n*len(perp))
	row := make([]float64, nd)
	for i := range n {
		for k := range nd {
			row[k] = float64(z[i*nd+k])
		}
		for _, b := range perp {
			out = append(out, float32(dot(row, b)))
		}
	}
	return out
}

// fitZDetector fits the z-space Gaussians on encodings z (rows of l.ND())
// of labels y.
func fitZDetector(l *latent.Layout, z []float32, y []int32) (*zDetector, error) {
	nd, nc := l.ND(), l.NC()
	d := &zDetector{nd: nd, nc: nc, perp: l.PerpBasis()}
	var err error
	if d.shared, err = fitGaussian(z, y, nc, nd); err != nil {
		return nil, fmt.Errorf("z scores: %w", err)
	}
	for c := range nc {
		var zc []float32
		for i, yi := range y {
			if int(yi) == c {
				zc = append(zc, z[i*nd:(i+1)*nd]...)
			}
		}
		g, err := fitGaussian(zc, make([]int32, len(zc)/nd), 1, nd)
		if err != nil {
			return nil, fmt.Errorf("z scores: class %d: %w", c, err)
		}
		d.perClass = append(d.perClass, g)
	}
	if len(d.perp) > 0 {
		if d.sharedPerp, err = fitGaussian(perpCoords(d.perp, z, nd), y, nc, len(d.perp)); err != nil {
			return nil, fmt.Errorf("z scores: z_⊥: %w", err)
		}
	}
	return d, nil
}

// scores returns ScoreZMaha, ScoreZMahaClass and (when the layout has
// room outside the centres' span) ScoreZPerpMaha of encodings z whose
// head predicts pred.
func (d *zDetector) scores(z []float32, pred []int) map[string][]float64 {
	out := map[string][]float64{}
	out[ScoreZMaha], _, _ = d.shared.scores(z)
	per := make([]float64, len(pred))
	for i, p := range pred {
		m, _, _ := d.perClass[p].scores(z[i*d.nd : (i+1)*d.nd])
		per[i] = m[0]
	}
	out[ScoreZMahaClass] = per
	if d.sharedPerp != nil {
		out[ScoreZPerpMaha], _, _ = d.sharedPerp.scores(perpCoords(d.perp, z, d.nd))
	}
	return out
}

// meanSD is the mean and population standard deviation of xs (sd 1 when
// it is 0): it scales feature columns (a constant column stays as it is).
// Scores are standardised by fitStandardiser (fusion.go).
func meanSD(xs []float64) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	sd = math.Sqrt(sd / float64(len(xs)))
	if sd == 0 || math.IsNaN(sd) {
		sd = 1
	}
	return mean, sd
}

// standardisedSum returns, for each image, the fusion (fusion.go) of the
// scores a and b: each standardised by the mean and sd of its reference
// scores refA, refB (fitStandardiser, the one rule), then added.
func standardisedSum(a, b, refA, refB []float64) ([]float64, error) {
	f := fusion{Name: "standardised sum", Parts: []string{"a", "b"}}
	ft, _, err := fitFusion(f, map[string][]float64{"a": refA, "b": refB})
	if err != nil {
		return nil, err
	}
	return ft.apply(map[string][]float64{"a": a, "b": b})
}

// zScoreSet are the z-space scores of the validation, known test and
// unknown test images of one run, with the outside shares under each
// score's threshold calibrated on the validation images, and the
// per-dimension standard deviation of the known test encodings.
type zScoreSet struct {
	known, unknown map[string][]float64
	// outside maps a score to the shares of unknown and known test
	// images above its conformal 95% validation threshold.
	outside map[string][2]float64
	sd      []float64
}

// predicted is the head's class of each row of logits (nc values).
func predicted(logits []float32, nc int) []int {
	out := make([]int, len(logits)/nc)
	for i := range out {
		out[i] = train.HeadClass(logits[i*nc : (i+1)*nc])
	}
	return out
}

// columnSD is the standard deviation of each of z's nd columns.
func columnSD(z []float32, nd int) []float64 {
	n := len(z) / nd
	out := make([]float64, nd)
	col := make([]float64, n)
	for k := range nd {
		for i := range n {
			col[i] = float64(z[i*nd+k])
		}
		_, sd := meanSD(col)
		if sd == 1 && n > 0 && slices.Min(col) == slices.Max(col) {
			sd = 0
		}
		out[k] = sd
	}
	return out
}

// zScores fits the z-space scores of run (layout l) on the encodings of
// the known training images and scores val, the known and the unknown
// test images; own holds the method's first score on the three sets
// (for ScoreZSum).
func zScores(ctx context.Context, run *train.Run, l *latent.Layout, trainSet data.Set, val, kn, un *train.Inference, ownVal, ownKnown, ownUnknown []float64) (*zScoreSet, error) {
	pix, y, err := setPixels(ctx, trainSet)
	if err != nil {
		return nil, fmt.Errorf("z scores: %w", err)
	}
	zt, _, err := run.Infer(pix, len(y))
	if err != nil {
		return nil, fmt.Errorf("z scores: %w", err)
	}
	d, err := fitZDetector(l, zt, y)
	if err != nil {
		return nil, err
	}
	dv, err := fitZDetector(l, val.Z, val.Labels)
	if err != nil {
		return nil, fmt.Errorf("validation-fitted: %w", err)
	}
	nc := l.NC()
	vs := d.scores(val.Z, predicted(val.Logits, nc))
	res := &zScoreSet{known: d.scores(kn.Z, predicted(kn.Logits, nc)), unknown: d.scores(un.Z, predicted(un.Logits, nc)),
		outside: map[string][2]float64{}, sd: columnSD(kn.Z, l.ND())}
	res.known[ScoreZMahaVal], _, _ = dv.shared.scores(kn.Z)
	res.unknown[ScoreZMahaVal], _, _ = dv.shared.scores(un.Z)
	if ownVal != nil {
		refMaha := vs[ScoreZMaha]
		for _, d := range []struct {
			dst  map[string][]float64
			own  []float64
			maha []float64
		}{{res.known, ownKnown, res.known[ScoreZMaha]}, {res.unknown, ownUnknown, res.unknown[ScoreZMaha]}, {vs, ownVal, refMaha}} {
			sum, err := standardisedSum(d.own, d.maha, ownVal, refMaha)
			if err != nil {
				return nil, fmt.Errorf("z scores, %s: %w", ScoreZSum, err)
			}
			d.dst[ScoreZSum] = sum
		}
	}
	for s, v := range vs {
		o, err := calOutside(v, res.known[s], res.unknown[s])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s, err)
		}
		res.outside[s] = o.pair()
	}
	return res, nil
}

// withZScores is m's scores followed by the z-space scores and the probe
// oracles that some run of m in res carries.
func (res *OpenSetResult) withZScores(m openMethod) []string {
	out := slices.Clone(m.Scores)
	for _, s := range slices.Concat(zScoreNames, probeScoreNames) {
		if slices.ContainsFunc(res.Runs, func(r *OpenSetRun) bool { _, ok := r.Scores[s]; return r.Method == m.Name && ok }) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// zScoreDoc is the report's section on the post-hoc scores' calibrated
// outside shares and the spread of each coordinate of z ("" when no run
// has them).
func zScoreDoc(res *OpenSetResult) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	for _, r := range res.Runs {
		for _, s := range slices.Concat(zScoreNames, []string{ScoreOracleMass}, probeScoreNames) {
			o, ok := r.ScoreOutside[s]
			if !ok {
				continue
			}
			if b.Len() == 0 {
				w("\n## Calibrated outside by the post-hoc scores\n\n")
				w("Each score's threshold keeps 95%% of the validation images of the known classes at or below it (the conformal quantile, as latent.Calibrate). The z-space scores are fitted on the known training images' encodings; %s is not calibrated (it is fitted on the validation images). %s is an oracle: ce trained on all the classes, the unknown ones included; the linear probes (oracles too) are fitted on the run's encodings of the known training images and of the unknown classes' training images.\n\n", ScoreZMahaVal, ScoreOracleMass)
				w("| method | split | score | unknown outside %% | known outside %% | TPR@5%%FPR |\n|---|---|---|---|---|---|\n")
			}
			w("| %s | %d | %s | %.1f | %.1f | %.3f |\n", r.Method, r.Split, s, 100*o[0], 100*o[1], r.Scores[s].TPRAt5FPR)
		}
	}
	first := true
	for _, r := range res.Runs {
		if len(r.ZSD) == 0 {
			continue
		}
		if first {
			w("\n## Spread of each coordinate of z\n\nThe standard deviation of each coordinate of z over the known test images (the simplex spans the first n_c - 1; any further ones are the extra dimensions).\n\n| method | split | sd per coordinate |\n|---|---|---|\n")
			first = false
		}
		sd := make([]string, len(r.ZSD))
		for i, v := range r.ZSD {
			sd[i] = fmt.Sprintf("%.3g", v)
		}
		w("| %s | %d | %s |\n", r.Method, r.Split, strings.Join(sd, " "))
	}
	return b.String()
}

// unseenZScores adds to feat the z-space scores of the encodings z (with
// their logits), fitted on the known training images' encodings; their
// sum with the run's open-set score (ScoreZSum) is a fusion
// (unseenFusions), standardised by the experiment's one rule.
func unseenZScores(ctx context.Context, run *train.Run, knownTrain data.Set, z, logits []float32, feat map[string][]float64) error {
	pix, y, err := setPixels(ctx, knownTrain)
	if err != nil {
		return fmt.Errorf("z scores: %w", err)
	}
	zt, _, err := run.Infer(pix, len(y))
	if err != nil {
		return fmt.Errorf("z scores: %w", err)
	}
	l := run.Layout()
	d, err := fitZDetector(l, zt, y)
	if err != nil {
		return err
	}
	for k, v := range d.scores(z, predicted(logits, l.NC())) {
		feat[k] = v
	}
	return nil
}
