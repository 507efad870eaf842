package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/bench"
	"github.com/lsconf/lsconf/internal/atomicfile"
)

func newBenchCmd(g *globalOptions) *cobra.Command {
	cfg := bench.DefaultConfig()
	var peers string
	var asJSON bool
	var jsonFile string
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure train, encode, decode and search speed on this machine, beside PyTorch, numpy and FAISS",
		Long: `Measure, in one run on this machine:
  - train step and encode img/s of lsconf's Table 1 SAE (ce+g, the paper's
    circle layout) for each width divisor, at the batch size, and with the
    decoder branch: decode img/s (images from latent points) and train
    steps with the reconstruction loss (weight 1); the first call (graph
    compilation) is not timed, then calls run for --seconds;
  - exact top-10 search queries/s over a synthetic index of --search-n
    entries, one query at a time, and in batches of --faiss-batch when
    FAISS runs;
  - the peak memory of each measurement;
  - with the peers (--peers auto runs them when /usr/bin/python3 imports
    torch and numpy; on requires them; off skips them), PyTorch's train,
    encode, decode and train+decoder img/s for the same model, widths and batch and numpy's search queries/s
    on the same data (its top-10 must equal lsconf's, id for id), and FAISS
    on the same vectors and queries: its exact IndexFlatL2 (its top-10
    checked against an exact L2 scan; FAISS ranks by L2, lsconf by its
    similarity) and an IVF index at recall@10 >= 0.99, one query at a
    time and in batches; interleaved with lsconf's in --rounds rounds so
    that machine load hits both alike. A missing peer is named with the
    command that installs it (make bench-peers installs python3-torch,
    python3-numpy and python3-faiss from Debian).
It prints the medians with their spread (min-max over the rounds), the
ratios lsconf / peer (wall time and CPU time), lsconf's speed targets with
pass/fail, the load average before and after and at each round's start
(a warning for each round that starts above the idle threshold, the number
of cores; then the verdicts read the CPU-time ratio, and the table says
so), the CPU model, cores,
GOEXPERIMENT, the backend parallelism and the SIMD kernel set ("avx512",
"avx2" or "go"; the JSON's top-level "kernels"). GOMLX_SIMD_AVX512=false
measures the AVX2 set on an AVX-512 CPU, GOMLX_SIMD_AVX2=false the pure-Go
one; with the AVX2 set, PyTorch is held to AVX2 too (ONEDNN_MAX_CPU_ISA=AVX2,
ATEN_CPU_CAPABILITY=avx2) and the ISA it reports is printed. Progress goes
to stderr. Other work on the machine makes the figures low and noisy: run
it when the load average is low, or let --quiet-wait wait for that.
--measure picks the kinds of rows (train, encode, decode, train+decoder,
search) so that a check of one does not take the machine for long.`,
		Example: `  lsconf bench
  lsconf bench --widths 8 --seconds 2 --search-n 100000 --rounds 1 --peers off
  lsconf bench --json > bench.json
  lsconf bench --measure encode --widths 8 --search-n 0 --quiet-wait 10m
  GOMLX_SIMD_AVX512=false lsconf bench   # the AVX2 kernels, PyTorch held to AVX2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			mode, err := bench.ParsePeerMode(peers)
			if err != nil {
				return err
			}
			cfg.Peers = mode
			cfg.Parallelism = g.parallelism
			if !g.quiet {
				cfg.Progress = os.Stderr
			}
			rep, runErr := bench.Run(cmd.Context(), cfg)
			if rep == nil {
				return runErr
			}
			if jsonFile != "" {
				b, err := json.MarshalIndent(rep, "", "  ")
				if err != nil {
					return err
				}
				if err := atomicfile.Write(jsonFile, append(b, '\n')); err != nil {
					return fmt.Errorf("bench: %w", err)
				}
			}
			if err := emit(cmd, asJSON, rep, func(w io.Writer) error { return bench.WriteTable(w, rep) }); err != nil {
				return err
			}
			return runErr
		},
	}
	f := cmd.Flags()
	f.IntSliceVar(&cfg.Widths, "widths", cfg.Widths, "width divisors of the model measurements (1 = the paper's model; empty: none)")
	f.IntVar(&cfg.Batch, "batch", cfg.Batch, "batch size of the model measurements")
	f.Float64Var(&cfg.Seconds, "seconds", cfg.Seconds, "seconds of each measurement, after its warm-up")
	f.IntVar(&cfg.SearchN, "search-n", cfg.SearchN, "entries of the synthetic search index (0: no search measurement)")
	f.StringVar(&peers, "peers", string(cfg.Peers), "run the peers (PyTorch, numpy, FAISS) beside lsconf: auto, on or off")
	f.IntVar(&cfg.Rounds, "rounds", cfg.Rounds, "interleaved rounds of every measurement (the table gives medians)")
	f.IntVar(&cfg.TorchThreads, "torch-threads", 0, "PyTorch's intra-op threads (0 = number of CPUs)")
	f.StringSliceVar(&cfg.Measure, "measure", []string{bench.KindTrain, bench.KindEncode, bench.KindDecode, bench.KindTrainDecoder, bench.KindSearch}, "kinds of rows to measure: train, encode, decode (the decoder at inference), train+decoder (a train step with the decoder), search")
	f.DurationVar(&cfg.QuietWait, "quiet-wait", 0, "wait up to this long before starting for the 1-minute load average to fall to the number of cores (0: start at once)")
	f.IntVar(&cfg.SearchThreads, "search-threads", 0, "threads of the search rows: lsconf's index workers and FAISS's OpenMP threads (0 = each one's default, one per CPU; 1 compares per core on a loaded machine)")
	f.IntVar(&cfg.FaissBatch, "faiss-batch", 64, "query batch of the FAISS rows (lsconf answers a batch with its index's SearchBatch: the queries spread over the workers)")
	jsonFlag(cmd, &asJSON, "the result")
	f.StringVar(&jsonFile, "json-file", "", "also write the JSON report to this file")
	return cmd
}
