#!/usr/bin/env bash
# Prints lsconf's changes to its fork of github.com/gomlx/compute
# (third_party/compute) against the upstream release in the Go module cache,
# as a unified diff; offline once `make setup` (or `go mod download
# github.com/gomlx/compute@VERSION`) has filled the cache.
#
#   scripts/fork-diff.sh           the diff of every changed, added or removed file
#   scripts/fork-diff.sh --stat    one line per file
#
# A Go file lsconf changes is gofmt-ed as a whole (make fmt-check); the
# diff is taken against upstream's file run through gofmt, so it shows
# lsconf's changes and not the formatting of upstream lines. Files lsconf
# does not change are byte-identical to upstream and do not appear.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
stat=""
case "${1:-}" in
  "") ;;
  --stat) stat="--stat=200" ;;
  *) echo "usage: $0 [--stat]" >&2; exit 2 ;;
esac
version=$(awk '$1 == "github.com/gomlx/compute" && $2 ~ /^v/ {print $2; exit}' go.mod)
[ -n "$version" ] || { echo "fork-diff: no github.com/gomlx/compute requirement in go.mod" >&2; exit 1; }
upstream="$(go env GOMODCACHE)/github.com/gomlx/compute@$version"
if [ ! -d "$upstream" ]; then
  echo "fork-diff: $upstream is missing; run: go mod download github.com/gomlx/compute@$version" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/upstream" "$tmp/fork"
cp -r "$upstream/." "$tmp/upstream/"
chmod -R u+w "$tmp/upstream"
git ls-files -co --exclude-standard -z third_party/compute | while IFS= read -r -d '' f; do
  rel=${f#third_party/compute/}
  mkdir -p "$tmp/fork/$(dirname "$rel")"
  cp "$f" "$tmp/fork/$rel"
  if [[ "$rel" == *.go && -f "$tmp/upstream/$rel" ]] && ! cmp -s "$f" "$tmp/upstream/$rel"; then
    gofmt -w "$tmp/upstream/$rel"
  fi
done
cd "$tmp"
echo "# lsconf's changes to github.com/gomlx/compute@$version (upstream: $upstream)"
# git's exit status is 1 when there are differences; paths are printed
# relative to the module root.
{ git -c core.quotepath=off diff --no-index --no-color --no-ext-diff $stat upstream fork || [ $? -eq 1 ]; } |
  sed -E -e 's#(a|b)/(upstream|fork)/#\1/#g' -e 's#\{upstream => fork\}/##' -e 's#^( */dev/null => )fork/# (new) #' -e 's#^( *)fork/#\1#' 
