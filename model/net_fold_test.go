package model

import (
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// foldTol is the documented agreement of the folded inference graph
// (FoldBN + ConvBiasReLU) with the unfolded one (Conv3x3, BatchNormInfer,
// ReLU): the largest difference of a z or logit value, relative to the
// largest |value| of the unfolded output. Both are float32 computations of
// the same function that round differently (the folded kernel is rounded
// once; the sums run in the same order); measured differences are below
// 1e-5 on every kernel set.
const foldTol = 1e-4

// randomBNWeights returns weights with batch-norm scales, shifts and
// running statistics far from their initial values, so that folding
// them changes the kernels.
func randomBNWeights(t *testing.T, c Config, seed uint64) *Weights {
	t.Helper()
	w, err := Init(c, seed)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	for i, s := range Specs(c) {
		switch s.Kind {
		case Gamma:
			w.Params[i] = randUniform(rng, s.Size(), 0.5, 1.5)
		case Beta:
			w.Params[i] = randUniform(rng, s.Size(), -0.3, 0.3)
		}
	}
	for i, s := range BNSpecs(c) {
		if s.Kind == RunningMean {
			w.BN[i] = randUniform(rng, s.Size(), -0.3, 0.3)
		} else {
			w.BN[i] = randUniform(rng, s.Size(), 0.3, 2)
		}
	}
	return w
}

// foldDiff encodes 70 random images (a full chunk of 64 and a padded one
// of 6) with the folded and the unfolded graph, and with a decoder
// decodes 70 random points with each, and returns the largest difference
// relative to the unfolded output's largest |value| (per output: z,
// logits, images).
func foldDiff(t *testing.T, c Config) float64 {
	t.Helper()
	be := testBackend(t)
	w := randomBNWeights(t, c, 5)
	folded, err := NewNet(be, c, w)
	if err != nil {
		t.Fatal(err)
	}
	defer folded.Close()
	plain, err := NewNet(be, c, w)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	plain.unfolded = true
	const n = 70
	x := randUniform(rand.New(rand.NewPCG(6, 7)), n*1024, 0, 1)
	zf, lf, err := folded.Infer(x, n)
	if err != nil {
		t.Fatal(err)
	}
	zu, lu, err := plain.Infer(x, n)
	if err != nil {
		t.Fatal(err)
	}
	pairs := [][2][]float32{{zf, zu}, {lf, lu}}
	if c.Decoder {
		pts := randUniform(rand.New(rand.NewPCG(8, 9)), n*c.ND, -2, 2)
		imf, err := folded.Decode(pts, n)
		if err != nil {
			t.Fatal(err)
		}
		imu, err := plain.Decode(pts, n)
		if err != nil {
			t.Fatal(err)
		}
		pairs = append(pairs, [2][]float32{imf, imu})
	}
	worst := 0.0
	for _, pair := range pairs {
		scale := 0.0
		for _, v := range pair[1] {
			scale = math.Max(scale, math.Abs(float64(v)))
		}
		if scale == 0 {
			t.Fatal("unfolded output is all zeros: the comparison would prove nothing")
		}
		for i := range pair[1] {
			worst = math.Max(worst, math.Abs(float64(pair[0][i]-pair[1][i]))/scale)
		}
	}
	return worst
}

// TestFoldedMatchesUnfolded checks that the folded inference graphs (the
// encoder's and the decoder's) agree with the unfolded ones within
// foldTol, at two widths (the small one runs the fork's direct
// convolution, the wide one its im2col arrangement), on
// the kernel set this process runs (chosen by GOMLX_SIMD_AVX512 and
// GOMLX_SIMD_AVX2, see TestFoldedMatchesUnfoldedKernelSets).
func TestFoldedMatchesUnfolded(t *testing.T) {
	env := kernelEnv()
	for _, w := range []int{16, 4} {
		c := Config{NC: 5, ND: 3, Width: w, Decoder: true}
		d := foldDiff(t, c)
		t.Logf("%s, W=%d: folded vs unfolded, largest relative difference %.3g", env, w, d)
		if !(d <= foldTol) {
			t.Errorf("%s, W=%d: folded and unfolded encodings differ by %.3g (relative), more than %g", env, w, d, foldTol)
		}
	}
}

// kernelEnv names the kernel-set switches of the environment.
func kernelEnv() string {
	var s []string
	for _, k := range []string{"GOMLX_SIMD_AVX512", "GOMLX_SIMD_AVX2"} {
		if v, ok := os.LookupEnv(k); ok {
			s = append(s, k+"="+v)
		}
	}
	if len(s) == 0 {
		return "default kernel set"
	}
	return strings.Join(s, " ")
}

// TestFoldBNChangesKernels checks that the test weights make folding
// matter: the folded kernels differ from the originals, and the bias from
// zero (else the folded and unfolded graphs could agree trivially).
func TestFoldBNChangesKernels(t *testing.T) {
	c := Config{NC: 5, ND: 3, Width: 16}.WithDefaults()
	w := randomBNWeights(t, c, 5)
	f, err := FoldBN(c, w)
	if err != nil {
		t.Fatal(err)
	}
	// One value by hand: output channel 0 of the first kernel row.
	g, b, m, v := float64(w.Params[1][0]), float64(w.Params[2][0]), float64(w.BN[0][0]), float64(w.BN[1][0])
	scale := g / math.Sqrt(v+c.BNEpsilon)
	if want := float32(float64(w.Params[0][0]) * scale); f[0][0] != want {
		t.Errorf("folded kernel[0][0] = %v, want %v", f[0][0], want)
	}
	if want := float32(b - m*scale); f[1][0] != want {
		t.Errorf("folded bias[0] = %v, want %v", f[1][0], want)
	}
	if math.Abs(scale-1) < 0.01 || f[1][0] == 0 {
		t.Errorf("test weights fold trivially: scale %v, bias %v", scale, f[1][0])
	}
}

// TestFoldedMatchesUnfoldedKernelSets runs TestFoldedMatchesUnfolded in a
// child process for each kernel set (the set is chosen at start from the
// environment): the default (AVX-512 where the CPU has it),
// GOMLX_SIMD_AVX512=false (AVX2 where the CPU has it) and
// GOMLX_SIMD_AVX2=false (pure Go). A set the CPU lacks falls back to a
// lower one (lsconf version names the set each switch gives).
func TestFoldedMatchesUnfoldedKernelSets(t *testing.T) {
	if os.Getenv("LSCONF_FOLD_CHILD") != "" {
		t.Skip("in the child process")
	}
	if testing.Short() {
		t.Skip("-short: one child process per kernel set")
	}
	for _, env := range []string{"", "GOMLX_SIMD_AVX512=false", "GOMLX_SIMD_AVX2=false"} {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestFoldedMatchesUnfolded$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "LSCONF_FOLD_CHILD=1")
		if env != "" {
			cmd.Env = append(cmd.Env, env)
		}
		out, err := cmd.CombinedOutput()
		ran := 0
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, "largest relative difference") {
				ran++
				t.Log(strings.TrimSpace(line))
			}
		}
		if err != nil || ran != 2 {
			t.Errorf("%q: child failed (%v) or ran %d of 2 widths:\n%s", env, err, ran, out)
		}
	}
}
