package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/engine/kernels"
	"github.com/lsconf/lsconf/repro"
)

func newShiftCmd(g *globalOptions) *cobra.Command {
	var runs []string
	var cfg repro.ShiftConfig
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "shift",
		Short: "The title claim: accuracy of trained runs under distribution shift, a verdict against ce",
		Long: `Evaluate trained runs on a clean test set and on shifted sets, and say whether
a configured LS (ce+g, with or without the decoder) generalizes better than ce.

--data fashion-mnist: Fashion-MNIST's test split (the first --limit images),
clean and under every corruption at every severity (the sets
fashion-mnist-c:KIND:SEV, seeded by --seed). --data own: each run's own test
split (clean) and generalization set (the shift), e.g. the built-in textures.

Runs are given as LOSS=DIR; runs of one loss are its seeds (read from
run.json) and are paired by seed with the --baseline loss. Verdict per loss:
supported when its mean corrupted accuracy is >= 1 point above the baseline's,
higher in every seed, at a clean accuracy no more than 0.3 points below;
refuted when it is not above and no kind gains in every seed; partly
otherwise. --out gets report.md, report.json and runs/ (each run's figures,
reused when the run is unchanged).`,
		Example: `  lsconf shift --data fashion-mnist --limit 5000 --out docs/shift/fashion-mnist \
      --run ce=runs/ce_1 --run ce=runs/ce_2 --run ce+g=runs/ceg_1 --run ce+g=runs/ceg_2
  lsconf shift --data own --out shift-textures --run ce=runs/t-ce --run ce+g=runs/t-ceg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cfg.Out == "" {
				return errors.New("shift: give --out DIR")
			}
			for _, r := range runs {
				loss, dir, ok := strings.Cut(r, "=")
				if !ok || loss == "" || dir == "" {
					return fmt.Errorf("shift: --run %q: want LOSS=DIR", r)
				}
				cfg.Runs = append(cfg.Runs, repro.ShiftRun{Loss: loss, Dir: dir})
			}
			cfg.Engine = g.engine()
			if !g.quiet {
				cfg.Progress = cmd.ErrOrStderr()
			}
			rep, err := repro.Shift(cmd.Context(), cfg, kernels.Kernels())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), rep)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "verdict: %s (%s); report in %s/report.md\n", rep.Verdict, rep.Reason, cfg.Out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&runs, "run", nil, "a trained run as LOSS=DIR (repeat; one per loss and seed)")
	f.StringVar(&cfg.Data, "data", repro.ShiftFashionMNIST, "fashion-mnist (clean and corrupted test split) or own (each run's test and generalization sets)")
	f.IntVar(&cfg.Limit, "limit", 0, "images of each set, the first ones (0 = all)")
	f.Uint64Var(&cfg.Seed, "seed", 1, "seed of the corruptions")
	f.StringVar(&cfg.Baseline, "baseline", "ce", "the loss the others are compared with")
	f.StringVar(&cfg.Out, "out", "", "report folder")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}
