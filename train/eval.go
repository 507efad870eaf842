package train

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
)

// EvalResult is the evaluation of a model on one labelled set.
type EvalResult struct {
	// Name says which set it is ("test", "gen", or what the caller chose).
	Name    string   `json:"name,omitempty"`
	N       int      `json:"n"`
	Classes []string `json:"classes"`
	// Accuracy is the share of images whose classifier label (argmax p)
	// is right; NearestAccuracy the share whose nearest-cluster label
	// (latent.(*Layout).Classify of z) is right.
	Accuracy        float64 `json:"accuracy"`
	NearestAccuracy float64 `json:"nearest_accuracy"`
	// CE is the mean cross entropy; LG the mean f_d distance of each
	// encoding to its own class's cluster (L_G with the mean reduction).
	CE float64 `json:"ce"`
	LG float64 `json:"lg"`
	// Confusion and NearestConfusion count images by [true][predicted]
	// class, for the classifier's and the nearest-cluster labels.
	Confusion        [][]int `json:"confusion"`
	NearestConfusion [][]int `json:"nearest_confusion"`
	// Conformance says how well the encodings keep to the configured
	// latent space.
	Conformance Conformance `json:"conformance"`
	// Calibration is the outside threshold these images calibrate
	// (latent.Calibrate of their OutsideScore at
	// latent.DefaultCalibrationTPR); nil when none is finite. A run's
	// threshold is its test split's (OutsideFile).
	Calibration *latent.Calibration `json:"calibration,omitempty"`
	// Reconstruction is the decoder's error on the set (models with a
	// decoder; nil otherwise).
	Reconstruction *Reconstruction `json:"reconstruction,omitempty"`
}

// Reconstruction is the decoder's mean squared error per pixel (images in
// [0, 1]) of the images decoded from their own encodings, over the set
// and per class.
type Reconstruction struct {
	MSE     float64    `json:"mse"`
	Classes []ClassMSE `json:"classes"`
}

// ClassMSE is one class's reconstruction error.
type ClassMSE struct {
	Class string  `json:"class"`
	N     int     `json:"n"`
	MSE   float64 `json:"mse"`
}

// reconstruction sums per-image errors se (labels as class indices) by
// class.
func reconstruction(classes []string, se []float64, labels []int32) *Reconstruction {
	r := &Reconstruction{Classes: make([]ClassMSE, len(classes))}
	for c, name := range classes {
		r.Classes[c].Class = name
	}
	for i, e := range se {
		c := &r.Classes[labels[i]]
		c.N++
		c.MSE += e
		r.MSE += e
	}
	if len(se) > 0 {
		r.MSE /= float64(len(se))
	}
	for c := range r.Classes {
		if n := r.Classes[c].N; n > 0 {
			r.Classes[c].MSE /= float64(n)
		}
	}
	return r
}

// Conformance measures the encodings against the configured layout.
type Conformance struct {
	Classes []ClassConformance `json:"classes"`
	// WithinRc is the share of all points within r_c of their own class's
	// centre; Outside the share outside the configured space (v all 0).
	WithinRc float64 `json:"within_rc"`
	Outside  float64 `json:"outside"`
	// MaxNorm and MedianNorm are the largest and the median |z|.
	MaxNorm    float64 `json:"max_norm"`
	MedianNorm float64 `json:"median_norm"`
	// MaxMedianDistance is the largest distance, over the classes present,
	// between a class's median z and its configured centre.
	MaxMedianDistance float64 `json:"max_median_distance"`
}

// ClassConformance measures one class's encodings.
type ClassConformance struct {
	Class string `json:"class"`
	N     int    `json:"n"`
	// Center is the configured centre; MedianZ the coordinate-wise median
	// of the class's encodings, and MedianDistance the distance between
	// the two (NaN-free: 0 points give 0 and N = 0).
	Center         []float64 `json:"center"`
	MedianZ        []float64 `json:"median_z"`
	MedianDistance float64   `json:"median_distance"`
	// WithinRc and Outside are shares of the class's points: within r_c
	// of the class's centre, outside the configured space.
	WithinRc float64 `json:"within_rc"`
	Outside  float64 `json:"outside"`
	// MaxNorm is the largest |z| of the class.
	MaxNorm float64 `json:"max_norm"`
}

// EvalSummary is the part of an EvalResult a metrics line carries.
type EvalSummary struct {
	N                 int     `json:"n"`
	Acc               float64 `json:"acc"`
	NearestAcc        float64 `json:"nearest_acc"`
	CE                float64 `json:"ce"`
	LG                float64 `json:"lg"`
	WithinRc          float64 `json:"within_rc"`
	Outside           float64 `json:"outside"`
	MaxNorm           float64 `json:"max_norm"`
	MedianNorm        float64 `json:"median_norm"`
	MaxMedianDistance float64 `json:"max_median_distance"`
	// Recon is the reconstruction MSE (models with a decoder).
	Recon float64 `json:"recon,omitempty"`
}

