package plot

import (
	"bytes"
	"io"
	"testing"

	"github.com/lsconf/lsconf/latent"
)

// benchScatter is a paper-sized LS figure: n training points and 80
// generalization points around the paper's layout.
func benchScatter(b *testing.B, n int) *Figure {
	l, err := latent.Circle(5, 0.85, 0.34)
	if err != nil {
		b.Fatal(err)
	}
	tr, ty := blobs(l, n, 0.2, 1)
	ge, gy := blobs(l, 80, 0.25, 2)
	fig, err := Scatter(ScatterSpec{Layout: l, View: View{Half: 2}, Clouds: []Cloud{TrainCloud("train", tr, ty), GeneralizationCloud("generalization", ge, gy)}})
	if err != nil {
		b.Fatal(err)
	}
	return fig
}

// BenchmarkScatterPNG renders a 10,000-point LS scatter as PNG.
func BenchmarkScatterPNG(b *testing.B) {
	fig := benchScatter(b, 10000)
	b.ResetTimer()
	for b.Loop() {
		if err := fig.WritePNG(io.Discard, DefaultDPI); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScatterSVG writes a 10,000-point LS scatter as SVG and reports
// its size.
func BenchmarkScatterSVG(b *testing.B) {
	fig := benchScatter(b, 10000)
	var buf bytes.Buffer
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		if err := fig.WriteSVG(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1e6, "MB")
}
