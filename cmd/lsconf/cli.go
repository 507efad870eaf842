package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/train"
)

// The CLI's shared plumbing: the --json flag and the output it selects,
// opening an index, and finding the run that built one. Every command uses
// these; none writes its own.

// jsonFlag declares --json on cmd ("print <what> as JSON").
func jsonFlag(cmd *cobra.Command, asJSON *bool, what string) {
	cmd.Flags().BoolVar(asJSON, "json", false, "print "+what+" as JSON")
}

// emit writes v as indented JSON when asJSON, else calls text with the
// command's output.
func emit(cmd *cobra.Command, asJSON bool, v any, text func(w io.Writer) error) error {
	if asJSON {
		return printJSON(cmd.OutOrStdout(), v)
	}
	return text(cmd.OutOrStdout())
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// openIndex opens an existing index for command cmdName: --db is
// required, and a missing file is an error (index.Open would create it).
func openIndex(cmdName, path string) (*index.DB, error) {
	if path == "" {
		return nil, fmt.Errorf("%s: --db FILE is required", cmdName)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s: index %s: %w (make one with lsconf index)", cmdName, path, err)
	}
	return index.OpenReadOnly(path)
}

// openModel loads a run to encode images.
func openModel(dir string, g *globalOptions) (*train.Run, error) {
	if dir == "" {
		return nil, errors.New("no run: give --run RUN (a folder made by lsconf train)")
	}
	return train.OpenRun(dir, g.engine())
}

// indexRun finds the run that built db: runDir when given (--run), else
// the run folder recorded in the index. given reports whether --run was
// given; dir is "" when neither names one.
func indexRun(ctx context.Context, db *index.DB, runDir string) (dir string, given bool) {
	if runDir != "" {
		return runDir, true
	}
	if id, err := db.Identity(ctx); err == nil {
		return id.RunDir, false
	}
	return "", false
}
