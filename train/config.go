package train

import (
	"fmt"
	"io"
	"math"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
)

// Defaults of a training run.
const (
	// DefaultLR is Adam's learning rate for small CPU runs (thousands of
	// images, tens of epochs). The paper's 1e-6 was for 1.2M images x 50
	// epochs (~1M steps); at 1e-6 a run of a few hundred steps would not
	// move. 1e-3 is Adam's usual default and trains the texture task in a
	// few epochs (docs/training.md).
	DefaultLR = 1e-3
	// DefaultBatch is the batch size.
	DefaultBatch = 64
	// DefaultEpochs is the number of passes over the training set.
	DefaultEpochs = 10
	// DefaultWidth is the width divisor for CPU runs; 1 is the paper's model.
	DefaultWidth = 8
	// DefaultCheckpointEvery is how many steps pass between mid-epoch
	// checkpoints (one is also written at the end of every epoch and on
	// interruption).
	DefaultCheckpointEvery = 500
)

// Config is everything that defines a training run. The fields with JSON
// names are recorded in run.json; the others only steer this process.
type Config struct {
	// Mode is model.ModeCE, model.ModeCEG or model.ModeMSEG.
	Mode model.Mode `json:"mode"`
	// Encoder is the encoder configuration: "plain", "paper-eq6" or
	// "sectors" (latent.ParseSectors with n = n_c).
	Encoder latent.EncoderName `json:"encoder"`
	// Width is the width divisor (1 = the paper's model).
	Width int `json:"width"`
	// Epochs, BatchSize and LR set the optimisation (Adam).
	Epochs    int     `json:"epochs"`
	BatchSize int     `json:"batch_size"`
	LR        float64 `json:"lr"`
	// LRSchedule is "constant" (or empty: the paper's fixed rate) or
	// "cosine" (decay to 0 over the run).
	LRSchedule model.Schedule `json:"lr_schedule,omitempty"`
	// KG is k_g, the weight of L_G in mode ce+g.
	KG float64 `json:"k_g"`
	// LGCenter, when > 0, adds k_g * LGCenter * sum_j (d_j / r_c)^2 to the
	// loss in mode ce+g: a pull toward the configured centres inside the
	// clusters, where f_d is 0 (lsconf's extension, model.CenterLoss; 0 is
	// the paper's objective).
	LGCenter float64 `json:"lg_center,omitempty"`
	// LGSpan measures L_G and the centre pull on z's projection onto the
	// centres' span only (model.LossConfig.SpanOnly): a layout's extra
	// dimensions are left to the decoder.
	LGSpan bool `json:"lg_span_only,omitempty"`
	// Recon, when > 0, adds the decoder branch and Recon times its mean
	// squared reconstruction error to the loss (Le et al.'s supervised
	// autoencoder regulariser). Mode mse+g needs it (1 when not given).
	Recon float64 `json:"recon,omitempty"`
	// Placeholders, when > 0, trains placeholder negatives (mixtures of
	// two training images of different classes, model.PlaceholderImages)
	// toward the origin of the latent space with a uniform softmax, at
	// this weight (model.PlaceholderLoss): unknown inputs get a region of
	// their own. 0, and runs recorded before it existed, are without.
	Placeholders float64 `json:"placeholders,omitempty"`
	// PlaceholderKind is how two images make a placeholder negative:
	// "mixup" (blended; "" reads as it) or "cutmix" (pasted at a cut).
	PlaceholderKind string `json:"placeholder_kind,omitempty"`
	// OutlierWeight, when > 0, trains the real outlier images of
	// Sets.Outliers (outlier exposure, model.OutlierLoss) at this weight:
	// every step adds half a batch of them. 0, and runs recorded before it
	// existed, are without.
	OutlierWeight float64 `json:"outlier_weight,omitempty"`
	// Outliers records the outlier set the run trained on (its folder and
	// count; filled in from Sets.Outliers).
	Outliers *OutlierInfo `json:"outliers,omitempty"`
	// RotationHead, when > 0, adds the rotation head (model.RotationLogits)
	// and trains it at this weight to tell by how many quarter turns each
	// image of the batch was turned (model.RotatedImages, a second
	// encoding of every batch; the class losses see only the upright
	// images). Its loss at inference is an open-set score
	// (model.Net.RotationScores). 0, and runs recorded before it existed,
	// are without.
	RotationHead float64 `json:"rotation_head,omitempty"`
	// LGFeatureStop is the share of L_G's and the centre pull's gradient
	// kept from the encoder's convolutions (model.LossConfig.LGFeatureStop;
	// the dense map to z gets all of it). 0, and runs recorded before it
	// existed, keep none back (the paper's).
	LGFeatureStop float64 `json:"lg_feature_stop,omitempty"`
	// RotationHidden, when > 0, gives the rotation head a hidden layer of
	// this many ReLU units (model.Config.RotationHidden; 0: linear).
	RotationHidden int `json:"rotation_hidden,omitempty"`
	// Contrastive, when > 0, adds the contrastive projection
	// (model.ContrastiveProjection) and trains it at this weight with
	// NT-Xent on each image and its second view (model.ContrastiveView, a
	// second encoding of every batch; the class losses see only the batch
	// as given), at temperature ContrastiveTemp (0:
	// model.DefaultContrastiveTemp). 0, and runs recorded before it
	// existed, are without.
	Contrastive     float64 `json:"contrastive,omitempty"`
	ContrastiveTemp float64 `json:"contrastive_temp,omitempty"`
	// ContrastiveTurned adds the batch turned by 90, 180 or 270 degrees
	// (model.TurnedNegatives) as extra negatives of the contrastive term
	// (CSI's shifted negatives; a third encoding of every batch).
	ContrastiveTurned bool `json:"contrastive_turned,omitempty"`
	// Cycle, when > 0, adds Cycle times the latent cycle-consistency error
	// (model.CycleLoss: centres, points near them and on the segments
	// between them, decoded and encoded again) to the loss; it needs
	// Recon > 0. CycleTrains is the side it trains: encoder (the default,
	// the measured best), decoder or both.
	Cycle       float64           `json:"cycle,omitempty"`
	CycleTrains model.CycleTrains `json:"cycle_trains,omitempty"`
	// Head is the classifier head: "dense" (the paper's three layers, and
	// the zero Config's) or "distance" (logits from the distances of z to
	// the configured centres, model.HeadDistance). run.json always records
	// it; a run.json without it was trained with the dense head.
	Head string `json:"head"`
	// HeadScale is the distance head's scale s (0: model.DefaultDistScale,
	// which WithDefaults records)
	// and HeadLearnScale learns a factor on it; distance head only.
	HeadScale      float64 `json:"head_scale,omitempty"`
	HeadLearnScale bool    `json:"head_learn_scale,omitempty"`
	// LGReduction is "sum" (eq 8, the default) or "mean".
	LGReduction latent.ReductionName `json:"lg_reduction"`
	// Seed drives the initial weights and the batch order (the data's own
	// seed drives split and augmentation; record it in Data).
	Seed uint64 `json:"seed"`
	// BNMomentum and BNEpsilon of the batch norms (0 = model defaults).
	BNMomentum float64 `json:"bn_momentum"`
	BNEpsilon  float64 `json:"bn_epsilon"`
	// Layout is the configured latent space; n_c must equal the number of
	// training classes.
	Layout *latent.Layout `json:"-"`
	// Data describes where the images came from, for run.json.
	Data DataInfo `json:"-"`

	// LogEvery, when > 0, adds a "step" line to metrics.jsonl every
	// LogEvery steps (figures averaged over those steps). Recorded, so
	// that a resumed run writes the same lines.
	LogEvery int `json:"log_every,omitempty"`
	// CheckpointEvery is the number of steps between mid-epoch
	// checkpoints; 0 means DefaultCheckpointEvery, < 0 only at epoch ends
	// and on interruption. Recorded.
	CheckpointEvery int `json:"checkpoint_every,omitempty"`
	// Resume continues the run in the run directory from its checkpoint.
	// The run's own run.json defines the run; the Config must agree with
	// it on every recorded field.
	Resume bool `json:"-"`
	// ForceData lets Resume continue on data other than the run's own
	// (Data names other sources); without it that is an error.
	ForceData bool `json:"-"`
	// Force replaces an existing run directory's run files.
	Force bool `json:"-"`
	// Engine configures the compute backend.
	Engine engine.Config `json:"-"`
	// Progress, when not nil, receives progress bars and status lines.
	Progress io.Writer `json:"-"`
	// AfterStep, when not nil, is called after every train step with the
	// global step count (for UIs and tests).
	AfterStep func(step int64) `json:"-"`
	// OnState, when not nil, is told by Ensure what the run folder holds
	// before it trains, resumes or skips the run (for progress lines).
	OnState func(RunState) `json:"-"`
}

