package repro

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/lsconf/lsconf/report"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/internal/atomicfile"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/metrics"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/search"
	"github.com/lsconf/lsconf/train"
)

// The unseen-class experiment (lsconf repro --unseen): for each
// class in turn, a ce+g model is trained with a circle layout for the
// other classes (and a ce model for contrast, same seeds and budget);
// then all classes' test and generalization images are encoded and the
// report says where the held-out class lands, how well its images find
// each other, and how well an "outside" score tells them from the known
// classes' test images.
//
// Decisions:
//   - Split "pre" with the experiment's seed over all five classes; the
//     held-out class's share of the split is dropped from training and
//     joins the indexed images, so every class contributes its test split
//     (26 images) and its generalization images (16) to the index.
//   - Two rankings: by sim (eq 15, the paper's similarity, on v) and by
//     Euclidean distance in z (the usual metric-learning ranking, fair to
//     ce, whose encodings lie outside the configured layout). Ties are
//     pessimistic (package metrics), so a query whose v is all zero gets
//     no credit from sim.
//   - Open-set scores (higher = more likely unseen): the distance to the
//     nearest configured centre over r_c (latent.OutsideScore), 1 - max v,
//     1 - max softmax p of the classifier head (the standard baseline,
//     which ce has as well), the run's own open-set score (ScoreRunRule)
//     and -|z|. Positives are the held-out class's test-split
//     images, negatives the known classes' test-split images (the same
//     unaugmented renderings, so only the class differs).
//   - Means: per seed, the mean over the held-out classes; then mean ± sd
//     over the seeds.

// UnseenDir is the folder of the unseen-class runs and report inside a
// reproduction folder.
const UnseenDir = "unseen"

// UnseenRun is the analysis of one model trained without one class.
type UnseenRun struct {
	Held     string     `json:"held_out"`
	Mode     model.Mode `json:"mode"`
	Seed     uint64     `json:"seed"`
	Dir      string     `json:"dir"`
	ID       string     `json:"model_id"`
	Seconds  float64    `json:"train_seconds"`
	Steps    int64      `json:"steps"`
	KnownAcc float64    `json:"known_test_accuracy"`
	// Median is the held-out images' coordinate-wise median z; Nearest
	// the share of them whose nearest configured centre is each known
	// class's.
	Median  []float64          `json:"median"`
	Nearest map[string]float64 `json:"nearest_share"`
	// WithinKnown is the share of held-out images within r_c of some known
	// centre, Outside the share outside the configured space (v all zero).
	WithinKnown float64 `json:"within_rc_of_known"`
	Outside     float64 `json:"outside"`
	// KnownWithinOwn and KnownOutside are the same shares for the known
	// classes' test images (strict: within r_c of their own centre).
	KnownWithinOwn float64 `json:"known_within_rc_own"`
	KnownOutside   float64 `json:"known_outside"`
	// CalOutside and KnownCalOutside are the shares of held-out and known
	// test-split images outside under a threshold on the run's open-set
	// score calibrated on the known test images in two folds
	// (crossCalibrated: each known image is judged by the threshold of
	// the other fold); nil when it cannot be computed.
	CalOutside      *float64 `json:"calibrated_outside,omitempty"`
	KnownCalOutside *float64 `json:"known_calibrated_outside,omitempty"`
	// FeatureCalOutside holds, for each feature score (--feature-scores),
	// the shares of held-out and known test images outside under a
	// threshold on that score calibrated the same way.
	FeatureCalOutside map[string][2]float64 `json:"feature_calibrated_outside,omitempty"`
	// Parts describes the rotation fusions' parts (fusionPartStats).
	Parts map[string]PartStat `json:"fusion_parts,omitempty"`
	// HeldSim, HeldL2: retrieval with the held-out images as queries
	// against all indexed images, by sim and by distance; KnownSim,
	// KnownL2 the same for the known classes' images; Chance the share of
	// a held-out query's candidates that share its label.
	HeldSim  metrics.Scores `json:"held_sim"`
	HeldL2   metrics.Scores `json:"held_l2"`
	KnownSim metrics.Scores `json:"known_sim"`
	KnownL2  metrics.Scores `json:"known_l2"`
	Chance   float64        `json:"chance"`
	// Rule names the run's open-set score (ScoreRunRule's).
	Rule string `json:"open_set_rule"`
	// OpenSet by score: OpenSetScores.
	OpenSet map[string]metrics.OpenSet `json:"open_set"`
	// TPRAt5FPR by score: the share of held-out test images above the
	// score that 5% of the known test images exceed (OpenSetScore's).
	TPRAt5FPR map[string]float64 `json:"tpr_at_5_fpr,omitempty"`
	// Clustering of the known classes' test images (nearest cluster vs
	// label).
	Clustering metrics.Clustering `json:"clustering"`
}

