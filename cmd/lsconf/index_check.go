package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/index"
)

// printSkips lists skipped entries with their reasons (the first 10).
func printSkips(out io.Writer, what string, skips []data.Skip) {
	if len(skips) == 0 {
		return
	}
	fmt.Fprintf(out, "%d %s:\n", len(skips), what)
	for i, s := range skips {
		if i == 10 {
			fmt.Fprintf(out, "  ... and %d more (--json lists all)\n", len(skips)-10)
			break
		}
		fmt.Fprintf(out, "  %s: %s\n", s.Path, s.Reason)
	}
}

// runIndexCheck is lsconf index --check: the full check of an index.
func runIndexCheck(cmd *cobra.Command, dbPath string, asJSON bool) error {
	if dbPath == "" {
		return errors.New("index --check: give --db FILE")
	}
	rep, err := index.CheckFile(cmd.Context(), dbPath)
	if err != nil {
		return err
	}
	if asJSON {
		if err := printJSON(cmd.OutOrStdout(), rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(cmd.OutOrStdout(), "%s: integrity %s, %d records, %d duplicates, %d orphans, %d bad vectors\n",
			dbPath, rep.Integrity, rep.Records, rep.Duplicates, rep.Orphans, rep.BadVectors)
	}
	if !rep.OK() {
		return fmt.Errorf("index --check: %s failed the check", dbPath)
	}
	return nil
}
