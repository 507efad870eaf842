package main

import (
	"fmt"
	"io"

	"github.com/lsconf/lsconf/data"
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
