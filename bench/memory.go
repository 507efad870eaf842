package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// Memory sources a PeakMeter may use.
const (
	// MemVmHWM is the process's resident-set high-water mark (VmHWM of
	// /proc/self/status), reset before each measurement by writing "5" to
	// /proc/self/clear_refs.
	MemVmHWM = "VmHWM"
	// MemGoSys is Go's runtime.MemStats.Sys (memory obtained from the OS
	// by the Go runtime; it never shrinks, so it is an upper bound that
	// carries earlier measurements' peaks).
	MemGoSys = "runtime.MemStats.Sys"
)

// PeakMeter measures the peak memory of the process between Reset and
// Peak. It is not safe for concurrent use.
type PeakMeter struct {
	source string
}

// NewPeakMeter returns a meter on the process's VmHWM when /proc allows
// resetting it, else on Go's runtime.MemStats.Sys.
func NewPeakMeter() *PeakMeter {
	m := &PeakMeter{source: MemGoSys}
	if err := resetHWM(); err == nil {
		if _, err := readStatusKB("VmHWM"); err == nil {
			m.source = MemVmHWM
		}
	}
	return m
}

// Source is MemVmHWM or MemGoSys.
func (m *PeakMeter) Source() string { return m.source }

// Reset starts a measurement: it collects garbage twice (sync.Pool caches
// survive one collection), returns the Go heap's free pages to the OS (so
// that an earlier measurement's garbage does not count) and resets the
// high-water mark to the current resident set.
func (m *PeakMeter) Reset() {
	runtime.GC()
	debug.FreeOSMemory()
	if m.source == MemVmHWM {
		_ = resetHWM()
	}
}

// Peak is the peak memory in bytes since Reset (0 if it cannot be read).
func (m *PeakMeter) Peak() uint64 {
	if m.source == MemVmHWM {
		kb, err := readStatusKB("VmHWM")
		if err == nil {
			return kb * 1024
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Sys
}

// Current is the resident set now in bytes (VmRSS), or Go's
// runtime.MemStats.Sys where /proc is not available.
func (m *PeakMeter) Current() uint64 {
	if m.source == MemVmHWM {
		if kb, err := readStatusKB("VmRSS"); err == nil {
			return kb * 1024
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Sys
}

func resetHWM() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// readStatusKB reads a "Key:   123 kB" line of /proc/self/status.
func readStatusKB(key string) (uint64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, key+":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			break
		}
		return strconv.ParseUint(f[0], 10, 64)
	}
	return 0, fmt.Errorf("/proc/self/status has no %s", key)
}
