package progress

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestBarPlainOutput(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "train", 10)
	b.Add(3) // first draw happens at once
	b.Status("loss %.2f", 0.5)
	b.Add(7)
	b.Finish()
	out := buf.String()
	if !strings.Contains(out, "train [") || !strings.Contains(out, "10/10 100.0%") || !strings.Contains(out, "loss 0.50") {
		t.Fatalf("unexpected bar output:\n%s", out)
	}
	if strings.Contains(out, "\r") {
		t.Fatalf("non-terminal output must not redraw in place:\n%q", out)
	}
	var nilBar *Bar
	nilBar.Add(1) // a nil bar is quiet, not a panic
	nilBar.Finish()
}

// TestBarFinishNoRepeat: in plain output, Finish after a line that already
// showed the whole job done does not print it again; after an unfinished
// or changed state it prints the final line.
func TestBarFinishNoRepeat(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "encode", 5)
	b.Add(5) // first draw at once: 5/5
	b.Finish()
	if n := strings.Count(buf.String(), "5/5"); n != 1 {
		t.Fatalf("%d lines say 5/5, want 1:\n%s", n, buf.String())
	}
	buf.Reset()
	b = New(&buf, "encode", 5)
	b.Add(2) // drawn at 2/5
	b.Add(3) // within 10 s: not drawn
	b.Finish()
	if n := strings.Count(buf.String(), "\n"); n != 2 || !strings.Contains(buf.String(), "5/5") {
		t.Fatalf("want the 2/5 line and the final 5/5 line:\n%s", buf.String())
	}
}

// TestBarResumedRate: a bar resumed at 5000 of 6000 counts its rate from
// the work done since, not the 5000 done by an earlier run.
func TestBarResumedRate(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "epoch 2/3", 6000)
	b.Set(5000)
	time.Sleep(50 * time.Millisecond)
	b.Add(1)
	b.Finish()
	for _, f := range strings.Fields(buf.String()) {
		if strings.HasSuffix(f, "/s") {
			r, err := strconv.ParseFloat(strings.TrimSuffix(f, "/s"), 64)
			if err != nil || r > 100 {
				t.Fatalf("rate %q after one unit in 50 ms of a resumed bar (line %q)", f, buf.String())
			}
			return
		}
	}
	t.Fatalf("no rate in %q", buf.String())
}
