// Package flock holds advisory file locks that end with their process:
// a killed holder's lock is gone, so its leftovers can be told from a live
// holder's (flock(2) on Unix; elsewhere locks always succeed and are never
// seen as held).
package flock

import (
	"errors"
	"os"
)

// ErrHeld is returned (wrapped) by Lock when another process (or another
// open of the file) holds the lock.
var ErrHeld = errors.New("locked by another process")

// Lock creates path if missing and takes an exclusive lock on it without
// waiting. unlock releases it (safe to call more than once); the lock also
// ends with the process.
func Lock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return func() {}, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return func() {}, err
	}
	done := false
	return func() {
		if !done {
			done = true
			f.Close() // releases the lock
		}
	}, nil
}

// Held reports whether a live process holds the lock at path (false when
// the file is missing; true when it cannot tell).
func Held(path string) bool {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err != nil {
		return true
	}
	defer f.Close()
	return lockFile(f) != nil
}
