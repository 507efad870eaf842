// Package progress draws progress bars for long jobs (data generation,
// training, indexing) on a terminal, or prints occasional plain lines when
// the output is not a terminal (logs, CI).
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Bar is a progress bar for a job of known size. It is safe for concurrent
// use. A nil *Bar is valid and does nothing, so callers can pass nil to be
// quiet.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	label    string
	total    int64
	done     int64
	status   string
	start    time.Time
	last     time.Time
	tty      bool
	every    time.Duration
	finished bool
	// drawn is the state of the last plain line (not a terminal), so that
	// Finish does not repeat a line that already says "done".
	drawnDone   int64
	drawnStatus string
	drawnAny    bool
	// base is the amount already done when the bar started (Set before
	// any Add: a resumed job); the rate and ETA count only the work done
	// since.
	base  int64
	added bool
}

// New starts a bar labelled label for total units of work, drawn on w.
// A terminal w gets a bar redrawn in place; anything else gets one line at
// most every 10 seconds and one at the end.
func New(w io.Writer, label string, total int) *Bar {
	now := time.Now()
	b := &Bar{w: w, label: label, total: int64(total), start: now, tty: isTerminal(w), every: 10 * time.Second}
	b.last = now.Add(-time.Hour)
	return b
}

// Add records n more units done and redraws when it is time.
func (b *Bar) Add(n int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done += int64(n)
	b.added = true
	b.drawLocked(false)
}

// Set records the absolute amount done (for resumed jobs). Called before
// any Add, it is the amount done before this run: the rate counts only
// what is done after it.
func (b *Bar) Set(done int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = int64(done)
	if !b.added {
		b.base = b.done
	}
	b.drawLocked(false)
}

// Status sets the text shown after the bar (e.g. "loss 0.31 acc 92.1%").
func (b *Bar) Status(format string, args ...any) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.status = fmt.Sprintf(format, args...)
	b.drawLocked(false)
}

// Finish draws the bar a last time and ends its line.
func (b *Bar) Finish() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	if !b.tty && b.drawnAny && b.drawnDone == b.done && b.drawnStatus == b.status && b.total > 0 && b.done >= b.total {
		return
	}
	b.drawLocked(true)
	if b.tty {
		fmt.Fprintln(b.w)
	}
}

// Elapsed is the time since the bar started.
func (b *Bar) Elapsed() time.Duration {
	if b == nil {
		return 0
	}
	return time.Since(b.start)
}

func (b *Bar) drawLocked(final bool) {
	now := time.Now()
	minGap := b.every
	if b.tty {
		minGap = 100 * time.Millisecond
	}
	if !final && now.Sub(b.last) < minGap {
		return
	}
	b.last = now
	el := now.Sub(b.start)
	rate := float64(b.done-b.base) / el.Seconds()
	eta := ""
	if b.total > 0 && b.done > b.base && b.done < b.total {
		left := time.Duration(float64(b.total-b.done) / rate * float64(time.Second))
		eta = " eta " + fmtDur(left)
	}
	line := ""
	if b.total > 0 {
		frac := float64(b.done) / float64(b.total)
		frac = min(max(frac, 0), 1)
		const width = 24
		fill := int(frac * width)
		line = fmt.Sprintf("%s [%s%s] %d/%d %5.1f%% %s %.1f/s%s", b.label,
			strings.Repeat("=", fill), strings.Repeat(" ", width-fill), b.done, b.total, 100*frac, fmtDur(el), rate, eta)
	} else {
		line = fmt.Sprintf("%s %d %s %.1f/s", b.label, b.done, fmtDur(el), rate)
	}
	if b.status != "" {
		line += "  " + b.status
	}
	if b.tty {
		fmt.Fprintf(b.w, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(b.w, line)
		b.drawnDone, b.drawnStatus, b.drawnAny = b.done, b.status, true
	}
}

func fmtDur(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	}
	return fmt.Sprintf("%dm%02ds", m, s)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
