// Package upstreamcheck holds the test that uses lsconf as a library the
// way another module does: a program in a temporary module imports
// github.com/lsconf/lsconf/model, engine, train, index and search with no
// replace directive for gomlx/compute (Go ignores lsconf's own), so it
// builds against upstream github.com/gomlx/compute from the module cache,
// and trains one step. It runs offline (GOPROXY=off) once `make setup` has
// filled the cache.
package upstreamcheck
