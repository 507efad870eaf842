package repro

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/train"
)

// Post-hoc open-set scores on the encoder's flattened features (the input
// of the dense map to z), fitted on the known training images only.
const (
	ScoreFeatKNN1   = "feature k-NN k=1"
	ScoreFeatKNN10  = "feature k-NN k=10"
	ScoreFeatKNN50  = "feature k-NN k=50"
	ScoreFeatMaha   = "feature Mahalanobis"
	ScoreFeatRMaha  = "feature relative Mahalanobis"
	ScoreFeatResid  = "feature residual"
	ScoreZKNN10     = "z k-NN k=10"
	ScoreFeatKNNxLS = "feature k-NN k=10 x distance MSP·d_c/|z|"
	ScoreFeatKNNxP  = "feature k-NN k=10 x MSP"
	// The pooled scores use the global averages of the five levels'
	// channels (low-level statistics, Lee et al.'s feature ensemble);
	// "all levels" each level's averages and the flattened features, each
	// L2-normalised, side by side.
	ScorePooledKNN10 = "pooled levels k-NN k=10"
	ScorePooledMaha  = "pooled levels Mahalanobis"
	ScoreAllKNN10    = "all levels k-NN k=10"
)

// featureScoreNames are the feature scores in report order.
var featureScoreNames = []string{ScoreFeatKNN1, ScoreFeatKNN10, ScoreFeatKNN50, ScoreFeatMaha, ScoreFeatRMaha, ScoreFeatResid,
	ScorePooledKNN10, ScorePooledMaha, ScoreAllKNN10, ScoreZKNN10, ScoreFeatKNNxP, ScoreFeatKNNxLS}

// knnBank holds L2-normalised rows for the deep k-NN score (Sun et al.
// 2022): the distance of a normalised query to its k-th nearest row.
type knnBank struct {
	dim       int
	rows      []float32
	normalise bool
}

func newKNNBank(x []float32, dim int, normalise bool) *knnBank {
	rows := slices.Clone(x)
	if normalise {
		for i := 0; i < len(rows)/dim; i++ {
			normaliseRow(rows[i*dim : (i+1)*dim])
		}
	}
	return &knnBank{dim: dim, rows: rows, normalise: normalise}
}

func normaliseRow(r []float32) {
	s := 0.0
	for _, v := range r {
		s += float64(v) * float64(v)
	}
	if s == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range r {
		r[i] *= inv
	}
}

// scores returns, for each query row and each k in ks, the distance to
// the k-th nearest bank row (out[j][i] for ks[j]).
func (b *knnBank) scores(q []float32, ks []int) [][]float64 {
	n := len(q) / b.dim
	m := len(b.rows) / b.dim
	out := make([][]float64, len(ks))
	for j := range out {
		out[j] = make([]float64, n)
	}
	d := make([]float64, m)
	row := make([]float32, b.dim)
	for i := range n {
		copy(row, q[i*b.dim:(i+1)*b.dim])
		if b.normalise {
			normaliseRow(row)
		}
		for r := range m {
			d[r] = float64(sqDist(row, b.rows[r*b.dim:(r+1)*b.dim]))
		}
		sort.Float64s(d)
		for j, k := range ks {
			out[j][i] = math.Sqrt(max(d[min(k, m)-1], 0))
		}
	}
	return out
}

// sqDist is the squared Euclidean distance of a and b (same length).
func sqDist(a, b []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		e0, e1, e2, e3 := a[i]-b[i], a[i+1]-b[i+1], a[i+2]-b[i+2], a[i+3]-b[i+3]
		s0 += e0 * e0
		s1 += e1 * e1
		s2 += e2 * e2
		s3 += e3 * e3
	}
	for ; i < len(a); i++ {
		e := a[i] - b[i]
		s0 += e * e
	}
	return s0 + s1 + s2 + s3
}

