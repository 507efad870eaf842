package data

import (
	"context"
	"fmt"
	"io"
	"sort"
)

// Unlabeled is a folder of images without classes, as the model sees them
// (Size x Size grayscale), with their file names.
type Unlabeled struct {
	Names  []string    // file names, sorted
	Images [][]float32 // Pixels values each
}

// LoadUnlabeled decodes the images at the top level of dir (not in
// sub-folders), chosen by the selection rule (SelectFiles: hidden entries,
// special files and bad names skipped) and read with ReadFileCapped, for
// drawing or encoding a collection that has no class folders. Files that
// do not decode are counted skips, each reported on log (when not nil); a
// folder with no image at all is an error.
func LoadUnlabeled(ctx context.Context, dir string, log io.Writer) (*Unlabeled, error) {
	sel, err := SelectFiles(dir, SelectOptions{Log: log})
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	var files []Selected
	for _, f := range sel.Top {
		if IsImageName(f.Rel) {
			files = append(files, f)
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Rel < files[j].Rel })
	names, images, _, err := decodeSelected(ctx, files, log)
	if err != nil {
		return nil, err
	}
	u := &Unlabeled{Names: names, Images: images}
	if len(u.Images) == 0 {
		return nil, fmt.Errorf("load %s: no images directly in the folder", dir)
	}
	return u, nil
}

// decodeSelected reads and decodes files in their order (ReadFileCapped,
// DecodeImage): the names and images of those that decode, and the number
// of those that do not, each reported on log (when not nil).
func decodeSelected(ctx context.Context, files []Selected, log io.Writer) (names []string, images [][]float32, skipped int, err error) {
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, nil, 0, err
		}
		b, err := ReadFileCapped(f.Path, 0)
		if err == nil {
			var img []float32
			if img, err = DecodeImage(b, false, 0); err == nil {
				names, images = append(names, f.Rel), append(images, img)
				continue
			}
		}
		skipped++
		if log != nil {
			fmt.Fprintf(log, "skipped %s: %v\n", f.Path, err)
		}
	}
	return names, images, skipped, nil
}
