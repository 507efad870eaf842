package report

import (
	"math"

	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/train"
)

// minEpochPoints is the fewest epoch lines TrainingCurves draws on their
// own; shorter runs (one or two epochs over a large set) are drawn from
// their step lines (lsconf train --log-every) when they have them.
const minEpochPoints = 3

// stepCurves returns the metrics of a short run from its step lines, at
// fractional epochs (step / steps per epoch), with the test and
// generalization accuracy where an epoch line gives them; ok is false when
// the run has too few step lines or no epoch line to scale the steps.
func stepCurves(mode model.Mode, lines []train.MetricsLine) (m plot.TrainingMetrics, ok bool) {
	var perEpoch float64
	steps := 0
	for _, l := range lines {
		switch l.Kind {
		case train.KindEpoch:
			if perEpoch == 0 && l.Epoch > 0 {
				perEpoch = float64(l.Step) / float64(l.Epoch)
			}
		default:
			steps++
		}
	}
	if perEpoch <= 0 || steps < minEpochPoints {
		return m, false
	}
	for _, l := range lines {
		m.Epochs = append(m.Epochs, float64(l.Step)/perEpoch)
		m.Loss, m.CE = append(m.Loss, l.Train.Loss), append(m.CE, l.Train.CE)
		if mode == model.ModeCEG {
			m.LG = append(m.LG, l.Train.LG)
		}
		m.TrainAcc = append(m.TrainAcc, l.Train.Acc)
		if l.Kind == train.KindEpoch {
			m.TestAcc, m.GenAcc = append(m.TestAcc, accOf(l.Test)), append(m.GenAcc, accOf(l.Gen))
		} else {
			m.TestAcc, m.GenAcc = append(m.TestAcc, math.NaN()), append(m.GenAcc, math.NaN())
		}
	}
	return m, true
}