// gaussian is the class-conditional Gaussian with a shared covariance of
// Lee et al. 2018 and the global Gaussian of the relative Mahalanobis
// score (Ren et al. 2021), each held as a whitening (the eigenvectors,
// rows, scaled by 1/sqrt(eigenvalue)); residual is the principal
// subspace's complement of the global covariance (ViM's residual, Wang
// et al. 2022).
type gaussian struct {
	dim int
	// wWhite whitens by the shared within-class covariance; wMeans are
	// the whitened class means.
	wWhite [][]float64
	wMeans [][]float64
	// mean is the global mean, gWhite whitens by the global covariance,
	// resid are the global covariance's eigenvectors beyond those
	// explaining 90% of its variance.
	mean   []float64
	gWhite [][]float64
	resid  [][]float64
}

// fitGaussian fits the Gaussians on features x (rows of dim) of labels
// y (classes 0..nc-1).
func fitGaussian(x []float32, y []int32, nc, dim int) (*gaussian, error) {
	n := len(y)
	if n*dim != len(x) || n < 2 {
		return nil, fmt.Errorf("fit gaussian: %d labels for %d values of %d", n, len(x), dim)
	}
	means := make([][]float64, nc)
	mean := make([]float64, dim)
	counts := make([]int, nc)
	for c := range means {
		means[c] = make([]float64, dim)
	}
	for i := range n {
		c := y[i]
		if c < 0 || int(c) >= nc {
			return nil, fmt.Errorf("fit gaussian: label %d of %d classes", c, nc)
		}
		counts[c]++
		for t := range dim {
			v := float64(x[i*dim+t])
			means[c][t] += v
			mean[t] += v
		}
	}
	for c := range nc {
		if counts[c] == 0 {
			return nil, fmt.Errorf("fit gaussian: class %d has no feature", c)
		}
		for t := range dim {
			means[c][t] /= float64(counts[c])
		}
	}
	for t := range dim {
		mean[t] /= float64(n)
	}
	within := make([][]float64, dim)
	total := make([][]float64, dim)
	for t := range dim {
		within[t] = make([]float64, dim)
		total[t] = make([]float64, dim)
	}
	dw := make([]float64, dim)
	dt := make([]float64, dim)
	for i := range n {
		c := y[i]
		for t := range dim {
			v := float64(x[i*dim+t])
			dw[t] = v - means[c][t]
			dt[t] = v - mean[t]
		}
		for a := range dim {
			if dw[a] != 0 {
				wa := within[a]
				for b := range dim {
					wa[b] += dw[a] * dw[b]
				}
			}
			if dt[a] != 0 {
				ta := total[a]
				for b := range dim {
					ta[b] += dt[a] * dt[b]
				}
			}
		}
	}
	for a := range dim {
		for b := range dim {
			within[a][b] /= float64(n)
			total[a][b] /= float64(n)
		}
	}
	wv, wl := symEigen(within)
	gv, gl := symEigen(total)
	g := &gaussian{dim: dim, mean: mean, wWhite: whitening(wv, wl), gWhite: whitening(gv, gl)}
	for _, m := range means {
		g.wMeans = append(g.wMeans, project(g.wWhite, m))
	}
	sum := 0.0
	for _, v := range gl {
		sum += max(v, 0)
	}
	acc := 0.0
	for i, v := range gl {
		acc += max(v, 0)
		if acc >= 0.9*sum {
			g.resid = gv[i+1:]
			break
		}
	}
	return g, nil
}

// whitening scales each eigenvector (row) by 1/sqrt of its eigenvalue,
// floored at 1e-6 of the largest (a ridge on the dead ReLU directions).
func whitening(vecs [][]float64, vals []float64) [][]float64 {
	top := slices.Max(vals)
	out := make([][]float64, len(vecs))
	for i, v := range vecs {
		s := 1 / math.Sqrt(max(vals[i], 1e-6*top, 1e-12))
		out[i] = make([]float64, len(v))
		for t, e := range v {
			out[i][t] = e * s
		}
	}
	return out
}

// project returns rows . d.
func project(rows [][]float64, d []float64) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		p := 0.0
		for t, e := range r {
			p += e * d[t]
		}
		out[i] = p
	}
	return out
}

