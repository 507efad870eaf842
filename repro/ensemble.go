package repro

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/train"
)

// Deep ensembles on the open-set protocol (lsconf repro --open-set
// --ensemble K; Lakshminarayanan et al. 2017): every method is trained K
// times on the same images and budget, member m with its own seed
// (memberSeed), and scored as one model.
//
// Decisions:
//   - Member 1 is the protocol's single run (seed k on split k, its usual
//     folder), so an ensemble re-uses the single runs; member m > 1 has
//     seed k + 1000 (m - 1) and the folder <method>-m<m>. The seed draws
//     the initial weights and the batch order; the images are the same.
//   - The ensemble's score, for each score name every member has on the
//     validation images, is the mean over the members of that member's
//     score standardised by its mean and standard deviation on the
//     validation images of the known classes (fusion.go's standardiser;
//     never the test images). Scores without validation figures (ce's
//     class-mean distance, the mirror-averaged and per-class scores, the
//     z-space Gaussians) are not ensembled and are listed as such.
//   - The ensemble's class is the argmax of the mean over the members of
//     their softmax class probabilities (the head's logits).
//   - Its calibrated outside is a threshold on the ensemble score of the
//     validation images (calOutside), as for a single run.

// ensembleSeedStride separates the members' seeds of one split.
const ensembleSeedStride = 1000

// memberSeed is the seed of ensemble member m (1-based) on split k: k for
// member 1 (the protocol's single run), k + 1000 (m - 1) for the others.
func memberSeed(k, m int) uint64 {
	return uint64(k) + uint64(max(m, 1)-1)*ensembleSeedStride
}

// memberDir is the run folder of ensemble member m of a method whose
// single run's folder is name.
func memberDir(name string, m int) string {
	if m <= 1 {
		return name
	}
	return fmt.Sprintf("%s-m%d", name, m)
}

// memberScores are one run's per-image scores: the inputs of an ensemble.
type memberScores struct {
	// names are the run's scores in report order.
	names []string
	// val, known and unknown hold each score of the validation, known
	// test and unknown test images (val lacks the scores without
	// validation figures).
	val, known, unknown map[string][]float64
	// probs are the known test images' class probabilities (softmax of
	// the head's logits), nc per image; labels their classes.
	probs  []float64
	nc     int
	labels []int32
}

// newMemberScores keeps a run's per-image scores and the softmax of its
// known test logits (nc classes).
func newMemberScores(names []string, vs, ks, us map[string][]float64, logits []float32, labels []int32, nc int) *memberScores {
	p := make([]float64, 0, len(logits))
	for i := 0; i+nc <= len(logits); i += nc {
		p = append(p, train.HeadProbabilities(logits[i:i+nc])...)
	}
	return &memberScores{names: slices.Clone(names), val: vs, known: ks, unknown: us, probs: p, nc: nc, labels: labels}
}

// EnsembleRun is one method's ensemble on one split.
type EnsembleRun struct {
	Split  int    `json:"split"`
	Method string `json:"method"`
	// Seeds and Dirs are the members' seeds and run folders (member 1
	// first).
	Seeds []uint64 `json:"member_seeds"`
	Dirs  []string `json:"member_dirs"`
	// Accuracy is the ensemble's closed-set accuracy; MemberAccuracy each
	// member's.
	Accuracy       float64   `json:"closed_set_accuracy"`
	MemberAccuracy []float64 `json:"member_accuracy"`
	// Scores are the ensemble's figures by score name (ROC included);
	// MemberMean the mean over the members of each member's figures (no
	// ROC).
	Scores     map[string]OpenSetScore `json:"scores"`
	MemberMean map[string]OpenSetScore `json:"member_mean"`
	// Names are the ensembled scores in report order; NotEnsembled the
	// members' scores without validation figures.
	Names        []string `json:"score_names"`
	NotEnsembled []string `json:"not_ensembled,omitempty"`
}

// combineMembers scores the ensemble of members (each a run of one method
// on the same images) and the mean of the members' own figures.
func combineMembers(members []*memberScores) (*EnsembleRun, error) {
	if len(members) == 0 {
		return nil, fmt.Errorf("ensemble: no member")
	}
	first := members[0]
	nk := len(first.labels)
	for i, m := range members {
		if m.nc != first.nc || len(m.labels) != nk || len(m.probs) != nk*m.nc {
			return nil, fmt.Errorf("ensemble: member %d has %d known test images of %d classes, member 1 %d of %d", i+1, len(m.labels), m.nc, nk, first.nc)
		}
	}
	e := &EnsembleRun{Scores: map[string]OpenSetScore{}, MemberMean: map[string]OpenSetScore{}}
	// the ensemble's classes and each member's
	mean := make([]float64, nk*first.nc)
	memberCorrect := make([][]bool, len(members))
	for j, m := range members {
		for i := range mean {
			mean[i] += m.probs[i] / float64(len(members))
		}
		memberCorrect[j] = correctOf(m.probs, m.labels, m.nc)
		e.MemberAccuracy = append(e.MemberAccuracy, shareTrue(memberCorrect[j]))
	}
	correct := correctOf(mean, first.labels, first.nc)
	e.Accuracy = shareTrue(correct)
	for _, s := range first.names {
		inAll := !slices.ContainsFunc(members, func(m *memberScores) bool {
			_, v := m.val[s]
			_, k := m.known[s]
			_, u := m.unknown[s]
			return !v || !k || !u
		})
		if !inAll {
			e.NotEnsembled = append(e.NotEnsembled, s)
			continue
		}
		val, kn, un, err := meanStandardised(members, s)
		if err != nil {
			return nil, err
		}
		var each []OpenSetScore
		for j, m := range members {
			own, err := openSetScoreOf(m.unknown[s], m.known[s], memberCorrect[j])
			if err != nil {
				return nil, fmt.Errorf("ensemble: member %d, score %q: %w", j+1, s, err)
			}
			if own.Outside, err = calOutside(m.val[s], m.known[s], m.unknown[s]); err != nil {
				return nil, fmt.Errorf("ensemble: member %d, score %q: %w", j+1, s, err)
			}
			each = append(each, own)
		}
		sc, err := openSetScoreOf(un, kn, correct)
		if err != nil {
			return nil, fmt.Errorf("ensemble: score %q: %w", s, err)
		}
		if sc.Outside, err = calOutside(val, kn, un); err != nil {
			return nil, fmt.Errorf("ensemble: score %q: %w", s, err)
		}
		e.Scores[s], e.MemberMean[s] = sc, meanScore(each)
		e.Names = append(e.Names, s)
	}
	return e, nil
}

