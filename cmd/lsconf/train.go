package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/train"
)

// loadOptions are the ImageFolder options of the CLI: skipped files are
// listed on stderr unless quiet.
func loadOptions(cmd *cobra.Command, quiet bool) data.LoadOptions {
	if quiet {
		return data.LoadOptions{}
	}
	return data.LoadOptions{Log: cmd.ErrOrStderr()}
}

// loadBase loads the base images of a source (data.LoadSource).
func loadBase(cmd *cobra.Command, spec string, dataSeed uint64, quiet bool) (*data.Base, error) {
	return data.LoadSource(cmd.Context(), spec, dataSeed, loadOptions(cmd, quiet))
}

// runSets rebuilds the sets a run's data description names
// (train.DataInfo.Sets).
func runSets(cmd *cobra.Command, d train.DataInfo, seed uint64, quiet bool) (train.Sets, error) {
	return d.Sets(cmd.Context(), seed, loadOptions(cmd, quiet))
}

func newTrainCmd(g *globalOptions) *cobra.Command {
	var lf layoutFlags
	var cfg train.Config
	var out string
	mode, reduction := model.ModeCEG, train.RecommendedLGReduction
	var d train.DataInfo
	var asJSON, paperLoss bool
	var outliers string
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train a supervised autoencoder with a configured latent space",
		Long: `Train the paper's SAE (Table 1) on labelled 32x32 grayscale images, with the
cross entropy alone (--mode ce) or with the geometric loss that puts each class's
cluster at its configured centre (--mode ce+g, L = L_CE + k_g L_G), optionally
with a polar encoder configuration (--encoder paper-eq6 or sectors).

Loss: by default lsconf's recommended L_G (averaged over the batch, plus a pull
toward each class's centre: --lg-reduction mean --lg-center 1), which measured
as accurate as ce with the clusters at their centres (docs/training.md,
docs/fashion-mnist/report.md); --paper-loss gives the paper's eq 8-10 exactly
(L_G summed over the batch, no pull, k_g 0.2), as lsconf repro uses.

Layout: n_c = the data's classes; n_d 2 (the paper's circle) up to 5 classes,
n_c-1 (a regular simplex) above; r_c = 0.68 x R_d/2 unless --r-c is given
(0.34 for the paper's 5 classes). A layout whose clusters would overlap is
refused with the largest valid --r-c.

Data: --data DIR is an ImageFolder (one sub-folder per class, the class names are
the folder names); --data builtin uses the built-in clothing textures, and then
--gen defaults to the built-in generalization set. The images are split 80/20
into train and test (--split pre: split, then augment the train side; post:
augment, then split) with --aug-per-image augmentations per training image,
each followed by its --mirror copies. --data fashion-mnist (Debian's
dataset-fashion-mnist) and --data idx:DIR (MNIST-style IDX files) keep their
shipped train/test split and have no generalization set unless --gen is given.

Augmentation strengths (folders, builtin): rotation +-15 deg, perspective 0.2
(p 0.5), scale 0.9-1.1, shear +-10 deg, shift +-10%, brightness/contrast/
saturation +-30%, hue +-0.05, erase 30% of the area (p 0.5, one grey level),
mirror borders; --mirror hv. IDX sources: --aug-per-image 0 (the images
themselves) and --mirror h by default; with --aug-per-image >= 1: rotation
+-10 deg, scale 0.9-1.1, shear +-5 deg, shift +-8%, brightness/contrast
+-20%, erase 15% (p 0.3, black), black borders. --seed drives the initial weights, the split,
the augmentations and the batch order; --data-seed the built-in textures.

Everything goes to the run folder --out: run.json (the settings), the checkpoint
(written atomically after every epoch, every --checkpoint-every steps and on
Ctrl-C), metrics.jsonl (one line per epoch, plus one per --log-every steps) and,
at the end, eval.json. --resume continues an interrupted run exactly, from any
working directory (run.json records data folders by absolute path and relative
to the run folder); it refuses other --data or --gen unless --force-data, and
warns when the data's content changed (a hash in run.json). An existing run is
never replaced without --force.

Decoder: --recon W adds the decoder branch (a dense layer from z to 4x4 maps,
then x2 upsampling and a double convolution per level up to 32x32, Table 1's
encoder mirrored) and W x its mean squared reconstruction error to the loss;
--mode mse+g trains the autoencoder with reconstruction + k_g L_G and no
cross entropy (the paper's "MSE" case). lsconf decode draws what the decoder
makes of centres, blends, words and points. --cycle W (with --recon) makes
those round trips close: every step decodes the centres, points near them and
points between two centres, encodes the images again and adds W x the squared
distance to where they started (in r_c units); --cycle-trains encoder (the
default) teaches the encoder to map the decoder's images back. On
Fashion-MNIST --cycle 0.1 brought every decoded centre back within r_c at a
clean accuracy 0.2 points below ce+g (docs/shift/README.md).

Width: --width W divides every convolution's channels by W; 1 is the paper's
model (15-20x slower to train than 8 on a CPU).`,
		Example: `  lsconf train --data builtin --mode ce+g --epochs 10 --out runs/ceg
  lsconf train --data fashion-mnist --mode ce+g --out runs/fmnist
  lsconf train --data builtin --paper-loss --out runs/paper
  lsconf train --data builtin --mode ce --seed 2 --out runs/ce2
  lsconf train --data fashion-mnist --mode ce+g --recon 1 --out runs/fmnist-ae
  lsconf train --data fashion-mnist --recon 1 --cycle 0.1 --out runs/fmnist-cycle
  lsconf train --data builtin --mode mse+g --out runs/ae
  lsconf train --data fashion-mnist --outliers /usr/share/icons/oxygen/base --out runs/fmnist-oe
  lsconf train --data ~/textures --gen ~/market --encoder sectors --width 4 --out runs/polar
  lsconf train --resume --out runs/ceg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("train: --out RUN is required (the run folder)")
			}
			if cfg.Force && cfg.Resume {
				return errors.New("train: --resume and --force exclude each other")
			}
			if paperLoss {
				if cmd.Flags().Changed("lg-reduction") || cmd.Flags().Changed("lg-center") {
					return errors.New("train: --paper-loss sets --lg-reduction sum and --lg-center 0; give either it or those flags")
				}
				if cmd.Flags().Changed("placeholders") && cfg.Placeholders > 0 {
					return errors.New("train: --paper-loss trains no placeholder negatives; give either it or --placeholders")
				}
				if cfg.RotationHead > 0 {
					return errors.New("train: --paper-loss trains no rotation head; give either it or --rotation-head")
				}
				if cfg.Contrastive > 0 {
					return errors.New("train: --paper-loss trains no contrastive term; give either it or --contrastive")
				}
				reduction, cfg.LGCenter, cfg.Placeholders = latent.SumName, 0, 0
				if !cmd.Flags().Changed("head") {
					cfg.Head = string(model.HeadDense)
				}
			}
			if mode != model.ModeCE && cmd.Flags().Changed("k-g") && cfg.KG == 0 {
				return fmt.Errorf("train: --k-g 0 in mode %s would train no L_G; use --mode ce for the cross entropy alone", mode)
			}
			if cfg.Resume {
				rc, err := resumeConfig(cmd, out, cfg, d, mode, reduction)
				if err == nil && cmd.Flags().Changed("outliers") {
					rc.Outliers = &train.OutlierInfo{Dir: outliers}
				}
				if err != nil {
					return err
				}
				sets, err := runSets(cmd, rc.Data, rc.Seed, g.quiet)
				if err != nil {
					return err
				}
				if sets.Outliers, err = loadOutliers(cmd, rc.Outliers); err != nil {
					return err
				}
				return runTraining(cmd, g, rc, sets, out, asJSON)
			}
			d = d.SourceDefaults(cmd.Flags().Changed("aug-per-image"))
			sets, err := runSets(cmd, d, cfg.Seed, g.quiet)
			if err != nil {
				return err
			}
			if outliers == "" {
				cfg.OutlierWeight = 0
			} else if sets.Outliers, err = loadOutliers(cmd, &train.OutlierInfo{Dir: outliers}); err != nil {
				return err
			}
			if cfg.Layout, err = lf.forClasses(cmd, sets.Train.Classes()); err != nil {
				return err
			}
			cfg.Mode = mode
			cfg.LGReduction = reduction
			cfg.Data = d
			return runTraining(cmd, g, cfg, sets, out, asJSON)
		},
	}
	f := cmd.Flags()
	lf.register(cmd)
	f.StringVar(&d.Train, "data", data.BuiltinTrain, `training images: an ImageFolder, "builtin" (the built-in textures), "fashion-mnist" (Debian's dataset-fashion-mnist) or "idx:DIR" (MNIST-style IDX files, split as shipped)`)
	f.StringVar(&d.Gen, "gen", "", `generalization images (evaluated every epoch, never trained on): a folder, "builtin-gen", or "none" (default: builtin-gen with --data builtin)`)
	d.Split, cfg.Encoder, cfg.LRSchedule = data.SplitPre, latent.Plain, model.ScheduleCosine
	f.Var(&d.Split, "split", "train/test split: pre (split, then augment train) or post (augment, then split)")
	f.IntVar(&d.AugPerImage, "aug-per-image", 4, "random augmentations per training image, each followed by its --mirror copies; 0 = the images themselves (with their mirror copies). Default 4 for folders and builtin, 0 for IDX sources")
	f.StringVar(&d.Mirror, "mirror", "", "mirror copies of every training image: none, h (left-right) or hv (left-right and up-down, the paper's). Default hv for folders and builtin, h for IDX sources")
	f.Uint64Var(&d.DataSeed, "data-seed", 1, "seed of the built-in textures")
	f.Var(&mode, "mode", "loss: ce (L_CE), ce+g (L_CE + k_g L_G) or mse+g (the autoencoder without the classifier's loss: --recon x reconstruction MSE + k_g L_G; classes from the nearest cluster)")
	f.Float64Var(&cfg.Recon, "recon", 0, "weight W of the decoder's reconstruction MSE: W > 0 adds the decoder branch (Table 1's encoder mirrored) and W x MSE to the loss; 1 with --mode mse+g when not given")
	f.Float64Var(&cfg.Cycle, "cycle", 0, "weight W of the latent cycle-consistency term (needs --recon): every step the centres, points within r_c of them and points between two centres are decoded and encoded again, and W x mean |E(D(z)) - z|^2 / r_c^2 is added to the loss")
	f.StringVar((*string)(&cfg.CycleTrains), "cycle-trains", "", "the side the cycle term trains: encoder (the default; learns to map the decoder's images back), decoder (learns to draw images the encoder maps back) or both")
	f.Var(&cfg.Encoder, "encoder", "encoder configuration: plain, paper-eq6 or sectors")
	f.IntVar(&cfg.Width, "width", train.DefaultWidth, "width divisor of the convolutions (1 = the paper's model)")
	f.IntVar(&cfg.Epochs, "epochs", train.DefaultEpochs, "passes over the training set")
	f.IntVar(&cfg.BatchSize, "batch", train.DefaultBatch, "batch size")
	f.Float64Var(&cfg.LR, "lr", train.DefaultLR, "Adam learning rate")
	f.Float64Var(&cfg.KG, "k-g", latent.PaperKG, "weight k_g of L_G in mode ce+g (> 0; 0 is refused: use --mode ce)")
	f.Var(&cfg.LRSchedule, "lr-schedule", "learning-rate schedule: cosine (decays to 0 over the run; the paper names none) or constant")
	f.Float64Var(&cfg.LGCenter, "lg-center", train.RecommendedLGCenter, "centre pull c (not in the paper): adds k_g*c*(d/r_c)^2 per sample, keeping each class centred inside its cluster; 0 = the paper's L_G")
	f.Var(&reduction, "lg-reduction", "L_G over the batch: mean (lsconf's recommendation) or sum (eq 8, the paper's)")
	f.BoolVar(&paperLoss, "paper-loss", false, "the paper's loss exactly: L_G summed over the batch (eq 8), no centre pull (= --lg-reduction sum --lg-center 0); the default is lsconf's recommended mean + centre pull")
	f.StringVar(&cfg.Head, "head", train.RecommendedHead, "classifier head: distance (logits -s*(d_k/r_k)^2 from the distances of z to the configured centres) or dense (the paper's n_d->32->64->n_c layers; --paper-loss picks it unless --head is given)")
	f.Float64Var(&cfg.HeadScale, "head-scale", 0, "scale s of the distance head's logits (0 = 0.25, the measured best)")
	f.BoolVar(&cfg.HeadLearnScale, "head-learn-scale", false, "learn a factor on the distance head's scale")
	f.StringVar(&cfg.PlaceholderKind, "placeholder-kind", "", "how the placeholder negatives are made: mixup (two images of different classes blended, the default), cutmix (pasted at a cut) or rotate (one image turned by 90 or 180 degrees); with --placeholders")
	f.Float64Var(&cfg.Placeholders, "placeholders", train.RecommendedPlaceholders, "weight W of the placeholder negatives (not in the paper): mixtures of two training images of different classes, trained toward the origin of the latent space with a uniform softmax, so unknown inputs have a region of their own; 0 = none (the default and the paper's: mixtures lowered the open-set AUROC where measured; --placeholder-kind rotate raised it on Fashion-MNIST at 0.3 but not FPR@95%TPR, docs/openset)")
	f.Float64Var(&cfg.RotationHead, "rotation-head", 0, "weight W of a self-supervised rotation head (not in the paper): every batch is also encoded turned by 0/90/180/270 degrees and a linear head on the encoder's features learns which turn, at weight W (twice the images per step); its loss at inference is an open-set score (lsconf repro --open-set reports it); 0 = none (the default and the paper's)")
	f.Float64Var(&cfg.LGFeatureStop, "lg-feature-stop", 0, "share (0..1) of L_G's and the centre pull's gradient held back from the encoder's convolutions (not in the paper): the dense map to z still gets all of it, so the two terms place z while the features are shaped by the class loss (and the rotation head); 0 = none held back (the default and the paper's)")
	f.IntVar(&cfg.RotationHidden, "rotation-hidden", 0, "with --rotation-head: a hidden layer of this many ReLU units in the rotation head (0 = linear, the default)")
	f.Float64Var(&cfg.Contrastive, "contrastive", 0, "weight W of a contrastive instance-discrimination term (not in the paper; SimCLR's NT-Xent): every batch is also encoded as a second view (shifted up to 3 pixels, mirrored for every other image, contrast and brightness changed) and a projection head on the encoder's features learns to match each image with its own view (twice the images per step); k-NN on its projections is an open-set score (lsconf repro --open-set reports it); 0 = none (the default and the paper's)")
	f.Float64Var(&cfg.ContrastiveTemp, "contrastive-temp", 0, "with --contrastive: NT-Xent's temperature (0 = 0.5)")
	f.BoolVar(&cfg.ContrastiveTurned, "contrastive-turned", false, "with --contrastive: the batch turned by 90, 180 or 270 degrees is also encoded and serves as extra negatives (CSI's shifted negatives)")
	f.StringVar(&outliers, "outliers", "", "outlier exposure (not in the paper): a folder of real images of other things (every image file under it, at any depth, as grayscale 32x32, duplicates dropped; e.g. /usr/share/icons/oxygen/base, 6,264 distinct icons, which scripts/setup.sh installs); every step adds half a batch of them, mirrored at random, trained toward the origin of the latent space with a uniform softmax (mode ce: the uniform softmax alone) at --outlier-weight; run.json records the folder and the count")
	f.Float64Var(&cfg.OutlierWeight, "outlier-weight", train.DefaultOutlierWeight, "with --outliers: the outlier images' weight")
	f.Uint64Var(&cfg.Seed, "seed", 1, "seed of the weights, split, augmentations and batch order")
	f.IntVar(&cfg.LogEvery, "log-every", 0, "also log the train figures every N steps (0 = per epoch only)")
	f.IntVar(&cfg.CheckpointEvery, "checkpoint-every", train.DefaultCheckpointEvery, "steps between mid-epoch checkpoints (-1 = epoch ends only)")
	f.StringVar(&out, "out", "", "run folder (created)")
	f.BoolVar(&cfg.Resume, "resume", false, "continue the run in --out from its checkpoint")
	f.BoolVar(&cfg.Force, "force", false, "replace the run in --out")
	f.BoolVar(&cfg.ForceData, "force-data", false, "with --resume: continue on the --data/--gen given even though they are not the run's")
	jsonFlag(cmd, &asJSON, "the result")
	return cmd
}

// runTraining trains and prints the result.
// resumeConfig is the configuration of the run in out, with the flags
// given explicitly (train checks that they agree with the run).
func resumeConfig(cmd *cobra.Command, out string, cfg train.Config, d train.DataInfo, mode model.Mode, reduction latent.ReductionName) (train.Config, error) {
	info, err := train.ReadRunInfo(out)
	if err != nil {
		return train.Config{}, err
	}
	rc := info.TrainConfig()
	rc.Data = info.Data.Located(out)
	if cmd.Flags().Changed("mode") {
		rc.Mode = mode
	}
	for name, set := range map[string]func(){
		"encoder": func() { rc.Encoder = cfg.Encoder }, "width": func() { rc.Width = cfg.Width },
		"epochs": func() { rc.Epochs = cfg.Epochs }, "batch": func() { rc.BatchSize = cfg.BatchSize },
		"lr": func() { rc.LR = cfg.LR }, "k-g": func() { rc.KG = cfg.KG }, "recon": func() { rc.Recon = cfg.Recon },
		"cycle": func() { rc.Cycle = cfg.Cycle }, "cycle-trains": func() { rc.CycleTrains = cfg.CycleTrains },
		"lr-schedule": func() { rc.LRSchedule = cfg.LRSchedule }, "lg-center": func() { rc.LGCenter = cfg.LGCenter },
		"lg-reduction": func() { rc.LGReduction = reduction }, "seed": func() { rc.Seed = cfg.Seed },
		"head": func() { rc.Head = cfg.Head }, "head-scale": func() { rc.HeadScale = cfg.HeadScale },
		"head-learn-scale": func() { rc.HeadLearnScale = cfg.HeadLearnScale },
		"placeholders":     func() { rc.Placeholders = cfg.Placeholders }, "placeholder-kind": func() { rc.PlaceholderKind = cfg.PlaceholderKind },
		"rotation-head": func() { rc.RotationHead = cfg.RotationHead }, "rotation-hidden": func() { rc.RotationHidden = cfg.RotationHidden },
		"contrastive": func() { rc.Contrastive = cfg.Contrastive }, "contrastive-temp": func() { rc.ContrastiveTemp = cfg.ContrastiveTemp },
		"contrastive-turned": func() { rc.ContrastiveTurned = cfg.ContrastiveTurned },
		"lg-feature-stop":    func() { rc.LGFeatureStop = cfg.LGFeatureStop },
		"outlier-weight":     func() { rc.OutlierWeight = cfg.OutlierWeight },
		"paper-loss":         func() { rc.LGReduction, rc.LGCenter, rc.Placeholders = reduction, cfg.LGCenter, 0 },
		"log-every":          func() { rc.LogEvery = cfg.LogEvery }, "checkpoint-every": func() { rc.CheckpointEvery = cfg.CheckpointEvery },
		"data": func() { rc.Data.Train = d.Train }, "gen": func() { rc.Data.Gen = d.Gen },
	} {
		if cmd.Flags().Changed(name) {
			set()
		}
	}
	rc.Resume, rc.ForceData = true, cfg.ForceData
	return rc, nil
}

func runTraining(cmd *cobra.Command, g *globalOptions, cfg train.Config, sets train.Sets, out string, asJSON bool) error {
	cfg.Engine = g.engine()
	if !g.quiet {
		cfg.Progress = cmd.ErrOrStderr()
		fmt.Fprintf(cmd.ErrOrStderr(), "training %s: %d train, %d test, %d generalization images, classes %q, mode %s, width %d\n",
			out, sets.Train.Len(), lenOf(sets.Test), lenOf(sets.Gen), sets.Train.Classes(), cfg.Mode, cfg.Width)
		if l := cfg.Layout; l != nil {
			loss := "L_CE only"
			if cfg.Mode.TrainsLG() {
				loss = fmt.Sprintf("L_G %s, centre pull %g, k_g %g", cfg.LGReduction, cfg.LGCenter, cfg.KG)
			}
			if cfg.Placeholders > 0 {
				loss += fmt.Sprintf(", placeholder negatives (%s) at weight %g", model.PlaceholderKind(cfg.PlaceholderKind).OrMixup(), cfg.Placeholders)
			}
			if cfg.RotationHead > 0 {
				loss += fmt.Sprintf(", rotation head at weight %g", cfg.RotationHead)
			}
			if cfg.Contrastive > 0 {
				loss += fmt.Sprintf(", contrastive term at weight %g", cfg.Contrastive)
			}
			if cfg.LGFeatureStop > 0 {
				loss += fmt.Sprintf(", %g of L_G's gradient held back from the features", cfg.LGFeatureStop)
			}
			if o := sets.Outliers; o != nil {
				loss += fmt.Sprintf(", %d outlier images from %s at weight %g", o.Len(), o.Dir, cfg.OutlierWeight)
			}
			if r := cfg.WithDefaults().Recon; r > 0 {
				loss += fmt.Sprintf(", decoder with reconstruction weight %g", r)
			}
			if cfg.Cycle > 0 {
				loss += fmt.Sprintf(", cycle weight %g", cfg.Cycle)
				loss += fmt.Sprintf(" (trains the %s)", cfg.WithDefaults().CycleTrains)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "layout %s: n_c %d, n_d %d, R_d %.4g, r_c %.4g; %s; %s head\n", l.Kind(), l.NC(), l.ND(), l.Rd(), l.Radius(0), loss, cfg.WithDefaults().Head)
		}
	}
	res, err := train.Train(cmd.Context(), cfg, sets, out)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(cmd.OutOrStdout(), res)
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "run %s (id %s): %d epochs, %d steps, %.0fs\n", res.RunDir, res.ID, res.Position.Epoch, res.Position.Step, res.WallSeconds)
	for _, e := range []*train.EvalResult{res.Test, res.Gen} {
		if e == nil {
			continue
		}
		c := e.Conformance
		fmt.Fprintf(w, "  %-4s %4d images: accuracy %.1f%% (nearest cluster %.1f%%), within r_c %.1f%%, outside %.1f%%, median |z| %.3g, max |z| %.3g, worst class median %.3g from its centre\n",
			e.Name, e.N, 100*e.Accuracy, 100*e.NearestAccuracy, 100*c.WithinRc, 100*c.Outside, c.MedianNorm, c.MaxNorm, c.MaxMedianDistance)
	}
	if !g.quiet && res.Finished {
		fmt.Fprintf(cmd.ErrOrStderr(), "next: lsconf plot --run %s --out %s   (LS figure, curves, confusion matrices)\n", out, filepath.Join(out, "figures"))
	}
	return nil
}

func lenOf(s data.Set) int {
	if s == nil {
		return 0
	}
	return s.Len()
}