// scores returns the Mahalanobis (squared, min over classes), relative
// Mahalanobis (min over classes of the class term minus the global
// term) and residual (norm off the principal subspace) scores of each
// row of x.
func (g *gaussian) scores(x []float32) (maha, rmaha, resid []float64) {
	n := len(x) / g.dim
	d := make([]float64, g.dim)
	for i := range n {
		row := x[i*g.dim : (i+1)*g.dim]
		for t := range g.dim {
			d[t] = float64(row[t])
		}
		pw := project(g.wWhite, d)
		for t := range g.dim {
			d[t] -= g.mean[t]
		}
		bg := 0.0
		for _, p := range project(g.gWhite, d) {
			bg += p * p
		}
		r := 0.0
		for _, p := range project(g.resid, d) {
			r += p * p
		}
		best := math.Inf(1)
		for _, m := range g.wMeans {
			s := 0.0
			for t, p := range pw {
				s += (p - m[t]) * (p - m[t])
			}
			best = min(best, s)
		}
		maha = append(maha, best)
		rmaha = append(rmaha, best-bg)
		resid = append(resid, math.Sqrt(r))
	}
	return maha, rmaha, resid
}

// symEigen returns the eigenvectors (rows) and eigenvalues of the
// symmetric matrix a, in decreasing order of eigenvalue (plot.SymEigen's
// Jacobi rotations).
func symEigen(a [][]float64) ([][]float64, []float64) {
	vals, cols := plot.SymEigen(a)
	n := len(a)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool { return vals[idx[x]] > vals[idx[y]] })
	vecs := make([][]float64, n)
	sorted := make([]float64, n)
	for r, i := range idx {
		sorted[r] = vals[i]
		vecs[r] = make([]float64, n)
		for k := range n {
			vecs[r][k] = cols[k][i]
		}
	}
	return vecs, sorted
}

// setPixels returns every image of set and its label.
func setPixels(ctx context.Context, set data.Set) ([]float32, []int32, error) {
	pix := make([]float32, set.Len()*data.Pixels)
	labels := make([]int32, set.Len())
	for i := range set.Len() {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		y, err := set.Image(i, pix[i*data.Pixels:(i+1)*data.Pixels])
		if err != nil {
			return nil, nil, fmt.Errorf("image %d: %w", i, err)
		}
		labels[i] = int32(y)
	}
	return pix, labels, nil
}

// encodeFeatures encodes every image of set with the run: z, logits,
// features (model.Config.FeatureDim values each) and labels.
func encodeFeatures(ctx context.Context, run *train.Run, set data.Set) (z, logits, f []float32, y []int32, err error) {
	pix, y, err := setPixels(ctx, set)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("feature scores: %w", err)
	}
	if z, logits, f, err = run.InferFeatures(pix, len(y)); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("feature scores: %w", err)
	}
	return z, logits, f, y, nil
}

// featureDetector holds what the feature scores are fitted on: the known
// training images' normalised features (k-NN), their z (k-NN in z) and
// the Gaussians of their features.
type featureDetector struct {
	cfg                         model.Config
	bank, zbank, pooled, levels *knnBank
	g, gPooled                  *gaussian
}

// columns returns columns [lo, hi) of x's rows of dim values.
func columns(x []float32, dim, lo, hi int) []float32 {
	n := len(x) / dim
	out := make([]float32, 0, n*(hi-lo))
	for i := range n {
		out = append(out, x[i*dim+lo:i*dim+hi]...)
	}
	return out
}

// levelNormalised returns x's rows (model.Config.FeatureDim values) with
// the flattened features and each level's averages L2-normalised, all
// scaled by 1/sqrt(1 + levels): rows of norm 1.
func levelNormalised(c model.Config, x []float32) []float32 {
	dim := c.FeatureDim()
	out := slices.Clone(x)
	bounds := []int{0, c.Flat()}
	for _, ch := range c.Channels() {
		bounds = append(bounds, bounds[len(bounds)-1]+ch)
	}
	s := float32(1 / math.Sqrt(float64(len(bounds)-1)))
	for i := 0; i < len(out)/dim; i++ {
		row := out[i*dim : (i+1)*dim]
		for b := 0; b+1 < len(bounds); b++ {
			normaliseRow(row[bounds[b]:bounds[b+1]])
		}
		for t := range row {
			row[t] *= s
		}
	}
	return out
}

