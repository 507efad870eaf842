// Package bench measures lsconf's speed on this machine beside the tools a
// user would pick instead, in one run: the train step, the encoder and
// the decoder (inference, and a train step with it) of the Table 1 SAE
// (package model, the code lsconf train, encode and decode run) beside
// the same model in PyTorch (torch_sae.py), and exact top-10
// search by sim (package search) beside a vectorised numpy scan
// (search_numpy.py). Both scripts are embedded in the binary and written
// to a temporary directory to run, so lsconf bench works from anywhere.
// Run is what lsconf bench calls; WriteTable prints its table.
//
// Decisions:
//   - Interleaved rounds: in each round every measurement (ours and the
//     peer's) runs once, ours first in even rounds and the peer first in
//     odd ones, so that machine load hits both alike; the table gives the
//     medians over the rounds, and the ratio is median(ours) /
//     median(theirs).
//   - Model: mode ce+g with k_g = 0.2 on the paper's circle layout (5
//     classes, n_d = 2), Adam at train.DefaultLR, weights from Init with the
//     seed, one fixed batch of uniform [0, 1) images. Each measurement
//     makes its own backend (engine.New with the configured parallelism;
//     the engine's default, as lsconf train, unless --parallelism) and
//     its own net, so that one measurement's buffers do not count in the
//     next's memory; the first call (graph compilation) is a warm-up, then
//     calls run until the configured seconds have passed (at least 3).
//     Encode rates are of model.Net.Infer, which runs batches of
//     model.InferBatch (64) images (a smaller batch is padded); decode
//     rates of model.Net.Decode on uniform points in [-1, 1)^2.
//   - Search: the synthetic index of search.BenchmarkSearch1M (SyntheticZ
//     seed 1, queries seed 2), single queries through Index.Search (one
//     query at a time, the index's default workers: all CPUs) against
//     numpy in one thread, as the speed targets compare them. numpy runs about
//     --seconds' worth of queries (30 in the first round, then scaled to
//     its last rate); its top-10 ids are compared with ours, in order,
//     for every query it ran. A difference fails the search row and makes
//     Run return ErrTopDiffer with the report.
//   - Memory: our peak is the process's resident high-water mark (VmHWM,
//     reset through /proc/self/clear_refs after returning free heap pages
//     to the OS), from just before the backend is made to the end of the
//     timed calls; "base" is the resident set at that start (it includes
//     the search index, built once before the rounds). Without /proc the
//     fallback is Go's runtime.MemStats.Sys, which never shrinks. A
//     peer's peak is its Python process's ru_maxrss (interpreter and
//     library included; one PyTorch process per width runs every model kind).
//   - PyTorch runs with as many intra-op threads as there are CPUs.
package bench
