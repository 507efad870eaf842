package repro

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/internal/atomicfile"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/metrics"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/report"
	"github.com/lsconf/lsconf/train"
)

// The open-set experiment (lsconf repro --open-set): the field's protocol
// on an IDX data set (Fashion-MNIST by default). Each split holds out 4 of
// the 10 classes as unknown; every method trains on the same images of
// the 6 known classes with the same seed and budget, and is scored on the
// shipped test split: closed-set accuracy on the known classes, AUROC and
// FPR@95%TPR (unknown test images positive, known test images negative)
// and OSCR for each open-set score.
//
// Decisions:
//   - Splits: split k (1-based) draws its 4 unknown classes with
//     rand.PCG(k, OpenSetSplitSalt) (a permutation of the 10 classes, the
//     first 4); the report lists them. Split k's seed is k, for every method.
//   - Known training images: the first PerClass of each known class of the
//     shipped train split, with their left-right mirrors, no augmentation.
//     The next ValPerClass images of each known class are never trained
//     on: they calibrate the outside threshold (latent.Calibrate at 95%)
//     and give ce's class means.
//   - Test: the first TestPerClass images of every class of the shipped test
//     split (0: all 1,000).
//   - Methods: ce (dense head, L_CE) scored by MSP (1 - max softmax p), MLS
//     (- max logit) and the distance to the nearest class mean of z (the
//     validation images' means); lsconf ce+g with the dense head scored by
//     dist/r_c and MSP; lsconf ce+g with the distance head (the default)
//     scored by its default open-set score (latent.DefaultDistanceScore,
//     the head's MSP from z times d_c/|z|), dist/r_c (its MLS, the radii
//     being equal), MSP from the logits and from z, and CAC's. ce+g is
//     lsconf's recommended loss (L_G mean, centre pull 1, k_g 0.2). Every
//     method is also scored by -|z| (an unknown input near the origin),
//     to show where unknown inputs land.

// OpenSetDir is the folder of the open-set runs and report.
const OpenSetDir = "openset"

// OpenSetSplitSalt is the second word of the PCG that draws each split's
// unknown classes.
const OpenSetSplitSalt = 0x05e7

// OpenSetConfig configures OpenSet.
type OpenSetConfig struct {
	// Out is the reproduction folder; the experiment goes to Out/openset.
	Out string
	// Source is the IDX data set ("fashion-mnist" or "idx:DIR").
	Source string
	// Splits is the number of known/unknown splits (1..Splits); Unknown
	// the number of unknown classes per split.
	Splits, Unknown int
	// PerClass known training images per class, ValPerClass held-out
	// calibration images per known class, TestPerClass test images per
	// class (0: all).
	PerClass, ValPerClass, TestPerClass int
	// Width, Epochs, BatchSize and LR of every run (cosine schedule).
	Width, Epochs, BatchSize int
	LR                       float64
	// Placeholders is the weight of the placeholder negatives of the
	// method that trains them (train.Config.Placeholders); 0 leaves the
	// method out.
	Placeholders float64
	// PlaceholderKind is train.Config.PlaceholderKind of that method.
	PlaceholderKind string
	// Variant, when set, adds the method "ce+g distance variant": the
	// distance head trained in another layout or with another scale.
	Variant *OpenSetVariant
	// Methods, when not empty, restricts the runs to the methods named
	// (openMethods' names); a method left out is not in the report.
	Methods []string
	// FeatureScores adds the post-hoc scores on the encoder's features
	// (featureScoreNames) to every method.
	FeatureScores bool
	// ZScores adds the z-space Gaussian scores (zScoreNames) to every
	// method, with their calibrated outside shares and the per-dimension
	// standard deviation of the known test encodings.
	ZScores bool
	// Oracle adds the method "ce oracle": ce trained on all the classes,
	// the unknown ones included, scored by its softmax mass on the
	// unknown classes (a ceiling, not a method).
	Oracle bool
	// Ensemble, when above 1, trains every method (but the oracle) that
	// many times, each with its own seed, and scores their deep ensemble
	// (ensemble.go).
	Ensemble int
	// Quick marks a pipeline check.
	Quick bool
	// Engine configures the backend; Progress receives status lines.
	Engine   engine.Config
	Progress io.Writer
	// Command and Version are recorded in the report.
	Command, Version string
}

// DefaultOpenSetConfig is the measured budget (docs/openset): 5 splits,
// 500 known images per class (1,000 with mirrors), 3 epochs, width 8.
func DefaultOpenSetConfig() OpenSetConfig {
	return OpenSetConfig{Source: data.FashionMNIST, Splits: 5, Unknown: 4, PerClass: 500, ValPerClass: 200,
		Width: train.DefaultWidth, Epochs: 3, BatchSize: train.DefaultBatch, LR: train.DefaultLR}
}

// QuickOpenSetConfig is the pipeline check (seconds): one split, 20 known
// images per class, 20 test images per class, width 16, one epoch.
func QuickOpenSetConfig() OpenSetConfig {
	c := DefaultOpenSetConfig()
	c.Splits, c.PerClass, c.ValPerClass, c.TestPerClass = 1, 20, 10, 20
	c.Width, c.Epochs, c.BatchSize, c.LR = 16, 1, 16, 3e-3
	c.Placeholders = 1 // the check covers the placeholder method too
	c.Quick = true
	return c
}

