package bench

import (
	"runtime"

	"github.com/lsconf/lsconf/internal/machine"
)

// LoadAvg is the 1, 5 and 15 minute load averages of /proc/loadavg, or
// nil where it cannot be read (machine.LoadAvg).
func LoadAvg() []float64 { return machine.LoadAvg() }

// GOEXPERIMENT is the GOEXPERIMENT setting the binary was built with
// (machine.GOEXPERIMENT).
func GOEXPERIMENT() string { return machine.GOEXPERIMENT() }

// CPUModel is the first "model name" of /proc/cpuinfo, or "" where it
// cannot be read (machine.CPUModel).
func CPUModel() string { return machine.CPUModel() }

// Cores is the number of CPUs the process may use.
func Cores() int { return runtime.NumCPU() }
