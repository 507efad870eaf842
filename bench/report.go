package bench

import (
	"slices"
)

// Measurement kinds of a Row.
const (
	KindTrain  = "train"
	KindEncode = "encode"
	KindSearch = "search"
	// KindTrainDecoder is a train step with the decoder (reconstruction
	// weight 1): no target; its rate beside KindTrain's is the decoder's
	// cost.
	KindTrainDecoder = "train+decoder"
	// KindDecode is the decoder at inference (images from latent
	// points): no target.
	KindDecode = "decode"
	// KindFaiss rows set lsconf's exact search beside the FAISS peer
	// (Row.Variant says which index and how queries are sent).
	KindFaiss = "search-faiss"
)

// The FAISS rows (Row.Width of KindFaiss while measuring; Row.Variant
// names them): the exact IndexFlatL2 and the IVF index, one query at a
// time and in batches.
const (
	FaissFlat = iota + 1
	FaissFlatBatch
	FaissIVF
	FaissIVFBatch
)

var faissVariants = map[int]string{FaissFlat: "flat, 1 query", FaissFlatBatch: "flat, batch", FaissIVF: "IVF, 1 query", FaissIVFBatch: "IVF, batch"}

// TargetFaissExact is the least ratio of lsconf's exact search to FAISS's
// exact IndexFlatL2 on the same vectors that lsconf aims at.
const TargetFaissExact = 10

// Verdicts of a Row against its target.
const (
	Pass = "pass"
	Fail = "fail"
	// NoPeer: the row has a target but the peer did not run.
	NoPeer = "n/a"
)

// Row is one line of the table: a measurement's medians over the rounds.
type Row struct {
	// What names the measurement ("train W=1").
	What string `json:"what"`
	// Kind is KindTrain, KindEncode or KindSearch.
	Kind string `json:"kind"`
	// Width is the width divisor (model rows).
	Width int `json:"width,omitempty"`
	// Variant names a FAISS row's index and query mode.
	Variant string `json:"variant,omitempty"`
	// Unit is "img/s" or "q/s".
	Unit string `json:"unit"`
	// Ours and Theirs are the medians over the rounds (Theirs 0 when the
	// peer did not run).
	Ours   float64 `json:"ours"`
	Theirs float64 `json:"theirs,omitempty"`
	// Ratio is Ours / Theirs (0 without a peer).
	Ratio float64 `json:"ratio,omitempty"`
	// OursCPUms and TheirsCPUms are the medians of the process CPU
	// milliseconds per image (or query) of the timed calls; CPURatio is
	// TheirsCPUms / OursCPUms, the rate ratio the two would have if each
	// turned all its CPU time into work at the same parallel efficiency
	// (a reading less sensitive to machine load than Ratio; 0 when
	// either is missing).
	OursCPUms       float64   `json:"ours_cpu_ms"`
	TheirsCPUms     float64   `json:"theirs_cpu_ms,omitempty"`
	CPURatio        float64   `json:"cpu_ratio,omitempty"`
	OursCPURounds   []float64 `json:"ours_cpu_ms_rounds"`
	TheirsCPURounds []float64 `json:"theirs_cpu_ms_rounds,omitempty"`
	// Target is the least ratio lsconf aims at for this row (0: none).
	Target float64 `json:"target,omitempty"`
	// Verdict is Pass, Fail, NoPeer, or "" without a target.
	Verdict string `json:"verdict,omitempty"`
	// OursRounds and TheirsRounds are the per-round rates.
	OursRounds   []float64 `json:"ours_rounds"`
	TheirsRounds []float64 `json:"theirs_rounds,omitempty"`
	// OursPeakMB is the largest peak memory of our measurement over the
	// rounds, OursBaseMB the memory the process held at its start (both
	// MiB, Report.MemorySource); TheirsPeakMB is the peer process's peak
	// resident set (MiB; the torch process measures train and encode
	// together, so both rows show its peak).
	OursPeakMB   float64 `json:"ours_peak_mb"`
	OursBaseMB   float64 `json:"ours_base_mb"`
	TheirsPeakMB float64 `json:"theirs_peak_mb,omitempty"`
	// Note says what went wrong, if anything (e.g. top-10 differ).
	Note string `json:"note,omitempty"`
	// OursMin, OursMax, TheirsMin and TheirsMax are the spread of the
	// rates over the rounds.
	OursMin   float64 `json:"ours_min"`
	OursMax   float64 `json:"ours_max"`
	TheirsMin float64 `json:"theirs_min,omitempty"`
	TheirsMax float64 `json:"theirs_max,omitempty"`
	// VerdictBy is the ratio the verdict reads: PrimaryRatio (wall time)
	// on a quiet machine, PrimaryCPURatio when a round started above the
	// idle load.
	VerdictBy string `json:"verdict_by,omitempty"`
}

