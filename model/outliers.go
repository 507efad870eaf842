package model

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Outlier exposure (Hendrycks, Mazeika & Dietterich, ICLR 2019): real
// images of other things than the known classes, given to every train
// step beside the known batch (TrainStepOutliers), encoded in the same
// forward pass (so the batch norms see them as they see placeholder
// negatives) and trained by OutlierLoss at weight LossConfig.Outliers. The
// class losses see only the known images.

// OutlierLoss is the loss of the outlier images' encodings z [M, n_d] and
// logits [M, n_c]. In ModeCE it is the cross entropy to the uniform
// distribution over the classes minus its minimum log n_c (the OE paper's
// term); otherwise it is PlaceholderLoss with every image counted: |z|^2 /
// d^2 toward the origin plus the same cross entropy (the objectosphere and
// entropic open-set losses, Dhamija et al. 2018).
func OutlierLoss(z, logits *graph.Node, l LossConfig) *graph.Node {
	if l.Mode == ModeCE {
		nc := logits.Shape().Dimensions[1]
		return graph.AddScalar(graph.Neg(graph.ReduceAllMean(graph.LogSoftmax(logits, -1))), -math.Log(float64(nc)))
	}
	return PlaceholderLoss(z, logits, graph.OnesLike(graph.ReduceSum(z, 1)), l.Layout)
}

// TrainStepOutliers is TrainStep with the step's outlier images: outliers
// holds M >= 1 images of 32x32 float32 pixels, trained by OutlierLoss at
// LossConfig.Outliers (which must be > 0). Batches of a new size or a new
// M compile a new graph.
func (t *Trainer) TrainStepOutliers(x []float32, labels []int32, outliers []float32) (StepResult, error) {
	if t.loss.Outliers <= 0 {
		return StepResult{}, fmt.Errorf("train step: outlier images given to a trainer without an outlier weight")
	}
	if len(outliers) == 0 || len(outliers)%(32*32) != 0 {
		return StepResult{}, fmt.Errorf("train step: %d outlier pixels (want a positive multiple of %d)", len(outliers), 32*32)
	}
	return t.trainStep(x, labels, outliers)
}

// outlierArg appends the step's outlier images to the train graph's
// arguments when the objective has an outlier weight.
func (t *Trainer) outlierArg(args []any, outliers []float32) ([]any, error) {
	if t.loss.Outliers <= 0 {
		return args, nil
	}
	if len(outliers) == 0 {
		return nil, fmt.Errorf("train step: the objective has an outlier weight but no outlier images were given (TrainStepOutliers)")
	}
	return append(args, tensors.FromFlatDataAndDimensions(outliers, len(outliers)/(32*32), 32, 32, 1)), nil
}

// withOutliers appends the outlier images o [M, 32, 32, 1] to the batch x
// and returns where they start and how many there are.
func withOutliers(x, o *graph.Node) (*graph.Node, int, int) {
	at := x.Shape().Dimensions[0]
	return graph.Concatenate([]*graph.Node{x, o}, 0), at, o.Shape().Dimensions[0]
}

// outlierLoss is OutlierLoss of the outlier images' rows [at, at+n) of
// the forward pass (nil when n is 0).
func outlierLoss(out Outputs, at, n int, l LossConfig) *graph.Node {
	if n == 0 {
		return nil
	}
	r := graph.AxisRange(at, at+n)
	return OutlierLoss(graph.Slice(out.Z, r), graph.Slice(out.Logits, r), l)
}

// validateOutliers checks the outlier weight.
func (l LossConfig) validateOutliers() error {
	if l.Outliers < 0 || math.IsNaN(l.Outliers) || math.IsInf(l.Outliers, 0) {
		return fmt.Errorf("loss: outlier weight %v must be a non-negative number", l.Outliers)
	}
	if l.Outliers > 0 && l.Mode == ModeMSEG {
		return fmt.Errorf("loss: outlier images need the classifier's loss (mode ce or ce+g, not %s)", l.Mode)
	}
	return nil
}