// fitFeatureDetector encodes the run's training set (labels as the run's
// class indices) and fits the feature scores on it.
func fitFeatureDetector(ctx context.Context, run *train.Run, set data.Set) (*featureDetector, error) {
	z, _, f, y, err := encodeFeatures(ctx, run, set)
	if err != nil {
		return nil, err
	}
	c := run.ModelConfig()
	dim, flat := c.FeatureDim(), c.Flat()
	ff, fp := columns(f, dim, 0, flat), columns(f, dim, flat, dim)
	d := &featureDetector{cfg: c, bank: newKNNBank(ff, flat, true), zbank: newKNNBank(z, run.Layout().ND(), false),
		pooled: newKNNBank(fp, dim-flat, true), levels: newKNNBank(levelNormalised(c, f), dim, false)}
	if d.g, err = fitGaussian(ff, y, run.Layout().NC(), flat); err != nil {
		return nil, fmt.Errorf("feature scores: %w", err)
	}
	if d.gPooled, err = fitGaussian(fp, y, run.Layout().NC(), dim-flat); err != nil {
		return nil, fmt.Errorf("feature scores: %w", err)
	}
	return d, nil
}

// scores are the feature scores of n images with encodings z, logits and
// features f; own holds the method's scores of the same images (the
// combination with the LS score is made when it has ScoreMSPNorm).
func (d *featureDetector) scores(z, logits, f []float32, n int, own map[string][]float64) map[string][]float64 {
	out := map[string][]float64{}
	dim, flat := d.cfg.FeatureDim(), d.cfg.Flat()
	ff, fp := columns(f, dim, 0, flat), columns(f, dim, flat, dim)
	kn := d.bank.scores(ff, []int{1, 10, 50})
	out[ScoreFeatKNN1], out[ScoreFeatKNN10], out[ScoreFeatKNN50] = kn[0], kn[1], kn[2]
	out[ScoreZKNN10] = d.zbank.scores(z, []int{10})[0]
	out[ScoreFeatMaha], out[ScoreFeatRMaha], out[ScoreFeatResid] = d.g.scores(ff)
	out[ScorePooledKNN10] = d.pooled.scores(fp, []int{10})[0]
	out[ScorePooledMaha], _, _ = d.gPooled.scores(fp)
	out[ScoreAllKNN10] = d.levels.scores(levelNormalised(d.cfg, f), []int{10})[0]
	nc := len(logits) / n
	px := make([]float64, n)
	for i := range n {
		px[i] = kn[1][i] * (1 - train.HeadConfidence(logits[i*nc:(i+1)*nc]))
	}
	out[ScoreFeatKNNxP] = px
	if ls, ok := own[ScoreMSPNorm]; ok {
		v := make([]float64, n)
		for i := range n {
			v[i] = kn[1][i] * ls[i]
		}
		out[ScoreFeatKNNxLS] = v
	}
	return out
}

// featureScores computes the feature scores of the validation, known test
// and unknown test images (in that order), fitted on the training images'
// features; own holds the method's own scores of the same sets (for the
// combinations).
func featureScores(ctx context.Context, run *train.Run, trainSet data.Set, sets []data.Set, own []map[string][]float64) ([]map[string][]float64, error) {
	d, err := fitFeatureDetector(ctx, run, trainSet)
	if err != nil {
		return nil, fmt.Errorf("repro open-set: %w", err)
	}
	out := make([]map[string][]float64, len(sets))
	for i, g := range sets {
		z, logits, f, y, err := encodeFeatures(ctx, run, g)
		if err != nil {
			return nil, fmt.Errorf("repro open-set: %w", err)
		}
		out[i] = d.scores(z, logits, f, len(y), own[i])
	}
	return out, nil
}
