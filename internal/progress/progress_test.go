package progress

import (
	"bytes"
	"strings"
	"testing"
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
