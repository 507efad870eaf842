#!/usr/bin/env bash
# gofmt check of every Go file in the repository, except the files of
# third_party/compute that are byte-identical to upstream (the module
# cache's copy of the version go.mod requires): unmodified upstream code
# stays as upstream wrote it, so scripts/fork-diff.sh shows only lsconf's
# changes. Every file lsconf adds or changes there is checked.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
version=$(awk '$1 == "github.com/gomlx/compute" && $2 ~ /^v/ {print $2; exit}' go.mod)
upstream="$(go env GOMODCACHE)/github.com/gomlx/compute@$version"
if [ ! -d "$upstream" ]; then
  echo "fmt-check: $upstream is missing (run make setup, or go mod download github.com/gomlx/compute@$version)" >&2
  exit 1
fi
files=()
while IFS= read -r -d '' f; do
  if [[ "$f" == third_party/compute/* ]] && cmp -s "$f" "$upstream/${f#third_party/compute/}"; then
    continue
  fi
  files+=("$f")
done < <(git ls-files -z '*.go')
out=$(gofmt -l "${files[@]}")
if [ -n "$out" ]; then
  echo "gofmt needed:"
  echo "$out"
  exit 1
fi
