// Package demo is lsconf's main job on a fresh machine (Run, lsconf demo,
// make demo): built-in data written as ImageFolder trees (TrainData,
// GenData), a ce+g model (RunDir), evaluation, the LS figure, an index of
// the generalization folder (IndexDB), an image query and a word query,
// and a report (report.md, report.html), each stage timed. Running it
// again reuses what is done. The decisions are in docs/repro.md.
package demo
