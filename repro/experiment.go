package repro

import (
	"fmt"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/model"
)

// Column is one of Table 2's four column groups.
type Column struct {
	Mode  model.Mode
	Split data.SplitMode
}

// Table2Columns are Table 2's column groups in the paper's order:
// L_CE pre, L_CE + L_G pre, L_CE post, L_CE + L_G post.
func Table2Columns() []Column {
	return []Column{
		{model.ModeCE, data.SplitPre}, {model.ModeCEG, data.SplitPre},
		{model.ModeCE, data.SplitPost}, {model.ModeCEG, data.SplitPost},
	}
}

// Label is the column's heading: "ce pre".
func (c Column) Label() string { return fmt.Sprintf("%s %s", c.Mode, c.Split) }

// Plan lists the experiments of a reproduction in training order: every
// seed's four Table 2 experiments (so an interrupted reproduction has
// whole seeds), then the polar-encoder runs (mode polarMode, "pre" split,
// the first seed), one per encoder in polar.
func Plan(seeds []uint64, polar []string, polarMode model.Mode) []Experiment {
	var out []Experiment
	for _, s := range seeds {
		for _, c := range Table2Columns() {
			out = append(out, Experiment{Mode: c.Mode, Split: c.Split, Seed: s, Encoder: "plain"})
		}
	}
	for _, enc := range polar {
		s := uint64(1)
		if len(seeds) > 0 {
			s = seeds[0]
		}
		out = append(out, Experiment{Mode: polarMode, Split: data.SplitPre, Seed: s, Encoder: enc})
	}
	return out
}

// PaperTable2 returns the paper's Table 2 accuracies (percent) of a
// column (SPEC section 5): test[i] and gen[i] are the paper's experiment
// i+1. An unknown column gives nil slices.
func PaperTable2(c Column) (test, gen []float64) {
	switch c.Label() {
	case "ce pre":
		return []float64{77, 78, 71}, []float64{62, 68, 62}
	case "ce+g pre":
		return []float64{78, 75, 75}, []float64{65, 61, 65}
	case "ce post":
		return []float64{81, 82, 81}, []float64{66, 70, 65}
	case "ce+g post":
		return []float64{83, 84, 84}, []float64{67, 71, 61}
	}
	return nil, nil
}