// Summary returns the figures a metrics line keeps.
func (e *EvalResult) Summary() *EvalSummary {
	if e == nil {
		return nil
	}
	c := e.Conformance
	return &EvalSummary{N: e.N, Acc: e.Accuracy, NearestAcc: e.NearestAccuracy, CE: e.CE, LG: e.LG,
		WithinRc: c.WithinRc, Outside: c.Outside, MaxNorm: c.MaxNorm, MedianNorm: c.MedianNorm,
		MaxMedianDistance: c.MaxMedianDistance, Recon: e.Reconstruction.mse()}
}

func (r *Reconstruction) mse() float64 {
	if r == nil {
		return 0
	}
	return r.MSE
}

// Score computes an EvalResult from n encodings z (n*n_d), logits
// (n*n_c) and true labels (indexes into classes, which has the layout's
// n_c names); its Calibration is on the run's open-set rule.
func Score(l *latent.Layout, rule latent.OpenSetRule, classes []string, z, logits []float32, labels []int32) (*EvalResult, error) {
	nc, nd, n := l.NC(), l.ND(), len(labels)
	if len(classes) != nc || len(z) != n*nd || len(logits) != n*nc {
		return nil, fmt.Errorf("score: %d classes, %d z values, %d logits for %d labels (n_c = %d, n_d = %d)",
			len(classes), len(z), len(logits), n, nc, nd)
	}
	r := &EvalResult{N: n, Classes: append([]string(nil), classes...),
		Confusion: square(nc), NearestConfusion: square(nc)}
	perClass := make([][][]float64, nc) // class -> points
	norms := make([]float64, 0, n)
	scores := make([]float64, 0, n)
	var within, outside, headOK, nearOK int
	zi := make([]float64, nd)
	for i, y := range labels {
		if y < 0 || int(y) >= nc {
			return nil, fmt.Errorf("score: label %d of image %d outside [0, %d)", y, i, nc)
		}
		for k := range zi {
			zi[k] = float64(z[i*nd+k])
		}
		row := logits[i*nc : (i+1)*nc]
		pred := argmax(row)
		r.Confusion[y][pred]++
		if pred == int(y) {
			headOK++
		}
		r.CE += logSumExp(row) - float64(row[y])
		near, out, err := l.Classify(zi)
		if err != nil {
			return nil, fmt.Errorf("score image %d: %w", i, err)
		}
		r.NearestConfusion[y][near]++
		if near == int(y) {
			nearOK++
		}
		if out {
			outside++
		}
		d, _ := l.Distances(zi)
		if d[y] <= l.Radius(int(y)) {
			within++
		}
		r.LG += latent.FD(d[y], l.Radius(int(y)))
		norms = append(norms, math.Sqrt(dot(zi, zi)))
		scores = append(scores, rule.Of(l, zi))
		perClass[y] = append(perClass[y], slices.Clone(zi))
	}
	if n > 0 {
		fn := float64(n)
		r.Accuracy, r.NearestAccuracy = float64(headOK)/fn, float64(nearOK)/fn
		r.CE = saturate(r.CE / fn)
		r.LG = saturate(r.LG / fn)
		r.Conformance.WithinRc, r.Conformance.Outside = float64(within)/fn, float64(outside)/fn
		r.Conformance.MaxNorm = slices.Max(norms)
		r.Conformance.MedianNorm = median(norms)
		if c, err := latent.Calibrate(scores, latent.DefaultCalibrationTPR, "", rule); err == nil {
			r.Calibration = &c
		}
	}
	for c := 0; c < nc; c++ {
		r.Conformance.Classes = append(r.Conformance.Classes, classConformance(l, c, classes[c], perClass[c]))
		if cc := r.Conformance.Classes[c]; cc.N > 0 {
			r.Conformance.MaxMedianDistance = max(r.Conformance.MaxMedianDistance, cc.MedianDistance)
		}
	}
	return r, nil
}

func classConformance(l *latent.Layout, c int, name string, pts [][]float64) ClassConformance {
	cc := ClassConformance{Class: name, N: len(pts), Center: l.Center(c), MedianZ: make([]float64, l.ND())}
	if len(pts) == 0 {
		return cc
	}
	col := make([]float64, len(pts))
	for k := range cc.MedianZ {
		for i, p := range pts {
			col[i] = p[k]
		}
		cc.MedianZ[k] = median(col)
	}
	cc.MedianDistance = math.Sqrt(dist2(cc.MedianZ, cc.Center))
	var within, outside int
	for _, p := range pts {
		if math.Sqrt(dist2(p, cc.Center)) <= l.Radius(c) {
			within++
		}
		v, _ := l.V(p)
		if latent.Outside(v) {
			outside++
		}
		cc.MaxNorm = max(cc.MaxNorm, math.Sqrt(dot(p, p)))
	}
	cc.WithinRc = float64(within) / float64(len(pts))
	cc.Outside = float64(outside) / float64(len(pts))
	return cc
}

