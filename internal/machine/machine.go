// Package machine describes the machine a report or a measurement was made
// on: CPU model and count, OS, Go version, GOEXPERIMENT and the load.
package machine

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// Info describes the running machine.
type Info struct {
	OS, Arch     string
	CPUs         int
	CPUModel     string
	GoVersion    string
	GOEXPERIMENT string
	// LoadAvg is /proc/loadavg's 1, 5 and 15 minute averages (nil where
	// unknown): the machine may be shared.
	LoadAvg []float64
}

// This describes the running machine now.
func This() Info {
	return Info{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), CPUModel: CPUModel(),
		GoVersion: runtime.Version(), GOEXPERIMENT: GOEXPERIMENT(), LoadAvg: LoadAvg()}
}

// String is a one-line description, as the reports print it.
func (m Info) String() string {
	s := fmt.Sprintf("%d CPU cores (%s/%s", m.CPUs, m.OS, m.Arch)
	if m.CPUModel != "" {
		s += ", " + m.CPUModel
	}
	s += "), " + m.GoVersion
	if m.LoadAvg != nil {
		s += fmt.Sprintf(", load average %.2f %.2f %.2f when the report was written", m.LoadAvg[0], m.LoadAvg[1], m.LoadAvg[2])
	}
	return s
}

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
