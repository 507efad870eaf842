package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/report"
	"github.com/lsconf/lsconf/repro"
	"github.com/lsconf/lsconf/train"
)

func newReproCmd(g *globalOptions) *cobra.Command {
	var out, polarMode string
	var nSeeds int
	var quick, svg, unseen, openSet bool
	var sf scoreFlags
	var splits, ensemble int
	var variant repro.OpenSetVariant
	var openSetMethods []string
	var polar []string
	c := repro.DefaultConfig()
	cmd := &cobra.Command{
		Use:   "repro",
		Short: "Reproduce the paper: Table 2, the LS figures, the f_d curve and the claims, in one report",
		Long: `Train the paper's Table 2 grid on the built-in textures: --seeds seeds x {ce, ce+g}
x {pre, post} (12 runs by default), each experiment's seed drawing the initial
weights, the split, the augmentations and the batch order; plus the polar-encoder
run of Figure 5 (--polar). Then evaluate every run on its training, test and
generalization sets, draw the LS figures (Figures 5-9), the f_d curve (Figure 6),
training curves and confusion matrices, check the paper's claims, and write
DIR/report.md, DIR/report.html (self-contained; figures in DIR/figures) and
DIR/report.json.

Runs are kept in DIR/runs: running the command again skips finished runs and
resumes interrupted ones exactly (Ctrl-C saves a checkpoint). Settings must stay
the same for a DIR; use another --out to change them.

--quick is a pipeline check (width 16, 2 epochs, 10 images per class; a minute
or two): its numbers say nothing about the paper.

--open-set runs the field's open-set protocol on Fashion-MNIST instead: --splits
seeded splits of 6 known / 4 unknown classes, the same budget for every method
(500 known images per class with mirrors, 3 epochs, width 8 unless --per-class,
--epochs, --width say otherwise): ce scored by MSP, MLS and the distance to the
class means, lsconf ce+g with the dense head (dist/r_c, MSP), with the
distance head (its open-set score, dist/r_c, MSP, CAC's, mirror-averaged) and,
with --placeholders W, the distance head trained with placeholder negatives
and, with --extra-dims N, --variant-d-c, --variant-r-c, --variant-head-scale,
--variant-recon or --variant-placeholders, the distance head in another layout (N more dimensions than the simplex needs,
scored also by |z_⊥|, the norm outside the centres' span) or with another
scale, and with --variant-rotation-head W a self-supervised rotation head
(scored also by its loss, "rotation", and by the first score + rotation;
"ce variant", named in --methods, is ce so trained); closed-set accuracy, AUROC, FPR@95%TPR, OSCR, the calibrated outside threshold
and where unknown images land, in DIR/openset/report.md (.json, roc.png).
--methods runs only the methods named. --z-scores adds Gaussian scores of
z (Mahalanobis, fitted on the known training images) with their calibrated
outside shares; --oracle adds the detection ceilings, ce trained on all the
classes and linear probes on each run's frozen encodings fitted with the
unknown classes' training images (oracles, not methods). --ensemble K adds the
deep ensemble of K runs of each method (different seeds). --open-set --quick is its pipeline
check (seconds).

--unseen runs the unseen-class experiment instead (paper section 7): each class
held out in turn, ce+g trained with a layout for the others and ce for contrast
(same seeds and budget), then where the held-out class lands, retrieval among its
images (P@10, MAP@R, by sim and by distance) and open-set detection (AUROC,
FPR@95%TPR) go to DIR/unseen/report.md (.html, .json); with --rotation-head W
the ce+g runs have a rotation head and are also scored by it. --unseen --quick
is its pipeline check (one seed unless --seeds is given).`,
		Example: `  lsconf repro --out repro                 # the full reproduction (about 40 minutes on 2 cores)
  lsconf repro --quick --out /tmp/rq        # pipeline check
  lsconf repro --seeds 5 --epochs 12 --polar sectors,paper-eq6 --out repro5
  lsconf repro --unseen --epochs 6 --out repro    # unseen classes: DIR/unseen/report.md
  lsconf repro --open-set --out repro              # open set on Fashion-MNIST: DIR/openset/report.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("repro: --out DIR is required (the reproduction folder)")
			}
			cfg := c
			if quick {
				cfg = quickConfig(cmd, c)
			}
			if unseen && quick && !cmd.Flags().Changed("seeds") {
				nSeeds = 1
			}
			if nSeeds < 1 {
				return fmt.Errorf("repro: --seeds %d, want at least 1", nSeeds)
			}
			cfg.Seeds = nil
			for s := 1; s <= nSeeds; s++ {
				cfg.Seeds = append(cfg.Seeds, uint64(s))
			}
			var err error
			if cfg.Polar, cfg.NoPolar, err = parsePolar(polar); err != nil {
				return err
			}
			cfg.PolarMode = model.Mode(polarMode)
			cfg.Out, cfg.SVG = out, svg
			cfg.FeatureScores, cfg.ZScores = sf.feature, sf.z
			cfg.Engine = g.engine()
			cfg.Version = version
			cfg.Command = commandLine(cmd)
			if !g.quiet {
				cfg.Progress = cmd.ErrOrStderr()
			}
			if openSet {
				if unseen {
					return errors.New("repro: --open-set and --unseen exclude each other")
				}
				return runOpenSet(cmd, g, out, quick, splits, ensemble, variant, openSetMethods, sf, c)
			}
			if unseen {
				return runUnseen(cmd, cfg)
			}
			return runRepro(cmd, cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "reproduction folder (runs, figures, report)")
	f.IntVar(&nSeeds, "seeds", 3, "number of seeds (1..N), the rows of Table 2")
	f.IntVar(&c.Width, "width", c.Width, "width divisor of the convolutions (1 = the paper's model)")
	f.IntVar(&c.Epochs, "epochs", c.Epochs, "epochs of every run")
	f.IntVar(&c.BatchSize, "batch", c.BatchSize, "batch size")
	f.Float64Var(&c.LR, "lr", c.LR, "Adam learning rate")
	f.Var(&c.LRSchedule, "lr-schedule", "learning-rate schedule of every run: cosine (decays to 0 over the run) or constant (the paper names none)")
	c.LGReduction = latent.SumName
	f.Var(&c.LGReduction, "lg-reduction", "L_G over the batch: sum (eq 8, the paper's) or mean")
	f.Float64Var(&c.LGCenter, "lg-center", 0, "centre pull (not in the paper; see lsconf train --help); 0 = the paper's L_G")
	f.Float64Var(&c.Placeholders, "placeholders", 0, "weight of the ce+g runs' placeholder negatives (not in the paper; see lsconf train --help; 0 = none, the paper's); with --open-set the weight of the placeholder method (0: not run; --quick runs it at 1)")
	f.Float64Var(&c.LGFeatureStop, "lg-feature-stop", 0, "share (0..1) of L_G's and the centre pull's gradient held back from the encoder's convolutions in the ce+g runs (not in the paper; the dense map to z still gets all of it; 0 = none held back, the paper's)")
	f.StringVar(&c.Outliers, "outliers", "", "outlier exposure for the ce+g runs (not in the paper; see lsconf train --outliers): every image file under this folder, e.g. /usr/share/icons/oxygen/base (scripts/setup.sh installs it), trained away from every class at --outlier-weight; \"\" = none, the paper's")
	f.Float64Var(&c.OutlierWeight, "outlier-weight", train.DefaultOutlierWeight, "with --outliers: the outlier images' weight")
	f.Float64Var(&c.RotationHead, "rotation-head", 0, "weight of the ce+g runs' rotation head (not in the paper; see lsconf train --help; 0 = none, the paper's); --unseen then also scores them by \"rotation\" and the open-set score + rotation (with --feature-scores also rotation + all levels k-NN, with and without the open-set score), each part standardised on the known classes' generalization images")
	f.Float64Var(&c.Contrastive, "contrastive", 0, "weight of the ce+g runs' contrastive term (not in the paper; see lsconf train --help; 0 = none, the paper's); --unseen then also scores them by k-NN on the contrastive projections and the open-set score + that k-NN")
	f.BoolVar(&c.ContrastiveTurned, "contrastive-turned", false, "with --contrastive: the batch turned by 90, 180 or 270 degrees serves as extra negatives of the ce+g runs' contrastive term (see lsconf train --contrastive-turned)")
	f.StringVar(&c.PlaceholderKind, "placeholder-kind", "", "how the placeholder negatives are made: mixup (the default), cutmix or rotate (see lsconf train --help)")
	f.StringSliceVar(&openSetMethods, "methods", nil, `with --open-set: run only these methods (comma-separated: "ce", "ce+g dense", "ce+g distance", "ce+g distance placeholders", "ce+g distance variant", "ce placeholders", "ce variant", "ce oracle"; default all but "ce placeholders", "ce variant" and "ce oracle", which run only when named or, the oracle, with --oracle)`)
	f.BoolVar(&sf.feature, "feature-scores", false, "with --open-set or --unseen: also score every run post hoc on the encoder's features, fitted on the known training images (deep k-NN, Mahalanobis, relative Mahalanobis and the residual off the principal subspace on the last level's flattened features; k-NN and Mahalanobis on every level's channel averages; k-NN in z; k-NN times MSP and times the run's open-set score; and the sums of the run's open-set score, or the MSP, with the k-NN scores, each standardised on validation images of the known classes)")
	f.StringVar(&c.Head, "head", "dense", "classifier head of the ce+g runs: dense (the paper's) or distance (lsconf train's default); ce runs keep the dense head")
	f.IntVar(&c.AugPerImage, "aug-per-image", c.AugPerImage, "augmentations per training image (each also gives 2 mirror copies)")
	f.IntVar(&c.PerClass, "per-class", 0, "built-in training images per class (0 = 130, the paper's size)")
	f.IntVar(&c.GenPerClass, "gen-per-class", 0, "built-in generalization images per class (0 = 16: 80 images, as the paper)")
	f.Uint64Var(&c.DataSeed, "data-seed", c.DataSeed, "seed of the built-in textures (the same for every run)")
	f.StringSliceVar(&polar, "polar", []string{"sectors"}, "polar encoder runs (Figure 5): sectors, paper-eq6, both (comma-separated) or none")
	f.StringVar(&polarMode, "polar-mode", string(model.ModeCE), "loss of the polar runs: ce (as the paper's Figure 5) or ce+g")
	f.IntVar(&c.DPI, "dpi", c.DPI, "resolution of the PNG figures")
	f.BoolVar(&svg, "svg", false, "also write every figure as SVG")
	f.BoolVar(&unseen, "unseen", false, "run the unseen-class and open-set experiment instead (into DIR/unseen)")
	f.BoolVar(&openSet, "open-set", false, "run the open-set protocol on Fashion-MNIST instead (6 known / 4 unknown classes, --splits splits; ce+MSP/MLS/class means vs lsconf's heads; into DIR/openset)")
	f.IntVar(&splits, "splits", 5, "with --open-set: number of known/unknown splits")
	f.IntVar(&ensemble, "ensemble", 1, "with --open-set: train every method (but the oracle) this many times, member m with seed k + 1000 (m - 1) on split k (member 1 is the single run), and also report their deep ensemble: each score the mean of the members' scores standardised on the validation images, the class the argmax of the mean softmax")
	f.IntVar(&variant.ExtraDims, "extra-dims", 0, `with --open-set: run "ce+g distance variant", the distance head in a layout of this many latent dimensions beyond the simplex's n_c - 1`)
	f.Float64Var(&variant.DC, "variant-d-c", 0, `with --open-set: run "ce+g distance variant" with its centres this far from the origin (0: 0.85)`)
	f.Float64Var(&variant.RC, "variant-r-c", 0, `with --open-set: run "ce+g distance variant" with this r_c (0: 0.68 x R_d/2)`)
	f.Float64Var(&variant.HeadScale, "variant-head-scale", 0, `with --open-set: run "ce+g distance variant" with this distance-head scale s (0: the default 0.25)`)
	f.Float64Var(&variant.Recon, "variant-recon", 0, `with --open-set: run "ce+g distance variant" with the decoder's reconstruction loss at this weight (see lsconf train --recon; 0: none); its report adds the decoder's novelty scores (reconstruction, class reconstruction and round-trip error)`)
	f.Float64Var(&variant.Cycle, "variant-cycle", 0, `with --open-set and --variant-recon: the variant's latent cycle-consistency weight (see lsconf train --cycle; 0: none)`)
	f.BoolVar(&variant.LGSpan, "variant-lg-span", false, `with --open-set: the variant's L_G and centre pull act on z's projection onto the centres' span only, leaving the extra dimensions (--extra-dims) to the decoder (--variant-recon)`)
	f.BoolVar(&sf.z, "z-scores", false, "with --open-set or --unseen: also score every run post hoc in z: class Gaussians of the known training images' encodings (Mahalanobis to the nearest class mean with a shared covariance, to the predicted class's mean with its own covariance, the same fitted on the validation images, on z_⊥ outside the centres' span when the layout has room) and the run's first score plus the Mahalanobis, each standardised on the validation images (on the textures: the known classes' generalization images); prints each score's calibrated outside and the spread of each coordinate of z")
	f.BoolVar(&sf.oracle, "oracle", false, `with --open-set: also train the detection ceiling "ce oracle", ce on all the classes (the unknown ones too) at the same budget and seed, scored by its softmax mass on the unknown classes, and score every other run by linear probes on its frozen features and on its z fitted with the unknown classes' training images; oracles, not methods`)
	f.Float64Var(&variant.Placeholders, "variant-placeholders", 0, `with --open-set: run "ce+g distance variant" with placeholder negatives at this weight, of the kind --placeholder-kind (0: none)`)
	f.Float64Var(&variant.RotationHead, "variant-rotation-head", 0, `with --open-set: run "ce+g distance variant" (and "ce variant", when named) with the rotation head at this weight (see lsconf train --rotation-head; 0: none); its runs are also scored by "rotation" and by the first score + rotation, each standardised on the validation images`)
	f.Float64Var(&variant.LGFeatureStop, "variant-lg-feature-stop", 0, `with --open-set: run "ce+g distance variant" with this share (0..1) of L_G's and the centre pull's gradient held back from the encoder's convolutions (see lsconf repro --lg-feature-stop; 0: none)`)
	f.IntVar(&variant.RotationHidden, "variant-rotation-hidden", 0, `with --variant-rotation-head: a hidden layer of this many ReLU units in the rotation head (0: linear)`)
	f.BoolVar(&variant.ContrastiveTurned, "variant-contrastive-turned", false, `with --variant-contrastive: the batch turned by 90, 180 or 270 degrees serves as extra negatives of the contrastive term (see lsconf train --contrastive-turned)`)
	f.Float64Var(&variant.Contrastive, "variant-contrastive", 0, `with --open-set: run "ce+g distance variant" (and "ce variant", when named) with the contrastive term at this weight (see lsconf train --contrastive; 0: none); its runs are also scored by k-NN on the contrastive projections and by the first score + that k-NN, standardised on the validation images`)
	f.StringVar(&variant.Outliers, "variant-outliers", "", `with --open-set: run "ce+g distance variant" (and "ce variant", when named) with outlier exposure: every image file under this folder (e.g. /usr/share/icons/oxygen/base, installed by scripts/setup.sh) trained away from every class at --variant-outlier-weight (see lsconf train --outliers)`)
	f.Float64Var(&variant.OutlierWeight, "variant-outlier-weight", train.DefaultOutlierWeight, `with --variant-outliers: the outlier images' weight`)
	f.BoolVar(&quick, "quick", false, "pipeline check: tiny data, narrow model, 2 epochs (minutes)")
	return cmd
}

// commandLine is the invocation: the process's arguments when it is this
// command, else the command rebuilt from the flags that were set (tests).
func commandLine(cmd *cobra.Command) string {
	if slices.Contains(os.Args[1:], cmd.Name()) {
		return "lsconf " + strings.Join(os.Args[1:], " ")
	}
	parts := []string{"lsconf", cmd.Name()}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		parts = append(parts, "--"+f.Name+"="+f.Value.String())
	})
	return strings.Join(parts, " ")
}

