package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Columns of the table WriteTable prints, in order.
var Columns = []string{"what", "unit", "lsconf", "lsconf min-max", "peer", "peer min-max", "ratio", "cpu ratio", "target", "verdict", "lsconf peak MiB", "lsconf base MiB", "peer peak MiB"}

// WriteTable prints the report as a table (one row per measurement, the
// columns of Columns) followed by the machine lines: cores, GOEXPERIMENT,
// backend parallelism, peers, load averages and how memory was measured.
func WriteTable(w io.Writer, rep *Report) error {
	fmt.Fprintf(w, "lsconf bench: batch %d, %g s per measurement, %d round(s), medians\n\n", rep.Batch, rep.Seconds, rep.Rounds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	// The first column is padded here so that it reads left-aligned.
	wide := len(Columns[0])
	for _, r := range rep.Rows {
		wide = max(wide, len(r.What))
	}
	left := func(s string) string { return s + strings.Repeat(" ", wide-len(s)) }
	fmt.Fprintln(tw, left(Columns[0])+"\t"+strings.Join(Columns[1:], "\t")+"\t")
	for _, r := range rep.Rows {
		verdict := orDash(r.Verdict)
		if r.Verdict != "" && r.VerdictBy == PrimaryCPURatio {
			verdict += " (cpu)"
		}
		cells := []string{left(r.What), r.Unit, fmtRate(r.Ours), spread(r.OursMin, r.OursMax), dash(r.Theirs, fmtRate), spread(r.TheirsMin, r.TheirsMax),
			dash(r.Ratio, fmtRatio), dash(r.CPURatio, fmtRatio),
			dash(r.Target, func(t float64) string { return ">= " + fmtRatio(t) }), verdict,
			fmt.Sprintf("%.0f", r.OursPeakMB), fmt.Sprintf("%.0f", r.OursBaseMB), dash(r.TheirsPeakMB, func(x float64) string { return fmt.Sprintf("%.0f", x) })}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "CPU %s, cores %d, GOEXPERIMENT=%s, %s, backend parallelism %d\n", orDash(rep.CPU), rep.Cores, orDash(rep.GOEXPERIMENT), rep.GoVersion, rep.Parallelism)
	kernels := "kernels " + orDash(rep.Kernels)
	if rep.KernelsReason != "" {
		kernels += " (" + rep.KernelsReason + ")"
	}
	fmt.Fprintln(w, kernels)
	if rep.SearchThreads > 0 {
		fmt.Fprintf(w, "search threads %d (lsconf's index workers and batch goroutines, FAISS's OpenMP threads)\n", rep.SearchThreads)
	}
	peers := []string{}
	if rep.Torch != "" {
		isa := rep.TorchISA
		if len(rep.TorchEnv) > 0 {
			isa += "; restricted to match: " + strings.Join(rep.TorchEnv, " ")
		} else {
			isa += "; unrestricted"
		}
		peers = append(peers, fmt.Sprintf("PyTorch %s (%d threads; %s)", rep.Torch, rep.TorchThreads, isa))
	}
	if rep.Numpy != "" {
		peers = append(peers, fmt.Sprintf("numpy %s (1 thread, top-10 equal to lsconf's: %v)", rep.Numpy, rep.SearchExact))
	}
	if len(peers) == 0 {
		peers = append(peers, "none ran")
	}
	if rep.Faiss != "" {
		eq15 := "not tested"
		if rep.FaissTopEq15 != nil {
			eq15 = fmt.Sprintf("%d of %d", *rep.FaissTopEq15, rep.FaissTopChecked)
		}
		peers = append(peers, fmt.Sprintf("FAISS %s (IndexFlatL2 top-10 equal to an exact L2 scan of the same vectors: %v, same ids in order for %d of %d checked queries; also an exact top-10 by eq 15, lsconf's ranking (ties aside): %s; %s)",
			rep.Faiss, rep.FaissExact, rep.FaissTopSameIDs, rep.FaissTopChecked, eq15, rep.FaissIVF))
	}
	fmt.Fprintf(w, "peers (--peers %s): %s\n", rep.Peers, strings.Join(peers, ", "))
	for _, m := range rep.MissingPeers {
		fmt.Fprintf(w, "peer not run: %s\n", m)
	}
	fmt.Fprintf(w, "load average (1, 5, 15 min) before %s, after %s; 1 min at round starts %s\n",
		fmtLoads(rep.LoadBefore), fmtLoads(rep.LoadAfter), fmtLoads(rep.LoadRounds))
	for _, l := range rep.LoadWarnings {
		fmt.Fprintf(w, "warning: %s\n", l)
	}
	if rep.QuietWaitSeconds > 0 || rep.QuietReached {
		fmt.Fprintf(w, "--quiet-wait: waited %.0f s, quiet (load <= %.2f) reached: %v\n", rep.QuietWaitSeconds, rep.IdleLoad, rep.QuietReached)
	}
	fmt.Fprintln(w, "cpu ratio: the peer's process CPU time per image (query) over lsconf's, medians (less sensitive to machine load than the wall-time ratio)")
	if rep.Primary == PrimaryCPURatio {
		fmt.Fprintf(w, "primary figure: the cpu ratio. The machine was loaded (a round started above load %.2f), so the wall-time ratios are not reliable; verdicts marked (cpu) read the cpu ratio\n", rep.IdleLoad)
	} else {
		fmt.Fprintf(w, "primary figure: the wall-time ratio (every round started at load <= %.2f)\n", rep.IdleLoad)
	}
	fmt.Fprintln(w, "min-max: the spread of the rates over the rounds")
	fmt.Fprintf(w, "memory: lsconf peak = %s during the measurement (backend, compilation and steps; base = held at its start, incl. the search index), ", rep.MemorySource)
	fmt.Fprintf(w, "peer peak = the Python process's ru_maxrss")
	if rep.IndexBuildPeakMB > 0 {
		fmt.Fprintf(w, "; search index build peak %.0f MiB", rep.IndexBuildPeakMB)
	}
	fmt.Fprintf(w, "\nwall time %.0f s\n", rep.WallSeconds)
	for _, r := range rep.Rows {
		if r.Note != "" {
			fmt.Fprintf(w, "%s: %s\n", r.What, r.Note)
		}
	}
	return nil
}

// fmtRate prints a rate with about four significant digits.
func fmtRate(x float64) string {
	switch {
	case x >= 1000:
		return fmt.Sprintf("%.0f", x)
	case x >= 100:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.2f", x)
	}
}

// spread prints a min-max range of rates ("-" when not measured).
func spread(lo, hi float64) string {
	if lo == 0 && hi == 0 {
		return "-"
	}
	return fmtRate(lo) + "-" + fmtRate(hi)
}

func fmtRatio(x float64) string { return fmt.Sprintf("%.2f", x) }

// dash formats x, or "-" when it is 0 (not measured).
func dash(x float64, f func(float64) string) string {
	if x == 0 {
		return "-"
	}
	return f(x)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func fmtLoads(l []float64) string {
	if len(l) == 0 {
		return "-"
	}
	s := make([]string, len(l))
	for i, x := range l {
		s[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(s, " ")
}
