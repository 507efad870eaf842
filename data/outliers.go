package data

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"
)

// Outliers is an auxiliary set of images of other things than the known
// classes (outlier exposure, Hendrycks, Mazeika & Dietterich 2019):
// training pushes them away from every class, so that unknown inputs have
// a region of their own. The images are as the model sees them (Size x
// Size grayscale, DecodeImage's conversion, like every known image), in
// the order of their paths, without duplicates.
type Outliers struct {
	// Dir is the folder they were loaded from.
	Dir string
	// Names are the images' paths below Dir ("/" separators), sorted.
	Names []string
	// Images are Pixels values each.
	Images [][]float32
	// Duplicates is the number of files dropped because an earlier file
	// (in path order) gave the same pixels; Skipped those that did not
	// decode.
	Duplicates, Skipped int
}

// outlierTag separates the outlier draws from other random streams.
const outlierTag = 0x6f75746c // "outl"

// LoadOutliers loads every image file under dir, at any depth, as an
// outlier set: the files are those of SelectFiles (the one selection rule:
// the top level and every sub-folder, hidden entries skipped), those with
// an image name (IsImageName) decoded as DecodeImage does, in path order;
// a file whose pixels equal an earlier one's is dropped (a duplicate).
// Files that do not decode are counted skips, each reported on log (when
// not nil). A folder with no image is an error.
func LoadOutliers(ctx context.Context, dir string, log io.Writer) (*Outliers, error) {
	sel, err := SelectFiles(dir, SelectOptions{Log: log})
	if err != nil {
		return nil, fmt.Errorf("outliers %s: %w", dir, err)
	}
	var files []Selected
	for _, f := range append(append([]Selected(nil), sel.Top...), sel.Files...) {
		if IsImageName(f.Rel) {
			files = append(files, f)
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Rel < files[j].Rel })
	names, images, skipped, err := decodeSelected(ctx, files, log)
	if err != nil {
		return nil, fmt.Errorf("outliers %s: %w", dir, err)
	}
	o := &Outliers{Dir: dir, Skipped: skipped}
	seen := map[[32]byte]bool{}
	for i, img := range images {
		k := pixelKey(img)
		if seen[k] {
			o.Duplicates++
			continue
		}
		seen[k] = true
		o.Names, o.Images = append(o.Names, names[i]), append(o.Images, img)
	}
	if len(o.Images) == 0 {
		return nil, fmt.Errorf("outliers %s: no image files in the folder or its sub-folders (%d skipped)", dir, skipped)
	}
	return o, nil
}

// pixelKey is the SHA-256 of an image's pixel values.
func pixelKey(img []float32) [32]byte {
	b := make([]byte, 4*len(img))
	for i, v := range img {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return sha256.Sum256(b)
}

// Len is the number of outlier images.
func (o *Outliers) Len() int { return len(o.Images) }

// Batch writes the n outlier images of training step step (0-based) into
// dst (n*Pixels values): the set is visited in passes, each a permutation
// drawn from (seed, pass), step s taking draws s*n to s*n+n-1, and each
// draw is mirrored left-right with probability 1/2 (drawn from seed and
// the draw's number). The batch depends only on (seed, step, n), so a
// resumed run draws what an uninterrupted one would.
func (o *Outliers) Batch(seed uint64, step int64, n int, dst []float32) error {
	m := len(o.Images)
	if m == 0 {
		return fmt.Errorf("outlier batch: the set is empty")
	}
	if n <= 0 || len(dst) < n*Pixels || step < 0 {
		return fmt.Errorf("outlier batch: %d images at step %d into %d values", n, step, len(dst))
	}
	pass, perm := int64(-1), []int32(nil)
	for j := range n {
		draw := step*int64(n) + int64(j)
		if p := draw / int64(m); p != pass {
			pass, perm = p, newRNG(seed, outlierTag, uint64(p)).perm(m)
		}
		src := o.Images[perm[draw%int64(m)]]
		out := dst[j*Pixels : (j+1)*Pixels]
		if newRNG(seed, outlierTag, math.MaxUint32, uint64(draw)).u64()&1 == 0 {
			copy(out, src)
			continue
		}
		for y := range Size {
			for x := range Size {
				out[y*Size+x] = src[y*Size+Size-1-x]
			}
		}
	}
	return nil
}