// OpenSetScores are the open-set scores of the unseen experiment in
// report order.
var OpenSetScores = []string{"dist/r_c", "1-max v", "1-max p", ScoreRunRule, ScoreNorm}

// ScoreRunRule names, in the unseen experiment, the run's own open-set
// score (train.Run.OpenSetRule: MSP·d_c/|z| with the distance head,
// dist/r_c with the dense head), the one its outside flag uses.
const ScoreRunRule = "open-set score"

// UnseenResult is the unseen-class experiment's outcome.
type UnseenResult struct {
	Classes []string     `json:"classes"`
	Seeds   []uint64     `json:"seeds"`
	Runs    []*UnseenRun `json:"runs"`
	Verdict []string     `json:"verdict"`
	Trained int          `json:"trained"`
	Skipped int          `json:"skipped"`
	Seconds float64      `json:"seconds"`
}

// classView is a Set restricted to some items, with labels renumbered.
type classView struct {
	set     data.Set
	idx     []int
	labels  []int
	classes []string
}

func (v *classView) Len() int          { return len(v.idx) }
func (v *classView) Classes() []string { return v.classes }
func (v *classView) Image(i int, dst []float32) (int, error) {
	if _, err := v.set.Image(v.idx[i], dst); err != nil {
		return 0, err
	}
	return v.labels[i], nil
}

// itemLabels are the labels of a split set's or a base's items, read
// without rendering the images.
func itemLabels(set data.Set, base *data.Base) ([]int, error) {
	out := make([]int, set.Len())
	switch s := set.(type) {
	case data.Traced:
		for i := range out {
			out[i] = base.Labels[s.Origin(i).Base]
		}
	case *data.Base:
		copy(out, s.Labels)
	default:
		return nil, fmt.Errorf("unseen: cannot read the labels of a %T", set)
	}
	return out, nil
}

// without drops class held from set and renumbers the others.
func without(set data.Set, base *data.Base, held int) (data.Set, error) {
	labels, err := itemLabels(set, base)
	if err != nil {
		return nil, err
	}
	var v classView
	for c, name := range base.ClassNames {
		if c != held {
			v.classes = append(v.classes, name)
		}
	}
	v.set = set
	for i, l := range labels {
		if l == held {
			continue
		}
		if l > held {
			l--
		}
		v.idx, v.labels = append(v.idx, i), append(v.labels, l)
	}
	return &v, nil
}