// OpenSetVariant is a change to the default method's layout or loss
// (the method "ce+g distance variant"); its zero value is the default.
type OpenSetVariant struct {
	// ExtraDims is the number of latent dimensions beyond the simplex's
	// n_c - 1 (the centres in the first n_c - 1; the extra coordinates of
	// every centre are 0).
	ExtraDims int `json:"extra_dims,omitempty"`
	// DC is the centres' distance from the origin (0: latent.PaperDC).
	DC float64 `json:"d_c,omitempty"`
	// RC is r_c (0: latent.AutoRc of the layout, 0.68 x R_d/2).
	RC float64 `json:"r_c,omitempty"`
	// HeadScale is the distance head's scale s (0: model.DefaultDistScale).
	HeadScale float64 `json:"head_scale,omitempty"`
	// Recon is the weight of the decoder's reconstruction loss
	// (train.Config.Recon; 0: no decoder).
	Recon float64 `json:"recon,omitempty"`
	// Cycle is the weight of the decoder's latent cycle-consistency term
	// (train.Config.Cycle; needs Recon; 0: none).
	Cycle float64 `json:"cycle,omitempty"`
	// LGSpan measures L_G and the centre pull on z's projection onto the
	// centres' span only (train.Config.LGSpan).
	LGSpan bool `json:"lg_span_only,omitempty"`
	// Placeholders and PlaceholderKind are train.Config's (0: none).
	Placeholders    float64 `json:"placeholders,omitempty"`
	PlaceholderKind string  `json:"placeholder_kind,omitempty"`
	// RotationHead is train.Config.RotationHead (0: none); a run with it
	// is also scored by ScoreRotation and its sum with the first score.
	RotationHead float64 `json:"rotation_head,omitempty"`
	// RotationHidden is train.Config.RotationHidden (0: a linear head).
	RotationHidden int `json:"rotation_hidden,omitempty"`
	// Contrastive is train.Config.Contrastive (0: none); a run with it is
	// also scored by the contrastive k-NN and its sum with the first score.
	Contrastive float64 `json:"contrastive,omitempty"`
	// ContrastiveTurned is train.Config.ContrastiveTurned.
	ContrastiveTurned bool `json:"contrastive_turned,omitempty"`
	// LGFeatureStop is train.Config.LGFeatureStop (0: none held back).
	LGFeatureStop float64 `json:"lg_feature_stop,omitempty"`
	// Outliers is a folder of real outlier images trained at
	// OutlierWeight (train.Config.OutlierWeight; outlier exposure).
	Outliers      string  `json:"outliers,omitempty"`
	OutlierWeight float64 `json:"outlier_weight,omitempty"`
}

// dir names the variant's run folder.
func (v OpenSetVariant) dir() string {
	s := "ceg-distance-v"
	if v.ExtraDims > 0 {
		s += fmt.Sprintf("-x%d", v.ExtraDims)
	}
	if v.DC > 0 {
		s += fmt.Sprintf("-dc%g", v.DC)
	}
	if v.RC > 0 {
		s += fmt.Sprintf("-rc%g", v.RC)
	}
	if v.HeadScale > 0 {
		s += fmt.Sprintf("-s%g", v.HeadScale)
	}
	if v.Recon > 0 {
		s += fmt.Sprintf("-recon%g", v.Recon)
	}
	if v.Cycle > 0 {
		s += fmt.Sprintf("-cycle%g", v.Cycle)
	}
	if v.LGSpan {
		s += "-span"
	}
	if v.Placeholders > 0 {
		s += fmt.Sprintf("-ph%g%s", v.Placeholders, v.PlaceholderKind)
	}
	if v.RotationHead > 0 {
		s += fmt.Sprintf("-rot%g", v.RotationHead)
	}
	if v.RotationHidden > 0 {
		s += fmt.Sprintf("-rh%d", v.RotationHidden)
	}
	if v.Contrastive > 0 {
		s += fmt.Sprintf("-con%g", v.Contrastive)
	}
	if v.ContrastiveTurned {
		s += "-turned"
	}
	if v.LGFeatureStop > 0 {
		s += fmt.Sprintf("-fstop%g", v.LGFeatureStop)
	}
	return s + v.outlierDir()
}

// layout is the variant's layout for nc classes: lsconf's simplex (n_d =
// nc - 1) in nc - 1 + ExtraDims dimensions, at DC, of radius RC.
func (v OpenSetVariant) layout(nc int) (*latent.Layout, error) {
	dc := v.DC
	if dc == 0 {
		dc = latent.PaperDC
	}
	rc := v.RC
	if rc == 0 {
		var err error
		if rc, err = latent.AutoRc(nc, nc-1, dc); err != nil {
			return nil, fmt.Errorf("repro open-set: %w", err)
		}
	}
	l, err := latent.Spread(nc, nc-1+v.ExtraDims, dc, rc)
	if err != nil {
		return nil, fmt.Errorf("repro open-set: variant layout: %w", err)
	}
	return l, nil
}

// openMethod is one trained model of the protocol.
type openMethod struct {
	Name   string
	Mode   model.Mode
	Head   model.Head
	Scores []string
	// Placeholders trains placeholder negatives at the config's weight
	// (OpenSetConfig.Placeholders).
	Placeholders bool
	// Variant trains OpenSetConfig.Variant.
	Variant bool
	// Named runs the method only when OpenSetConfig.Methods names it.
	Named bool
}