// DataInfo describes the data of a run, for people, for reports, and for
// rebuilding the run's sets (lsconf train --resume and lsconf eval do).
type DataInfo struct {
	// Train and Gen name the image sources: a folder, or "builtin" /
	// "builtin-gen" for the built-in textures; Gen is empty for none.
	// run.json records a folder by its absolute path and by its path
	// relative to the run folder (TrainFromRun, GenFromRun), so that the
	// run resolves its data from any working directory (Located).
	Train        string `json:"train,omitempty"`
	Gen          string `json:"gen,omitempty"`
	TrainFromRun string `json:"train_from_run,omitempty"`
	GenFromRun   string `json:"gen_from_run,omitempty"`
	// Hash is DataHash of the run's sets when it started; resume warns
	// when the data's content no longer matches it.
	Hash string `json:"hash,omitempty"`
	// Split ("pre" or "post") and AugPerImage made the train and test sets
	// from Train's images, with the run's seed.
	Split       data.SplitMode `json:"split,omitempty"`
	AugPerImage int            `json:"aug_per_image,omitempty"`
	// Mirror is the mirror mode of the training images ("none", "h",
	// "hv"); empty in runs recorded before it existed, which used "hv".
	Mirror string `json:"mirror,omitempty"`
	// DataSeed generated the built-in textures.
	DataSeed    uint64 `json:"data_seed,omitempty"`
	TrainLen    int    `json:"train_len"`
	TestLen     int    `json:"test_len"`
	GenLen      int    `json:"gen_len"`
	Description string `json:"description,omitempty"`
}

