#!/usr/bin/env bash
# CPU time per upload by stage from a CPU profile of BenchmarkJPEGUploads
# (docs/hardening/results-uploads-profile.txt). Usage: stages.sh TESTBIN PROFILE UPLOADS
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
bin=$1 prof=$2 n=$3
go tool pprof -top -cum -nodecount=2000 "$bin" "$prof" 2>/dev/null > "$tmp"
get() { awk -v f="$1" '{n=$NF} substr(n, length(n)-length(f)+1)==f {v=$4; sub("ms","e-3",v); sub("s$","",v); print v+0; exit}' "$tmp"; }
tot=$(grep -m1 "Total samples" "$tmp" | sed 's/.*Total samples = \([0-9.]*\)\(m\?s\).*/\1 \2/' | awk '{print ($2=="ms")?$1/1000:$1}')
for st in "data.DecodeImageWithin" "jpegdc.(*decoder).decode" "data.toBase" "net/http.(*Request).ParseMultipartForm" "web.(*Server).readUpload" "net/http.(*Request).FormFile" "io.ReadAll" "web.(*batcher).loop" "web.(*Server).run" "net/http.(*conn).serve" "runtime.gcBgMarkWorker" "web_test.uploadLoad.func1" "net/http.(*persistConn).writeLoop" "net/http.(*persistConn).readLoop" "web_test.benchIndex" "indextest.PhotoJPEG"; do
  v=$(get "$st"); [ -n "$v" ] && awk -v s="$st" -v v="$v" -v n="$n" 'BEGIN{printf "%-45s %7.2f ms\n", s, 1000*v/n}'
done
awk -v t="$tot" -v n="$n" 'BEGIN{printf "%-45s %7.2f ms\n", "TOTAL samples / uploads", 1000*t/n}'
