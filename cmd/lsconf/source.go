package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/train"
)

// loadSet loads a source as one labelled Set for eval and plot: an IDX
// source ("fashion-mnist", "idx:DIR") gives its shipped test split, other
// sources their base images (loadBase).
func loadSet(cmd *cobra.Command, spec string, dataSeed uint64, quiet bool) (data.Set, error) {
	if data.IsIDXSource(spec) {
		s, err := data.OpenIDXSource(spec)
		if err != nil {
			return nil, err
		}
		if !quiet {
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: using its test split (%d images)\n", spec, s.Test.Len())
		}
		return s.Test, nil
	}
	return loadBase(cmd, spec, dataSeed, quiet)
}

// maxCloud is the most points of one set lsconf plot draws; larger sets
// are thinned evenly (the legend says so).
const maxCloud = 5000

// plotCloud encodes a source for the LS figure: a labelled set (loadSet),
// or, for a folder without class folders, its images unlabelled (grey).
func plotCloud(cmd *cobra.Command, run *train.Run, spec, name string, dataSeed uint64, quiet bool,
	cloud func(string, [][]float64, []int) plot.Cloud) (plot.Cloud, error) {
	set, err := loadSet(cmd, spec, dataSeed, quiet)
	if err != nil {
		st, serr := os.Stat(spec)
		if serr != nil || !st.IsDir() || !strings.Contains(err.Error(), "no class folders") {
			return plot.Cloud{}, err
		}
		var log io.Writer
		if !quiet {
			log = cmd.ErrOrStderr()
		}
		u, uerr := data.LoadUnlabeled(cmd.Context(), spec, log)
		if uerr != nil {
			return plot.Cloud{}, fmt.Errorf("%w; as an unlabelled folder: %v", err, uerr)
		}
		if !quiet {
			fmt.Fprintf(cmd.ErrOrStderr(), "plot: %s has no class folders: encoding its %d images unlabelled (%s)\n", spec, len(u.Images), name)
		}
		flat := make([]float32, 0, len(u.Images)*data.Pixels)
		for _, im := range u.Images {
			flat = append(flat, im...)
		}
		z, err := run.Encode(flat, len(u.Images))
		if err != nil {
			return plot.Cloud{}, err
		}
		labels := make([]int32, len(u.Images))
		for i := range labels {
			labels[i] = -1
		}
		pts, lab := plot.Points(z, labels, run.Layout().ND())
		return plot.Thin(cloud(fmt.Sprintf("%s, unlabelled (%d)", name, len(pts)), pts, lab), maxCloud), nil
	}
	if !quiet {
		fmt.Fprintf(cmd.ErrOrStderr(), "plot: encoding %d images (%s)\n", set.Len(), name)
	}
	z, _, y, err := run.InferSet(cmd.Context(), set)
	if err != nil {
		return plot.Cloud{}, fmt.Errorf("plot %s: %w", name, err)
	}
	pts, labels := plot.Points(z, y, run.Layout().ND())
	return plot.Thin(cloud(fmt.Sprintf("%s (%d)", name, len(pts)), pts, labels), maxCloud), nil
}
