package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/bench"
)

// TestBenchCommand runs lsconf bench in a tiny configuration (W = 8,
// batch 8, 0.2 s per measurement, a 20000-entry index, no peers) and
// checks the structure of its JSON and of its table; no timing is
// asserted.
func TestBenchCommand(t *testing.T) {
	args := []string{"bench", "--widths", "8", "--batch", "8", "--seconds", "0.2", "--search-n", "20000", "--peers", "off", "--rounds", "2"}
	out, err := runCLI(t, append(args, "--json")...)
	if err != nil {
		t.Fatalf("bench --json: %v", err)
	}
	var rep bench.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("bench --json output %q: %v", out, err)
	}
	want := []struct {
		what, kind, unit string
		width            int
	}{
		{"train W=8", bench.KindTrain, "img/s", 8},
		{"encode W=8", bench.KindEncode, "img/s", 8},
		{"decode W=8", bench.KindDecode, "img/s", 8},
		{"train+decoder W=8", bench.KindTrainDecoder, "img/s", 8},
		{"search N=20000 top-10", bench.KindSearch, "q/s", 0},
	}
	if len(rep.Rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(rep.Rows), len(want), rep.Rows)
	}
	for i, w := range want {
		r := rep.Rows[i]
		if r.What != w.what || r.Kind != w.kind || r.Unit != w.unit || r.Width != w.width {
			t.Errorf("row %d: %q %s %s W=%d, want %q %s %s W=%d", i, r.What, r.Kind, r.Unit, r.Width, w.what, w.kind, w.unit, w.width)
		}
		if len(r.OursRounds) != 2 || !(r.Ours > 0) || !(r.OursPeakMB > 0) || !(r.OursBaseMB > 0) || r.OursPeakMB < r.OursBaseMB {
			t.Errorf("%s: ours %v (rounds %v), peak %v MiB, base %v MiB", r.What, r.Ours, r.OursRounds, r.OursPeakMB, r.OursBaseMB)
		}
		if len(r.OursCPURounds) != 2 || !(r.OursCPUms > 0) {
			t.Errorf("%s: CPU ms per unit %v (rounds %v)", r.What, r.OursCPUms, r.OursCPURounds)
		}
		if r.Theirs != 0 || r.Ratio != 0 || len(r.TheirsRounds) != 0 || r.CPURatio != 0 {
			t.Errorf("%s: peer figures %v / %v with --peers off", r.What, r.Theirs, r.TheirsRounds)
		}
	}
	// Train W=8, encode W=8 and search have targets, which cannot be
	// judged without peers; the decoder rows have none.
	if rep.Rows[0].Target != 1 || rep.Rows[0].Verdict != bench.NoPeer || rep.Rows[1].Target != 1 || rep.Rows[1].Verdict != bench.NoPeer || rep.Rows[4].Target != 5 || rep.Rows[4].Verdict != bench.NoPeer {
		t.Errorf("targets/verdicts: %+v", rep.Rows)
	}
	for _, r := range rep.Rows[2:4] {
		if r.Target != 0 || r.Verdict != "" {
			t.Errorf("%s: target %v, verdict %q", r.What, r.Target, r.Verdict)
		}
	}
	if rep.Cores < 1 || rep.Parallelism < 1 || rep.Batch != 8 || rep.Rounds != 2 || rep.Peers != bench.PeersOff || rep.Torch != "" || rep.Numpy != "" || !rep.SearchExact {
		t.Errorf("report header: %+v", rep)
	}
	if rep.MemorySource != bench.MemVmHWM && rep.MemorySource != bench.MemGoSys {
		t.Errorf("memory source %q", rep.MemorySource)
	}
	if rep.LoadBefore != nil && (len(rep.LoadBefore) != 3 || len(rep.LoadAfter) != 3 || len(rep.LoadRounds) != 2) {
		t.Errorf("load averages: before %v after %v rounds %v", rep.LoadBefore, rep.LoadAfter, rep.LoadRounds)
	}

	table, err := runCLI(t, append(args[:len(args)-2], "--rounds", "1")...)
	if err != nil {
		t.Fatalf("bench: %v", err)
	}
	lines := strings.Split(table, "\n")
	header := -1
	for i, l := range lines {
		if strings.Contains(l, "what") && strings.Contains(l, "verdict") {
			header = i
			break
		}
	}
	if header < 0 {
		t.Fatalf("no table header in:\n%s", table)
	}
	for _, c := range bench.Columns {
		if !strings.Contains(lines[header], c) {
			t.Errorf("header lacks column %q: %s", c, lines[header])
		}
	}
	for i, w := range want {
		f := strings.Fields(lines[header+1+i])
		if len(f) < 4 || !strings.HasPrefix(lines[header+1+i], "  "+w.what) || f[len(strings.Fields(w.what))] != w.unit {
			t.Errorf("table row %d: %q, want %s in %s", i, lines[header+1+i], w.what, w.unit)
		}
	}
	for _, s := range []string{"cores ", "GOEXPERIMENT=", "backend parallelism ", "load average", "memory: lsconf peak = "} {
		if !strings.Contains(table, s) {
			t.Errorf("table lacks %q:\n%s", s, table)
		}
	}
}
