package train

import (
	"math"
	"testing"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/latent"
)

// linearAE is an autoencoder whose round trip is E(D(z)) = gain z: the
// decoder writes z into the first pixels, the encoder reads them back
// times gain.
type linearAE struct {
	nd   int
	gain float32
}

func (a linearAE) Decode(z []float32, n int) ([]float32, error) {
	img := make([]float32, n*data.Pixels)
	for i := 0; i < n; i++ {
		copy(img[i*data.Pixels:], z[i*a.nd:(i+1)*a.nd])
	}
	return img, nil
}

func (a linearAE) Encode(img []float32, n int) ([]float32, error) {
	z := make([]float32, n*a.nd)
	for i := 0; i < n; i++ {
		for d := 0; d < a.nd; d++ {
			z[i*a.nd+d] = a.gain * img[i*data.Pixels+d]
		}
	}
	return z, nil
}

// TestRoundTripLinear checks the correction on E(D(z)) = z/2, whose error
// halves with every update (the fixed point is z' = 2z), and on z/10,
// whose fixed point lies outside the layout's ball: there z' stops at
// the ball and the round trip stays open.
func TestRoundTripLinear(t *testing.T) {
	l, err := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	z := []float32{0.2, 0.1, -0.1, 0.3}
	rt := RoundTrip{Iterations: 20, Tol: 0.05}
	img, zIn, st, err := roundTrip(linearAE{nd: 2, gain: 0.5}, l, z, 2, rt)
	if err != nil {
		t.Fatal(err)
	}
	tol := 0.05 * latent.PaperRC
	for i := 0; i < 2; i++ {
		p := z[2*i : 2*i+2]
		// error after k updates: |z|/2^(k+1); the first k with it <= tol.
		want := 0
		for norm32(p)/math.Pow(2, float64(want+1)) > tol {
			want++
		}
		for d := 0; d < 2; d++ {
			if got := img[i*data.Pixels+d]; math.Abs(float64(got-zIn[2*i+d])) > 1e-7 {
				t.Errorf("point %d: image shows %v, decoded from %v", i, got, zIn[2*i+d])
			}
			if fix := 2 * p[d]; math.Abs(float64(zIn[2*i+d]-fix)) > 2*tol {
				t.Errorf("point %d: z' = %v, want near the fixed point %v", i, zIn[2*i:2*i+2], fix)
			}
		}
		if i == 0 && st.MaxUpdates < want {
			t.Errorf("point %d: at most %d updates, want %d", i, st.MaxUpdates, want)
		}
	}
	if st.Closed != 2 || st.Points != 2 || !(st.Error <= tol) || !(st.PlainError > st.Error) || st.MaxUpdates > 20 {
		t.Errorf("stats %+v", st)
	}
	if wantPlain := (norm32(z[:2]) + norm32(z[2:])) / 4; math.Abs(st.PlainError-wantPlain) > 1e-6 {
		t.Errorf("plain error %v, want %v", st.PlainError, wantPlain)
	}

	_, zIn, st, err = roundTrip(linearAE{nd: 2, gain: 0.1}, l, z, 2, rt)
	if err != nil {
		t.Fatal(err)
	}
	bound := l.MaxCenterNorm() + latent.PaperRC
	for i := 0; i < 2; i++ {
		if n := norm32(zIn[2*i : 2*i+2]); n > bound+1e-6 {
			t.Errorf("point %d: |z'| = %v beyond the layout's ball %v", i, n, bound)
		}
	}
	if st.Closed != 0 || st.MaxUpdates != 20 || !(st.Error < st.PlainError) {
		t.Errorf("stats beyond the ball %+v", st)
	}

	img, zIn, st, err = roundTrip(linearAE{nd: 2, gain: 0.5}, l, z, 2, RoundTrip{})
	if err != nil || st.Decodes != 2 || img[0] != z[0] || zIn[3] != z[3] {
		t.Errorf("plain decoding: %v, %+v, z' %v", err, st, zIn)
	}
	if _, _, _, err := roundTrip(linearAE{nd: 2, gain: 0.5}, l, z, 2, RoundTrip{Iterations: -1}); err == nil {
		t.Error("negative iterations accepted")
	}
}
