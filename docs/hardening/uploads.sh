#!/usr/bin/env bash
# Photo uploads (docs/hardening.md, "Photo uploads"): the JPEG upload
# benchmark of web (20 clients, 1024x768 and 4000x3000 JPEGs) with this
# tree's server (NEW) and, under the same load generator, the server before
# the change (OLD, a test binary built from that commit with this tree's
# web/load_test.go), and the decode benchmarks of jpegdc and data. Each
# measuring command holds /work/wt/quiet.lock (one measurement at a time on
# the machine) and is preceded and followed by /proc/loadavg. Usage:
#   NEW_WEB=web.test OLD_WEB=web-old.test JPEGDC=jpegdc.test DATA=data.test \
#     bash docs/hardening/uploads.sh PART... > docs/hardening/results-uploads.txt
# PART: info new old scan decode
set -u
lock=/work/wt/quiet.lock
run() { # label dir command...
  local label=$1 dir=$2; shift 2
  echo "== $label"
  echo "loadavg before: $(cat /proc/loadavg)"
  (cd "$dir" && flock "$lock" "$@" 2>&1 | grep -E '^(Benchmark|    )')
  echo "loadavg after: $(cat /proc/loadavg)"
}
root=$(cd "$(dirname "$0")/../.." && pwd)
for part in "$@"; do
case $part in
info)
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores"
  echo "lsconf version: $("$root"/bin/lsconf version 2>&1 | tr '\n' ' ')"
  echo "commit: $(git -C "$root" rev-parse --short HEAD)" ;;
new)
  run "NEW: web JPEGUploads" "$root/web" "${NEW_WEB:?}" -test.run XXX -test.bench JPEGUploads -test.benchtime 1x ;;
old)
  run "OLD: web JPEGUploads (server of ${OLD_COMMIT:-the old commit})" "$root/web" "${OLD_WEB:?}" -test.run XXX -test.bench JPEGUploads -test.benchtime 1x ;;
scan)
  run "jpegdc BenchmarkScan: reader path vs fast scan, 1024x768" "$root/data/internal/jpegdc" "${JPEGDC:?}" -test.run XXX -test.bench Scan -test.benchtime 50x ;;
decode)
  run "data BenchmarkDecodeJPEG: stdlib full decode vs DecodeImage" "$root/data" "${DATA:?}" -test.run XXX -test.bench DecodeJPEG -test.benchtime 10x ;;
esac
done