// Unseen runs the unseen-class experiment into cfg.Out/unseen with cfg's
// seeds, model and budget (every class held out once, modes ce+g and ce),
// and writes report.md, report.html and report.json there. Finished runs
// are skipped and interrupted ones resumed, as in Run.
func Unseen(ctx context.Context, cfg Config) (res *UnseenResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("repro unseen: %v", r)
		}
	}()
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	out := filepath.Join(cfg.Out, UnseenDir)
	if err := os.MkdirAll(filepath.Join(out, RunsDir), 0o755); err != nil {
		return nil, fmt.Errorf("repro unseen: %w", err)
	}
	logf := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, format, args...)
		}
	}
	logf("repro unseen %s: generating the built-in textures (data seed %d)\n", out, cfg.DataSeed)
	sets, err := reproData(ctx, cfg)
	if err != nil {
		return nil, err
	}
	classes := sets.base.ClassNames
	if len(classes) < 3 {
		return nil, fmt.Errorf("repro unseen: %d classes, need at least 3", len(classes))
	}
	layout, err := latent.Circle(len(classes)-1, latent.PaperDC, latent.PaperRC)
	if err != nil {
		return nil, fmt.Errorf("repro unseen: layout: %w", err)
	}
	res = &UnseenResult{Classes: classes, Seeds: cfg.Seeds}
	total := len(classes) * len(cfg.Seeds) * 2
	n := 0
	for _, s := range cfg.Seeds {
		for h := range classes {
			for _, m := range []model.Mode{model.ModeCEG, model.ModeCE} {
				n++
				e := Experiment{Mode: m, Split: data.SplitPre, Seed: s, Encoder: "plain"}
				tag := fmt.Sprintf("[%d/%d] without %s, %s", n, total, classes[h], e.Label())
				r, trained, err := unseenRun(ctx, cfg, out, e, h, layout, sets, logf, tag)
				if err != nil {
					return nil, err
				}
				if trained {
					res.Trained++
				} else {
					res.Skipped++
				}
				res.Runs = append(res.Runs, r)
			}
		}
	}
	res.Verdict = unseenVerdict(res)
	res.Seconds = time.Since(start).Seconds()
	doc := unseenDoc(cfg, layout, res)
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": fmt.Sprintf("report.json: %v", err)})
	}
	for name, content := range map[string][]byte{report.ReportMD: []byte(doc.Markdown()), report.ReportHTML: []byte(doc.HTML()), report.ReportJSON: append(b, '\n')} {
		if err := atomicfile.Write(filepath.Join(out, name), content); err != nil {
			return nil, fmt.Errorf("repro unseen: %w", err)
		}
	}
	logf("repro unseen: wrote %s (%d trained, %d already finished; %s)\n", filepath.Join(out, report.ReportMD), res.Trained, res.Skipped, since(start))
	return res, nil
}

// unseenRun trains (or finds) one model without class held and analyses it.
func unseenRun(ctx context.Context, cfg Config, out string, e Experiment, held int, l *latent.Layout, rs reproSets,
	logf func(string, ...any), tag string) (*UnseenRun, bool, error) {
	classes := rs.base.ClassNames
	name := classes[held]
	tr, te, err := data.Split(rs.base, data.SplitConfig{Mode: e.Split, AugPerImage: cfg.AugPerImage, Seed: e.Seed})
	if err != nil {
		return nil, false, fmt.Errorf("unseen %s: %w", name, err)
	}
	var known train.Sets
	if known.Train, err = without(tr, rs.base, held); err != nil {
		return nil, false, err
	}
	if known.Test, err = without(te, rs.base, held); err != nil {
		return nil, false, err
	}
	if known.Gen, err = without(rs.gen, rs.gen, held); err != nil {
		return nil, false, err
	}
	if known.Outliers, err = cfg.outlierSet(ctx, e); err != nil {
		return nil, false, err
	}
	dir := filepath.Join(out, RunsDir, "without-"+name, e.Name())
	tc := trainConfig(cfg, e, l)
	tc.Data.Description = fmt.Sprintf("built-in textures without %q (unseen-class experiment)", name)
	t0 := time.Now()
	tc.OnState = func(st train.RunState) {
		if st != train.RunDone {
			logf("%s: training %s (%d train images)\n", tag, dir, known.Train.Len())
		}
	}
	if cfg.AfterStep != nil {
		tc.AfterStep = func(step int64) { cfg.AfterStep(e, step) }
	}
	st, _, err := train.Ensure(ctx, tc, known, dir)
	if err != nil {
		return nil, false, fmt.Errorf("repro unseen %s: %w", dir, err)
	}
	trained := st != train.RunDone
	r, err := analyseUnseen(ctx, cfg, dir, e, held, te, rs, known.Train)
	if err != nil {
		return nil, false, err
	}
	r.Dir = filepath.ToSlash(filepath.Join(RunsDir, "without-"+name, e.Name()))
	how := "done in " + since(t0)
	if !trained {
		how = "already trained; analysed in " + since(t0)
	}
	logf("%s: %s (known test acc %s%%; held-out: %s within r_c of a known centre, %s outside; P@10 sim %.2f, L2 %.2f; AUROC %s %.3f, dist/r_c %.3f, 1-max p %.3f)\n",
		tag, how, report.Pct(r.KnownAcc), report.Pct(r.WithinKnown)+"%", report.Pct(r.Outside)+"%", r.HeldSim.PK, r.HeldL2.PK,
		r.Rule, r.OpenSet[ScoreRunRule].AUROC, r.OpenSet["dist/r_c"].AUROC, r.OpenSet["1-max p"].AUROC)
	return r, trained, nil
}