// WithDefaults fills zero fields with the defaults.
func (c Config) WithDefaults() Config {
	if c.Mode == "" {
		c.Mode = model.ModeCEG
	}
	if c.Encoder == "" {
		c.Encoder = "plain"
	}
	if c.Head == "" {
		c.Head = string(model.HeadDense)
	}
	if c.Head == string(model.HeadDistance) && c.HeadScale == 0 {
		c.HeadScale = model.DefaultDistScale // recorded, so that a later default does not change the run
	}
	if c.Width == 0 {
		c.Width = DefaultWidth
	}
	if c.Epochs == 0 {
		c.Epochs = DefaultEpochs
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatch
	}
	if c.LR == 0 {
		c.LR = DefaultLR
	}
	if c.KG == 0 {
		c.KG = latent.PaperKG
	}
	if c.Mode == model.ModeMSEG && c.Recon == 0 {
		c.Recon = 1
	}
	if c.Cycle > 0 && c.CycleTrains == "" {
		c.CycleTrains = model.CycleEncoder // recorded, so that a later default does not change the run
	}
	if c.LRSchedule == model.ScheduleConstant {
		c.LRSchedule = "" // recorded as absent, as in runs made before schedules existed
	}
	if c.LGReduction == "" {
		c.LGReduction = latent.SumName
	}
	if c.BNMomentum == 0 {
		c.BNMomentum = model.DefaultBNMomentum
	}
	if c.BNEpsilon == 0 {
		c.BNEpsilon = model.DefaultBNEpsilon
	}
	if c.CheckpointEvery == 0 {
		c.CheckpointEvery = DefaultCheckpointEvery
	}
	return c
}

