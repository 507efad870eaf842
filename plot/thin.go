package plot

import (
	"fmt"
	"math"
)

// GenLargeMax is the number of generalization points up to which they are
// drawn at LargePoint; above it their markers shrink (see
// GeneralizationCloud) so that they do not hide the training points.
const GenLargeMax = 200

// genRadius is the marker radius of a generalization cloud of n points:
// LargePoint up to GenLargeMax points, then shrinking as 1/sqrt(n) (the
// area they cover stays about constant), down to 1.5 x SmallPoint.
func genRadius(n int) float64 {
	if n <= GenLargeMax {
		return LargePoint
	}
	return math.Max(1.5*SmallPoint, LargePoint*math.Sqrt(float64(GenLargeMax)/float64(n)))
}

// Thin keeps at most max points of a cloud, evenly spaced in input order
// (deterministic), and says so in the cloud's name: "name (k of n
// drawn)". max <= 0 or a cloud that fits returns c unchanged.
func Thin(c Cloud, max int) Cloud {
	n := len(c.Points)
	if max <= 0 || n <= max {
		return c
	}
	out := Cloud{Name: c.Name, Radius: c.Radius, Outline: c.Outline}
	for k := 0; k < max; k++ {
		i := int(int64(k) * int64(n) / int64(max))
		out.Points = append(out.Points, c.Points[i])
		if c.Labels != nil {
			out.Labels = append(out.Labels, c.Labels[i])
		}
	}
	if out.Name != "" {
		out.Name = fmt.Sprintf("%s, %d of %d drawn", out.Name, max, n)
	}
	return out
}
