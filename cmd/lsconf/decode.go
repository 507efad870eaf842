package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/report"
	"github.com/lsconf/lsconf/search"
	"github.com/lsconf/lsconf/train"
)

func newDecodeCmd(g *globalOptions) *cobra.Command {
	var runDir, out, inputs, cycleData string
	var points, between []string
	var spec report.DecodeSpec
	var cycle, asJSON bool
	var cycleSteps int
	rt := train.DefaultRoundTrip()
	var dataSeed uint64
	cmd := &cobra.Command{
		Use:   "decode",
		Short: "Decode LS points into images with a run's decoder: centres, words, paths, points, reconstructions",
		Long: `Decode points of the configured latent space into images with the decoder of a
run trained with --recon W > 0 (or --mode mse+g), and write them as a PNG grid
(--out), one row per part:
  --centres               every class's centre (its prototype)
  --point x,y[,...]       LS points (repeat)
  --text WORDS            word queries, as lsconf search reads them (repeat):
                          "dots", "between squares and dots", "0.7 plaid + 0.3 dots"
  --between A B           the straight path from A to B (class names or words),
                          --steps points, ends included
  --inputs DATA           the first --per-class images of each class of DATA
                          (a folder, builtin, fashion-mnist's test split, ...)
                          above their reconstructions

A decoded image D(z) is not always one the encoder reads as z: the encoder pulls
images into the clusters. By default every point is therefore decoded with the
round-trip correction: the decoder's input z' starts at z and moves by
z - E(D(z')) (at most --round-trip times, until the encoder's reading is within
--round-trip-tol r_c of z), so the image shown is one the encoder maps to z.
--round-trip 0 decodes plainly. Reconstructions (--inputs) are always plain.

--cycle measures the round trips instead (decoded as above, with the correction
unless --round-trip 0): each centre decoded and encoded again
(within r_c of itself?), and the inner points of the paths between every two
centres (nearer to their own point than to any centre?); with --data, also the
per-class reconstruction error of that set.`,
		Example: `  lsconf decode --run runs/ae --centres --out prototypes.png
  lsconf decode --run runs/ae --between squares dots --steps 9 --out path.png
  lsconf decode --run runs/ae --text "between squares and dots" --point 0.3,0.1 --out words.png
  lsconf decode --run runs/fm-ae --inputs fashion-mnist --per-class 2 --out recon.png
  lsconf decode --run runs/fm-ae --cycle --data fashion-mnist --json`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runDir == "" {
				return errors.New("decode: --run RUN is required")
			}
			if len(between) == 1 && len(args) == 1 {
				between = append(between, args[0]) // --between A B
			} else if len(args) > 0 {
				return fmt.Errorf("decode: unexpected arguments %q", args)
			}
			run, err := train.OpenRun(runDir, g.engine())
			if err != nil {
				return err
			}
			defer run.Close()
			if cycle {
				return decodeCycle(cmd, g, run, cycleSteps, rt, cycleData, dataSeed, asJSON)
			}
			if out == "" {
				return errors.New("decode: --out FILE.png is required (or --cycle)")
			}
			for _, p := range points {
				z, err := search.ParsePoint(p, run.Layout().ND())
				if err != nil {
					return fmt.Errorf("decode: %w", err)
				}
				spec.Points = append(spec.Points, z)
			}
			spec.Between = between
			spec.RoundTrip = rt
			if inputs != "" {
				if spec.Inputs, err = loadSet(cmd, inputs, dataSeed, g.quiet); err != nil {
					return err
				}
			}
			d, err := report.Decode(run, spec)
			if err != nil {
				return err
			}
			title := fmt.Sprintf("decoded with %s, plainly", runDir)
			if rt.Iterations > 0 {
				title = fmt.Sprintf("decoded with %s, round-trip corrected (at most %d updates)", runDir, rt.Iterations)
			}
			img, err := d.Grid(title)
			if err != nil {
				return err
			}
			if err := plot.SavePNG(img, out); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), d)
			}
			for _, r := range d.Rows {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %d images\n", r.Caption, len(r.Images))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&runDir, "run", "", "run folder (trained with a decoder)")
	f.StringVar(&out, "out", "", "PNG file to write")
	f.BoolVar(&spec.Centres, "centres", false, "decode every class's centre")
	f.StringArrayVar(&points, "point", nil, "an LS point x,y[,...] (repeat)")
	f.StringArrayVar(&spec.Texts, "text", nil, "a word query (repeat)")
	f.StringSliceVar(&between, "between", nil, "the path between two classes or word queries: --between A B (or A,B)")
	f.IntVar(&spec.Steps, "steps", 9, "points of the --between path, ends included")
	f.StringVar(&inputs, "inputs", "", "reconstruct images of this data source")
	f.IntVar(&spec.PerClass, "per-class", 1, "images per class of --inputs")
	f.Uint64Var(&dataSeed, "data-seed", 1, "seed of the built-in textures")
	f.BoolVar(&cycle, "cycle", false, "measure the decode-encode round trips of centres and paths")
	f.IntVar(&cycleSteps, "cycle-steps", 9, "points of each path between two centres in --cycle, ends included")
	f.StringVar(&cycleData, "data", "", "with --cycle: also the per-class reconstruction error of this data source")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	f.IntVar(&rt.Iterations, "round-trip", rt.Iterations, "most round-trip corrections per point: the decoder's input z' moves by z - E(D(z')) until the encoder reads its image as z; 0 = plain decoding D(z)")
	f.Float64Var(&rt.Tol, "round-trip-tol", rt.Tol, "a round trip within this many r_c of its point is closed (stops the correction)")
	f.Float64Var(&rt.Step, "round-trip-step", rt.Step, "step size of the round-trip correction")
	return cmd
}

