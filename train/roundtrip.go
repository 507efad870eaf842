package train

import (
	"fmt"
	"math"
	"slices"

	"github.com/lsconf/lsconf/latent"
)

// RoundTrip is the round-trip correction of decoding. An image decoded
// from an LS point z is not necessarily one the encoder maps back to z:
// the encoder pulls images into the clusters, so D(z) for a point between
// two centres encodes nearer one of them. The correction searches the
// decoder's input z' so that E(D(z')) = z, with the fixed-point iteration
// z'_{k+1} = z'_k + Step (z - E(D(z'_k))) from z'_0 = z, and shows D(z'):
// the image the encoder reads as z. A point stops once its round trip
// lands within Tol x r_c of z (r_c the mean of the layout's radii); after
// Iterations updates the iterate whose round trip landed nearest is kept.
// z' stays within the ball around the origin that holds the clusters (the
// largest centre norm plus the largest r_c), or within |z| when z lies
// outside it: further out the decoder, which learnt from encodings of
// images, draws artefacts that an encoder may still read as z.
type RoundTrip struct {
	// Iterations is the most updates per point; 0 turns the correction
	// off (plain decoding).
	Iterations int `json:"iterations"`
	// Tol is the distance, in units of the mean r_c, within which a
	// round trip counts as closed.
	Tol float64 `json:"tol"`
	// Step is the update's step size (0 means 1).
	Step float64 `json:"step,omitempty"`
}

// DefaultRoundTrip is the correction lsconf decode, the web page's click
// and the demo use unless told otherwise: at most 20 updates, closed
// within 0.2 r_c. On Fashion-MNIST it closed as many path points as 0.05
// r_c with a third fewer updates (docs/shift/README.md).
func DefaultRoundTrip() RoundTrip { return RoundTrip{Iterations: 20, Tol: 0.2, Step: 1} }

// RoundTripStats says what the correction did to a batch of points.
type RoundTripStats struct {
	// Correction is the setting used; Iterations 0 means plain decoding.
	Correction RoundTrip `json:"correction"`
	Points     int       `json:"points"`
	// Closed counts the points whose kept round trip lands within Tol
	// x r_c of them.
	Closed int `json:"closed"`
	// MeanUpdates is the mean number of updates a point took, MaxUpdates
	// the largest; Decodes counts the images decoded (and encoded) in all.
	MeanUpdates float64 `json:"mean_updates"`
	MaxUpdates  int     `json:"max_updates"`
	Decodes     int     `json:"decodes"`
	// PlainError and Error are the mean distance |E(D(z)) - z| of the
	// plain decoding and of the kept corrected one; MaxError is the
	// largest kept distance. MeanShift is the mean |z' - z|.
	PlainError float64 `json:"plain_error"`
	Error      float64 `json:"error"`
	MaxError   float64 `json:"max_error"`
	MeanShift  float64 `json:"mean_shift"`
}

// DecodeRoundTrip decodes n LS points (n*n_d values) with the round-trip
// correction rt (plain decoding when rt.Iterations is 0) and returns the
// images, the decoder inputs z' they were decoded from, and what the
// correction did. A run without a decoder is an error.
func (r *Run) DecodeRoundTrip(z []float32, n int, rt RoundTrip) (img, zIn []float32, st RoundTripStats, err error) {
	return roundTrip(r, r.Layout(), z, n, rt)
}

// autoencoder is what the round-trip correction decodes and encodes with
// (a Run).
type autoencoder interface {
	Decode(z []float32, n int) ([]float32, error)
	Encode(images []float32, n int) ([]float32, error)
}

