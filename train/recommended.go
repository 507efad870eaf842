package train

import "github.com/lsconf/lsconf/latent"

// lsconf's recommended L_G settings (not the paper's): L_G averaged over
// the batch and a pull toward each centre inside its cluster
// (Config.LGCenter), at the paper's k_g. lsconf train uses them by
// default; the zero Config, --paper-loss and lsconf repro keep the
// paper's loss (summed, no pull). Measurements: docs/training.md and
// docs/fashion-mnist/report.md.
const (
	RecommendedLGReduction = latent.MeanName
	RecommendedLGCenter    = 1.0
)

// RecommendedHead is the classifier head lsconf train uses by default;
// the zero Config, --paper-loss and lsconf repro keep the paper's dense
// head. Measurements: docs/heads.md.
const RecommendedHead = "distance"

// RecommendedPlaceholders is the weight of the placeholder negatives
// (Config.Placeholders) lsconf train uses by default; the zero Config,
// --paper-loss and lsconf repro train none. Measurements: docs/openset.
const RecommendedPlaceholders = 0.0
