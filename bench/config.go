package bench

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// Config chooses what Run measures.
type Config struct {
	// Widths are the width divisors of the model measurements.
	Widths []int
	// Batch is the batch size of the train and encode measurements.
	Batch int
	// Seconds is how long each measurement runs (after its warm-up).
	Seconds float64
	// SearchN is the number of entries of the synthetic search index
	// (0 skips the search measurement).
	SearchN int
	// Rounds is how many times every measurement runs, ours and the
	// peers' interleaved; the report gives medians.
	Rounds int
	// Peers says whether PyTorch and numpy run beside lsconf.
	Peers PeerMode
	// Parallelism is the compute backend's worker count (0 = engine's
	// default, as lsconf train uses).
	Parallelism int
	// TorchThreads is PyTorch's intra-op thread count (0 = Cores()).
	TorchThreads int
	// Python is the peers' interpreter ("" = DefaultPython).
	Python string
	// Seed fixes the weights and the input batch.
	Seed uint64
	// Progress receives progress lines (nil = quiet).
	Progress io.Writer
	// Measure lists the kinds of rows to measure: KindTrain, KindEncode,
	// KindDecode, KindTrainDecoder, KindSearch (nil = all; search also
	// needs SearchN > 0).
	Measure []string
	// QuietWait is how long Run may wait, before it starts, for the
	// 1-minute load average to fall to IdleLoad (0: it does not wait).
	QuietWait time.Duration
	// SearchThreads, when > 0, is the threads of the search rows: lsconf's
	// index workers (single queries) and goroutines (batches), and FAISS's
	// OpenMP threads; 0 = each one's default (one per CPU).
	SearchThreads int
	// FaissBatch is the query batch of the FAISS peer's batched rows
	// (and lsconf's, query by query); 0 = 64.
	FaissBatch int
}

// measures reports whether the configuration measures rows of kind.
func (c Config) measures(kind string) bool {
	return c.Measure == nil || slices.Contains(c.Measure, kind)
}

// modelKinds are the kinds of rows measured per width, in table order.
var modelKinds = []string{KindTrain, KindEncode, KindDecode, KindTrainDecoder}

// modelRows lists the kinds of model rows the configuration measures.
func (c Config) modelRows() []string {
	var out []string
	for _, k := range modelKinds {
		if c.measures(k) {
			out = append(out, k)
		}
	}
	return out
}

// DefaultConfig is lsconf bench without flags: W = 1, 4, 8 at batch 64,
// 5 s per measurement, search over 1e6 entries, peers when installed,
// 3 rounds.
func DefaultConfig() Config {
	return Config{Widths: []int{1, 4, 8}, Batch: 64, Seconds: 5, SearchN: 1_000_000, Rounds: 3, Peers: PeersAuto, Seed: 1}
}

// Validate reports what is wrong with the configuration.
func (c Config) Validate() error {
	for _, w := range c.Widths {
		if w < 1 || 64%w != 0 {
			return fmt.Errorf("bench: width divisor %d must divide 64", w)
		}
	}
	for _, k := range c.Measure {
		if k != KindSearch && !slices.Contains(modelKinds, k) {
			return fmt.Errorf("bench: measure %q: want %s, %s, %s, %s or %s", k, KindTrain, KindEncode, KindDecode, KindTrainDecoder, KindSearch)
		}
	}
	models := len(c.Widths) > 0 && len(c.modelRows()) > 0
	if !models && (c.SearchN == 0 || !c.measures(KindSearch)) {
		return fmt.Errorf("bench: nothing to measure (no widths or no model rows, and no search)")
	}
	if c.QuietWait < 0 || c.FaissBatch < 0 || c.SearchThreads < 0 {
		return fmt.Errorf("bench: negative quiet wait or FAISS batch")
	}
	switch {
	case c.Batch < 1:
		return fmt.Errorf("bench: batch %d", c.Batch)
	case !(c.Seconds > 0):
		return fmt.Errorf("bench: seconds %v must be > 0", c.Seconds)
	case c.SearchN < 0:
		return fmt.Errorf("bench: search N %d", c.SearchN)
	case c.Rounds < 1:
		return fmt.Errorf("bench: rounds %d", c.Rounds)
	case c.Parallelism < 0 || c.TorchThreads < 0:
		return fmt.Errorf("bench: negative thread count")
	}
	_, err := ParsePeerMode(string(c.Peers))
	return err
}
