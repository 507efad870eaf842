package repro

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/train"
)

// The representation ceiling (with --oracle): a linear probe, fitted on
// the frozen encodings of a run trained on the known classes only, told
// which training images are of the unknown classes. It saw unknown
// images, so it is an oracle too; it says whether the encoder still holds
// what separates the unknown classes (the probe finds it) or lost it (the
// probe does not), which no score made from known images alone can
// recover.
const (
	// ScoreProbeFeatures is the probe on the encoder's features (the
	// flattened last level and every level's channel averages).
	ScoreProbeFeatures = "linear probe on the features (oracle)"
	// ScoreProbeZ is the probe on z.
	ScoreProbeZ = "linear probe on z (oracle)"
)

// probeScoreNames are the probe oracles in report order.
var probeScoreNames = []string{ScoreProbeFeatures, ScoreProbeZ}

// logisticProbe is a logistic regression on standardised inputs.
type logisticProbe struct {
	mean, sd, w []float64
	b           float64
}

// fitLogistic fits a class-balanced, L2-regularised (lambda) logistic
// regression of y (1: positive) on the rows of x (dim values each),
// standardised, by iters full-batch Adam steps from 0 (deterministic).
func fitLogistic(x []float32, y []bool, dim int, lambda float64, iters int) *logisticProbe {
	n := len(y)
	p := &logisticProbe{mean: make([]float64, dim), sd: make([]float64, dim), w: make([]float64, dim)}
	col := make([]float64, n)
	for k := range dim {
		for i := range n {
			col[i] = float64(x[i*dim+k])
		}
		p.mean[k], p.sd[k] = meanSD(col)
	}
	xs := make([]float64, n*dim)
	for i := range n {
		for k := range dim {
			xs[i*dim+k] = (float64(x[i*dim+k]) - p.mean[k]) / p.sd[k]
		}
	}
	npos := 0
	for _, v := range y {
		if v {
			npos++
		}
	}
	wPos, wNeg := 0.5/float64(max(npos, 1)), 0.5/float64(max(n-npos, 1))
	g := make([]float64, dim+1)
	m, v := make([]float64, dim+1), make([]float64, dim+1)
	const lr, b1, b2 = 0.05, 0.9, 0.999
	for it := range iters {
		clear(g)
		for i := range n {
			row := xs[i*dim : (i+1)*dim]
			s := p.b
			for k, v := range row {
				s += p.w[k] * v
			}
			q := 1 / (1 + math.Exp(-s))
			e, wt := q, wNeg
			if y[i] {
				e, wt = q-1, wPos
			}
			e *= wt
			g[dim] += e
			for k, v := range row {
				g[k] += e * v
			}
		}
		for k := range p.w {
			g[k] += lambda * p.w[k]
		}
		// Adam (bias-corrected) on the weights and the bias
		c1, c2 := 1-math.Pow(b1, float64(it+1)), 1-math.Pow(b2, float64(it+1))
		for k := range g {
			m[k] = b1*m[k] + (1-b1)*g[k]
			v[k] = b2*v[k] + (1-b2)*g[k]*g[k]
			step := lr * (m[k] / c1) / (math.Sqrt(v[k]/c2) + 1e-8)
			if k == dim {
				p.b -= step
			} else {
				p.w[k] -= step
			}
		}
	}
	return p
}

// scores are the probe's logits of the rows of x.
func (p *logisticProbe) scores(x []float32) []float64 {
	dim := len(p.w)
	out := make([]float64, len(x)/dim)
	for i := range out {
		s := p.b
		for k := range dim {
			s += p.w[k] * (float64(x[i*dim+k]) - p.mean[k]) / p.sd[k]
		}
		out[i] = s
	}
	return out
}

// probeOracle fits the probes on the run's encodings of the known
// training images (negatives) and of unknownTrain, the unknown classes'
// training images (positives), and scores the known and unknown test
// images and the validation images.
func probeOracle(ctx context.Context, run *train.Run, knownTrain, unknownTrain, valSet, knownTest, unknownTest data.Set) (ks, us, vs map[string][]float64, err error) {
	enc := func(g data.Set) (z, f []float32, err error) {
		pix, y, err := setPixels(ctx, g)
		if err != nil {
			return nil, nil, fmt.Errorf("probe oracle: %w", err)
		}
		z, _, f, err = run.InferFeatures(pix, len(y))
		if err != nil {
			return nil, nil, fmt.Errorf("probe oracle: %w", err)
		}
		return z, f, nil
	}
	zk, fk, err := enc(knownTrain)
	if err != nil {
		return nil, nil, nil, err
	}
	zu, fu, err := enc(unknownTrain)
	if err != nil {
		return nil, nil, nil, err
	}
	y := append(make([]bool, knownTrain.Len()), slices.Repeat([]bool{true}, unknownTrain.Len())...)
	nd, fd := run.Layout().ND(), run.ModelConfig().FeatureDim()
	pz := fitLogistic(slices.Concat(zk, zu), y, nd, 1e-3, 300)
	pf := fitLogistic(slices.Concat(fk, fu), y, fd, 1e-3, 300)
	ks, us, vs = map[string][]float64{}, map[string][]float64{}, map[string][]float64{}
	for _, t := range []struct {
		set data.Set
		out map[string][]float64
	}{{knownTest, ks}, {unknownTest, us}, {valSet, vs}} {
		z, f, err := enc(t.set)
		if err != nil {
			return nil, nil, nil, err
		}
		t.out[ScoreProbeZ], t.out[ScoreProbeFeatures] = pz.scores(z), pf.scores(f)
	}
	return ks, us, vs, nil
}

// addProbeScores opens the run in dir (trained on the known classes only)
// and adds the probe oracles to r: their figures and their calibrated
// outside shares (the conformal 95% quantile of the known validation
// images' probe scores).
func addProbeScores(ctx context.Context, cfg OpenSetConfig, dir string, r *OpenSetRun, knownTrain, unknownTrain, valSet, knownTest, unknownTest *data.GraySet) error {
	run, err := train.OpenRun(dir, cfg.Engine)
	if err != nil {
		return fmt.Errorf("repro open-set probe oracle: %w", err)
	}
	defer run.Close()
	kn, err := run.InferSet(ctx, knownTest)
	if err != nil {
		return err
	}
	correct := make([]bool, len(kn.Labels))
	for i, p := range predicted(kn.Logits, run.Layout().NC()) {
		correct[i] = p == int(kn.Labels[i])
	}
	ks, us, vs, err := probeOracle(ctx, run, knownTrain, unknownTrain, valSet, knownTest, unknownTest)
	if err != nil {
		return err
	}
	if r.ScoreOutside == nil {
		r.ScoreOutside = map[string][2]float64{}
	}
	for _, s := range probeScoreNames {
		if r.Scores[s], err = openSetScoreOf(us[s], ks[s], correct); err != nil {
			return fmt.Errorf("repro open-set probe oracle %s: %w", s, err)
		}
		o, err := calOutside(vs[s], ks[s], us[s])
		if err != nil {
			return fmt.Errorf("repro open-set probe oracle %s: %w", s, err)
		}
		r.ScoreOutside[s] = o.pair()
	}
	return nil
}
