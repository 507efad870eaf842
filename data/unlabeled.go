package data

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// Unlabeled is a folder of images without classes, as the model sees them
// (Size x Size grayscale), with their file names.
type Unlabeled struct {
	Names  []string    // file names, sorted
	Images [][]float32 // Pixels values each
}

// LoadUnlabeled decodes the images directly in dir (not in sub-folders;
// hidden files skipped) with DecodeImage, for drawing or encoding a
// collection that has no class folders. Files that do not decode are
// counted skips, each reported on log (when not nil); a folder with no
// image at all is an error.
func LoadUnlabeled(ctx context.Context, dir string, log io.Writer) (*Unlabeled, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() && !isHidden(e.Name()) && IsImageName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	u := &Unlabeled{}
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err == nil {
			var img []float32
			if img, err = DecodeImage(b, false, 0); err == nil {
				u.Names, u.Images = append(u.Names, n), append(u.Images, img)
				continue
			}
		}
		if log != nil {
			fmt.Fprintf(log, "skipped %s: %v\n", filepath.Join(dir, n), err)
		}
	}
	if len(u.Images) == 0 {
		return nil, fmt.Errorf("load %s: no images directly in the folder", dir)
	}
	return u, nil
}
