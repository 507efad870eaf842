//go:build !unix

package bench

import "os"

// maxRSS is 0 where the OS does not report a child's peak resident set.
func maxRSS(*os.ProcessState) uint64 { return 0 }

// processCPU is 0 where getrusage is not available.
func processCPU() float64 { return 0 }
