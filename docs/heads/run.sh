#!/bin/bash
# The small-data measurements of docs/heads.md. Run from a folder holding
# fm300 and fmtest300:
#   lsconf data import fashion-mnist --split train --per-class 300 --out fm300
#   lsconf data import fashion-mnist --split test --per-class 300 --out fmtest300
# Usage: [SCALES="0.1 0.25"] [SCALE=0.25] run.sh LSCONF OUT sweep|protocol
# (SCALES: the distance-head scales of the sweep; SCALE: the protocol's
# distance-head runs also at that scale, in modes ce+g and ce)
set -eu
bin=$1 out=$2 what=$3
common=(--data fm300 --gen fmtest300 --width 8 --epochs 5 --aug-per-image 1 --mirror h --parallelism 1 -q --json)
one() { # name, flags...
	local name=$1; shift
	[ -f "$out/$name/eval.json" ] && return 0
	"$bin" train "${common[@]}" "$@" --out "$out/$name" --force > "$out/$name.json"
}
mkdir -p "$out"
case $what in
sweep)
	for seed in 1 2; do
		for s in ${SCALES:-0.25 1 4}; do one "dist-s$s-seed$seed" --head distance --head-scale $s --seed $seed; done
		[ -n "${SCALES:-}" ] || one "dist-learn-seed$seed" --head distance --head-learn-scale --seed $seed
	done ;;
protocol)
	for seed in 1 2 3; do
		one "ce-seed$seed" --mode ce --head dense --seed $seed
		one "ceg-dense-seed$seed" --mode ce+g --head dense --seed $seed
		one "ceg-distance-seed$seed" --mode ce+g --head distance --seed $seed
		[ -z "${SCALE:-}" ] || one "ceg-distance-s$SCALE-seed$seed" --mode ce+g --head distance --head-scale "$SCALE" --seed $seed
		[ -z "${SCALE:-}" ] || one "ce-distance-s$SCALE-seed$seed" --mode ce --head distance --head-scale "$SCALE" --seed $seed
	done ;;
esac