// Open-set scores (higher = more likely unknown).
const (
	ScoreMSP       = "MSP"
	ScoreMLS       = "MLS"
	ScoreClassMean = "class-mean distance"
	ScoreDistRc    = "dist/r_c"
	ScoreNorm      = "-|z|"
	ScoreDistMSP   = latent.ScoreDistMSP
	ScoreCAC       = latent.ScoreCAC
	ScoreMSPNorm   = latent.ScoreMSPNorm
	// ScoreMirrorMSPNorm is ScoreMSPNorm of the mean of the encodings of
	// the image and its left-right mirror (test-time mirror averaging).
	ScoreMirrorMSPNorm = latent.ScoreMSPNorm + ", mirror-averaged z"
	// ScoreResidual is the norm of z outside the span of the centres
	// (|z_⊥|, the extra dimensions' share of a layout with n_d > n_c - 1;
	// 0 otherwise): a learned residual, as in ViM.
	ScoreResidual = "|z_⊥|"
	// ScoreMSPNormSpan is ScoreMSPNorm of z's projection onto the span of
	// the centres (the extra dimensions left out).
	ScoreMSPNormSpan = latent.ScoreMSPNorm + " of z_∥"
	// ScoreMSPNormResidual is ScoreMSPNormSpan plus |z_⊥| / r_c.
	ScoreMSPNormResidual = ScoreMSPNormSpan + " + |z_⊥|/r_c"
	// ScoreMSPNormPerClass is ScoreMSPNorm over the 95% quantile of the
	// validation images' ScoreMSPNorm among those of the same predicted
	// class (a threshold per class, as per-class radii calibrated).
	ScoreMSPNormPerClass = latent.ScoreMSPNorm + " / class q95"
	// ScoreMSPPerClass is ScoreMSP so normalised (ce's per-class
	// counterpart).
	ScoreMSPPerClass = ScoreMSP + " / class q95"
)

var openMethods = []openMethod{
	{"ce", model.ModeCE, model.HeadDense, []string{ScoreMSP, ScoreMLS, ScoreClassMean, ScoreNorm, ScoreMSPPerClass}, false, false, false},
	{"ce+g dense", model.ModeCEG, model.HeadDense, []string{ScoreDistRc, ScoreMSP, ScoreNorm}, false, false, false},
	{"ce+g distance", model.ModeCEG, model.HeadDistance, []string{ScoreMSPNorm, ScoreDistRc, ScoreMSP, ScoreNorm, ScoreDistMSP, ScoreCAC, ScoreMirrorMSPNorm, ScoreMSPNormPerClass}, false, false, false},
	{"ce+g distance placeholders", model.ModeCEG, model.HeadDistance, []string{ScoreMSPNorm, ScoreDistRc, ScoreMSP, ScoreNorm, ScoreDistMSP, ScoreCAC, ScoreMirrorMSPNorm}, true, false, false},
	{"ce+g distance variant", model.ModeCEG, model.HeadDistance, []string{ScoreMSPNorm, ScoreDistRc, ScoreMSP, ScoreNorm, ScoreResidual, ScoreMSPNormSpan, ScoreMSPNormResidual, ScoreMSPNormPerClass}, false, true, false},
	// ce trained with the placeholder negatives: the control of their
	// gain (only when named).
	{"ce placeholders", model.ModeCE, model.HeadDense, []string{ScoreMSP, ScoreMLS, ScoreClassMean, ScoreNorm}, true, false, true},
	// ce trained with the variant's loss changes (its placeholder
	// negatives and rotation head; only when named): their control.
	{"ce variant", model.ModeCE, model.HeadDense, []string{ScoreMSP, ScoreMLS, ScoreClassMean, ScoreNorm}, false, true, true},
	// ce trained on every class, the unknown ones too (oracle.go): the
	// detection ceiling, only when named or with OpenSetConfig.Oracle.
	{OracleMethod, model.ModeCE, model.HeadDense, []string{ScoreOracleMass}, false, false, true},
}

// OpenSetScore is one score's figures on one split.
type OpenSetScore struct {
	AUROC      float64 `json:"auroc"`
	FPRAt95TPR float64 `json:"fpr_at_95_tpr"`
	// TPRAt5FPR is the share of unknown test images above the threshold
	// that 5% of the known ones exceed: what a threshold keeping 95% of
	// the known images inside marks outside (the outside targets).
	TPRAt5FPR float64 `json:"tpr_at_5_fpr"`
	OSCR      float64 `json:"oscr"`
	// ROC is the TPR at ROCGrid's false-positive rates.
	ROC []float64 `json:"roc"`
	// Outside is what a threshold on this score calibrated on the
	// validation images marks outside; nil when the score has no
	// validation figures.
	Outside *CalOutside `json:"calibrated_outside,omitempty"`
}

// Landing says where a set of encodings lies in the layout: within r_c of
// a centre, near the origin (|z| < d_c/2, half the centres' distance from
// the origin) or elsewhere (between the clusters).
type Landing struct {
	Inside     float64 `json:"inside_rc"`
	NearOrigin float64 `json:"near_origin"`
	Between    float64 `json:"between"`
	MedianNorm float64 `json:"median_norm"`
}

// OpenSetRun is one method on one split.
type OpenSetRun struct {
	Split    int      `json:"split"`
	Method   string   `json:"method"`
	Unknown  []string `json:"unknown_classes"`
	Dir      string   `json:"dir"`
	Seconds  float64  `json:"train_seconds"`
	Accuracy float64  `json:"closed_set_accuracy"`
	// Scores by name (the method's).
	Scores map[string]OpenSetScore `json:"scores"`
	// Calibration is the outside threshold calibrated on the validation
	// images (lsconf methods); KnownOutside and UnknownOutside the shares
	// of known and unknown test images outside under it.
	Calibration    *latent.Calibration `json:"calibration,omitempty"`
	KnownOutside   float64             `json:"known_outside"`
	UnknownOutside float64             `json:"unknown_outside"`
	// Known and Unknown say where the test encodings land (lsconf methods).
	Known          *Landing `json:"known_landing,omitempty"`
	UnknownLanding *Landing `json:"unknown_landing,omitempty"`
	// ScoreOutside maps a post-hoc score (--z-scores) to the shares of
	// unknown and known test images above its threshold calibrated on
	// the validation images (calOutside, as each OpenSetScore.Outside).
	ScoreOutside map[string][2]float64 `json:"score_outside,omitempty"`
	// ZSD is the standard deviation of each coordinate of z over the
	// known test images (--z-scores).
	ZSD []float64 `json:"z_sd,omitempty"`
	// perImage keeps the images' scores for an ensemble (Ensemble > 1).
	perImage *memberScores
}

