//go:build !unix

package data

// lockDir does nothing where flock is missing.
func lockDir(dir string) (unlock func(), err error) { return func() {}, nil }

// held reports every lock as held where flock is missing: stale temporary
// folders are then left for the user.
func held(path string) bool { return true }
