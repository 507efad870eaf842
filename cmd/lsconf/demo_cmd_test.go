package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/demo"
	"github.com/lsconf/lsconf/report"
)

// TestDemoTiny runs a shrunken "lsconf demo" end to end twice: the second
// run reuses the data, the run and the index.
func TestDemoTiny(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo")
	args := []string{"demo", "--out", out, "--per-class", "10", "--gen-per-class", "4", "--epochs", "2",
		"--aug-per-image", "1", "--width", "16", "--batch", "16", "--k", "5", "--json"}
	stdout, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	var res demo.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("demo --json: %v\n%s", err, stdout)
	}
	var names []string
	for _, s := range res.Stages {
		names = append(names, s.Name)
		if s.Seconds < 0 || s.Note == "" {
			t.Errorf("stage %+v", s)
		}
	}
	if got := strings.Join(names, ","); got != "data,train,evaluate,figures,index,search,report" {
		t.Errorf("stages %s", got)
	}
	if res.Test == nil || res.Test.N != 10 || res.Gen == nil || res.Gen.N != 20 {
		t.Fatalf("evaluations: test %+v gen %+v", res.Test, res.Gen)
	}
	if len(res.Queries) != 2 || res.Queries[0].Kind != "image" || res.Queries[1].Kind != "words" ||
		res.Queries[1].Want != "dots" || res.Queries[0].Want != "hlines" {
		t.Fatalf("queries: %+v", res.Queries)
	}
	if r := res.Retrieval; r == nil || r.Labelled != 20 || r.K != 5 || len(r.WordP) != 5 || r.ImageP < 0 || r.ImageP > 1 {
		t.Errorf("retrieval: %+v", r)
	}
	for _, q := range res.Queries {
		if len(q.Results) != 5 || len(q.Point) != 2 {
			t.Errorf("%s query: %d results, point %v", q.Kind, len(q.Results), q.Point)
		}
		if len(q.Paths) != len(q.Results) {
			t.Errorf("%s query: %d paths for %d results", q.Kind, len(q.Paths), len(q.Results))
		}
		for i, p := range q.Paths {
			if q.Kind == "image" && p == "hlines/0000.png" {
				t.Errorf("the image query finds itself at rank %d", i+1)
			}
		}
	}
	for _, k := range []string{"LS figure", "confusion test", "confusion gen", "training curves", "image query results", "words query results",
		"contact sheet, train set", "contact sheet, gen set"} {
		p, ok := res.Files[k]
		if !ok {
			t.Errorf("no %s in %v", k, res.Files)
			continue
		}
		checkPNG(t, filepath.Join(out, p))
	}
	for _, f := range []string{report.ReportHTML, report.ReportMD, "index.db", "run/eval.json", "data/gen/dots/0000.png", "data/train/classes.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "data/gen/contact.png")); err == nil {
		t.Error("the contact sheet is inside the indexed folder")
	}
	html, _ := os.ReadFile(filepath.Join(out, report.ReportHTML))
	for _, want := range []string{"<h2>Stages</h2>", "<h2>Latent space</h2>", "<h2>Search</h2>", "Retrieval over the whole index", "figures/search-words.png", "figures/ls.png"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}

	// Again: nothing is trained or encoded again.
	stdout, err = runCLI(t, args...)
	if err != nil {
		t.Fatalf("second demo: %v", err)
	}
	var again demo.Result
	if err := json.Unmarshal([]byte(stdout), &again); err != nil {
		t.Fatal(err)
	}
	notes := map[string]string{}
	for _, s := range again.Stages {
		notes[s.Name] = s.Note
	}
	if !strings.Contains(notes["train"], "skipped") || !strings.Contains(notes["data"], "reused") || !strings.Contains(notes["index"], " 0 encoded, 20 already indexed") {
		t.Errorf("second demo: %v", notes)
	}
	if again.Test.Accuracy != res.Test.Accuracy || again.Gen.Accuracy != res.Gen.Accuracy {
		t.Errorf("second demo evaluates the same model differently: %v/%v vs %v/%v", again.Test.Accuracy, again.Gen.Accuracy, res.Test.Accuracy, res.Gen.Accuracy)
	}
	// Other settings in the same folder are refused.
	if _, err := runCLI(t, append(args[:len(args)-1], "--epochs", "3")...); err == nil || !strings.Contains(err.Error(), "other settings") {
		t.Errorf("demo with other epochs in the same folder: %v", err)
	}
}

// TestDemoTinyDecoder runs a shrunken demo with the decoder: the report
// shows the round trips decoded with the correction and plainly; again
// with --round-trip 0 (the run reused), only plainly.
func TestDemoTinyDecoder(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo")
	args := []string{"demo", "--out", out, "--per-class", "6", "--gen-per-class", "2", "--epochs", "1", "--recon", "1",
		"--aug-per-image", "1", "--width", "16", "--batch", "16", "--k", "3", "--json"}
	stdout, err := runCLI(t, append(args, "--round-trip", "3")...)
	if err != nil {
		t.Fatalf("demo --recon 1: %v", err)
	}
	var res demo.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("demo --json: %v\n%s", err, stdout)
	}
	if res.Cycle == nil || res.Cycle.RoundTrip == nil || res.Cycle.RoundTrip.Correction.Iterations != 3 || res.PlainCycle == nil || res.PlainCycle.RoundTrip != nil {
		t.Fatalf("round trips: corrected %+v, plain %+v", res.Cycle, res.PlainCycle)
	}
	checkPNG(t, filepath.Join(out, res.Files["decoded centres and paths"]))
	md, _ := os.ReadFile(filepath.Join(out, report.ReportMD))
	for _, want := range []string{"round-trip correction (at most 3 updates", "Decoded plainly (D(z)), for comparison", "decoded with the round-trip correction: the image shown"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if stdout, err = runCLI(t, append(args, "--round-trip", "0")...); err != nil {
		t.Fatalf("demo --round-trip 0: %v", err)
	}
	var plain demo.Result
	if err := json.Unmarshal([]byte(stdout), &plain); err != nil {
		t.Fatal(err)
	}
	if plain.Cycle == nil || plain.Cycle.RoundTrip != nil || plain.PlainCycle != nil {
		t.Errorf("demo --round-trip 0: round trips %+v, plain %+v", plain.Cycle, plain.PlainCycle)
	}
	md, _ = os.ReadFile(filepath.Join(out, report.ReportMD))
	if !strings.Contains(string(md), "Round trips, decoded plainly:") {
		t.Errorf("report.md after --round-trip 0 lacks the plain round trips")
	}
}
