package repro

import (
	"fmt"
	"strings"

	"github.com/lsconf/lsconf/latent"
)

// cegLoss names the loss of a reproduction's ce+g runs: the paper's
// L_CE + k_g L_G (eq 8, summed over the batch) or lsconf's variant (L_G
// averaged over the batch, the centre pull).
func cegLoss(cfg Config) string {
	s := fmt.Sprintf("L_CE + %.1f·L_G", latent.PaperKG)
	var notes []string
	if cfg.LGReduction == "mean" {
		notes = append(notes, "L_G averaged over the batch")
	} else {
		notes = append(notes, "L_G summed over the batch, eq 8")
	}
	if cfg.LGCenter > 0 {
		s += fmt.Sprintf(" + centre pull %g", cfg.LGCenter)
		notes = append(notes, "the centre pull is lsconf's, not the paper's")
	}
	if cfg.LGFeatureStop > 0 {
		notes = append(notes, fmt.Sprintf("%g of their gradient held back from the encoder's convolutions", cfg.LGFeatureStop))
	}
	if cfg.Outliers != "" && cfg.OutlierWeight > 0 {
		s += fmt.Sprintf(" + %g·outlier loss", cfg.OutlierWeight)
		notes = append(notes, "outlier exposure on the images under "+cfg.Outliers+", lsconf's, not the paper's")
	}
	return s + " (" + strings.Join(notes, "; ") + ")"
}

// verdictHeading is a verdict's heading: number, claim, outcome, the
// outcome's qualifier, and the ce+g loss the claim was measured with when
// the claim is about ce+g runs.
func verdictHeading(i int, v Verdict, cfg Config) string {
	h := fmt.Sprintf("(%d) %s: %s", i+1, v.Claim, strings.ToUpper(v.Outcome))
	if v.Qualifier != "" {
		h += " (" + v.Qualifier + ")"
	}
	if strings.Contains(v.Claim, "L_G") || strings.Contains(v.Claim, "ce+g") {
		h += " — ce+g loss: " + cegLoss(cfg)
	}
	return h
}

// polarNote describes the polar runs of a reproduction ("none" without).
func polarNote(cfg Config) string {
	if len(cfg.Polar) == 0 {
		return "polar runs: none"
	}
	return fmt.Sprintf("polar runs: %s, loss %s, pre split, seed %d", strings.Join(cfg.Polar, ", "), cfg.PolarMode, firstSeed(cfg.Seeds))
}