// analyseUnseen encodes all classes' test and generalization images with
// the run in dir and measures them (UnseenRun).
func analyseUnseen(ctx context.Context, cfg Config, dir string, e Experiment, held int, te data.Set, rs reproSets, knownTrain data.Set) (*UnseenRun, error) {
	run, err := train.OpenRun(dir, cfg.Engine)
	if err != nil {
		return nil, fmt.Errorf("repro unseen: %w", err)
	}
	defer run.Close()
	classes := rs.base.ClassNames
	r := &UnseenRun{Held: classes[held], Mode: e.Mode, Seed: e.Seed, ID: run.ID(), Steps: run.Position().Step,
		Nearest: map[string]float64{}, OpenSet: map[string]metrics.OpenSet{}}
	if ls, err := train.ReadMetrics(filepath.Join(dir, train.MetricsFile)); err == nil && len(ls) > 0 {
		r.Seconds = ls[len(ls)-1].WallSeconds
	}
	// the index: every class's test split, then every class's gen images
	var labels []int
	var isTest []bool
	var pix []float32
	buf := make([]float32, data.Pixels)
	for _, set := range []data.Set{te, rs.gen} {
		for i := range set.Len() {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("repro unseen: %w", err)
			}
			y, err := set.Image(i, buf)
			if err != nil {
				return nil, fmt.Errorf("repro unseen: image %d: %w", i, err)
			}
			pix = append(pix, buf...)
			labels = append(labels, y)
			isTest = append(isTest, set == te)
		}
	}
	n := len(labels)
	var z32, logits, feats []float32
	var feat map[string][]float64
	if cfg.FeatureScores {
		d, err := fitFeatureDetector(ctx, run, knownTrain)
		if err != nil {
			return nil, fmt.Errorf("repro unseen: %w", err)
		}
		if z32, logits, feats, err = run.InferFeatures(pix, n); err != nil {
			return nil, fmt.Errorf("repro unseen: %w", err)
		}
		own := map[string][]float64{}
		if rule := run.OpenSetRule(); rule.Name() == latent.ScoreMSPNorm {
			for i := range n {
				own[ScoreMSPNorm] = append(own[ScoreMSPNorm], rule.Of32(run.Layout(), z32[i*run.Layout().ND():(i+1)*run.Layout().ND()]))
			}
		}
		feat = d.scores(z32, logits, feats, n, own)
	} else if z32, logits, err = run.Infer(pix, n); err != nil {
		return nil, fmt.Errorf("repro unseen: %w", err)
	}
	if run.HasRotationHead() {
		if feat == nil {
			feat = map[string][]float64{}
		}
		if err := unseenRotationScores(run, pix, z32, feat); err != nil {
			return nil, err
		}
	}
	if run.HasContrastiveHead() {
		if feat == nil {
			feat = map[string][]float64{}
		}
		if err := unseenContrastiveScores(ctx, run, pix, knownTrain, feat); err != nil {
			return nil, err
		}
	}
	l := run.Layout()
	nd, nc := l.ND(), l.NC()
	if cfg.ZScores {
		if feat == nil {
			feat = map[string][]float64{}
		}
		if err := unseenZScores(ctx, run, knownTrain, z32, logits, feat); err != nil {
			return nil, fmt.Errorf("repro unseen: %w", err)
		}
	}
	z := make([][]float64, n)
	v := make([][]float64, n)
	var heldZ [][]float64
	var pos, neg = map[string][]float64{}, map[string][]float64{}
	// all: every indexed image's scores; the fusions are fitted on the
	// images unseenStandardScores picks from them
	all := map[string][]float64{}
	var knownTruth, knownPred []int
	var knownN, knownWithin, knownOut, knownRight int
	var heldN, heldWithin, heldOut int
	rule := run.OpenSetRule()
	r.Rule = rule.Name()
	var heldRule, knownRule []float64
	var heldVZero, knownVZero []bool
	for i := range n {
		z[i] = make([]float64, nd)
		for k := range nd {
			z[i][k] = float64(z32[i*nd+k])
		}
		if v[i], err = l.V(z[i]); err != nil {
			// NaN or Inf encodings (a diverged run): v all zero, far away
			v[i] = make([]float64, nc)
		}
		ds, near := l.OutsideScore(z[i])
		maxV := slices.Max(v[i])
		p := train.HeadConfidence(logits[i*nc : (i+1)*nc])
		rs := rule.Of(l, z[i])
		scores := map[string]float64{"dist/r_c": ds, "1-max v": 1 - maxV, "1-max p": 1 - p, ScoreRunRule: rs, ScoreNorm: -math.Sqrt(dot(z[i], z[i]))}
		for k, v := range feat {
			scores[k] = v[i]
		}
		for k, x := range scores {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				scores[k] = math.MaxFloat64
			}
			all[k] = append(all[k], scores[k])
		}
		own := labels[i]
		if own > held {
			own--
		}
		if labels[i] == held {
			heldN++
			heldZ = append(heldZ, z[i])
			r.Nearest[classes[knownIndex(near, held)]]++
			if ds <= 1 {
				heldWithin++
			}
			if maxV == 0 {
				heldOut++
			}
			if isTest[i] {
				for k, s := range scores {
					pos[k] = append(pos[k], s)
				}
				heldRule, heldVZero = append(heldRule, rs), append(heldVZero, maxV == 0)
			}
			continue
		}
		if !isTest[i] {
			continue
		}
		for k, s := range scores {
			neg[k] = append(neg[k], s)
		}
		knownN++
		lab, _, _ := l.Classify(z[i])
		knownTruth, knownPred = append(knownTruth, own), append(knownPred, lab)
		if dist(z[i], l.Center(own)) <= l.Radius(own) {
			knownWithin++
		}
		if maxV == 0 {
			knownOut++
		}
		knownRule, knownVZero = append(knownRule, rs), append(knownVZero, maxV == 0)
		if train.HeadClass(logits[i*nc:(i+1)*nc]) == own {
			knownRight++
		}
	}
	if heldN == 0 || knownN == 0 {
		return nil, errors.New("repro unseen: no held-out or no known test images")
	}
	for k := range r.Nearest {
		r.Nearest[k] /= float64(heldN)
	}
	r.WithinKnown, r.Outside = float64(heldWithin)/float64(heldN), float64(heldOut)/float64(heldN)
	r.KnownWithinOwn, r.KnownOutside = float64(knownWithin)/float64(knownN), float64(knownOut)/float64(knownN)
	r.KnownAcc = float64(knownRight) / float64(knownN)
	if h, k, ok := crossCalibrated(rule, knownRule, knownVZero, heldRule, heldVZero); ok && len(heldRule) > 0 {
		r.CalOutside, r.KnownCalOutside = &h, &k
	}
	if feat != nil {
		ls := ""
		if rule.Name() == latent.ScoreMSPNorm {
			ls = ScoreRunRule
		}
		val := unseenStandardScores(all, labels, isTest, held)
		r.Parts = fusionPartStats(val, pos, neg)
		fused, err := addFusions(append(unseenFusions(ls, "1-max p"), unseenContrastiveFusion(feat)...), val, pos, neg)
		if err != nil {
			return nil, fmt.Errorf("repro unseen: %w", err)
		}
		for _, name := range fused {
			feat[name] = nil
		}
	}
	for name := range feat {
		if h, k, ok := crossCalibrated(rule, neg[name], make([]bool, len(neg[name])), pos[name], make([]bool, len(pos[name]))); ok && len(pos[name]) > 0 {
			if r.FeatureCalOutside == nil {
				r.FeatureCalOutside = map[string][2]float64{}
			}
			r.FeatureCalOutside[name] = [2]float64{h, k}
		}
	}
	r.Median = make([]float64, nd)
	for k := range nd {
		col := make([]float64, len(heldZ))
		for i, p := range heldZ {
			col[i] = p[k]
		}
		r.Median[k] = median(col)
	}
	for _, k := range append(slices.Clone(OpenSetScores), slices.Sorted(maps.Keys(feat))...) {
		if r.OpenSet[k], err = metrics.Detect(pos[k], neg[k]); err != nil {
			return nil, fmt.Errorf("repro unseen: %w", err)
		}
		if r.TPRAt5FPR == nil {
			r.TPRAt5FPR = map[string]float64{}
		}
		r.TPRAt5FPR[k] = rocAt(pos[k], neg[k], []float64{0.05})[0]
	}
	if r.Clustering, err = metrics.Cluster(knownTruth, knownPred); err != nil {
		return nil, fmt.Errorf("repro unseen: %w", err)
	}
	var heldQ, knownQ []int
	for i, y := range labels {
		if y == held {
			heldQ = append(heldQ, i)
		} else {
			knownQ = append(knownQ, i)
		}
	}
	r.Chance = float64(len(heldQ)-1) / float64(n-1)
	sim, l2, err := search.Rankings(l, z32, labels, heldQ, 10, 2)
	if err != nil {
		return nil, fmt.Errorf("repro unseen: %w", err)
	}
	r.HeldSim, r.HeldL2 = sim.Scores, l2.Scores
	if sim, l2, err = search.Rankings(l, z32, labels, knownQ, 10, 2); err != nil {
		return nil, fmt.Errorf("repro unseen: %w", err)
	}
	r.KnownSim, r.KnownL2 = sim.Scores, l2.Scores
	return r, nil
}

