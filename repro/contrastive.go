package repro

import (
	"context"
	"fmt"
	"slices"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/train"
)

// Open-set scores of a run trained with the contrastive term
// (train.Config.Contrastive): deep k-NN (Sun et al. 2022) on the unit
// projections of the contrastive head, the bank being the known training
// images' projections (without their mirrors), and the standardised sum
// of the method's first score and the k = 10 one (fusion.go: each part
// standardised on the validation images of the known classes, never on
// test images). k = 10 was fixed before any test figure was seen (the
// feature k-NN's k of the fusions); k = 50 (Sun et al.'s choice on
// CIFAR-10) is reported beside it.
const (
	ScoreConKNN10 = "contrastive k-NN k=10"
	ScoreConKNN50 = "contrastive k-NN k=50"
)

// contrastivePlus names the standardised sum of score and ScoreConKNN10.
func contrastivePlus(score string) string { return "std. sum: " + score + " + contrastive k-NN" }

// withContrastiveScores is scores followed by the contrastive k-NN scores
// and the sum of the first score and ScoreConKNN10.
func withContrastiveScores(scores []string) []string {
	if len(scores) == 0 || slices.Contains(scores, ScoreConKNN10) {
		return scores
	}
	return append(slices.Clone(scores), ScoreConKNN10, ScoreConKNN50, contrastivePlus(scores[0]))
}

// projectSet returns the run's contrastive projections of every image of
// set.
func projectSet(ctx context.Context, run *train.Run, set data.Set) ([]float32, error) {
	pix, _, err := setPixels(ctx, set)
	if err != nil {
		return nil, err
	}
	return run.ContrastiveProjections(pix, set.Len())
}

// addContrastiveScores adds the contrastive k-NN scores of the validation,
// known test and unknown test images to vs, ks and us (which hold base's
// values of the same images) and their sum with base, the k-NN bank
// being the projections of the known training images trainSet.
func addContrastiveScores(ctx context.Context, run *train.Run, base string, trainSet, valSet, knownTest, unknownTest data.Set, vs, ks, us map[string][]float64) error {
	tp, err := projectSet(ctx, run, trainSet)
	if err != nil {
		return fmt.Errorf("repro open-set: %w", err)
	}
	bank := newKNNBank(tp, model.ContrastiveDim, true)
	for i, set := range []data.Set{valSet, knownTest, unknownTest} {
		p, err := projectSet(ctx, run, set)
		if err != nil {
			return fmt.Errorf("repro open-set: %w", err)
		}
		kn := bank.scores(p, []int{10, 50})
		o := []map[string][]float64{vs, ks, us}[i]
		o[ScoreConKNN10], o[ScoreConKNN50] = kn[0], kn[1]
	}
	f := fusion{Name: contrastivePlus(base), Parts: []string{base, ScoreConKNN10}}
	if _, err := addFusions([]fusion{f}, vs, ks, us); err != nil {
		return fmt.Errorf("repro open-set: %w", err)
	}
	return nil
}

// contrastiveDoc describes the variant's contrastive term and its scores
// for the report.
func contrastiveDoc(weight float64, turned bool) string {
	neg := ""
	if turned {
		neg = "The batch turned by 90, 180 or 270 degrees is also encoded, and its projections are extra negatives of every image (CSI's shifted negatives). "
	}
	return fmt.Sprintf("It has a contrastive head at weight %g: a projection (%d hidden ReLU units, %d outputs, unit norm) of the encoder's features trained with NT-Xent (temperature %g) to match each image with its second view (shifted up to %d pixels, every other one mirrored, contrast and brightness changed); %q and %q are the cosine distances of an image's projection to its 10th and 50th nearest known training image's, and %q the sum of the method's first score and the k = 10 one, each standardised on the validation images. **ce variant**, when named, is ce trained with the same term (its control). ",
		weight, model.ContrastiveHidden, model.ContrastiveDim, model.DefaultContrastiveTemp, model.ContrastiveShift, ScoreConKNN10, ScoreConKNN50, contrastivePlus("<first score>")) + neg
}

// unseenContrastiveScores adds, for the n images pix, the run's
// contrastive k-NN scores to feat, the bank being the projections of the
// known training images knownTrain.
func unseenContrastiveScores(ctx context.Context, run *train.Run, pix []float32, knownTrain data.Set, feat map[string][]float64) error {
	tp, err := projectSet(ctx, run, knownTrain)
	if err != nil {
		return fmt.Errorf("repro unseen: %w", err)
	}
	p, err := run.ContrastiveProjections(pix, len(pix)/data.Pixels)
	if err != nil {
		return fmt.Errorf("repro unseen: %w", err)
	}
	kn := newKNNBank(tp, model.ContrastiveDim, true).scores(p, []int{10, 50})
	feat[ScoreConKNN10], feat[ScoreConKNN50] = kn[0], kn[1]
	return nil
}

// unseenContrastiveFusion is the unseen experiment's sum of the run's
// open-set score (whichever its rule) and the contrastive k-NN, when feat
// has the latter.
func unseenContrastiveFusion(feat map[string][]float64) []fusion {
	if _, ok := feat[ScoreConKNN10]; !ok {
		return nil
	}
	return []fusion{{Name: contrastivePlus(ScoreRunRule), Parts: []string{ScoreRunRule, ScoreConKNN10}}}
}

// unseenContrastiveKeys are the contrastive scores the runs carry (none
// without a contrastive head).
func unseenContrastiveKeys(res *UnseenResult) []string {
	var out []string
	for _, k := range []string{ScoreConKNN10, ScoreConKNN50, contrastivePlus(ScoreRunRule)} {
		if slices.ContainsFunc(res.Runs, func(r *UnseenRun) bool { _, ok := r.OpenSet[k]; return ok }) {
			out = append(out, k)
		}
	}
	return out
}

// unseenContrastiveDoc describes the unseen experiment's contrastive
// scores.
func unseenContrastiveDoc() string {
	return fmt.Sprintf("The ce+g runs were trained with a contrastive head (a projection of the encoder's features, %d hidden ReLU units and %d unit-norm outputs, trained with NT-Xent at temperature %g to match each image with its second view; with --contrastive-turned the batch turned by 90, 180 or 270 degrees also served as negatives). %q and %q are the cosine distances of an image's projection to its 10th and 50th nearest known training image's (their augmentations included); %q the sum of the run's open-set score and the k = 10 one, each standardised by its mean and standard deviation on the known classes' generalization images (never trained on; no test image is used). Outside: calibrated as above.",
		model.ContrastiveHidden, model.ContrastiveDim, model.DefaultContrastiveTemp, ScoreConKNN10, ScoreConKNN50, contrastivePlus(ScoreRunRule))
}
