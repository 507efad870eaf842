// Package report holds what lsconf's reports and lsconf plot share: a
// run's figures drawn by one function (DrawRun: the LS scatter in any
// views, training curves, confusion matrices; PlotRun is lsconf plot),
// the search result grid (ResultGrid), a figure writer (FigureWriter), a
// reproduced or demo run's results and encodings (RunResult, EncodeSet),
// the state of a run folder (RunStateOf) and text formatting. The pipelines are packages repro and
// demo; the Markdown/HTML document model is internal/document.
package report
