package repro

import (
	"fmt"
	"github.com/lsconf/lsconf/internal/document"
	"math"
)

// Table2 is the paper's Table 2 from our runs: test and generalization
// accuracy (classifier head, percent) per seed and column group, with the
// paper's numbers beside them.
type Table2 struct {
	Seeds   []uint64 `json:"seeds"`
	Columns []string `json:"columns"`
	// Test[c][s] and Gen[c][s] are column c, seed s (NaN when missing).
	Test [][]float64 `json:"test"`
	Gen  [][]float64 `json:"gen"`
	// TestSpread and GenSpread summarise each column over the seeds.
	TestSpread []Spread `json:"test_spread"`
	GenSpread  []Spread `json:"gen_spread"`
	// Paper* are the paper's experiments 1-3.
	PaperTest       [][]float64 `json:"paper_test"`
	PaperGen        [][]float64 `json:"paper_gen"`
	PaperTestSpread []Spread    `json:"paper_test_spread"`
	PaperGenSpread  []Spread    `json:"paper_gen_spread"`
}

// BuildTable2 collects the plain-encoder runs into Table 2.
func BuildTable2(runs []*RunResult, seeds []uint64) *Table2 {
	cols := Table2Columns()
	t := &Table2{Seeds: seeds}
	for _, c := range cols {
		t.Columns = append(t.Columns, c.Label())
		test, gen := make([]float64, len(seeds)), make([]float64, len(seeds))
		for si, s := range seeds {
			test[si], gen[si] = math.NaN(), math.NaN()
			if r := findRun(runs, Experiment{Mode: c.Mode, Split: c.Split, Seed: s, Encoder: "plain"}); r != nil {
				test[si], gen[si] = 100*r.Test.Accuracy, 100*r.Gen.Accuracy
			}
		}
		t.Test, t.Gen = append(t.Test, test), append(t.Gen, gen)
		t.TestSpread, t.GenSpread = append(t.TestSpread, SpreadOf(test)), append(t.GenSpread, SpreadOf(gen))
		pt, pg := PaperTable2(c)
		t.PaperTest, t.PaperGen = append(t.PaperTest, pt), append(t.PaperGen, pg)
		t.PaperTestSpread, t.PaperGenSpread = append(t.PaperTestSpread, SpreadOf(pt)), append(t.PaperGenSpread, SpreadOf(pg))
	}
	return t
}

// findRun returns the run of an experiment, or nil.
func findRun(runs []*RunResult, e Experiment) *RunResult {
	for _, r := range runs {
		if r.Experiment == e {
			return r
		}
	}
	return nil
}

// ourTable is Table 2 in the paper's shape: rows = seeds, then the mean,
// sd and range rows; columns = the four groups, each test / gen.
func (t *Table2) ourTable() document.Table {
	tb := document.Table{Caption: "Table 2, this reproduction: test and generalization accuracy (%, classifier head) per seed",
		Header: []string{"seed"}, Right: map[int]bool{}}
	for _, c := range t.Columns {
		tb.Header = append(tb.Header, c+" test", c+" gen")
	}
	for i := 1; i < len(tb.Header); i++ {
		tb.Right[i] = true
	}
	for si, s := range t.Seeds {
		row := []string{fmt.Sprint(s)}
		for ci := range t.Columns {
			row = append(row, fmt.Sprintf("%.1f", t.Test[ci][si]), fmt.Sprintf("%.1f", t.Gen[ci][si]))
		}
		tb.Rows = append(tb.Rows, row)
	}
	tb.Rows = append(tb.Rows, spreadRows(t.TestSpread, t.GenSpread)...)
	return tb
}

// paperTable is the paper's Table 2 with the same summary rows.
func (t *Table2) paperTable() document.Table {
	tb := document.Table{Caption: "Table 2 of the paper (test / generalization accuracy, %; 1.2M training images, full-width model, 50 epochs)",
		Header: []string{"exp"}, Right: map[int]bool{}}
	for _, c := range t.Columns {
		tb.Header = append(tb.Header, c+" test", c+" gen")
	}
	for i := 1; i < len(tb.Header); i++ {
		tb.Right[i] = true
	}
	for e := 0; e < 3; e++ {
		row := []string{fmt.Sprint(e + 1)}
		for ci := range t.Columns {
			row = append(row, fmt.Sprintf("%.0f", t.PaperTest[ci][e]), fmt.Sprintf("%.0f", t.PaperGen[ci][e]))
		}
		tb.Rows = append(tb.Rows, row)
	}
	tb.Rows = append(tb.Rows, spreadRows(t.PaperTestSpread, t.PaperGenSpread)...)
	return tb
}

// compareTable puts each cell's mean, sd and range beside the paper's.
func (t *Table2) compareTable() document.Table {
	tb := document.Table{Caption: "Ours beside the paper's: mean ± sd (min–max) over the seeds",
		Header: []string{"column", "test, ours", "test, paper", "gen, ours", "gen, paper"},
		Right:  map[int]bool{1: true, 2: true, 3: true, 4: true}}
	for ci, c := range t.Columns {
		tb.Rows = append(tb.Rows, []string{c, t.TestSpread[ci].Format(1), t.PaperTestSpread[ci].Format(1),
			t.GenSpread[ci].Format(1), t.PaperGenSpread[ci].Format(1)})
	}
	return tb
}

func spreadRows(test, gen []Spread) [][]string {
	mean, sd, rng := []string{"mean"}, []string{"sd"}, []string{"min–max"}
	for ci := range test {
		for _, s := range []Spread{test[ci], gen[ci]} {
			mean = append(mean, fmt.Sprintf("%.1f", s.Mean))
			sd = append(sd, fmt.Sprintf("%.1f", s.SD))
			rng = append(rng, fmt.Sprintf("%.1f–%.1f", s.Min, s.Max))
		}
	}
	return [][]string{mean, sd, rng}
}
