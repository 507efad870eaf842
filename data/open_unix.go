//go:build unix

package data

import (
	"os"
	"syscall"
)

// openNoBlock opens path read-only without blocking on a FIFO that has no
// writer (O_NONBLOCK; regular files ignore it).
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
