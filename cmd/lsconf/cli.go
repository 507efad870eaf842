package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/demo"
	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/model"
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

// advice is what the CLI adds to a library error: the flags that resolve
// the condition (library errors state the condition only).
var advice = []struct {
	err  error
	hint string
}{
	{train.ErrRunExists, "use --resume to continue it or --force to replace it"},
	{train.ErrOtherData, "resume on the run's own data, or give --force-data to continue on the --data/--gen given"},
	{train.ErrOtherSettings, "use another --out or remove the folder"},
	{train.ErrDiverged, "try a smaller --lr"},
	{index.ErrNotIndex, "use another --db file"},
	{index.ErrCorrupt, "lsconf index --check --db FILE reports the damage"},
	{data.ErrNoSource, "give --data DIR, --data builtin or --data fashion-mnist"},
	{data.ErrIDXNotImages, "write a split as an image folder first: lsconf data import SOURCE --split test --out DIR"},
	{data.ErrNotInstalled, "or give --data idx:DIR with the four IDX files"},
	{data.ErrIDXTooLarge, "write a part of it as a folder (lsconf data import SOURCE --per-class N --out DIR) and train on that"},
	{demo.ErrOtherImages, "use another --out"},
	{model.ErrNoDecoder, "train a run with --recon W > 0 or --mode mse+g"},
}

// advise appends the advice for the conditions err wraps.
func advise(err error) error {
	if err == nil {
		return nil
	}
	var hints []string
	for _, a := range advice {
		if errors.Is(err, a.err) {
			hints = append(hints, a.hint)
		}
	}
	if len(hints) == 0 {
		return err
	}
	return fmt.Errorf("%w (%s)", err, strings.Join(hints, "; "))
}

// withAdvice makes every command under cmd return advise(err).
func withAdvice(cmd *cobra.Command) {
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(c *cobra.Command, args []string) error { return advise(run(c, args)) }
	}
	for _, c := range cmd.Commands() {
		withAdvice(c)
	}
}
