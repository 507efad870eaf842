package machine

import (
	"os"
	"strings"
	"testing"
)

func TestThis(t *testing.T) {
	m := This()
	if m.CPUs < 1 || m.GoVersion == "" || m.OS == "" {
		t.Fatalf("This() = %+v", m)
	}
	s := m.String()
	if !strings.Contains(s, "CPU cores") || !strings.Contains(s, m.GoVersion) {
		t.Fatalf("String() = %q", s)
	}
	if _, err := os.Stat("/proc/loadavg"); err == nil {
		if len(m.LoadAvg) != 3 || !strings.Contains(s, "load average") {
			t.Fatalf("with /proc/loadavg: LoadAvg %v, String %q", m.LoadAvg, s)
		}
	}
	if _, err := os.Stat("/proc/cpuinfo"); err == nil && m.CPUModel == "" && strings.Contains(readFile("/proc/cpuinfo"), "model name") {
		t.Fatal("CPU model not read from /proc/cpuinfo")
	}
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}
