package main

import (
	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/train"
)

// loadOutliers loads the outlier images of a run (nil when it has none),
// reporting skipped files on stderr.
func loadOutliers(cmd *cobra.Command, info *train.OutlierInfo) (*data.Outliers, error) {
	if info == nil || info.Dir == "" {
		return nil, nil
	}
	return data.LoadOutliers(cmd.Context(), info.Dir, cmd.ErrOrStderr())
}