// roundTrip is DecodeRoundTrip with ae on layout l.
func roundTrip(ae autoencoder, l *latent.Layout, z []float32, n int, rt RoundTrip) (img, zIn []float32, st RoundTripStats, err error) {
	nd := l.ND()
	if n < 0 || len(z) != n*nd {
		return nil, nil, st, fmt.Errorf("decode: %d points but %d values (want %d)", n, len(z), n*nd)
	}
	if rt.Iterations < 0 || rt.Tol < 0 || rt.Step < 0 || math.IsNaN(rt.Tol) || math.IsNaN(rt.Step) {
		return nil, nil, st, fmt.Errorf("decode: round-trip correction %+v: iterations, tolerance and step must be >= 0", rt)
	}
	step := rt.Step
	if step == 0 {
		step = 1
	}
	st = RoundTripStats{Correction: rt, Points: n}
	tol := rt.Tol * meanRadius(l)
	const px = 32 * 32
	img = make([]float32, n*px)
	zIn = make([]float32, n*nd)
	copy(zIn, z)
	cur := make([]float32, n*nd) // the current iterate z'_k of every point
	copy(cur, z)
	best := make([]float64, n)
	for i := range best {
		best[i] = math.Inf(1)
	}
	active := make([]int, n)
	for i := range active {
		active[i] = i
	}
	updates := make([]int, n)
	// The decoder learnt from encodings of images, which lie in the
	// clusters: z' stays within the ball around the origin that holds them
	// (or z, when z lies outside it), where its images are drawings and
	// not artefacts.
	bound := l.MaxCenterNorm() + slices.Max(l.Radii())
	buf := make([]float32, 0, n*nd)
	for k := 0; len(active) > 0; k++ {
		buf = buf[:0]
		for _, i := range active {
			buf = append(buf, cur[i*nd:(i+1)*nd]...)
		}
		m := len(active)
		dec, err := ae.Decode(buf, m)
		if err != nil {
			return nil, nil, st, err
		}
		st.Decodes += m
		if rt.Iterations == 0 {
			copy(img, dec)
			return img, zIn, st, nil
		}
		enc, err := ae.Encode(dec, m)
		if err != nil {
			return nil, nil, st, err
		}
		next := active[:0]
		for a, i := range active {
			var d2 float64
			for d := 0; d < nd; d++ {
				e := float64(z[i*nd+d]) - float64(enc[a*nd+d])
				d2 += e * e
			}
			dist := math.Sqrt(d2)
			if k == 0 {
				st.PlainError += dist
			}
			if dist < best[i] || math.IsInf(best[i], 1) {
				best[i] = dist
				copy(img[i*px:(i+1)*px], dec[a*px:(a+1)*px])
				copy(zIn[i*nd:(i+1)*nd], cur[i*nd:(i+1)*nd])
			}
			if dist <= tol || k == rt.Iterations || math.IsNaN(dist) {
				continue
			}
			updates[i]++
			x := cur[i*nd : (i+1)*nd]
			var x2 float64
			for d := range x {
				x[d] += float32(step * (float64(z[i*nd+d]) - float64(enc[a*nd+d])))
				x2 += float64(x[d]) * float64(x[d])
			}
			if b := max(bound, norm32(z[i*nd:(i+1)*nd])); x2 > b*b {
				for d := range x {
					x[d] = float32(float64(x[d]) * b / math.Sqrt(x2))
				}
			}
			next = append(next, i)
		}
		active = next
	}
	for i := 0; i < n; i++ {
		st.MeanUpdates += float64(updates[i])
		st.MaxUpdates = max(st.MaxUpdates, updates[i])
		st.Error += best[i]
		st.MaxError = max(st.MaxError, best[i])
		if best[i] <= tol {
			st.Closed++
		}
		var s2 float64
		for d := 0; d < nd; d++ {
			e := float64(zIn[i*nd+d]) - float64(z[i*nd+d])
			s2 += e * e
		}
		st.MeanShift += math.Sqrt(s2)
	}
	if n > 0 {
		st.MeanUpdates /= float64(n)
		st.PlainError /= float64(n)
		st.Error /= float64(n)
		st.MeanShift /= float64(n)
	}
	return img, zIn, st, nil
}

// meanRadius is the mean of the layout's cluster radii.
func meanRadius(l *latent.Layout) float64 {
	var s float64
	for _, r := range l.Radii() {
		s += r
	}
	return s / float64(l.NC())
}

// RoundTripDecoder decodes LS points with a run's decoder and a round-trip
// correction (lsconf serve's decoded click; web.Decoder).
type RoundTripDecoder struct {
	Run       *Run
	RoundTrip RoundTrip
}

// Decode maps n points (n*n_d values) to n images with the correction.
func (d RoundTripDecoder) Decode(z []float32, n int) ([]float32, error) {
	img, _, _, err := d.Run.DecodeRoundTrip(z, n, d.RoundTrip)
	return img, err
}

// norm32 is the Euclidean norm of v.
func norm32(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}
