// Package report holds what lsconf's reports and lsconf plot share: a
// run's figures drawn by one function (DrawRun: the LS scatter in any
// views, training curves, confusion matrices; PlotRun is lsconf plot),
// the search result grid (ResultGrid), a figure writer (FigureWriter), a
// finished run's figures and encodings (RunFigureInput, DrawRunResult,
// EncodeSet) and text formatting. The pipelines are packages repro and
// demo (repro's experiments and results are repro's own); the
// Markdown/HTML document model is internal/document.
package report