// decodeCycle prints Run.Cycle and, with a data source, its per-class
// reconstruction error.
func decodeCycle(cmd *cobra.Command, g *globalOptions, run *train.Run, steps int, rt train.RoundTrip, source string, dataSeed uint64, asJSON bool) error {
	cy, err := run.Cycle(steps, rt)
	if err != nil {
		return err
	}
	res := struct {
		Cycle          *train.Cycle          `json:"cycle"`
		Reconstruction *train.Reconstruction `json:"reconstruction,omitempty"`
		Data           string                `json:"data,omitempty"`
	}{Cycle: cy, Data: source}
	if source != "" {
		set, err := loadSet(cmd, source, dataSeed, g.quiet)
		if err != nil {
			return err
		}
		ev, err := run.Evaluate(set, source)
		if err != nil {
			return err
		}
		res.Reconstruction = ev.Reconstruction
	}
	if asJSON {
		return printJSON(cmd.OutOrStdout(), res)
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "decoded centres within r_c of themselves after encoding: %d of %d\n", cy.CentresWithin, len(cy.Centres))
	for _, c := range cy.Centres {
		fmt.Fprintf(w, "  %-14s %.3f from its centre (r_c %.3f), nearest centre %s\n", c.Class, c.Distance, c.Radius, c.Nearest)
	}
	fmt.Fprintf(w, "path points (%d pairs x %d inner) nearer to their own point than to any centre: %d of %d (%.1f%%), mean distance %.3f (R_d %.3f)\n",
		cy.Pairs, cy.Steps-2, cy.Nearer, cy.Points, 100*cy.NearerShare, cy.MeanPathError, cy.Rd)
	fmt.Fprintf(w, "  nearer to their own point than to any centre off their path: %d of %d (%.1f%%); mean distance to the path %.3f\n",
		cy.NearerOffPath, cy.Points, 100*cy.NearerOffPathShare, cy.MeanSegmentDistance)
	if r := res.Reconstruction; r != nil {
		fmt.Fprintf(w, "reconstruction MSE on %s: %.4f\n", source, r.MSE)
		for _, c := range r.Classes {
			fmt.Fprintf(w, "  %-14s %5d images  %.4f\n", c.Class, c.N, c.MSE)
		}
	}
	return nil
}