// quickConfig is repro.QuickConfig with the flags given explicitly (they
// win over --quick's values).
func quickConfig(cmd *cobra.Command, c repro.Config) repro.Config {
	q := repro.QuickConfig()
	for name, set := range map[string]func(){
		"width": func() { q.Width = c.Width }, "epochs": func() { q.Epochs = c.Epochs },
		"batch": func() { q.BatchSize = c.BatchSize }, "lr": func() { q.LR = c.LR },
		"lr-schedule": func() { q.LRSchedule = c.LRSchedule }, "lg-center": func() { q.LGCenter = c.LGCenter },
		"lg-reduction": func() { q.LGReduction = c.LGReduction }, "head": func() { q.Head = c.Head },
		"aug-per-image": func() { q.AugPerImage = c.AugPerImage }, "per-class": func() { q.PerClass = c.PerClass },
		"gen-per-class": func() { q.GenPerClass = c.GenPerClass }, "data-seed": func() { q.DataSeed = c.DataSeed },
		"dpi": func() { q.DPI = c.DPI }, "rotation-head": func() { q.RotationHead = c.RotationHead },
		"contrastive": func() { q.Contrastive = c.Contrastive }, "contrastive-turned": func() { q.ContrastiveTurned = c.ContrastiveTurned },
		"lg-feature-stop": func() { q.LGFeatureStop = c.LGFeatureStop },
		"outliers":        func() { q.Outliers = c.Outliers }, "outlier-weight": func() { q.OutlierWeight = c.OutlierWeight },
	} {
		if cmd.Flags().Changed(name) {
			set()
		}
	}
	return q
}

