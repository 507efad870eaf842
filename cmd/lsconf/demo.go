package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/demo"
	"github.com/lsconf/lsconf/report"
	"github.com/lsconf/lsconf/train"
)

func newDemoCmd(g *globalOptions) *cobra.Command {
	c := demo.DefaultConfig()
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "The main job on built-in data: generate, train, draw, evaluate, index, search, report",
		Long: `Run lsconf end to end on its built-in clothing textures, with no arguments needed:
  1. data      write the training and generalization textures as ImageFolder trees
  2. train     train a ce+g model (L_CE + k_g L_G) at a CPU-friendly width
  3. evaluate  accuracy and latent-space conformance on the test and generalization sets
  4. figures   the latent-space figure, confusion matrices, training curves
  5. index     encode the generalization folder into a search index (SQLite)
  6. search    one image query and one word query, with result grids
  7. report    report.html and report.md
and print where everything is and how long each stage took (1.5 minutes on 2
idle cores, about 4 on a busy machine). The loss is lsconf's recommended one
(L_G averaged over the batch plus the centre pull; --lg-reduction sum
--lg-center -1 gives the paper's).

Everything goes to --out (default lsconf-demo). Running it again is safe: the
data and a finished run are reused, an interrupted run (Ctrl-C) resumes from
its checkpoint, the index skips what it holds; figures, queries and report are
made again. Other settings in an existing folder are refused: use another --out.`,
		Example: `  lsconf demo
  lsconf demo --out /tmp/demo --epochs 4`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := c
			cfg.Engine = g.engine()
			cfg.Version = version
			cfg.Command = commandLine(cmd)
			if cfg.RoundTrip == 0 {
				cfg.RoundTrip = -1 // plain decoding (demo.Config reads 0 as the default)
			}
			if !g.quiet {
				cfg.Progress = cmd.ErrOrStderr()
			}
			res, err := demo.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), res)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "lsconf demo finished in %.0fs; everything is in %s\n\n", res.Seconds, res.Out)
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "stage\ttime\twhat")
			for _, s := range res.Stages {
				fmt.Fprintf(tw, "%s\t%.1fs\t%s\n", s.Name, s.Seconds, s.Note)
			}
			tw.Flush()
			fmt.Fprintf(w, "\ntest accuracy %.1f%%, generalization accuracy %.1f%%; generalization points within r_c %.1f%%, outside the configured space %.1f%%\n\n",
				100*res.Test.Accuracy, 100*res.Gen.Accuracy, 100*res.Gen.Conformance.WithinRc, 100*res.Gen.Conformance.Outside)
			var keys []string
			for k := range res.Files {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			for _, k := range keys {
				fmt.Fprintf(tw, "%s\t%s\n", k, filepath.Join(res.Out, res.Files[k]))
			}
			in := func(rel string) string { return filepath.Join(res.Out, filepath.FromSlash(rel)) }
			fmt.Fprintf(tw, "run\t%s\n", in(demo.RunDir))
			fmt.Fprintf(tw, "index\t%s\n", in(demo.IndexDB))
			fmt.Fprintf(tw, "images\t%s, %s\n", in(demo.TrainData), in(demo.GenData))
			tw.Flush()
			fmt.Fprintf(w, "\nopen %s, or search the index: lsconf serve --db %s\n", in(report.ReportHTML), in(demo.IndexDB))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.Out, "out", c.Out, "demo folder (reused when run again)")
	f.IntVar(&c.Width, "width", c.Width, "width divisor of the convolutions (1 = the paper's model)")
	f.IntVar(&c.Epochs, "epochs", c.Epochs, "training epochs")
	f.IntVar(&c.BatchSize, "batch", c.BatchSize, "batch size")
	f.Float64Var(&c.LR, "lr", c.LR, "Adam learning rate")
	f.Var(&c.LRSchedule, "lr-schedule", "learning-rate schedule: cosine (decays to 0 over the run) or constant")
	f.Var(&c.LGReduction, "lg-reduction", "L_G over the batch: mean (the demo's default) or sum (eq 8)")
	f.Float64Var(&c.LGCenter, "lg-center", c.LGCenter, "centre pull (not in the paper; see lsconf train --help); negative = off (the paper's L_G)")
	f.Float64Var(&c.Recon, "recon", 0, "train the decoder too, with this reconstruction weight (0 = none): the report then shows decoded centres, paths and reconstructions; about 2.3x the training time")
	f.IntVar(&c.RoundTrip, "round-trip", train.DefaultRoundTrip().Iterations, "most round-trip corrections of each decoded point, as in lsconf decode (0 = plain decoding)")
	f.IntVar(&c.AugPerImage, "aug-per-image", c.AugPerImage, "augmentations per training image (each also gives 2 mirror copies)")
	f.IntVar(&c.PerClass, "per-class", 0, "built-in training images per class (0 = 130)")
	f.IntVar(&c.GenPerClass, "gen-per-class", 0, "built-in generalization images per class (0 = 16)")
	f.Uint64Var(&c.Seed, "seed", c.Seed, "seed of the weights, split, augmentations and batch order")
	f.Uint64Var(&c.DataSeed, "data-seed", c.DataSeed, "seed of the built-in textures")
	f.StringVar(&c.QueryClass, "query-class", c.QueryClass, "class of the image query (its first generalization image)")
	f.StringVar(&c.Words, "words", c.Words, "the word query")
	f.IntVar(&c.K, "k", c.K, "results per query")
	f.IntVar(&c.DPI, "dpi", c.DPI, "resolution of the PNG figures")
	jsonFlag(cmd, &asJSON, "the result")
	return cmd
}