// The ratios a verdict can read (Report.Primary, Row.VerdictBy).
const (
	PrimaryRatio    = "ratio"
	PrimaryCPURatio = "cpu ratio"
)

// IdleLoad is the 1-minute load average above which a machine with cores
// CPUs counts as busy: the number of cores. The bench alone, running two
// threads on two cores, brings the load toward it (1.5-1.8 measured on an
// otherwise idle 2-core machine); above it other work competes.
func IdleLoad(cores int) float64 { return float64(cores) }

// Report is the result of Run.
type Report struct {
	Widths       []int    `json:"widths"`
	Batch        int      `json:"batch"`
	Seconds      float64  `json:"seconds"`
	SearchN      int      `json:"search_n"`
	Rounds       int      `json:"rounds"`
	Peers        PeerMode `json:"peers"`
	Cores        int      `json:"cores"`
	GOEXPERIMENT string   `json:"goexperiment"`
	GoVersion    string   `json:"go"`
	// CPU is the processor's model name (/proc/cpuinfo).
	CPU string `json:"cpu"`
	// Kernels is the compute backend's SIMD kernel set: "avx512", "avx2"
	// or "go" (kernels.Kernels); KernelsReason why no faster set runs.
	Kernels       string `json:"kernels"`
	KernelsReason string `json:"kernels_reason,omitempty"`
	// Parallelism is the compute backend's worker count.
	Parallelism int `json:"parallelism"`
	// SearchThreads is Config.SearchThreads (0: each side's default).
	SearchThreads int `json:"search_threads,omitempty"`
	// Torch and Numpy are the peers' versions ("" when not run);
	// TorchThreads is PyTorch's thread count.
	Torch        string `json:"torch,omitempty"`
	TorchThreads int    `json:"torch_threads,omitempty"`
	// TorchEnv is what restricted the PyTorch peer's instruction sets
	// (TorchEnv of Kernels); TorchISA what the peer reported running:
	// oneDNN's ISA and ATen's CPU capability.
	TorchEnv []string `json:"torch_env,omitempty"`
	TorchISA string   `json:"torch_isa,omitempty"`
	Numpy    string   `json:"numpy,omitempty"`
	// MemorySource is how our peak memory is measured (MemVmHWM or
	// MemGoSys); the peers' is their process's getrusage ru_maxrss.
	MemorySource string `json:"memory_source"`
	// IndexBuildPeakMB is the peak memory while the synthetic search
	// index was generated and built (MiB).
	IndexBuildPeakMB float64 `json:"index_build_peak_mb,omitempty"`
	// LoadBefore and LoadAfter are the 1, 5, 15 minute load averages;
	// LoadRounds the 1-minute load at the start of each round.
	LoadBefore []float64 `json:"load_before"`
	LoadAfter  []float64 `json:"load_after"`
	LoadRounds []float64 `json:"load_rounds"`
	// MissingPeers names each peer that did not run because its module
	// is missing, with the command that installs it.
	MissingPeers []string `json:"missing_peers,omitempty"`
	// SearchExact is false when the numpy peer's top-10 differ from ours.
	SearchExact bool `json:"search_exact"`
	// IdleLoad is the busy threshold of the 1-minute load (IdleLoad);
	// LoadWarnings name each round that started above it.
	IdleLoad     float64  `json:"idle_load"`
	LoadWarnings []string `json:"load_warnings,omitempty"`
	// Primary is the ratio the verdicts read: PrimaryRatio, or
	// PrimaryCPURatio when the machine was loaded (LoadWarnings).
	Primary string `json:"primary"`
	// QuietWaitSeconds is how long Run waited for a quiet machine
	// (Config.QuietWait), QuietReached whether the load fell to IdleLoad.
	QuietWaitSeconds float64 `json:"quiet_wait_seconds,omitempty"`
	QuietReached     bool    `json:"quiet_reached,omitempty"`
	// Faiss is the FAISS peer's version and threads ("" when it did not
	// run); FaissExact whether its exact (IndexFlatL2) top-10 equal an
	// exact L2 scan over the same vectors; FaissIVF describes its IVF
	// index (lists, probes, recall@10 against the exact top-10).
	Faiss      string `json:"faiss,omitempty"`
	FaissExact bool   `json:"faiss_exact,omitempty"`
	FaissIVF   string `json:"faiss_ivf,omitempty"`
	// FaissTopChecked queries had their FAISS exact top-10 checked;
	// FaissTopSameIDs of them had the same ids in the same order (the
	// others the same distances, tied ids in another order).
	FaissTopChecked int `json:"faiss_top_checked,omitempty"`
	FaissTopSameIDs int `json:"faiss_top_same_ids,omitempty"`
	// FaissTopEq15 of the checked queries had a FAISS exact (L2) top-10
	// that is also an exact top-10 by eq 15, lsconf's ranking, up to ties
	// (SearchData.Eq15TopOfL2); nil when FAISS did not run.
	FaissTopEq15 *int `json:"faiss_top_eq15,omitempty"`
	// WallSeconds is how long the whole run took.
	WallSeconds float64 `json:"wall_seconds"`
	Rows        []Row   `json:"rows"`
}

