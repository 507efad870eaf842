package plot

import (
	"math"
	"strconv"
	"strings"
)

// niceTicks returns labelled ticks at a "nice" step (1, 2, 2.5 or 5 times
// a power of ten) giving at most maxIntervals intervals across [lo, hi],
// and unlabelled minor ticks halfway between them.
func niceTicks(lo, hi float64, maxIntervals int) []tick {
	span := hi - lo
	if !(span > 0) || math.IsInf(span, 0) {
		return []tick{{Value: lo, Label: formatTick(lo, 1)}}
	}
	p := math.Pow(10, math.Floor(math.Log10(span/float64(maxIntervals))))
	step := 10 * p
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if span/(m*p) <= float64(maxIntervals)*(1+1e-9) {
			step = m * p
			break
		}
	}
	var out []tick
	half := step / 2
	for k := math.Ceil(lo/half - 1e-9); k*half <= hi+1e-9*span; k++ {
		v := k * half
		if math.Abs(v) < 1e-12*span {
			v = 0
		}
		label := ""
		if math.Mod(k, 2) == 0 {
			label = formatTick(v, step)
		}
		out = append(out, tick{Value: v, Label: label})
	}
	return out
}

// formatTick writes v with as many decimals as the step needs, without
// trailing zeros.
func formatTick(v, step float64) string {
	dec := 0
	for s := step; dec < 12 && math.Abs(s-math.Round(s)) > 1e-9*math.Max(1, math.Abs(s)); s *= 10 {
		dec++
	}
	if math.Abs(v) >= 1e6 || (v != 0 && math.Abs(v) < 1e-4) {
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}
