package report

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

// Machine describes where a report was made.
type Machine struct {
	OS, Arch  string
	CPUs      int
	CPUModel  string
	GoVersion string
	// LoadAvg is /proc/loadavg's 1, 5 and 15 minute averages when the
	// report was written ("" where unknown): the machine may be shared.
	LoadAvg string
}

// ThisMachine describes the running machine.
func ThisMachine() Machine {
	m := Machine{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.LoadAvg = strings.Join(f[:3], " ")
		}
	}
	return m
}

// String is a one-line description.
func (m Machine) String() string {
	s := fmt.Sprintf("%d CPU cores (%s/%s", m.CPUs, m.OS, m.Arch)
	if m.CPUModel != "" {
		s += ", " + m.CPUModel
	}
	s += "), " + m.GoVersion
	if m.LoadAvg != "" {
		s += ", load average " + m.LoadAvg + " when the report was written"
	}
	return s
}