func square(n int) [][]int {
	m := make([][]int, n)
	for i := range m {
		m[i] = make([]int, n)
	}
	return m
}

// HeadClass is the classifier head's class for one image's logits (the
// first of ties). The logits are those of the run's head (Run.Infer):
// the dense layers' output, or the distance head's -s (d_k/r_k)^2, whose
// argmax is the nearest centre in units of r_c; every command that reports
// a class takes it from here.
func HeadClass(logits []float32) int { return argmax(logits) }

// HeadConfidence is the classifier head's largest softmax probability for
// one image's logits (of either head, as HeadClass).
func HeadConfidence(logits []float32) float64 {
	return math.Exp(float64(logits[argmax(logits)]) - logSumExp(logits))
}

// HeadProbabilities is the softmax of one image's logits (of either
// head): the classifier's probability of each class.
func HeadProbabilities(logits []float32) []float64 {
	lse := logSumExp(logits)
	probs := make([]float64, len(logits))
	for k, x := range logits {
		probs[k] = math.Exp(float64(x) - lse)
	}
	return probs
}

// argmax is the index of the largest value (the first of ties).
func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

func logSumExp(v []float32) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, float64(x))
	}
	s := 0.0
	for _, x := range v {
		s += math.Exp(float64(x) - m)
	}
	return m + math.Log(s)
}

// median of v (the mean of the two middle values for even lengths); v is
// not modified.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	h := len(s) / 2
	if len(s)%2 == 1 {
		return s[h]
	}
	return (s[h-1] + s[h]) / 2
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func dist2(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}

// labelMap maps a set's labels to the model's classes by name. A set may
// hold a subset of the model's classes, in any order; a class the model
// does not know is an error.
func labelMap(set data.Set, classes []string) ([]int32, error) {
	sc := set.Classes()
	if len(sc) == 0 {
		return nil, fmt.Errorf("the data has no classes")
	}
	m := make([]int32, len(sc))
	var unknown []string
	for i, name := range sc {
		j := slices.Index(classes, name)
		if j < 0 {
			unknown = append(unknown, name)
		}
		m[i] = int32(j)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("the data's classes %q include %q, not a class of the model's %q", sc, unknown, classes)
	}
	return m, nil
}

// EvaluateNet runs net in inference mode over every image of set and
// scores the result against layout l and the model's classes. The set's
// classes are matched to the model's by name.
func EvaluateNet(net *model.Net, l *latent.Layout, classes []string, set data.Set, name string) (*EvalResult, error) {
	inf, err := inferSet(context.Background(), net, classes, set, true)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", name, err)
	}
	r, err := Score(l, latent.RuleFor(net.Config().OpenSetScale()), classes, inf.Z, inf.Logits, inf.Labels)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", name, err)
	}
	r.Name = name
	if inf.ReconSE != nil {
		r.Reconstruction = reconstruction(classes, inf.ReconSE, inf.Labels)
	}
	return r, nil
}

// inferSet runs net in inference mode over every image of set, in chunks
// (labels as indices of classes, the set's classes matched by name); with
// recon, a model with a decoder also reconstructs every image and records
// its error.
func inferSet(ctx context.Context, net *model.Net, classes []string, set data.Set, recon bool) (*Inference, error) {
	lm, err := labelMap(set, classes)
	if err != nil {
		return nil, err
	}
	n := set.Len()
	inf := &Inference{Labels: make([]int32, 0, n)}
	const chunk = 8 * model.InferBatch
	x := make([]float32, chunk*data.Pixels)
	y := make([]int32, chunk)
	for start := 0; start < n; start += chunk {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k := min(chunk, n-start)
		if err := loadRange(set, start, k, x, y, lm); err != nil {
			return nil, err
		}
		zb, lb, err := net.Infer(x[:k*data.Pixels], k)
		if err != nil {
			return nil, err
		}
		inf.Z = append(inf.Z, zb...)
		inf.Logits = append(inf.Logits, lb...)
		if recon && net.HasDecoder() {
			img, err := net.Decode(zb, k)
			if err != nil {
				return nil, err
			}
			for i := 0; i < k; i++ {
				se := 0.0
				for p, v := range img[i*data.Pixels : (i+1)*data.Pixels] {
					d := float64(v - x[i*data.Pixels+p])
					se += d * d
				}
				inf.ReconSE = append(inf.ReconSE, se/data.Pixels)
			}
		}
		inf.Labels = append(inf.Labels, y[:k]...)
	}
	return inf, nil
}
