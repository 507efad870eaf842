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
	nan := math.NaN()
	for _, l := range lines {
		m.Epochs = append(m.Epochs, float64(l.Step)/perEpoch)
		f := l.Train
		test, gen := nan, nan
		if l.Kind == train.KindEpoch {
			// The epoch line's train figures average the whole epoch; the
			// step lines average their last steps: only its evaluations
			// are drawn, so the two kinds do not mix in one curve.
			f = train.TrainMeans{Loss: nan, CE: nan, LG: nan, Acc: nan}
			test, gen = accOf(l.Test), accOf(l.Gen)
		}
		m.Loss, m.CE = append(m.Loss, f.Loss), append(m.CE, f.CE)
		if mode.TrainsLG() {
			m.LG = append(m.LG, f.LG)
		}
		m.TrainAcc = append(m.TrainAcc, f.Acc)
		m.TestAcc, m.GenAcc = append(m.TestAcc, test), append(m.GenAcc, gen)
	}
	return m, true
}
