package repro

import (
	"math"
	"slices"
	"testing"
)

// TestFusionStandardisedSumByHand: two parts standardised by their
// validation mean and sample sd, summed, on a case worked by hand; a part
// that is not finite makes the image unscorable (math.MaxFloat64).
func TestFusionStandardisedSumByHand(t *testing.T) {
	f := fusion{Name: "f", Parts: []string{"a", "b"}}
	// a: mean 2, sd 1; b: mean 20, sd 10
	val := map[string][]float64{"a": {1, 2, 3}, "b": {10, 20, 30}}
	ft, ok, err := fitFusion(f, val)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	got, err := ft.apply(map[string][]float64{"a": {4, 2, 0, math.Inf(1)}, "b": {40, 20, 5, 20}})
	if err != nil {
		t.Fatal(err)
	}
	// (4-2)/1 + (40-20)/10 = 4; 0 + 0 = 0; (0-2)/1 + (5-20)/10 = -3.5
	want := []float64{4, 0, -3.5, math.MaxFloat64}
	for i := range want {
		if !near(got[i], want[i]) && got[i] != want[i] {
			t.Errorf("image %d: fused %v, want %v", i, got[i], want[i])
		}
	}
	mx, _, err := fitFusion(fusion{Name: "m", Parts: []string{"a", "b"}, Max: true}, val)
	if err != nil {
		t.Fatal(err)
	}
	// max((4-2)/1, (40-20)/10) = 2; max(0, 0) = 0; max(-2, -1.5) = -1.5
	if got, err := mx.apply(map[string][]float64{"a": {4, 2, 0, 1}, "b": {40, 20, 5, math.NaN()}}); err != nil || !slices.Equal(got, []float64{2, 0, -1.5, math.MaxFloat64}) {
		t.Errorf("largest standardised part %v (%v), want [2 0 -1.5 MaxFloat64]", got, err)
	}
	if _, ok, err := fitFusion(fusion{Name: "g", Parts: []string{"a", "c"}}, val); ok || err != nil {
		t.Errorf("a fusion with a part the validation scores lack: ok %v, err %v; want it skipped", ok, err)
	}
	if _, _, err := fitFusion(f, map[string][]float64{"a": {1, 1, 1}, "b": {1, 2}}); err == nil {
		t.Error("a part with sd 0 on the validation images was fitted")
	}
}

// TestFusionFitsOnValidationOnly: the fused scores of the test images
// depend on the validation scores and on the image's own scores alone.
// Adding far-off test images (which would move a mean or sd fitted on the
// test images) changes no other image's fused score, and the fused known
// scores keep the offset the validation fit gives them (a fit on the test
// images would centre them at 0).
func TestFusionFitsOnValidationOnly(t *testing.T) {
	fs := []fusion{{Name: "ab", Parts: []string{"a", "b"}}}
	newVal := func() map[string][]float64 {
		return map[string][]float64{"a": {0, 1, 2, 3, 4}, "b": {0, 2, 4, 6, 8}}
	}
	known := map[string][]float64{"a": {10, 11, 12}, "b": {20, 22, 24}}
	unknown := map[string][]float64{"a": {30, 31}, "b": {60, 62}}
	names, err := addFusions(fs, newVal(), known, unknown)
	if err != nil || !slices.Equal(names, []string{"ab"}) {
		t.Fatal(names, err)
	}
	known2 := map[string][]float64{"a": {10, 11, 12, 1e6}, "b": {20, 22, 24, -1e6}}
	unknown2 := map[string][]float64{"a": {30, 31, -5e5}, "b": {60, 62, 7e5}}
	if _, err := addFusions(fs, newVal(), known2, unknown2); err != nil {
		t.Fatal(err)
	}
	for i, v := range known["ab"] {
		if known2["ab"][i] != v {
			t.Errorf("known image %d: fused %v with more test images, %v without", i, known2["ab"][i], v)
		}
	}
	for i, v := range unknown["ab"] {
		if unknown2["ab"][i] != v {
			t.Errorf("unknown image %d: fused %v with more test images, %v without", i, unknown2["ab"][i], v)
		}
	}
	// validation: a mean 2, sd sqrt(2.5); b mean 4, sd 2 sqrt(2.5)
	sd := math.Sqrt(2.5)
	if want := (11-2)/sd + (22-4)/(2*sd); !near(known["ab"][1], want) {
		t.Errorf("known image 1 fused %v, want %v (the validation fit)", known["ab"][1], want)
	}
	// the part scores are left as they were
	if !slices.Equal(known["a"], []float64{10, 11, 12}) {
		t.Errorf("part scores changed: %v", known["a"])
	}
}

// TestCalOutside: the threshold is the conformal quantile of the
// validation scores (the 20th smallest of 20 at 95%), and the shares are
// of the test scores strictly above it.
func TestCalOutside(t *testing.T) {
	var val []float64
	for i := 1; i <= 20; i++ {
		val = append(val, float64(i))
	}
	o, err := calOutside(val, []float64{5, 20, 21, 30}, []float64{19, 25})
	if err != nil {
		t.Fatal(err)
	}
	if o.Known != 0.5 || o.Unknown != 0.5 {
		t.Errorf("outside known %v unknown %v, want 0.5 and 0.5", o.Known, o.Unknown)
	}
}
