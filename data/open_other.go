//go:build !unix

package data

import (
	"fmt"
	"os"
)

// openNoBlock opens path read-only after checking that it is a regular
// file (systems without O_NONBLOCK FIFOs).
func openNoBlock(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	return os.Open(path)
}
