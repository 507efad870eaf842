package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"

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
		Short: "Write the latent encodings of a folder of images to CSV",
		Long: `Encode every image of an ImageFolder (or the built-in textures) with a run and
write one CSV row per image: path (relative to the folder), label (its class
folder), z0..z{n_d-1}, nearest (the nearest cluster's class), outside (true when
the point is outside the configured space: v all zero) and predicted (the
classifier head's class). The file is written atomically.`,
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
			b, err := encodeCSV(cmd, run, base, bar)
			bar.Finish()
			if err != nil {
				return err
			}
			if err := atomicfile.Write(out, b); err != nil {
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
	cmd.Flags().StringVar(&out, "out", "", "CSV file to write")
	cmd.Flags().Uint64Var(&dataSeed, "data-seed", 1, "seed of the built-in textures (with --data builtin)")
	return cmd
}

// encodeCSV encodes every image of base and returns the CSV.
func encodeCSV(cmd *cobra.Command, run *train.Run, base *data.Base, bar *progress.Bar) ([]byte, error) {
	l := run.Layout()
	classes := run.Classes()
	nd, nc := l.ND(), len(classes)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := []string{"path", "label"}
	for k := 0; k < nd; k++ {
		head = append(head, "z"+strconv.Itoa(k))
	}
	head = append(head, "nearest", "outside", "predicted")
	if err := w.Write(head); err != nil {
		return nil, err
	}
	imgs := make([]float32, encodeChunk*data.Pixels)
	labels := make([]int, encodeChunk)
	zf := make([]float64, nd)
	n := base.Len()
	for start := 0; start < n; start += encodeChunk {
		if err := cmd.Context().Err(); err != nil {
			return nil, err
		}
		k := min(encodeChunk, n-start)
		for i := 0; i < k; i++ {
			lab, err := base.Image(start+i, imgs[i*data.Pixels:(i+1)*data.Pixels])
			if err != nil {
				return nil, fmt.Errorf("encode: %w", err)
			}
			labels[i] = lab
		}
		z, logits, err := run.Infer(imgs[:k*data.Pixels], k)
		if err != nil {
			return nil, err
		}
		for i := 0; i < k; i++ {
			row := []string{base.IDs[start+i], base.ClassNames[labels[i]]}
			for c := 0; c < nd; c++ {
				zf[c] = float64(z[i*nd+c])
				row = append(row, strconv.FormatFloat(zf[c], 'g', -1, 32))
			}
			near, outside, err := l.Classify(zf)
			if err != nil {
				return nil, fmt.Errorf("encode %s: %w", base.IDs[start+i], err)
			}
			pred := train.HeadClass(logits[i*nc : (i+1)*nc])
			row = append(row, classes[near], strconv.FormatBool(outside), classes[pred])
			if err := w.Write(row); err != nil {
				return nil, err
			}
		}
		bar.Add(k)
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