// parsePolar reads --polar: encoders, or "none".
func parsePolar(polar []string) (encoders []string, none bool, err error) {
	for _, p := range polar {
		switch p = strings.TrimSpace(p); p {
		case "none":
			none = true
		case "":
		default:
			encoders = append(encoders, p)
		}
	}
	if none && len(encoders) > 0 {
		return nil, false, errors.New("repro: --polar none excludes other encoders")
	}
	return encoders, none, nil
}

// runRepro runs the reproduction and prints where its report is and the
// verdicts.
func runRepro(cmd *cobra.Command, cfg repro.Config) error {
	res, err := repro.Run(cmd.Context(), cfg)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "report: %s/%s (also %s, %s)\n", cfg.Out, report.ReportHTML, report.ReportMD, report.ReportJSON)
	fmt.Fprintf(w, "runs: %d trained, %d resumed, %d already finished; %.0fs\n", res.Trained, res.Resumed, res.Skipped, res.Seconds)
	for i, v := range res.Verdicts {
		fmt.Fprintf(w, "(%d) %s: %s\n", i+1, v.Claim, v.Outcome)
	}
	return nil
}

// runUnseen runs the unseen-class experiment and prints where its report
// is and the verdict.
// runOpenSet runs repro --open-set: its budget (repro.DefaultOpenSetConfig,
// or the quick one) with --width, --epochs, --batch, --lr and --per-class
// when given.
func runOpenSet(cmd *cobra.Command, g *globalOptions, out string, quick bool, splits, ensemble int, variant repro.OpenSetVariant, openSetMethods []string, sf scoreFlags, c repro.Config) error {
	oc := repro.DefaultOpenSetConfig()
	if quick {
		oc = repro.QuickOpenSetConfig()
	}
	oc.FeatureScores, oc.ZScores, oc.Oracle = sf.feature, sf.z, sf.oracle
	fl := cmd.Flags()
	if fl.Changed("splits") || !quick {
		oc.Splits = splits
	}
	for name, set := range map[string]func(){
		"width": func() { oc.Width = c.Width }, "epochs": func() { oc.Epochs = c.Epochs },
		"batch": func() { oc.BatchSize = c.BatchSize }, "lr": func() { oc.LR = c.LR },
		"per-class": func() { oc.PerClass = c.PerClass }, "placeholders": func() { oc.Placeholders = c.Placeholders },
		"placeholder-kind": func() { oc.PlaceholderKind = c.PlaceholderKind }, "methods": func() { oc.Methods = openSetMethods },
	} {
		if fl.Changed(name) {
			set()
		}
	}
	if oc.Splits < 1 {
		return fmt.Errorf("repro --open-set: --splits %d, want at least 1", oc.Splits)
	}
	if ensemble < 1 {
		return fmt.Errorf("repro --open-set: --ensemble %d, want at least 1", ensemble)
	}
	oc.Ensemble = ensemble
	if fl.Changed("extra-dims") || fl.Changed("variant-d-c") || fl.Changed("variant-r-c") || fl.Changed("variant-head-scale") || fl.Changed("variant-recon") || fl.Changed("variant-placeholders") || fl.Changed("variant-cycle") || fl.Changed("variant-lg-span") || fl.Changed("variant-rotation-head") || fl.Changed("variant-rotation-hidden") || fl.Changed("variant-lg-feature-stop") || fl.Changed("variant-outliers") || fl.Changed("variant-contrastive") || fl.Changed("variant-contrastive-turned") {
		if variant.ExtraDims < 0 || variant.DC < 0 || variant.RC < 0 || variant.HeadScale < 0 || variant.Recon < 0 || variant.Placeholders < 0 || variant.Cycle < 0 || variant.RotationHead < 0 || variant.RotationHidden < 0 || variant.Contrastive < 0 {
			return fmt.Errorf("repro --open-set: the variant's --extra-dims, --variant-d-c, --variant-r-c, --variant-head-scale, --variant-recon, --variant-cycle, --variant-placeholders, --variant-rotation-head, --variant-rotation-hidden and --variant-contrastive must not be negative")
		}
		if variant.Cycle > 0 && variant.Recon == 0 {
			return fmt.Errorf("repro --open-set: --variant-cycle needs --variant-recon (the cycle term decodes and encodes again)")
		}
		if variant.Placeholders > 0 {
			variant.PlaceholderKind = c.PlaceholderKind
		}
		if variant.Outliers == "" {
			variant.OutlierWeight = 0
		} else if !(variant.OutlierWeight > 0) {
			return fmt.Errorf("repro --open-set: --variant-outlier-weight %g, want > 0 with --variant-outliers", variant.OutlierWeight)
		}
		oc.Variant = &variant
	}
	oc.Out, oc.Engine, oc.Version, oc.Command = out, g.engine(), version, commandLine(cmd)
	if !g.quiet {
		oc.Progress = cmd.ErrOrStderr()
	}
	res, err := repro.OpenSet(cmd.Context(), oc)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "report: %s/%s/%s (also %s, roc.png)\n", out, repro.OpenSetDir, report.ReportMD, report.ReportJSON)
	for _, v := range repro.OpenSetVerdicts(res) {
		fmt.Fprintln(w, v)
	}
	return nil
}

// scoreFlags are repro's post-hoc scoring flags: --feature-scores,
// --z-scores and --oracle.
type scoreFlags struct{ feature, z, oracle bool }

func runUnseen(cmd *cobra.Command, cfg repro.Config) error {
	res, err := repro.Unseen(cmd.Context(), cfg)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "report: %s/%s/%s (also %s, %s)\n", cfg.Out, repro.UnseenDir, report.ReportHTML, report.ReportMD, report.ReportJSON)
	fmt.Fprintf(w, "runs: %d trained, %d already finished; %.0fs\n", res.Trained, res.Skipped, res.Seconds)
	for _, v := range res.Verdict {
		fmt.Fprintln(w, v)
	}
	return nil
}