// OpenSetResult is the experiment's outcome.
type OpenSetResult struct {
	Config  OpenSetConfig `json:"config"`
	Splits  [][]string    `json:"unknown_classes_per_split"`
	ROCGrid []float64     `json:"roc_fpr_grid"`
	Runs    []*OpenSetRun `json:"runs"`
	Seconds float64       `json:"seconds"`
	Machine string        `json:"machine,omitempty"`

	// Ensembles are the deep ensembles (OpenSetConfig.Ensemble).
	Ensembles []*EnsembleRun `json:"ensembles,omitempty"`
}

// rocGrid are the false-positive rates of the ROC figure.
func rocGrid() []float64 {
	g := make([]float64, 51)
	for i := range g {
		g[i] = float64(i) / 50
	}
	return g
}

// unknownClasses draws split k's unknown classes (indices, sorted).
func unknownClasses(k, nc, nu int) []int {
	p := rand.New(rand.NewPCG(uint64(k), OpenSetSplitSalt)).Perm(nc)[:nu]
	slices.Sort(p)
	return p
}

// pickClasses returns the images of g whose class is in keep (renumbered
// in keep's order), skip images per class first, then at most n per class
// (n <= 0: all the rest).
func pickClasses(g *data.GraySet, keep []int, skip, n int) *data.GraySet {
	newLabel := map[int]int{}
	names := make([]string, len(keep))
	for i, c := range keep {
		newLabel[c], names[i] = i, g.ClassNames[c]
	}
	seen := make([]int, len(g.ClassNames))
	var idx []int
	for i, l := range g.Labels {
		if _, ok := newLabel[l]; !ok {
			continue
		}
		seen[l]++
		if seen[l] > skip && (n <= 0 || seen[l] <= skip+n) {
			idx = append(idx, i)
		}
	}
	s := g.Subset(idx)
	s.ClassNames = names
	for i, l := range s.Labels {
		s.Labels[i] = newLabel[l]
	}
	return s
}

// checkValidation refuses a split whose held-out validation set lacks a
// known class: the training images (the first perClass of each class)
// left none for the calibration threshold.
func checkValidation(g *data.GraySet, known []int, perClass, valPerClass int, val *data.GraySet) error {
	have := make([]int, len(known))
	for _, l := range val.Labels {
		have[l]++
	}
	for i, c := range known {
		if have[i] > 0 {
			continue
		}
		n := 0
		for _, l := range g.Labels {
			if l == c {
				n++
			}
		}
		return fmt.Errorf("repro open-set: class %q has %d training images, and training on %d per class leaves none of them for validation (the next %d per class make the calibration threshold); train on %d per class or fewer",
			g.ClassNames[c], n, perClass, valPerClass, max(n-valPerClass, 1))
	}
	return nil
}

// OpenSet runs the open-set experiment into cfg.Out/openset and writes
// report.md, report.json and roc.png there. Finished runs are reused.
func OpenSet(ctx context.Context, cfg OpenSetConfig) (res *OpenSetResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("repro open-set: %v", r)
		}
	}()
	start := time.Now()
	out := filepath.Join(cfg.Out, OpenSetDir)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("repro open-set: %w", err)
	}
	logf := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, format, args...)
		}
	}
	src, err := data.OpenIDXSource(cfg.Source)
	if err != nil {
		return nil, fmt.Errorf("repro open-set: %w", err)
	}
	nc := len(src.Train.ClassNames)
	if cfg.Unknown < 1 || cfg.Unknown > nc-2 {
		return nil, fmt.Errorf("repro open-set: %d unknown of %d classes", cfg.Unknown, nc)
	}
	res = &OpenSetResult{Config: cfg, ROCGrid: rocGrid()}
	res.Config.Progress = nil
	methods, err := cfg.methods()
	if err != nil {
		return nil, err
	}
	total := cfg.Splits * len(methods)
	n := 0
	for k := 1; k <= cfg.Splits; k++ {
		unk := unknownClasses(k, nc, cfg.Unknown)
		var known []int
		var unkNames []string
		for c := range nc {
			if slices.Contains(unk, c) {
				unkNames = append(unkNames, src.Train.ClassNames[c])
			} else {
				known = append(known, c)
			}
		}
		res.Splits = append(res.Splits, unkNames)
		trainSet := pickClasses(src.Train, known, 0, cfg.PerClass)
		valSet := pickClasses(src.Train, known, cfg.PerClass, cfg.ValPerClass)
		if err := checkValidation(src.Train, known, cfg.PerClass, cfg.ValPerClass, valSet); err != nil {
			return nil, err
		}
		knownTest := pickClasses(src.Test, known, 0, cfg.TestPerClass)
		unknownTest := pickClasses(src.Test, unk, 0, cfg.TestPerClass)
		nd := latent.DefaultND(len(known))
		rc, err := latent.AutoRc(len(known), nd, latent.PaperDC)
		if err != nil {
			return nil, fmt.Errorf("repro open-set: %w", err)
		}
		l, err := latent.Spread(len(known), nd, latent.PaperDC, rc)
		if err != nil {
			return nil, fmt.Errorf("repro open-set: layout: %w", err)
		}
		for _, m := range methods {
			n++
			tag := fmt.Sprintf("[%d/%d] split %d (unknown %v), %s", n, total, k, unkNames, m.Name)
			var r *OpenSetRun
			if m.Name == OracleMethod {
				r, err = oracleRun(ctx, cfg, out, k, src, unk, logf, tag)
			} else {
				r, err = openSetRun(ctx, cfg, out, k, 1, m, l, trainSet, valSet, knownTest, unknownTest, logf, tag)
				if err == nil && cfg.Ensemble > 1 {
					var e *EnsembleRun
					if e, err = ensembleOf(ctx, cfg, out, k, m, l, trainSet, valSet, knownTest, unknownTest, r, logf, tag); err == nil {
						res.Ensembles = append(res.Ensembles, e)
					}
				}
				if err == nil && cfg.Oracle {
					err = addProbeScores(ctx, cfg, filepath.Join(out, r.Dir), r, trainSet, pickClasses(src.Train, unk, 0, cfg.PerClass), valSet, knownTest, unknownTest)
				}
			}
			if err != nil {
				return nil, err
			}
			r.Unknown = unkNames
			res.Runs = append(res.Runs, r)
		}
	}
	res.Seconds = time.Since(start).Seconds()
	if err := writeOpenSetReport(out, res); err != nil {
		return nil, err
	}
	logf("repro open-set: wrote %s (%s)\n", filepath.Join(out, report.ReportMD), since(start))
	return res, nil
}

