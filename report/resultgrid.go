package report

import (
	"fmt"
	"image"
	"math"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/search"
)

// ResultGridInput is a query and its results as ResultGrid draws them.
type ResultGridInput struct {
	Title string
	// Response is the query, its results and their records (search.Spec's
	// ReadRecords).
	Response *search.Response
	// QueryPixels is the query image (nil for words, points); QueryCaption
	// its caption.
	QueryPixels  []float32
	QueryCaption string
	// QueryText is shown instead of an image (the words, or the input).
	QueryText string
}

// ResultGrid draws a query and its results (paper Figures 10-13): the
// query image or its words and LS point, then each result's image, score
// and label (its collection when unlabelled). A result whose image cannot
// be read is drawn black. Used by lsconf search --grid and the demo.
func ResultGrid(in ResultGridInput) (*image.RGBA, error) {
	spec := plot.ResultGridSpec{Title: in.Title}
	if in.QueryPixels != nil {
		img, err := plot.Gray32(in.QueryPixels)
		if err != nil {
			return nil, err
		}
		spec.Query = &plot.Tile{Image: img, Score: math.NaN(), Caption: in.QueryCaption}
	} else {
		spec.QueryText, spec.QueryPoint = in.QueryText, in.Response.Query.Point
	}
	res := in.Response.Results
	if len(in.Response.Records) != len(res) {
		return nil, fmt.Errorf("result grid: %d records for %d results (search with ReadRecords)", len(in.Response.Records), len(res))
	}
	for i, r := range in.Response.Records {
		var img image.Image = image.NewGray(image.Rect(0, 0, index.Side, index.Side))
		if px, err := r.Pixels(); err == nil {
			if g, err := plot.Gray32(px); err == nil {
				img = g
			}
		}
		caption := res[i].Label
		if caption == "" {
			caption = r.Collection
		}
		spec.Results = append(spec.Results, plot.Tile{Image: img, Score: float64(res[i].Score), Caption: caption})
	}
	return plot.ResultGrid(spec)
}
