// Package designcheck holds the test that keeps docs/DESIGN.md's package
// table true: every lsconf package has a row, and a package imports only
// what its row's "may import" column names.
//
// The column is a comma-separated list of backquoted lsconf packages
// (`latent`, `internal/progress`), "everything above" (every package of
// the rows above), "everything", "stdlib" (always allowed) and the names of
// external groups in Externals (GoMLX, x/image, gonum/plot, SQLite, cobra).
package designcheck
