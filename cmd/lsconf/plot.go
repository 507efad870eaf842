package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/report"
)

func newPlotCmd(g *globalOptions) *cobra.Command {
	var runDir, out, dataSpec, genSpec, view string
	var dataSeed uint64
	var svg bool
	var dpi int
	cmd := &cobra.Command{
		Use:   "plot",
		Short: "Draw a trained run's figures: LS scatter, training curves, confusion matrices",
		Long: `Draw the figures of a run made by lsconf train into --out (PNG, and SVG with
--svg):
  ls.png               the latent space: --data images as small points, --gen
                       images as large outlined points, coloured by class, the
                       configured centres with their r_c circles (polar runs:
                       the prohibited sectors shaded); n_d > 2 is projected on
                       the plane of the centres
  curves.png           loss, L_G and accuracy per epoch (metrics.jsonl)
  confusion-test.png,  the classifier head's confusion matrices of the final
  confusion-gen.png    evaluation (eval.json; a finished run only)

--data and --gen default to what the run was trained with (for the built-in
textures: all 650 base images, unaugmented, and the generalization set).
--view: configured ([-2, 2], the paper's Figure 7), wide ([-40, 40], Figure 9),
auto (from the points) or a number (the half-width of the view).`,
		Example: `  lsconf plot --run runs/ceg --out runs/ceg/figures
  lsconf plot --run runs/ce --view wide --out figs-ce
  lsconf plot --run runs/mine --data ~/photos --gen none --view auto --svg --out figs`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runDir == "" || out == "" {
				return errors.New("plot: --run RUN and --out DIR are required")
			}
			half, err := parseView(view)
			if err != nil {
				return err
			}
			if dpi < 30 || dpi > 600 {
				return fmt.Errorf("plot: --dpi %d out of [30, 600]", dpi)
			}
			cfg := report.PlotConfig{
				Run: runDir, Out: out, Data: dataSpec, Gen: genSpec, DataSeed: dataSeed, DataSeedSet: cmd.Flags().Changed("data-seed"),
				Half: half, DPI: dpi, SVG: svg, Engine: g.engine(), Load: loadOptions(cmd, g.quiet),
			}
			if !g.quiet {
				cfg.Log = cmd.ErrOrStderr()
			}
			files, err := report.PlotRun(cmd.Context(), cfg)
			for _, f := range files {
				fmt.Fprintln(cmd.OutOrStdout(), f)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&runDir, "run", "", "run folder (made by lsconf train)")
	f.StringVar(&out, "out", "", "folder for the figures (created)")
	f.StringVar(&dataSpec, "data", "", `images drawn as small points: an ImageFolder, a folder of unlabelled images (drawn grey), "builtin", "builtin-gen", "fashion-mnist" or "idx:DIR" (their test split) (default: the run's training data; at most 5000 points are drawn, evenly thinned)`)
	f.StringVar(&genSpec, "gen", "", `images drawn as large points, or "none" (default: the run's generalization data)`)
	f.Uint64Var(&dataSeed, "data-seed", 1, "seed of the built-in textures (default: the run's)")
	f.StringVar(&view, "view", "configured", "LS view: configured ([-2, 2]), wide ([-40, 40]), auto, or a half-width")
	f.BoolVar(&svg, "svg", false, "also write SVG files")
	f.IntVar(&dpi, "dpi", 100, "resolution of the PNG files")
	return cmd
}

// parseView turns --view into plot.View's half-width (0 = automatic).
func parseView(s string) (float64, error) {
	switch s {
	case "configured":
		return plot.ConfiguredHalf, nil
	case "wide":
		return plot.WideHalf, nil
	case "auto":
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("plot: --view %q: want configured, wide, auto or a positive number", s)
	}
	return v, nil
}
