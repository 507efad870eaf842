package repro

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// syntheticMember is a run of nc classes with n validation, known and
// unknown test images: score "s" random (unknown images higher on
// average) and random logits.
func syntheticMember(seed uint64, n, nc int) *memberScores {
	r := rand.New(rand.NewPCG(seed, 7))
	vs, ks, us := map[string][]float64{}, map[string][]float64{}, map[string][]float64{}
	for i := 0; i < n; i++ {
		vs["s"] = append(vs["s"], r.NormFloat64())
		ks["s"] = append(ks["s"], r.NormFloat64())
		us["s"] = append(us["s"], 1+r.NormFloat64())
	}
	ks["test only"], us["test only"] = slices.Clone(ks["s"]), slices.Clone(us["s"])
	logits := make([]float32, n*nc)
	labels := make([]int32, n)
	for i := range n {
		labels[i] = int32(r.IntN(nc))
		for c := range nc {
			logits[i*nc+c] = float32(r.NormFloat64())
		}
		logits[i*nc+int(labels[i])] += 1
	}
	return newMemberScores([]string{"s", "test only"}, vs, ks, us, logits, labels, nc)
}

// TestEnsembleOfOneIsTheMember: an ensemble of one member has that
// member's closed-set accuracy, AUROC, FPR@95%TPR, TPR@5%FPR, OSCR, ROC
// and calibrated outside (standardising is increasing and affine), and
// leaves out the score without validation figures.
func TestEnsembleOfOneIsTheMember(t *testing.T) {
	m := syntheticMember(1, 400, 6)
	e, err := combineMembers([]*memberScores{m})
	if err != nil {
		t.Fatal(err)
	}
	correct := correctOf(m.probs, m.labels, m.nc)
	want, err := openSetScoreOf(m.unknown["s"], m.known["s"], correct)
	if err != nil {
		t.Fatal(err)
	}
	if want.Outside, err = calOutside(m.val["s"], m.known["s"], m.unknown["s"]); err != nil {
		t.Fatal(err)
	}
	got := e.Scores["s"]
	if math.Abs(got.AUROC-want.AUROC) > 1e-12 || got.FPRAt95TPR != want.FPRAt95TPR || got.TPRAt5FPR != want.TPRAt5FPR || math.Abs(got.OSCR-want.OSCR) > 1e-12 ||
		!slices.Equal(got.ROC, want.ROC) || *got.Outside != *want.Outside {
		t.Errorf("ensemble of one: %+v, the member: %+v", got, want)
	}
	if mm := e.MemberMean["s"]; math.Abs(mm.AUROC-want.AUROC) > 1e-12 || mm.TPRAt5FPR != want.TPRAt5FPR || *mm.Outside != *want.Outside {
		t.Errorf("members' mean of one: %+v, the member: %+v", mm, want)
	}
	if e.Accuracy != shareTrue(correct) || len(e.MemberAccuracy) != 1 || e.MemberAccuracy[0] != e.Accuracy {
		t.Errorf("accuracy %v (members %v), the member's %v", e.Accuracy, e.MemberAccuracy, shareTrue(correct))
	}
	if e.Accuracy < 0.2 || e.Accuracy > 0.9 {
		t.Errorf("accuracy %v: the synthetic logits should be right about half the time", e.Accuracy)
	}
	if !slices.Equal(e.Names, []string{"s"}) || !slices.Equal(e.NotEnsembled, []string{"test only"}) {
		t.Errorf("ensembled %v, not ensembled %v; want [s] and [test only]", e.Names, e.NotEnsembled)
	}
}

// TestEnsembleStandardisesOnValidationOnly: changing a member's test
// scores changes the ensemble's test scores by exactly the change over
// (its validation standard deviation x the number of members), and leaves
// the validation scores (hence the calibrated threshold) as they were;
// the ensemble's validation scores are the mean of the members'
// standardised by hand.
func TestEnsembleStandardisesOnValidationOnly(t *testing.T) {
	a, b := syntheticMember(1, 300, 4), syntheticMember(2, 300, 4)
	for i := range b.val["s"] {
		b.val["s"][i] = 10 + 3*b.val["s"][i] // another scale than a's
	}
	val, kn, un, err := meanStandardised([]*memberScores{a, b}, "s")
	if err != nil {
		t.Fatal(err)
	}
	sa, _ := fitStandardiser(a.val["s"])
	sb, _ := fitStandardiser(b.val["s"])
	for i := range val {
		want := ((a.val["s"][i]-sa.Mean)/sa.SD + (b.val["s"][i]-sb.Mean)/sb.SD) / 2
		if math.Abs(val[i]-want) > 1e-12 {
			t.Fatalf("validation image %d: %v, want %v", i, val[i], want)
		}
	}
	old := slices.Clone(b.known["s"])
	oldU := slices.Clone(b.unknown["s"])
	for i := range b.known["s"] {
		b.known["s"][i] = 1000 + 50*b.known["s"][i]
		b.unknown["s"][i] = -1000 + 20*b.unknown["s"][i]
	}
	val2, kn2, un2, err := meanStandardised([]*memberScores{a, b}, "s")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(val, val2) {
		t.Errorf("the validation scores changed with the test scores")
	}
	for i := range kn {
		if d, want := kn2[i]-kn[i], (b.known["s"][i]-old[i])/sb.SD/2; math.Abs(d-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Fatalf("known image %d moved %v, want %v", i, d, want)
		}
		if d, want := un2[i]-un[i], (b.unknown["s"][i]-oldU[i])/sb.SD/2; math.Abs(d-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Fatalf("unknown image %d moved %v, want %v", i, d, want)
		}
	}
}

// TestEnsembleClassesFromMeanProbabilities: two members that disagree;
// the ensemble takes the class of the larger mean probability.
func TestEnsembleClassesFromMeanProbabilities(t *testing.T) {
	mk := func(logits []float32) *memberScores {
		v := map[string][]float64{"s": {0, 1, 2}}
		return newMemberScores([]string{"s"}, v, map[string][]float64{"s": {0}}, map[string][]float64{"s": {1}}, logits, []int32{0}, 2)
	}
	// member 1 says class 0 with p 0.73, member 2 class 1 with p 0.98
	e, err := combineMembers([]*memberScores{mk([]float32{1, 0}), mk([]float32{0, 4})})
	if err != nil {
		t.Fatal(err)
	}
	if e.Accuracy != 0 || !slices.Equal(e.MemberAccuracy, []float64{1, 0}) {
		t.Errorf("accuracy %v, members %v; want 0 (mean p of class 1 larger), [1 0]", e.Accuracy, e.MemberAccuracy)
	}
}

// TestMemberSeeds: member 1 keeps the split's seed and folder (the single
// run); every member of every split has its own seed and folder.
func TestMemberSeeds(t *testing.T) {
	seen := map[uint64]bool{}
	for k := 1; k <= 5; k++ {
		if memberSeed(k, 1) != uint64(k) || memberDir("ce", 1) != "ce" {
			t.Errorf("split %d member 1: seed %d, folder %q", k, memberSeed(k, 1), memberDir("ce", 1))
		}
		dirs := map[string]bool{}
		for m := 1; m <= 10; m++ {
			s := memberSeed(k, m)
			if seen[s] {
				t.Errorf("split %d member %d: seed %d used twice", k, m, s)
			}
			seen[s] = true
			dirs[memberDir("ceg-distance", m)] = true
		}
		if len(dirs) != 10 {
			t.Errorf("%d folders for 10 members", len(dirs))
		}
	}
}
