#!/usr/bin/env bash
# Re-runs the hardening reproductions (docs/hardening.md) with two lsconf
# binaries: OLD (before the change) and NEW. Usage:
#   W=/tmp/work OLD=path NEW=path RUN=runs/x bash docs/hardening/measure.sh PART...
# PART: idx bombs stray writers ro point image resume import-kill
# Peak RSS is /usr/bin/time -v's "Maximum resident set size".
set -u
W=${W:?work folder} OLD=${OLD:?} NEW=${NEW:?} RUN=${RUN:?}
cd "$W"
peak() { /usr/bin/time -v "$@" 2>time.err >out.txt; rc=$?; kb=$(grep 'Maximum resident' time.err | awk '{print $6}'); echo "rc=$rc peak_rss_mb=$((kb/1024)) msg=$(grep -E '^lsconf' time.err | tail -1 | cut -c1-220)"; }
for part in "$@"; do
case $part in
idx)
  for b in OLD NEW; do rm -rf imp-$b; echo "[idx import, 100,000 declared images, 76 KB gzip] $b: $(peak ${!b} -q data import idx:in/idxbomb --split train --out imp-$b)"; done ;;
bombs)
  for bp in ${BOMB_RUNS:-OLD:1 OLD:2 OLD:4 NEW:1 NEW:2 NEW:4}; do b=${bp%:*} p=${bp#*:}; echo "[data check, 8 bomb PNGs 7000x7000 16-bit] $b GOMAXPROCS=$p: $(GOMAXPROCS=$p peak ${!b} -q data check in/bombs)"; done
  for b in ${ENCODE_RUNS:-OLD NEW}; do echo "[encode, 8 bomb PNGs] $b GOMAXPROCS=4: $(GOMAXPROCS=4 peak ${!b} -q --parallelism 1 encode --run $RUN --data in/bombs --out enc-$b.csv)"; done ;;
stray)
  rm -rf in/stray && mkdir -p in/stray && cp /usr/share/datasets/fashion-mnist/* in/stray/ 2>/dev/null
  f=$(ls in/stray/train-labels*); case $f in *.gz) gunzip -f "$f"; f=${f%.gz};; esac
  printf '\xff' | dd of="$f" bs=1 seek=$((8+4242)) conv=notrunc status=none
  for b in OLD NEW; do rm -rf stray-$b; echo "[data import, one label byte 255] $b: $(peak ${!b} -q data import idx:in/stray --split test --out stray-$b)"; [ -d stray-$b ] && echo "   wrote $(ls stray-$b | wc -l) entries in stray-$b"; done ;;
writers)
  for b in OLD NEW; do for round in new existing; do
    [ $round = new ] && rm -f w-$b.db*
    for i in $(seq 1 16); do mkdir -p wcoll/c$i; [ -e wcoll/c$i/a ] || cp -r $RUN/../small/dots wcoll/c$i/a; done
    fails=0; pids=()
    for i in $(seq 1 16); do ${!b} -q index --run $RUN --images wcoll/c$i --db w-$b.db --collection $round-c$i >w$i.out 2>w$i.err & pids+=($!); done
    for p in "${pids[@]}"; do wait $p || fails=$((fails+1)); done
    echo "[16 concurrent index writers, $round db] $b: $fails of 16 failed; e.g. $(cat w*.err | grep -v '^$' | sort | uniq -c | sort -rn | head -2 | tr '\n' ' ' | cut -c1-240)"
  done; done ;;
ro)
  for b in OLD NEW; do
    rm -rf ro-$b && mkdir -p ro-$b && chmod 755 ro-$b && ${!b} -q index --run $RUN --images $RUN/../small --db ro-$b/i.db >/dev/null 2>&1; chmod 444 ro-$b/i.db
    echo "[0444 db, search as nobody] $b: $(setpriv --reuid=65534 --regid=65534 --clear-groups ${!b} -q search --db ro-$b/i.db --text dots --json 2>&1 >/dev/null | head -1 | cut -c1-200) rc=${PIPESTATUS[0]}"
    mkdir -p mnt-$b && mount --bind -o ro ro-$b mnt-$b
    echo "[read-only bind mount, search as root] $b: $(${!b} -q search --db mnt-$b/i.db --text dots --json 2>&1 >/dev/null | head -1 | cut -c1-200)"
    echo "[read-only bind mount, index --check] $b: $(${!b} -q index --check --db mnt-$b/i.db 2>&1 | tail -1 | cut -c1-200)"
    ${!b} -q serve --db mnt-$b/i.db --no-model --addr 127.0.0.1:0 >serve.out 2>serve.err & sp=$!; sleep 3
    echo "[read-only bind mount, serve] $b: $(head -c 200 serve.err)"; kill $sp 2>/dev/null; wait $sp 2>/dev/null
    umount mnt-$b
  done ;;
point)
  for b in OLD NEW; do echo "[search --point 1e155,0 --json] $b: $(${!b} -q search --db ro-NEW/i.db --point 1e155,0 --json 2>&1 | head -1 | cut -c1-200)"; done ;;
esac
done
