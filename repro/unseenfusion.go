package repro

import (
	"math"
	"slices"

	"github.com/lsconf/lsconf/internal/document"
	"github.com/lsconf/lsconf/model"
)

// The unseen experiment's standardisation rule and its fusions.
//
// One rule standardises every sum of scores in the unseen experiment
// (unseenStandardScores): each part's mean and standard deviation are
// taken over the known classes' generalization images, which are neither
// trained on nor test images (the experiment keeps no other validation
// images). The held-out class's images and every test image are left out.
// The sums are fusions (fusion.go), fixed in advance by unseenFusions.

// Fusions of the rotation score with the all-levels feature k-NN (runs
// trained with a rotation head, scored with --feature-scores).
const (
	// ScoreFuseLSRotAll is the run's LS score plus the rotation score plus
	// the all-levels k-NN.
	ScoreFuseLSRotAll = "std. sum: LS + rotation + all levels k-NN"
	// ScoreFuseMSPRotAll is the MSP plus the rotation score plus the
	// all-levels k-NN (the same for a run without an LS score).
	ScoreFuseMSPRotAll = "std. sum: MSP + rotation + all levels k-NN"
	// ScoreFuseRotAll is the rotation score plus the all-levels k-NN.
	ScoreFuseRotAll = "std. sum: rotation + all levels k-NN"
	// ScoreMaxLSRotAll, ScoreMaxMSPRotAll and ScoreMaxRotAll are the
	// same parts' largest standardised value (an image is as novel as
	// its most alarmed detector), in place of their sum.
	ScoreMaxLSRotAll  = "std. max: LS, rotation, all levels k-NN"
	ScoreMaxMSPRotAll = "std. max: MSP, rotation, all levels k-NN"
	ScoreMaxRotAll    = "std. max: rotation, all levels k-NN"
)

// rotationFusionNames are the rotation fusions in report order.
var rotationFusionNames = []string{ScoreFuseLSRotAll, ScoreFuseMSPRotAll, ScoreFuseRotAll, ScoreMaxLSRotAll, ScoreMaxMSPRotAll, ScoreMaxRotAll}

// rotationFusions are the fusions of the rotation score with the
// all-levels k-NN of a run whose LS score is named ls ("" when it has
// none; then msp stands in): with and without the LS score, summed and
// by their largest part.
func rotationFusions(ls, msp string) []fusion {
	first, three, threeMax := ls, ScoreFuseLSRotAll, ScoreMaxLSRotAll
	if ls == "" {
		first, three, threeMax = msp, ScoreFuseMSPRotAll, ScoreMaxMSPRotAll
	}
	return []fusion{
		{three, []string{first, ScoreRotation, ScoreAllKNN10}, false},
		{ScoreFuseRotAll, []string{ScoreRotation, ScoreAllKNN10}, false},
		{threeMax, []string{first, ScoreRotation, ScoreAllKNN10}, true},
		{ScoreMaxRotAll, []string{ScoreRotation, ScoreAllKNN10}, true},
	}
}

// unseenFusions are the fusions of an unseen-experiment run whose LS
// score is named ls ("" when it has none; then msp stands in): those of
// fusionsFor, the run's open-set score (ScoreRunRule) plus the rotation
// score, plus the z Mahalanobis (ScoreZSum), and the rotation fusions
// above. A fusion whose parts a run lacks is skipped by addFusions.
func unseenFusions(ls, msp string) []fusion {
	return slices.Concat(fusionsFor(ls, msp), []fusion{
		{rotationPlus(ScoreRunRule), []string{ScoreRunRule, ScoreRotation}, false},
		{ScoreZSum, []string{ScoreRunRule, ScoreZMaha}, false},
	}, rotationFusions(ls, msp))
}

// unseenStandardScores returns, by score name, the scores of the images
// that standardise the unseen experiment's sums: those of the known
// classes (label != held) that are not test images (isTest false: the
// generalization images). all holds every indexed image's scores in
// index order (labels and isTest of the same length).
func unseenStandardScores(all map[string][]float64, labels []int, isTest []bool, held int) map[string][]float64 {
	val := make(map[string][]float64, len(all))
	for k, xs := range all {
		var v []float64
		for i, x := range xs {
			if labels[i] != held && !isTest[i] {
				v = append(v, x)
			}
		}
		val[k] = v
	}
	return val
}

// unseenFusionKeys are the fusions the runs carry that the report
// shows per held-out class: the rotation sums and their parts.
func unseenFusionKeys(res *UnseenResult) []string {
	var out []string
	for _, k := range slices.Concat([]string{ScoreRunRule, "1-max p", ScoreRotation, ScoreAllKNN10, rotationPlus(ScoreRunRule)}, rotationFusionNames) {
		if slices.ContainsFunc(res.Runs, func(r *UnseenRun) bool { _, ok := r.OpenSet[k]; return ok }) {
			out = append(out, k)
		}
	}
	return out
}

// unseenCalOutside is a run's calibrated outside shares (held-out, known)
// under score k: the run's own calibration for ScoreRunRule, the score's
// for the others; ok is false when the run has none.
func unseenCalOutside(r *UnseenRun, k string) (held, known float64, ok bool) {
	if k == ScoreRunRule {
		if r.CalOutside == nil || r.KnownCalOutside == nil {
			return 0, 0, false
		}
		return *r.CalOutside, *r.KnownCalOutside, true
	}
	v, ok := r.FeatureCalOutside[k]
	return v[0], v[1], ok
}

