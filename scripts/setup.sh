#!/usr/bin/env bash
# Installs what lsconf's build and tests need on a fresh Debian machine:
# Go modules (from the Go module proxy). Idempotent; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "setup: Go is not installed (expected /usr/local/go/bin/go)" >&2; exit 1; }
go mod download
