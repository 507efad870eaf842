package main

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/search"
	"github.com/lsconf/lsconf/train"
)

// evalOutput is what lsconf eval prints.
type evalOutput struct {
	ID       string              `json:"id"`
	Run      string              `json:"run"`
	Position train.Position      `json:"position"`
	Results  []*train.EvalResult `json:"results"`
	// Metrics are the metric-learning figures of each result's set, in the
	// same order (retrieval by sim and by distance, NMI/AMI).
	Metrics []*search.SetMetrics `json:"metrics"`
	// Calibration is the run's outside threshold (nil: none, and
	// CalibrationNote says so); Outside is each result's share of images
	// outside (v all zero, or above the threshold), in the same order.
	Calibration     *latent.Calibration `json:"outside_calibration"`
	CalibrationNote string              `json:"outside_note,omitempty"`
	Outside         []float64           `json:"outside"`
	images          []encodedImage
	// DataChanged is set when the run's own sets were evaluated with
	// --force-data although their content changed since training.
	DataChanged bool `json:"data_changed,omitempty"`
}

// evalSet evaluates one set with the run: accuracy and conformance, and
// the metric-learning figures of its encodings.
func evalSet(cmd *cobra.Command, run *train.Run, set data.Set, name string, out *evalOutput) error {
	inf, err := run.InferSet(cmd.Context(), set)
	if err != nil {
		return err
	}
	r, err := train.Score(run.Layout(), run.OpenSetRule(), run.Classes(), inf.Z, inf.Logits, inf.Labels)
	if err != nil {
		return fmt.Errorf("eval %s: %w", name, err)
	}
	r.Name = name
	m, err := search.EvaluateSet(run.Layout(), inf.Z, inf.Labels, 10, runtime.NumCPU())
	if err != nil {
		return fmt.Errorf("eval %s: %w", name, err)
	}
	out.Results, out.Metrics = append(out.Results, r), append(out.Metrics, m)
	imgs, err := run.Describe(inf.Z, inf.Logits, len(inf.Labels))
	if err != nil {
		return fmt.Errorf("eval %s: %w", name, err)
	}
	classes := run.Classes()
	outside := 0
	for i, im := range imgs {
		if im.Outside {
			outside++
		}
		out.images = append(out.images, encodedImage{Path: fmt.Sprintf("%s/%d", name, i), Label: classes[inf.Labels[i]],
			ImageResult: im, PredictedClass: classes[im.Predicted], NearestClass: classes[im.Nearest]})
	}
	out.Outside = append(out.Outside, float64(outside)/float64(max(len(imgs), 1)))
	return nil
}

func newEvalCmd(g *globalOptions) *cobra.Command {
	var runDir, dataSpec, perImage string
	var dataSeed uint64
	var calibrate bool
	var tpr float64
	var forceData bool
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Evaluate a trained run: accuracy, confusion matrix and latent-space conformance (JSON)",
		Long: `Encode labelled images with a run (batch norms in inference mode) and print, as
JSON: the accuracy of the classifier head and of the nearest-cluster labels, both
confusion matrices ([true][predicted]), and how the encodings keep to the
configured latent space: per class the median z and its distance to the
configured centre, the share of points within r_c of their own centre, the
share outside the configured space (v all zero) and max |z|; and the
metric-learning figures of each set (every image a query against the others,
exact): P@1, P@10, R-precision, MAP@R and MRR ranked by sim (eq 15) and by
distance in z, and NMI / AMI of the nearest-cluster label (docs/search.md).
It also gives the run's calibrated outside threshold (outside.json: the
open-set score, named in the file, that 95% of the held-out test images stay
at or below, written at the end of training) and each set's share outside;
--calibrate (re)computes the threshold, e.g. for runs trained before it
existed. --per-image FILE writes every image's z, class probabilities,
open-set score and outside flag (as lsconf encode).

Without --data, the run's own test and generalization sets are rebuilt from
run.json and checked against the data hash it records: images changed since
training are refused (--force-data evaluates them anyway, marked). --data DIR evaluates every image of an ImageFolder ("builtin" and
"builtin-gen" are the built-in textures); its class names must be among the
run's.`,
		Example: `  lsconf eval --run runs/ceg
  lsconf eval --run runs/ceg --data ~/market`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runDir == "" {
				return errors.New("eval: --run RUN is required")
			}
			run, err := train.OpenRun(runDir, g.engine())
			if err != nil {
				return err
			}
			defer run.Close()
			out := evalOutput{ID: run.ID(), Run: runDir, Position: run.Position()}
			if dataSpec == "" {
				info := run.Info()
				sets, err := runSets(cmd, info.Data.Located(runDir), info.Config.Seed, g.quiet)
				if err != nil {
					return err
				}
				if err := info.Data.CheckHash(sets); err != nil {
					if !forceData || !errors.Is(err, train.ErrDataChanged) {
						return fmt.Errorf("eval %s: %w; give --force-data to evaluate the images as they are now", runDir, err)
					}
					fmt.Fprintf(cmd.ErrOrStderr(), "warning: %v\n", err)
					out.DataChanged = true
				}
				if calibrate {
					if sets.Test == nil {
						return errors.New("eval --calibrate: the run has no test split to calibrate on")
					}
					if _, err := run.Calibrate(cmd.Context(), sets.Test, tpr, "test"); err != nil {
						return err
					}
				}
				if sets.Test != nil {
					if err := evalSet(cmd, run, sets.Test, "test", &out); err != nil {
						return err
					}
				}
				if sets.Gen != nil {
					if err := evalSet(cmd, run, sets.Gen, "gen", &out); err != nil {
						return err
					}
				}
			} else {
				base, err := loadSet(cmd, dataSpec, dataSeed, g.quiet)
				if err != nil {
					return err
				}
				if calibrate {
					if _, err := run.Calibrate(cmd.Context(), base, tpr, dataSpec); err != nil {
						return err
					}
				}
				if err := evalSet(cmd, run, base, dataSpec, &out); err != nil {
					return err
				}
			}
			if out.Calibration = run.Calibration(); out.Calibration == nil {
				out.CalibrationNote = train.NoCalibrationNote
			}
			if perImage != "" {
				if err := writeEncoded(perImage, run.Classes(), out.images); err != nil {
					return err
				}
			}
			return printJSON(cmd.OutOrStdout(), out)
		},
	}
	cmd.Flags().StringVar(&runDir, "run", "", "run folder (made by lsconf train)")
	cmd.Flags().StringVar(&dataSpec, "data", "", `labelled images: an ImageFolder, "builtin" or "builtin-gen" (default: the run's test and generalization sets)`)
	cmd.Flags().Uint64Var(&dataSeed, "data-seed", 1, "seed of the built-in textures (with --data builtin)")
	cmd.Flags().StringVar(&perImage, "per-image", "", "also write every image's z, class probabilities, open-set score and outside flag to this file (CSV, or JSON when it ends in .json)")
	cmd.Flags().BoolVar(&calibrate, "calibrate", false, "first calibrate the run's outside threshold on the held-out known images (the run's test split, or --data) and store it in the run (outside.json)")
	cmd.Flags().Float64Var(&tpr, "tpr", latent.DefaultCalibrationTPR, "with --calibrate: the share of the calibration images kept inside")
	cmd.Flags().BoolVar(&forceData, "force-data", false, "evaluate the run's own sets even though their content changed since training (marked data_changed)")
	return cmd
}