// unseenFusionDoc adds the per-held-out-class table of the rotation
// fusions and their parts (unseenFusionKeys) to d: for each mode, held-out
// class and score, the mean ± sd over the seeds of AUROC, FPR@95%TPR,
// TPR@5%FPR, the calibrated outside shares and the known test accuracy.
// It adds nothing when the runs carry no rotation fusion.
func unseenFusionDoc(d *document.Doc, res *UnseenResult) {
	keys := unseenFusionKeys(res)
	if !slices.ContainsFunc(keys, func(k string) bool { return slices.Contains(rotationFusionNames, k) }) {
		return
	}
	var rows [][]string
	for _, m := range []model.Mode{model.ModeCEG, model.ModeCE} {
		for _, h := range append(slices.Clone(res.Classes), "") {
			for _, k := range keys {
				has := slices.ContainsFunc(res.Runs, func(r *UnseenRun) bool {
					_, ok := r.OpenSet[k]
					return r.Mode == m && (h == "" || r.Held == h) && ok
				})
				if !has {
					continue
				}
				of := func(get func(r *UnseenRun) float64) Spread { return SpreadOf(res.perSeedOf(m, h, get)) }
				cal := func(i int) Spread {
					return of(func(r *UnseenRun) float64 {
						held, known, ok := unseenCalOutside(r, k)
						if !ok {
							return math.NaN()
						}
						return []float64{held, known}[i]
					})
				}
				out := "not tested"
				if c := cal(0); c.N > 0 && !math.IsNaN(c.Mean) {
					out = pctSpread(c) + "% / " + pctSpread(cal(1)) + "%"
				}
				name := h
				if h == "" {
					name = "**mean**"
				}
				rows = append(rows, []string{string(m), name, k,
					ms(of(func(r *UnseenRun) float64 { return r.OpenSet[k].AUROC }), 3),
					ms(of(func(r *UnseenRun) float64 { return r.OpenSet[k].FPRAt95TPR }), 2),
					ms(of(func(r *UnseenRun) float64 { return r.TPRAt5FPR[k] }), 2),
					out,
					pctSpread(of(func(r *UnseenRun) float64 { return r.KnownAcc })) + "%"})
			}
		}
	}
	d.Add(document.Heading{Level: 3, Text: "Rotation fusions per held-out class"})
	d.Add(document.Para{Text: "Mean ± sd over the seeds (the mean row: of the mean over the held-out classes). Outside: the shares of held-out and known test images above the score's threshold calibrated in two folds of the known test images (the run's own calibration for the open-set score; not tested for the MSP). Known accuracy: the head's, on the known classes' test images."})
	d.Add(document.Table{Header: []string{"mode", "held out", "score", "AUROC", "FPR@95%TPR", "TPR@5%FPR", "outside held-out / known", "known acc"},
		Right: map[int]bool{3: true, 4: true, 5: true, 6: true, 7: true}, Rows: rows})
}

// withRotationFusions is scores followed by the rotation fusions every
// one of runs carries (open-set report order).
func withRotationFusions(scores []string, runs []*OpenSetRun) []string {
	return append(slices.Clone(scores), inOrder(rotationFusionNames, func(s string) bool {
		return !slices.Contains(scores, s) && !slices.ContainsFunc(runs, func(r *OpenSetRun) bool { _, ok := r.Scores[s]; return !ok })
	})...)
}

// PartStat describes one part of a fusion in one run: its mean and
// standard deviation on the standardising images, and the mean and
// standard deviation of the known and of the held-out test images in
// those units ((x - mean) / sd), which show how far the test images sit
// from the standardising images (a shift of the rendering moves Known
// off 0) and how far the held-out class stands out.
type PartStat struct {
	StdMean float64 `json:"std_mean"`
	StdSD   float64 `json:"std_sd"`
	Known   float64 `json:"known_z"`
	KnownSD float64 `json:"known_z_sd"`
	Held    float64 `json:"held_z"`
	HeldSD  float64 `json:"held_z_sd"`
}

// fusionPartStats are the PartStats of the rotation fusions' parts that
// val (the standardising images' scores), neg (known test) and pos
// (held-out test) carry.
func fusionPartStats(val, pos, neg map[string][]float64) map[string]PartStat {
	out := map[string]PartStat{}
	for _, k := range []string{ScoreRunRule, "1-max p", ScoreRotation, ScoreAllKNN10} {
		st, err := fitStandardiser(val[k])
		if err != nil || len(pos[k]) == 0 || len(neg[k]) == 0 {
			continue
		}
		in := func(xs []float64) (float64, float64) {
			zs := make([]float64, 0, len(xs))
			for _, x := range finite(xs) {
				if x != math.MaxFloat64 {
					zs = append(zs, (x-st.Mean)/st.SD)
				}
			}
			s := SpreadOf(zs)
			return s.Mean, s.SD
		}
		p := PartStat{StdMean: st.Mean, StdSD: st.SD}
		p.Known, p.KnownSD = in(neg[k])
		p.Held, p.HeldSD = in(pos[k])
		out[k] = p
	}
	return out
}
