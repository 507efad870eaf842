package main

import (
	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/data"
)

// loadSet loads a source as one labelled Set for eval (data.LoadSet).
func loadSet(cmd *cobra.Command, spec string, dataSeed uint64, quiet bool) (data.Set, error) {
	return data.LoadSet(cmd.Context(), spec, dataSeed, loadOptions(cmd, quiet))
}