// knownIndex maps a known-layout cluster index back to the full class list.
func knownIndex(c, held int) int {
	if c >= held {
		return c + 1
	}
	return c
}

// crossCalibrated calibrates the outside threshold on the run's open-set
// score in two folds of the known test images (even and odd positions;
// latent.Calibrate at DefaultCalibrationTPR), so that no known image is
// judged by a threshold made from itself: it returns the share of the
// known images outside under the other fold's threshold, and the mean
// share of the held-out images outside under the two thresholds (an
// encoding with v all zero is outside either way). ok is false with
// fewer than two known images.
func crossCalibrated(rule latent.OpenSetRule, known []float64, knownVZero []bool, held []float64, heldVZero []bool) (heldOut, knownOut float64, ok bool) {
	var fold [2][]float64
	for i, x := range known {
		fold[i%2] = append(fold[i%2], x)
	}
	var cal [2]latent.Calibration
	for f := range fold {
		c, err := latent.Calibrate(fold[f], latent.DefaultCalibrationTPR, "known test fold", rule)
		if err != nil {
			return 0, 0, false
		}
		cal[f] = c
	}
	for i, x := range known {
		if latent.IsOutside(&cal[1-i%2], knownVZero[i], x) {
			knownOut++
		}
	}
	for f := range cal {
		for i, x := range held {
			if latent.IsOutside(&cal[f], heldVZero[i], x) {
				heldOut++
			}
		}
	}
	return heldOut / float64(2*max(len(held), 1)), knownOut / float64(len(known)), true
}
