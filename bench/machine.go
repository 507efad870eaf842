package bench

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// LoadAvg is the 1, 5 and 15 minute load averages of /proc/loadavg, or
// nil where it cannot be read.
func LoadAvg() []float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return nil
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return nil
	}
	out := make([]float64, 3)
	for i := range out {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return nil
		}
		out[i] = v
	}
	return out
}

// GOEXPERIMENT is the GOEXPERIMENT setting the binary was built with (from
// its build information), or the environment's when the binary does not
// record one.
func GOEXPERIMENT() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOEXPERIMENT" {
				return s.Value
			}
		}
	}
	return os.Getenv("GOEXPERIMENT")
}

// CPUModel is the first "model name" of /proc/cpuinfo, or "" where it
// cannot be read.
func CPUModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// Cores is the number of CPUs the process may use.
func Cores() int { return runtime.NumCPU() }
