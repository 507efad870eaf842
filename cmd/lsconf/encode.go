package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/internal/atomicfile"
	"github.com/lsconf/lsconf/internal/progress"
	"github.com/lsconf/lsconf/train"
)

// encodeChunk is the number of images encoded per call.
const encodeChunk = 1024

func newEncodeCmd(g *globalOptions) *cobra.Command {
	var runDir, dataSpec, out string
	var dataSeed uint64
	cmd := &cobra.Command{
		Use:   "encode",
		Short: "Write the latent encodings of a folder of images to CSV or JSON",
		Long: `Encode every image of an ImageFolder (or the built-in textures) with a run and
write one CSV row per image: path (relative to the folder), label (its class
folder), z0..z{n_d-1}, nearest (the nearest cluster's class), outside, predicted
(the classifier head's class), p_<class> (the head's softmax probability of
each class) and open_set_score (higher: more likely an unknown input; with
the distance head, the head's MSP computed from z, 1 - max softmax of
-s (d_k/r_k)^2, times d_c/|z|; with the dense head, the distance to the
nearest centre over its r_c). outside is true when the point is outside the configured space (v all
zero) or, for a run with a calibrated threshold (outside.json, written at the
end of training), when its score is above it (a threshold calibrated before
the score was recorded is on dist/r_c and is applied to dist/r_c). --out FILE.json writes the
same as a JSON array. The file is written atomically.`,
		Example: `  lsconf encode --run runs/ceg --data ~/market --out market_z.csv
  lsconf encode --run runs/ceg --data builtin-gen --out gen_z.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runDir == "" || dataSpec == "" || out == "" {
				return errors.New("encode: --run RUN, --data DIR and --out FILE are required")
			}
			run, err := train.OpenRun(runDir, g.engine())
			if err != nil {
				return err
			}
			defer run.Close()
			base, err := loadBase(cmd, dataSpec, dataSeed, g.quiet)
			if err != nil {
				return err
			}
			var bar *progress.Bar
			if !g.quiet {
				bar = progress.New(cmd.ErrOrStderr(), "encode", base.Len())
			}
			if run.Calibration() == nil && !g.quiet {
				fmt.Fprintf(cmd.ErrOrStderr(), "note: %s\n", train.NoCalibrationNote)
			}
			imgs, err := describeImages(cmd, run, base, func(i int) string { return base.IDs[i] }, bar)
			bar.Finish()
			if err != nil {
				return err
			}
			if err := writeEncoded(out, run.Classes(), imgs); err != nil {
				return err
			}
			if !g.quiet {
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d encodings to %s\n", base.Len(), out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&runDir, "run", "", "run folder (made by lsconf train)")
	cmd.Flags().StringVar(&dataSpec, "data", "", `images: an ImageFolder, "builtin" or "builtin-gen"`)
	cmd.Flags().StringVar(&out, "out", "", "file to write: CSV, or JSON when it ends in .json")
	cmd.Flags().Uint64Var(&dataSeed, "data-seed", 1, "seed of the built-in textures (with --data builtin)")
	return cmd
}

// encodedImage is one image of lsconf encode's (and lsconf eval
// --per-image's) output.
type encodedImage struct {
	Path  string `json:"path"`
	Label string `json:"label"`
	train.ImageResult
	PredictedClass string `json:"predicted_class"`
	NearestClass   string `json:"nearest_class"`
}

// describeImages runs every image of set through the run and describes it
// (train.Run.Describe); ids name the images.
func describeImages(cmd *cobra.Command, run *train.Run, set data.Set, ids func(i int) string, bar *progress.Bar) ([]encodedImage, error) {
	classes := run.Classes()
	names := set.Classes()
	imgs := make([]float32, encodeChunk*data.Pixels)
	labels := make([]int, encodeChunk)
	n := set.Len()
	out := make([]encodedImage, 0, n)
	for start := 0; start < n; start += encodeChunk {
		if err := cmd.Context().Err(); err != nil {
			return nil, err
		}
		k := min(encodeChunk, n-start)
		for i := 0; i < k; i++ {
			lab, err := set.Image(start+i, imgs[i*data.Pixels:(i+1)*data.Pixels])
			if err != nil {
				return nil, fmt.Errorf("encode: %w", err)
			}
			labels[i] = lab
		}
		z, logits, err := run.Infer(imgs[:k*data.Pixels], k)
		if err != nil {
			return nil, err
		}
		res, err := run.Describe(z, logits, k)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", ids(start), err)
		}
		for i, r := range res {
			out = append(out, encodedImage{Path: ids(start + i), Label: names[labels[i]], ImageResult: r,
				PredictedClass: classes[r.Predicted], NearestClass: classes[r.Nearest]})
		}
		bar.Add(k)
	}
	return out, nil
}

// writeEncoded writes images as JSON when path ends in .json, else as CSV:
// path, label, z0..z{n_d-1}, nearest, outside, predicted, p_<class> for
// every class, open_set_score.
func writeEncoded(path string, classes []string, imgs []encodedImage) error {
	if strings.EqualFold(filepath.Ext(path), ".json") {
		b, err := json.MarshalIndent(imgs, "", "  ")
		if err != nil {
			return fmt.Errorf("encode JSON: %w", err)
		}
		return atomicfile.Write(path, append(b, '\n'))
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := []string{"path", "label"}
	nd := 0
	if len(imgs) > 0 {
		nd = len(imgs[0].Z)
	}
	for k := 0; k < nd; k++ {
		head = append(head, "z"+strconv.Itoa(k))
	}
	head = append(head, "nearest", "outside", "predicted")
	for _, c := range classes {
		head = append(head, "p_"+c)
	}
	head = append(head, "open_set_score")
	if err := w.Write(head); err != nil {
		return err
	}
	for _, im := range imgs {
		row := []string{im.Path, im.Label}
		for _, x := range im.Z {
			row = append(row, strconv.FormatFloat(float64(x), 'g', -1, 32))
		}
		row = append(row, im.NearestClass, strconv.FormatBool(im.Outside), im.PredictedClass)
		for _, p := range im.Probs {
			row = append(row, strconv.FormatFloat(p, 'g', 6, 64))
		}
		row = append(row, strconv.FormatFloat(im.Score, 'g', 6, 64))
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes())
}