// Validate reports what is wrong with the configuration.
func (c Config) Validate() error {
	if _, err := model.ParseMode(string(c.Mode)); err != nil {
		return fmt.Errorf("train config: %w", err)
	}
	if c.Layout == nil {
		return fmt.Errorf("train config: no latent layout")
	}
	if _, err := c.sectors(); err != nil {
		return fmt.Errorf("train config: %w", err)
	}
	if _, err := latent.ParseReduction(string(c.LGReduction)); err != nil {
		return fmt.Errorf("train config: %w", err)
	}
	if _, err := model.ParseHead(c.Head); err != nil {
		return fmt.Errorf("train config: %w", err)
	}
	if _, err := model.ParsePlaceholderKind(c.PlaceholderKind); err != nil {
		return fmt.Errorf("train config: %w", err)
	}
	switch {
	case c.Epochs < 1:
		return fmt.Errorf("train config: epochs = %d, need at least 1", c.Epochs)
	case c.BatchSize < 2:
		return fmt.Errorf("train config: batch size %d, need at least 2 (batch norm uses batch statistics)", c.BatchSize)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("train config: learning rate %v must be a positive number", c.LR)
	case c.KG < 0 || math.IsNaN(c.KG) || math.IsInf(c.KG, 0):
		return fmt.Errorf("train config: k_g = %v must be a non-negative number", c.KG)
	case c.LGCenter < 0 || math.IsNaN(c.LGCenter) || math.IsInf(c.LGCenter, 0):
		return fmt.Errorf("train config: centre pull %v must be a non-negative number", c.LGCenter)
	case c.Recon < 0 || math.IsNaN(c.Recon) || math.IsInf(c.Recon, 0):
		return fmt.Errorf("train config: reconstruction weight %v must be a non-negative number", c.Recon)
	case c.Placeholders < 0 || math.IsNaN(c.Placeholders) || math.IsInf(c.Placeholders, 0):
		return fmt.Errorf("train config: placeholder weight %v must be a non-negative number", c.Placeholders)
	case c.PlaceholderKind != "" && c.Placeholders == 0:
		return fmt.Errorf("train config: placeholder kind %q without a placeholder weight", c.PlaceholderKind)
	case c.Contrastive < 0 || math.IsNaN(c.Contrastive) || math.IsInf(c.Contrastive, 0):
		return fmt.Errorf("train config: contrastive weight %v must be a non-negative number", c.Contrastive)
	case c.ContrastiveTemp < 0 || math.IsNaN(c.ContrastiveTemp) || math.IsInf(c.ContrastiveTemp, 0) || (c.ContrastiveTemp > 0 && c.Contrastive == 0):
		return fmt.Errorf("train config: contrastive temperature %v must be a positive number, given with a contrastive weight", c.ContrastiveTemp)
	case c.ContrastiveTurned && c.Contrastive == 0:
		return fmt.Errorf("train config: turned negatives without a contrastive weight")
	case !(c.LGFeatureStop >= 0 && c.LGFeatureStop <= 1):
		return fmt.Errorf("train config: L_G feature stop %v is not in [0, 1]", c.LGFeatureStop)
	case c.RotationHead < 0 || math.IsNaN(c.RotationHead) || math.IsInf(c.RotationHead, 0):
		return fmt.Errorf("train config: rotation-head weight %v must be a non-negative number", c.RotationHead)
	case c.Placeholders > 0 && c.Mode == model.ModeMSEG:
		return fmt.Errorf("train config: placeholder negatives need mode ce or ce+g, not %s", c.Mode)
	case c.Mode == model.ModeMSEG && c.Recon == 0:
		return fmt.Errorf("train config: mode %s needs a reconstruction weight > 0", c.Mode)
	case c.Cycle < 0 || math.IsNaN(c.Cycle) || math.IsInf(c.Cycle, 0):
		return fmt.Errorf("train config: cycle weight %v must be a non-negative number", c.Cycle)
	case c.Cycle > 0 && c.Recon == 0:
		return fmt.Errorf("train config: the cycle term needs the decoder (a reconstruction weight > 0)")
	case c.CycleTrains != "" && c.Cycle == 0:
		return fmt.Errorf("train config: the side the cycle term trains is set without a cycle weight")
	}
	if err := c.validateOutliers(); err != nil {
		return err
	}
	if _, err := model.ParseCycleTrains(string(c.CycleTrains)); err != nil {
		return fmt.Errorf("train config: %w", err)
	}
	if _, err := model.ParseSchedule(string(c.LRSchedule)); err != nil {
		return fmt.Errorf("train config: %w", err)
	}
	return c.modelConfig().Validate()
}

// sectors returns the encoder configuration (nil when plain).
func (c Config) sectors() (*latent.Sectors, error) {
	if c.Layout == nil {
		return nil, fmt.Errorf("no latent layout")
	}
	s, err := c.Encoder.Sectors(c.Layout.NC())
	if err != nil {
		return nil, err
	}
	if s != nil && c.Layout.ND() != 2 {
		return nil, fmt.Errorf("encoder %s needs n_d = 2, layout has n_d = %d", c.Encoder, c.Layout.ND())
	}
	return s, nil
}

// modelConfig is the model.Config of the run.
func (c Config) modelConfig() model.Config {
	mc := model.Config{Width: c.Width, BNMomentum: c.BNMomentum, BNEpsilon: c.BNEpsilon,
		Head: model.Head(c.Head), DistScale: c.HeadScale, DistLearnScale: c.HeadLearnScale, Layout: c.Layout, Decoder: c.Recon > 0,
		RotationHead: c.RotationHead > 0, RotationHidden: c.RotationHidden, ContrastiveHead: c.Contrastive > 0}
	if c.Layout != nil {
		mc.NC, mc.ND = c.Layout.NC(), c.Layout.ND()
	}
	mc.Sectors, _ = c.sectors()
	return mc
}

// lossConfig is the model.LossConfig of the run.
func (c Config) lossConfig() model.LossConfig {
	return model.LossConfig{Mode: c.Mode, KG: c.KG, Reduction: c.LGReduction.Reduction(), Layout: c.Layout, Center: c.LGCenter, SpanOnly: c.LGSpan, Recon: c.Recon,
		Placeholders: c.Placeholders, PlaceholderKind: model.PlaceholderKind(c.PlaceholderKind), Cycle: c.Cycle, CycleSeed: c.Seed, CycleTrains: c.CycleTrains,
		Rotation: c.RotationHead, Contrastive: c.Contrastive, ContrastiveTemp: c.ContrastiveTemp, ContrastiveTurned: c.ContrastiveTurned, LGFeatureStop: c.LGFeatureStop, Outliers: c.OutlierWeight}
}
