// Package repro reproduces the paper: the Table 2 grid (seeds x {ce,
// ce+g} x {pre, post}), the polar-encoder run of Figure 5, the f_d curve
// of Figure 6, the LS figures of Figures 7-9, training curves, confusion
// matrices, the latent-space conformance of every run, and a verdict per
// paper claim computed from the measured numbers (Verdicts), written as
// report.md, report.html and report.json (Run, lsconf repro). Unseen runs
// the open-set experiment (lsconf repro --unseen).
//
// The building blocks are exported for tests and other front ends: Spread
// (mean, sd, range), Table2 / BuildTable2 / PaperTable2, Plan and
// Experiment, Verdicts. The decisions (seeds, order, the Figure 5 run,
// caching, accuracy, figures, verdict thresholds, quick mode) are in
// docs/repro.md.
package repro