// meanStandardised is, for the validation, known test and unknown test
// images, the mean over members of their score s, each member's
// standardised on its validation images.
func meanStandardised(members []*memberScores, s string) (val, kn, un []float64, err error) {
	for j, m := range members {
		st, err := fitStandardiser(m.val[s])
		if err != nil {
			return nil, nil, nil, fmt.Errorf("ensemble: member %d, score %q: %w", j+1, s, err)
		}
		if len(m.known[s]) != len(members[0].known[s]) || len(m.unknown[s]) != len(members[0].unknown[s]) || len(m.val[s]) != len(members[0].val[s]) {
			return nil, nil, nil, fmt.Errorf("ensemble: member %d, score %q: another number of images than member 1", j+1, s)
		}
		val = addStandardised(val, m.val[s], st, len(members))
		kn = addStandardised(kn, m.known[s], st, len(members))
		un = addStandardised(un, m.unknown[s], st, len(members))
	}
	return val, kn, un, nil
}

// addStandardised adds (x - mean) / sd / n of each score of xs to acc (a
// new slice when acc is nil); a score not finite (or math.MaxFloat64, an
// unscorable encoding) makes the image's ensemble score math.MaxFloat64.
func addStandardised(acc, xs []float64, st standardiser, n int) []float64 {
	if acc == nil {
		acc = make([]float64, len(xs))
	}
	for i, x := range xs {
		if acc[i] == math.MaxFloat64 || math.IsNaN(x) || math.IsInf(x, 0) || x == math.MaxFloat64 {
			acc[i] = math.MaxFloat64
			continue
		}
		acc[i] += (x - st.Mean) / st.SD / float64(n)
	}
	return acc
}

// correctOf tells, for each image, whether the argmax of its nc class
// probabilities is its label.
func correctOf(probs []float64, labels []int32, nc int) []bool {
	out := make([]bool, len(labels))
	for i, y := range labels {
		row := probs[i*nc : (i+1)*nc]
		best := 0
		for c, p := range row {
			if p > row[best] {
				best = c
			}
		}
		out[i] = best == int(y)
	}
	return out
}

// shareTrue is the share of true values of bs.
func shareTrue(bs []bool) float64 {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return float64(n) / float64(max(len(bs), 1))
}

// meanScore is the mean of each figure of scores (the ROC left out).
func meanScore(scores []OpenSetScore) OpenSetScore {
	var m OpenSetScore
	var out CalOutside
	n := float64(len(scores))
	for _, s := range scores {
		m.AUROC += s.AUROC / n
		m.FPRAt95TPR += s.FPRAt95TPR / n
		m.TPRAt5FPR += s.TPRAt5FPR / n
		m.OSCR += s.OSCR / n
		if s.Outside != nil {
			out.Unknown += s.Outside.Unknown / n
			out.Known += s.Outside.Known / n
		}
	}
	m.Outside = &out
	return m
}

// ensembleOf trains (or re-uses) members 2..cfg.Ensemble of method m on
// split k beside single, the protocol's run (member 1), and scores the
// ensemble.
func ensembleOf(ctx context.Context, cfg OpenSetConfig, out string, k int, m openMethod, l *latent.Layout,
	trainSet, valSet, knownTest, unknownTest *data.GraySet, single *OpenSetRun, logf func(string, ...any), tag string) (*EnsembleRun, error) {
	runs := []*OpenSetRun{single}
	for j := 2; j <= cfg.Ensemble; j++ {
		r, err := openSetRun(ctx, cfg, out, k, j, m, l, trainSet, valSet, knownTest, unknownTest, logf, fmt.Sprintf("%s, member %d of %d", tag, j, cfg.Ensemble))
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	members := make([]*memberScores, len(runs))
	for j, r := range runs {
		if r.perImage == nil {
			return nil, fmt.Errorf("repro open-set %s: member %d has no per-image scores", r.Dir, j+1)
		}
		members[j] = r.perImage
	}
	e, err := combineMembers(members)
	if err != nil {
		return nil, fmt.Errorf("repro open-set split %d, %s: %w", k, m.Name, err)
	}
	e.Split, e.Method = k, m.Name
	for j, r := range runs {
		e.Seeds, e.Dirs = append(e.Seeds, memberSeed(k, j+1)), append(e.Dirs, r.Dir)
		r.perImage = nil // the ensemble is scored; free the images' scores
	}
	logf("%s: ensemble of %d, closed-set acc %.1f%% (members' mean %.1f%%)\n", tag, len(runs), 100*e.Accuracy, 100*SpreadOf(e.MemberAccuracy).Mean)
	return e, nil
}