// methods are the methods the experiment runs: Methods (all when empty),
// without the placeholder method when the weight is 0.
func (cfg OpenSetConfig) methods() ([]openMethod, error) {
	var out []openMethod
	for _, m := range openMethods {
		named := slices.Contains(cfg.Methods, m.Name) || cfg.Oracle && m.Name == OracleMethod
		if (len(cfg.Methods) == 0 && !m.Named || named) && !(m.Placeholders && cfg.Placeholders == 0) && !(m.Variant && cfg.Variant == nil) {
			out = append(out, m)
		}
	}
	for _, name := range cfg.Methods {
		if !slices.ContainsFunc(openMethods, func(m openMethod) bool { return m.Name == name }) {
			return nil, fmt.Errorf("repro open-set: unknown method %q", name)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("repro open-set: no method to run")
	}
	return out, nil
}

// splitSpan returns z's projection onto the span of basis and the norm of
// the rest.
func splitSpan(basis [][]float64, z []float64) (par []float64, perp float64) {
	par = make([]float64, len(z))
	for _, b := range basis {
		p := dot(z, b)
		for k := range par {
			par[k] += p * b[k]
		}
	}
	r := 0.0
	for k := range z {
		r += (z[k] - par[k]) * (z[k] - par[k])
	}
	return par, math.Sqrt(r)
}

// openSetRun trains (or reuses) one method on one split, as ensemble
// member member (1: the single run), and scores it.
func openSetRun(ctx context.Context, cfg OpenSetConfig, out string, k, member int, m openMethod, l *latent.Layout,
	trainSet, valSet, knownTest, unknownTest *data.GraySet, logf func(string, ...any), tag string) (*OpenSetRun, error) {
	name := map[string]string{"ce": "ce", "ce+g dense": "ceg-dense", "ce+g distance": "ceg-distance", "ce+g distance placeholders": "ceg-distance-ph", "ce placeholders": "ce-ph"}[m.Name]
	if m.Variant {
		name = cfg.Variant.dir()
		if m.Mode == model.ModeCE {
			name = "ce" + strings.TrimPrefix(name, "ceg-distance")
		}
		var err error
		if l, err = cfg.Variant.layout(l.NC()); err != nil {
			return nil, err
		}
	}
	name = memberDir(name, member)
	dir := filepath.Join(out, RunsDir, fmt.Sprintf("split%d", k), name)
	aug := data.AugmentFor(cfg.Source, data.MirrorH)
	tr, err := data.NewGrayAugmentedSet(trainSet, 0, aug, memberSeed(k, member))
	if err != nil {
		return nil, fmt.Errorf("repro open-set: %w", err)
	}
	sets := train.Sets{Train: tr, Test: knownTest}
	tc := train.Config{Mode: m.Mode, Head: string(m.Head), Width: cfg.Width, Epochs: cfg.Epochs, BatchSize: cfg.BatchSize,
		LR: cfg.LR, LRSchedule: model.ScheduleCosine, Seed: memberSeed(k, member), Layout: l, Engine: cfg.Engine, Progress: cfg.Progress,
		CheckpointEvery: -1,
		Data: train.DataInfo{Train: cfg.Source, Split: "shipped", Mirror: data.MirrorH, TrainLen: tr.Len(), TestLen: knownTest.Len(),
			Description: fmt.Sprintf("%s, %d known classes x %d images (open-set split %d)", cfg.Source, len(trainSet.ClassNames), cfg.PerClass, k)}}
	if m.Mode == model.ModeCEG {
		tc.LGReduction, tc.LGCenter = train.RecommendedLGReduction, train.RecommendedLGCenter
	}
	if m.Placeholders {
		tc.Placeholders, tc.PlaceholderKind = cfg.Placeholders, cfg.PlaceholderKind
	}
	if m.Variant {
		tc.HeadScale, tc.Recon, tc.Cycle, tc.LGSpan = cfg.Variant.HeadScale, cfg.Variant.Recon, cfg.Variant.Cycle, cfg.Variant.LGSpan
		tc.Placeholders, tc.PlaceholderKind = cfg.Variant.Placeholders, cfg.Variant.PlaceholderKind
		tc.RotationHead, tc.RotationHidden = cfg.Variant.RotationHead, cfg.Variant.RotationHidden
		tc.Contrastive, tc.ContrastiveTurned = cfg.Variant.Contrastive, cfg.Variant.ContrastiveTurned
		if m.Mode == model.ModeCEG {
			tc.LGFeatureStop = cfg.Variant.LGFeatureStop
		}
		if sets.Outliers, err = cfg.Variant.outliers(ctx, &tc); err != nil {
			return nil, err
		}
	}
	t0 := time.Now()
	tc.OnState = func(st train.RunState) {
		if st != train.RunDone {
			logf("%s: training %s (%d images)\n", tag, dir, tr.Len())
		}
	}
	if _, _, err := train.Ensure(ctx, tc, sets, dir); err != nil {
		return nil, fmt.Errorf("repro open-set %s: %w", dir, err)
	}
	r, err := scoreOpenSet(ctx, cfg, dir, m, trainSet, valSet, knownTest, unknownTest)
	if err != nil {
		return nil, err
	}
	r.Split, r.Method = k, m.Name
	r.Dir = filepath.ToSlash(filepath.Join(RunsDir, fmt.Sprintf("split%d", k), name))
	if ls, err := train.ReadMetrics(filepath.Join(dir, train.MetricsFile)); err == nil && len(ls) > 0 {
		r.Seconds = ls[len(ls)-1].WallSeconds
	}
	first := m.Scores[0]
	logf("%s: %s; closed-set acc %.1f%%, AUROC %s %.3f, OSCR %.3f\n", tag, "done in "+since(t0), 100*r.Accuracy, first, r.Scores[first].AUROC, r.Scores[first].OSCR)
	return r, nil
}

// openScores computes every score of the method for each image.
func openScores(m openMethod, l *latent.Layout, scale float64, means [][]float64, z, logits []float32) (map[string][]float64, []int) {
	nd, nc := l.ND(), l.NC()
	n := len(z) / nd
	out := map[string][]float64{}
	pred := make([]int, n)
	zf := make([]float64, nd)
	basis := l.SpanBasis()
	for i := range n {
		for k := range nd {
			zf[k] = float64(z[i*nd+k])
		}
		row := logits[i*nc : (i+1)*nc]
		pred[i] = train.HeadClass(row)
		for _, s := range m.Scores {
			var v float64
			switch s {
			case ScoreMSP:
				v = 1 - train.HeadConfidence(row)
			case ScoreMLS:
				v = -float64(slices.Max(row))
			case ScoreDistRc:
				v, _ = l.OutsideScore(zf)
			case ScoreNorm:
				v = -math.Sqrt(dot(zf, zf))
			case ScoreDistMSP:
				v = l.DistanceMSP(zf, scale)
			case ScoreCAC:
				v = l.CACScore(zf)
			case ScoreMSPNorm:
				v = l.MSPNormScore(zf, scale)
			case ScoreResidual:
				_, v = splitSpan(basis, zf)
			case ScoreMSPNormSpan:
				par, _ := splitSpan(basis, zf)
				v = l.MSPNormScore(par, scale)
			case ScoreMSPNormResidual:
				par, perp := splitSpan(basis, zf)
				v = l.MSPNormScore(par, scale) + perp/l.Radius(0)
			case ScoreClassMean:
				v = math.Inf(1)
				for _, c := range means {
					v = min(v, math.Sqrt(dist2f(zf, c)))
				}
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				v = math.MaxFloat64
			}
			out[s] = append(out[s], v)
		}
	}
	return out, pred
}

func dist2f(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return s
}

// scoreOpenSet encodes the validation and test images with the run in dir
// and measures the method.
func scoreOpenSet(ctx context.Context, cfg OpenSetConfig, dir string, m openMethod, trainSet, valSet, knownTest, unknownTest *data.GraySet) (*OpenSetRun, error) {
	run, err := train.OpenRun(dir, cfg.Engine)
	if err != nil {
		return nil, fmt.Errorf("repro open-set: %w", err)
	}
	defer run.Close()
	l := run.Layout()
	nd := l.ND()
	val, err := run.InferSet(ctx, valSet)
	if err != nil {
		return nil, err
	}
	kn, err := run.InferSet(ctx, knownTest)
	if err != nil {
		return nil, err
	}
	un, err := inferUnlabelled(ctx, run, unknownTest)
	if err != nil {
		return nil, err
	}
	// class means of the validation encodings
	means := make([][]float64, l.NC())
	counts := make([]int, l.NC())
	for i, y := range val.Labels {
		if means[y] == nil {
			means[y] = make([]float64, nd)
		}
		for k := range nd {
			means[y][k] += float64(val.Z[i*nd+k])
		}
		counts[y]++
	}
	for c := range means {
		for k := range means[c] {
			means[c][k] /= float64(counts[c])
		}
	}
	scale := run.ModelConfig().OpenSetScale()
	ks, pred := openScores(m, l, scale, means, kn.Z, kn.Logits)
	us, _ := openScores(m, l, scale, means, un.Z, un.Logits)
	if slices.Contains(m.Scores, ScoreMirrorMSPNorm) {
		knM, err := mirrorAveraged(run, knownTest)
		if err != nil {
			return nil, err
		}
		unM, err := mirrorAveraged(run, unknownTest)
		if err != nil {
			return nil, err
		}
		only := openMethod{Scores: []string{ScoreMSPNorm}}
		k2, _ := openScores(only, l, scale, means, knM.Z, knM.Logits)
		u2, _ := openScores(only, l, scale, means, unM.Z, unM.Logits)
		ks[ScoreMirrorMSPNorm], us[ScoreMirrorMSPNorm] = k2[ScoreMSPNorm], u2[ScoreMSPNorm]
	}
	for per, base := range map[string]string{ScoreMSPNormPerClass: ScoreMSPNorm, ScoreMSPPerClass: ScoreMSP} {
		if !slices.Contains(m.Scores, per) {
			continue
		}
		only := openMethod{Scores: []string{base}}
		vs, vpred := openScores(only, l, scale, means, val.Z, val.Logits)
		q := classQuantiles(vs[base], vpred, l.NC(), latent.DefaultCalibrationTPR)
		_, upred := openScores(only, l, scale, means, un.Z, un.Logits)
		ks[per] = perClass(ks[base], pred, q)
		us[per] = perClass(us[base], upred, q)
	}
	// the validation images' scores: not ce's class-mean distance (its
	// means are fitted on them), nor the scores openScores leaves at 0
	vs, _ := openScores(m, l, scale, means, val.Z, val.Logits)
	for _, s := range []string{ScoreClassMean, ScoreMirrorMSPNorm, ScoreMSPNormPerClass, ScoreMSPPerClass} {
		delete(vs, s)
	}
	extra, err := postHocScores(ctx, cfg, run, m, trainSet, valSet, knownTest, unknownTest, vs, ks, us)
	if err != nil {
		return nil, err
	}
	scores := append(slices.Clone(m.Scores), extra...)
	if run.HasRotationHead() {
		if err := addRotationScores(ctx, run, m.Scores[0], valSet, knownTest, unknownTest, vs, ks, us); err != nil {
			return nil, err
		}
		fused, err := addFusions(rotationFusions(lsScoreOf(m), ScoreMSP), vs, ks, us)
		if err != nil {
			return nil, fmt.Errorf("repro open-set: %w", err)
		}
		scores = append(withRotationScores(scores), fused...)
	}
	if run.HasContrastiveHead() {
		if err := addContrastiveScores(ctx, run, m.Scores[0], trainSet, valSet, knownTest, unknownTest, vs, ks, us); err != nil {
			return nil, err
		}
		scores = withContrastiveScores(scores)
	}
	r := &OpenSetRun{Scores: map[string]OpenSetScore{}}
	if cfg.ZScores {
		own := zSumBase(m)
		vo, _ := openScores(openMethod{Scores: []string{own}}, l, scale, means, val.Z, val.Logits)
		zs, err := zScores(ctx, run, l, trainSet, val, kn, un, vo[own], ks[own], us[own])
		if err != nil {
			return nil, fmt.Errorf("repro open-set: %w", err)
		}
		for _, s := range zScoreNames {
			if _, ok := zs.known[s]; ok {
				ks[s], us[s] = zs.known[s], zs.unknown[s]
				scores = append(slices.Clone(scores), s)
			}
		}
		r.ScoreOutside, r.ZSD = zs.outside, zs.sd
	}
	correct := make([]bool, len(pred))
	right := 0
	for i, p := range pred {
		correct[i] = p == int(kn.Labels[i])
		if correct[i] {
			right++
		}
	}
	r.Accuracy = float64(right) / float64(len(pred))
	for _, s := range scores {
		if r.Scores[s], err = openSetScoreOf(us[s], ks[s], correct); err != nil {
			return nil, fmt.Errorf("repro open-set %s: %w", s, err)
		}
		if v, ok := vs[s]; ok {
			sc := r.Scores[s]
			if sc.Outside, err = calOutside(v, ks[s], us[s]); err != nil {
				return nil, fmt.Errorf("repro open-set %s: %w", s, err)
			}
			r.Scores[s] = sc
		}
	}
	if m.Mode == model.ModeCEG {
		c, err := run.Calibrate(ctx, valSet, latent.DefaultCalibrationTPR, "validation")
		if err != nil {
			return nil, err
		}
		r.Calibration = c
		r.KnownOutside = outsideShare(run, kn)
		r.UnknownOutside = outsideShare(run, un)
		r.Known, r.UnknownLanding = landingOf(l, kn.Z), landingOf(l, un.Z)
	}
	if cfg.Ensemble > 1 {
		r.perImage = newMemberScores(scores, vs, ks, us, kn.Logits, kn.Labels, l.NC())
	}
	return r, nil
}

// openSetScoreOf measures a score: unknown test images' us (positives)
// against known ones' ks, correct telling which known images the run
// classifies right (for OSCR).
func openSetScoreOf(us, ks []float64, correct []bool) (OpenSetScore, error) {
	d, err := metrics.Detect(us, ks)
	if err != nil {
		return OpenSetScore{}, err
	}
	o, err := metrics.OSCR(ks, correct, us)
	if err != nil {
		return OpenSetScore{}, err
	}
	return OpenSetScore{AUROC: d.AUROC, FPRAt95TPR: d.FPRAt95TPR, TPRAt5FPR: rocAt(us, ks, []float64{0.05})[0], OSCR: o, ROC: rocAt(us, ks, rocGrid())}, nil
}

// classQuantiles is, for each class, the quantile tpr of the scores of
// the images predicted as that class (the largest score of all when a
// class has none).
func classQuantiles(scores []float64, pred []int, nc int, tpr float64) []float64 {
	by := make([][]float64, nc)
	for i, p := range pred {
		by[p] = append(by[p], scores[i])
	}
	all := slices.Max(scores)
	q := make([]float64, nc)
	for c, xs := range by {
		if len(xs) == 0 {
			q[c] = all
			continue
		}
		slices.Sort(xs)
		q[c] = xs[min(len(xs)-1, max(0, int(math.Ceil(tpr*float64(len(xs)+1)))-1))]
	}
	return q
}

// perClass divides each score by its predicted class's quantile.
func perClass(scores []float64, pred []int, q []float64) []float64 {
	out := make([]float64, len(scores))
	for i, s := range scores {
		out[i] = s / max(q[pred[i]], 1e-12)
	}
	return out
}

// inferUnlabelled encodes every image of g (of classes the run does not
// know; Labels keep g's own numbering).
func inferUnlabelled(ctx context.Context, run *train.Run, g data.Set) (*train.Inference, error) {
	_, inf, err := inferPixels(ctx, run, g)
	return inf, err
}

// inferPixels is inferUnlabelled that also returns the images' pixels.
func inferPixels(ctx context.Context, run *train.Run, g data.Set) ([]float32, *train.Inference, error) {
	pix, labels, err := setPixels(ctx, g)
	if err != nil {
		return nil, nil, fmt.Errorf("repro open-set: %w", err)
	}
	z, logits, err := run.Infer(pix, g.Len())
	if err != nil {
		return nil, nil, fmt.Errorf("repro open-set: %w", err)
	}
	return pix, &train.Inference{Z: z, Logits: logits, Labels: labels}, nil
}

// mirrorAveraged encodes every image of g and its left-right mirror and
// returns the means of the two encodings and of the two logits.
func mirrorAveraged(run *train.Run, g *data.GraySet) (*train.Inference, error) {
	n := g.Len()
	pix := make([]float32, n*data.Pixels)
	mir := make([]float32, n*data.Pixels)
	labels := make([]int32, n)
	for i := range n {
		img := pix[i*data.Pixels : (i+1)*data.Pixels]
		y, err := g.Image(i, img)
		if err != nil {
			return nil, fmt.Errorf("repro open-set: %w", err)
		}
		labels[i] = int32(y)
		for r := range 32 {
			for c := range 32 {
				mir[i*data.Pixels+r*32+c] = img[r*32+31-c]
			}
		}
	}
	z, logits, err := run.Infer(pix, n)
	if err != nil {
		return nil, fmt.Errorf("repro open-set: %w", err)
	}
	zm, lm, err := run.Infer(mir, n)
	if err != nil {
		return nil, fmt.Errorf("repro open-set: %w", err)
	}
	for i := range z {
		z[i] = (z[i] + zm[i]) / 2
	}
	for i := range logits {
		logits[i] = (logits[i] + lm[i]) / 2
	}
	return &train.Inference{Z: z, Logits: logits, Labels: labels}, nil
}

// outsideShare is the share of inf's images the run marks outside.
func outsideShare(run *train.Run, inf *train.Inference) float64 {
	imgs, err := run.Describe(inf.Z, inf.Logits, len(inf.Labels))
	if err != nil || len(imgs) == 0 {
		return math.NaN()
	}
	n := 0
	for _, im := range imgs {
		if im.Outside {
			n++
		}
	}
	return float64(n) / float64(len(imgs))
}

// landingOf says where encodings z lie in layout l (Landing).
func landingOf(l *latent.Layout, z []float32) *Landing {
	nd := l.ND()
	n := len(z) / nd
	dc := math.Sqrt(dot(l.Center(0), l.Center(0)))
	var lr Landing
	norms := make([]float64, n)
	zf := make([]float64, nd)
	for i := range n {
		for k := range nd {
			zf[k] = float64(z[i*nd+k])
		}
		norms[i] = math.Sqrt(dot(zf, zf))
		s, _ := l.OutsideScore(zf)
		switch {
		case s <= 1:
			lr.Inside++
		case norms[i] < dc/2:
			lr.NearOrigin++
		default:
			lr.Between++
		}
	}
	lr.Inside /= float64(n)
	lr.NearOrigin /= float64(n)
	lr.Between /= float64(n)
	lr.MedianNorm = median(norms)
	return &lr
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// rocAt is the share of positives scoring above the threshold at which a
// share f of the negatives score above it, for each f of grid.
func rocAt(pos, neg []float64, grid []float64) []float64 {
	n := slices.Sorted(slices.Values(neg))
	p := slices.Sorted(slices.Values(pos))
	out := make([]float64, len(grid))
	for i, f := range grid {
		// threshold: the (1-f) quantile of the negatives
		k := int(math.Ceil((1-f)*float64(len(n)))) - 1
		if k < 0 {
			out[i] = 1
			continue
		}
		t := n[min(k, len(n)-1)]
		above := len(p) - sort.SearchFloat64s(p, math.Nextafter(t, math.Inf(1)))
		out[i] = float64(above) / float64(len(p))
	}
	return out
}

// openSetKey names a method's score.
func openSetKey(method, score string) string { return method + ": " + score }

// writeOpenSetReport writes report.md, report.json and roc.png.
func writeOpenSetReport(out string, res *OpenSetResult) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("repro open-set: report.json: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(out, report.ReportJSON), append(b, '\n')); err != nil {
		return fmt.Errorf("repro open-set: %w", err)
	}
	var panel plot.Panel
	panel.Title, panel.YLabel, panel.YMin, panel.YMax = "ROC, mean over the splits (unknown test images positive)", "true-positive rate", 0, 1
	for _, m := range res.methods() {
		for _, s := range m.Scores {
			mean := make([]float64, len(res.ROCGrid))
			cnt := 0
			for _, r := range res.Runs {
				if r.Method != m.Name {
					continue
				}
				cnt++
				for i, v := range r.Scores[s].ROC {
					mean[i] += v
				}
			}
			for i := range mean {
				mean[i] /= float64(max(cnt, 1))
			}
			panel.Series = append(panel.Series, plot.Series{Name: openSetKey(m.Name, s), Values: mean})
		}
	}
	fig, err := plot.Curves(plot.CurvesSpec{Title: "Open set", Epochs: res.ROCGrid, XLabel: "false-positive rate (known test images)", Panels: []plot.Panel{panel}})
	if err != nil {
		return fmt.Errorf("repro open-set: ROC figure: %w", err)
	}
	if err := plot.Save(fig, filepath.Join(out, "roc")); err != nil {
		return fmt.Errorf("repro open-set: %w", err)
	}
	return atomicfile.Write(filepath.Join(out, report.ReportMD), []byte(openSetMarkdown(res)))
}
