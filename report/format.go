package report

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Text formatting shared by the reports.

// FmtSeconds writes a duration as "42s", "3m07s" or "1h02m".
func FmtSeconds(s float64) string {
	d := time.Duration(s * float64(time.Second)).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// Pct formats a fraction as a percentage with one decimal.
func Pct(f float64) string {
	if math.IsNaN(f) {
		return "-"
	}
	return fmt.Sprintf("%.1f", 100*f)
}

// Num formats a value with 3 significant digits.
func Num(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.3g", x)
}

// FmtVec writes a vector with 3 significant digits: "(0.1, 2.35)".
func FmtVec(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.3g", x)
	}
	return "(" + strings.Join(s, ", ") + ")"
}
