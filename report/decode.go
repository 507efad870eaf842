package report

import (
	"fmt"
	"image"
	"slices"
	"strings"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/search"
	"github.com/lsconf/lsconf/train"
)

// DecodeSpec says which LS points to decode with a run's decoder (lsconf
// decode, the demo report). Every part that is set makes one row.
type DecodeSpec struct {
	// Centres decodes every class's configured centre (its prototype).
	Centres bool
	// Points are LS points of n_d values each.
	Points [][]float64
	// Texts are word queries ("dots", "between squares and dots", "0.7
	// plaid + 0.3 dots"), mapped to points by the search vocabulary.
	Texts []string
	// Between, when it holds two class names or word queries, decodes
	// Steps points on the straight path from the first to the second
	// (ends included); Steps 0 means 9.
	Between []string
	Steps   int
	// Inputs, when set, are reconstructed: the first PerClass images of
	// each class (0 means 1), inputs above their reconstructions.
	Inputs   data.Set
	PerClass int
	// Vocab is extra vocabulary text (search.NewVocab), optional.
	Vocab string
	// RoundTrip corrects the decoding of the centres, points, words and
	// paths (train.RoundTrip; the zero value decodes plainly). The
	// reconstructions of Inputs are always plain: they show the
	// autoencoder as trained.
	RoundTrip train.RoundTrip
}

// DecodedRow is one row of decoded images.
type DecodedRow struct {
	Caption string      `json:"caption"`
	Labels  []string    `json:"labels"`
	Points  [][]float64 `json:"points"`
	// DecoderInputs are the points the images were decoded from when the
	// round-trip correction moved them (nil for plain decoding).
	DecoderInputs [][]float64 `json:"decoder_inputs,omitempty"`
	// RoundTrip is what the correction did to the row (nil for plain
	// decoding and for reconstructions).
	RoundTrip *train.RoundTripStats `json:"round_trip,omitempty"`
	Images    [][]float32           `json:"-"`
}

// Decoded is what Decode made: its rows, in the spec's order.
type Decoded struct {
	Run  string       `json:"run"`
	Rows []DecodedRow `json:"rows"`
}

// Decode decodes the points spec names with run's decoder. A run without
// a decoder is an error.
func Decode(run *train.Run, spec DecodeSpec) (*Decoded, error) {
	if !run.HasDecoder() {
		return nil, fmt.Errorf("decode: run %s: %w", run.Dir(), model.ErrNoDecoder)
	}
	l, classes := run.Layout(), run.Classes()
	nd := l.ND()
	var voc *search.Vocab
	vocab := func() (*search.Vocab, error) {
		if voc != nil {
			return voc, nil
		}
		var extra []string
		if spec.Vocab != "" {
			extra = []string{spec.Vocab}
		}
		v, err := search.NewVocab(l, classes, extra...)
		voc = v
		return v, err
	}
	resolve := func(q string) ([]float64, error) {
		if i := slices.Index(classes, q); i >= 0 {
			return l.Center(i), nil
		}
		v, err := vocab()
		if err != nil {
			return nil, err
		}
		t, err := v.Parse(q, false, 1)
		if err != nil {
			return nil, err
		}
		if t.Point == nil {
			return nil, fmt.Errorf("decode: %q maps to no LS point", q)
		}
		return t.Point, nil
	}
	var rows []DecodedRow
	if spec.Centres {
		r := DecodedRow{Caption: "decoded centres (prototypes)"}
		for c := range classes {
			r.Points = append(r.Points, l.Center(c))
			r.Labels = append(r.Labels, classes[c])
		}
		rows = append(rows, r)
	}
	if len(spec.Points) > 0 {
		r := DecodedRow{Caption: "LS points"}
		for _, p := range spec.Points {
			if len(p) != nd {
				return nil, fmt.Errorf("decode: point %v has %d values, the layout has n_d = %d", p, len(p), nd)
			}
			r.Points = append(r.Points, p)
			r.Labels = append(r.Labels, pointLabel(p))
		}
		rows = append(rows, r)
	}
	if len(spec.Texts) > 0 {
		r := DecodedRow{Caption: "words"}
		for _, q := range spec.Texts {
			p, err := resolve(q)
			if err != nil {
				return nil, fmt.Errorf("decode %q: %w", q, err)
			}
			r.Points = append(r.Points, p)
			r.Labels = append(r.Labels, q)
		}
		rows = append(rows, r)
	}
	if len(spec.Between) > 0 {
		if len(spec.Between) != 2 {
			return nil, fmt.Errorf("decode: between needs two classes or word queries, have %d", len(spec.Between))
		}
		steps := spec.Steps
		if steps == 0 {
			steps = 9
		}
		if steps < 2 || steps > 64 {
			return nil, fmt.Errorf("decode: %d steps (want 2 to 64)", steps)
		}
		a, err := resolve(spec.Between[0])
		if err != nil {
			return nil, fmt.Errorf("decode %q: %w", spec.Between[0], err)
		}
		b, err := resolve(spec.Between[1])
		if err != nil {
			return nil, fmt.Errorf("decode %q: %w", spec.Between[1], err)
		}
		r := DecodedRow{Caption: fmt.Sprintf("from %s to %s", spec.Between[0], spec.Between[1])}
		for s, p := range train.Path(a, b, steps) {
			r.Points = append(r.Points, p)
			r.Labels = append(r.Labels, fmt.Sprintf("t=%.2g", float64(s)/float64(steps-1)))
		}
		rows = append(rows, r)
	}
	for i := range rows {
		var z []float32
		for _, p := range rows[i].Points {
			for _, v := range p {
				z = append(z, float32(v))
			}
		}
		img, zIn, st, err := run.DecodeRoundTrip(z, len(rows[i].Points), spec.RoundTrip)
		if err != nil {
			return nil, err
		}
		rows[i].Images = splitImages(img)
		if spec.RoundTrip.Iterations > 0 {
			rows[i].RoundTrip = &st
			for k := range rows[i].Points {
				p := make([]float64, nd)
				for d := range p {
					p[d] = float64(zIn[k*nd+d])
				}
				rows[i].DecoderInputs = append(rows[i].DecoderInputs, p)
			}
		}
	}
	if spec.Inputs != nil {
		in, out, err := reconstructRows(run, spec.Inputs, max(spec.PerClass, 1))
		if err != nil {
			return nil, err
		}
		rows = append(rows, in, out)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("decode: nothing to decode (give centres, points, words, a path or inputs)")
	}
	return &Decoded{Run: run.Dir(), Rows: rows}, nil
}

