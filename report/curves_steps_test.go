package report

import (
	"math"
	"testing"

	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/train"
)

func TestShortRunCurvesUseStepLines(t *testing.T) {
	var lines []train.MetricsLine
	for s := int64(100); s <= 400; s += 100 {
		lines = append(lines, train.MetricsLine{Kind: train.KindStep, Epoch: 1, Step: s, Train: train.TrainMeans{Loss: 1 / float64(s), Acc: float64(s) / 500}})
	}
	lines = append(lines, train.MetricsLine{Kind: train.KindEpoch, Epoch: 1, Step: 500, Train: train.TrainMeans{Loss: 0.001, Acc: 0.9}, Test: &train.EvalSummary{Acc: 0.8}})
	m, ok := stepCurves(model.ModeCE, lines)
	if !ok || len(m.Epochs) != 5 || m.Epochs[0] != 0.2 || m.Epochs[4] != 1 || !math.IsNaN(m.TestAcc[0]) || m.TestAcc[4] != 0.8 || m.LG != nil {
		t.Fatalf("step curves: ok %v %+v", ok, m)
	}
	if _, err := TrainingCurves("short", model.ModeCE, lines); err != nil {
		t.Fatal(err)
	}
	if _, ok := stepCurves(model.ModeCE, lines[3:]); ok {
		t.Fatal("one step line drawn as curves")
	}
}