// Target is the least ratio ours / theirs lsconf aims at for a measurement, 0 when
// it sets none: train W=1 and W=8 >= 1.0, encode W=1, 4 and 8 >= 1.0
// (with the AVX-512 and the AVX2 kernel sets alike; until 2026-12-05 train
// W=1 0.6, W=8 0.5, encode W=1 0.6, and before 2026-12-01 0.5, 0.25, 0.5),
// search >= 5 (numpy; FAISS's exact index: TargetFaissExact).
func Target(kind string, width int) float64 {
	switch {
	case kind == KindTrain && (width == 1 || width == 8):
		return 1
	case kind == KindEncode && (width == 1 || width == 4 || width == 8):
		return 1
	case kind == KindSearch:
		return 5
	}
	return 0
}

// Median is the median of xs (the mean of the middle two for an even
// count; 0 for none).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// finish fills a row's medians, spread, ratio, target and verdict from its
// rounds; the verdict reads the primary ratio (PrimaryRatio or
// PrimaryCPURatio; the wall-time ratio when the CPU ratio is missing).
func (r *Row) finish(primary string) {
	r.Ours = Median(r.OursRounds)
	r.Theirs = Median(r.TheirsRounds)
	r.OursMin, r.OursMax = minMax(r.OursRounds)
	r.TheirsMin, r.TheirsMax = minMax(r.TheirsRounds)
	r.Ratio = 0
	if r.Theirs > 0 {
		r.Ratio = r.Ours / r.Theirs
	}
	r.OursCPUms = Median(r.OursCPURounds)
	r.TheirsCPUms = Median(r.TheirsCPURounds)
	r.CPURatio = 0
	if r.OursCPUms > 0 && r.TheirsCPUms > 0 {
		r.CPURatio = r.TheirsCPUms / r.OursCPUms
	}
	if r.Kind != KindFaiss {
		r.Target = Target(r.Kind, r.Width)
	}
	ratio := r.Ratio
	r.VerdictBy = PrimaryRatio
	if primary == PrimaryCPURatio && r.CPURatio > 0 {
		ratio, r.VerdictBy = r.CPURatio, PrimaryCPURatio
	}
	if r.Target == 0 {
		r.VerdictBy = ""
	}
	switch {
	case r.Note != "" && r.Target > 0:
		r.Verdict = Fail
	case r.Target == 0:
		r.Verdict = ""
	case r.Theirs == 0:
		r.Verdict = NoPeer
	case ratio >= r.Target:
		r.Verdict = Pass
	default:
		r.Verdict = Fail
	}
}

// minMax is the least and the largest of xs (0, 0 for none).
func minMax(xs []float64) (lo, hi float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	return slices.Min(xs), slices.Max(xs)
}

// mib converts bytes to MiB.
func mib(b uint64) float64 { return float64(b) / (1 << 20) }