// reconstructRows takes the first perClass images of each class of set
// and returns them and their reconstructions as two rows.
func reconstructRows(run *train.Run, set data.Set, perClass int) (in, out DecodedRow, err error) {
	classes := set.Classes()
	count := make([]int, len(classes))
	var px []float32
	var labels []string
	buf := make([]float32, data.Pixels)
	for i := 0; i < set.Len() && len(labels) < perClass*len(classes); i++ {
		y, err := set.Image(i, buf)
		if err != nil {
			return in, out, fmt.Errorf("decode: inputs: %w", err)
		}
		if y < 0 || y >= len(classes) || count[y] >= perClass {
			continue
		}
		count[y]++
		px = append(px, buf...)
		labels = append(labels, classes[y])
	}
	n := len(labels)
	z, err := run.Encode(px, n)
	if err != nil {
		return in, out, err
	}
	img, err := run.Decode(z, n)
	if err != nil {
		return in, out, err
	}
	nd := run.Layout().ND()
	in = DecodedRow{Caption: "inputs", Labels: labels, Images: splitImages(px)}
	out = DecodedRow{Caption: "reconstructions", Labels: labels, Images: splitImages(img)}
	for i := 0; i < n; i++ {
		p := make([]float64, nd)
		for k := range p {
			p[k] = float64(z[i*nd+k])
		}
		in.Points = append(in.Points, p)
		out.Points = append(out.Points, p)
	}
	return in, out, nil
}

func splitImages(px []float32) [][]float32 {
	var out [][]float32
	for i := 0; i+data.Pixels <= len(px); i += data.Pixels {
		out = append(out, px[i:i+data.Pixels])
	}
	return out
}

func pointLabel(p []float64) string {
	var s []string
	for _, v := range p {
		s = append(s, fmt.Sprintf("%.2g", v))
	}
	if len(s) > 3 {
		s = append(s[:3], "…")
	}
	return strings.Join(s, ",")
}

// DecodedImage is one decoded 32x32 image enlarged 3x (nearest
// neighbour), as the grids draw it.
func DecodedImage(px []float32) (image.Image, error) {
	g, err := plot.Gray32(px)
	if err != nil {
		return nil, err
	}
	const k = 3
	big := image.NewGray(image.Rect(0, 0, k*data.Size, k*data.Size))
	for y := 0; y < k*data.Size; y++ {
		for x := 0; x < k*data.Size; x++ {
			big.Pix[y*big.Stride+x] = g.Pix[(y/k)*g.Stride+x/k]
		}
	}
	return big, nil
}

// Grid draws the rows: each row its caption, then its images with their
// labels above them.
func (d *Decoded) Grid(title string) (*image.RGBA, error) {
	var rows [][]image.Image
	for _, r := range d.Rows {
		var cells []image.Image
		for _, px := range r.Images {
			im, err := DecodedImage(px)
			if err != nil {
				return nil, err
			}
			cells = append(cells, im)
		}
		g, err := plot.Grid(plot.GridSpec{Title: r.Caption, Cells: [][]image.Image{cells}, ColCaptions: shortLabels(r.Labels), FontPx: 13, Gap: 6})
		if err != nil {
			return nil, err
		}
		rows = append(rows, []image.Image{g})
	}
	return plot.Grid(plot.GridSpec{Title: title, Cells: rows, Gap: 4})
}

// shortLabels cuts labels to fit under a 96-pixel image.
func shortLabels(ls []string) []string {
	out := make([]string, len(ls))
	for i, s := range ls {
		if r := []rune(s); len(r) > 14 {
			s = string(r[:13]) + "…"
		}
		out[i] = s
	}
	return out
}
