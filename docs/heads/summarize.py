#!/usr/bin/env python3
"""Tables of docs/heads.md from the runs' `lsconf train --json` results.
Usage: summarize.py DIR... (each DIR holds NAME.json files: NAME-seedS.json)"""
import json, re, sys, glob, os, statistics as st
groups = {}
for d in sys.argv[1:]:
    for f in sorted(glob.glob(os.path.join(d, "*.json"))):
        m = re.match(r"(.*)-seed(\d+)\.json$", os.path.basename(f))
        if not m or os.path.getsize(f) == 0:
            continue
        r = json.load(open(f))
        groups.setdefault(m.group(1), []).append((int(m.group(2)), r))
def cell(xs):
    xs = [100 * x for x in xs]
    if len(xs) == 1:
        return "%.1f" % xs[0]
    return "%.1f (%.1f-%.1f)" % (st.mean(xs), min(xs), max(xs))
print("| runs | seeds | test head | test nearest centre | gen head | gen nearest centre | wall s (mean) |")
print("|---|---|---|---|---|---|---|")
for name, rs in groups.items():
    rs.sort()
    t = [r["test"]["accuracy"] for _, r in rs]; tn = [r["test"]["nearest_accuracy"] for _, r in rs]
    g = [r["gen"]["accuracy"] for _, r in rs]; gn = [r["gen"]["nearest_accuracy"] for _, r in rs]
    w = st.mean(r["wall_seconds"] for _, r in rs)
    print("| %s | %s | %s | %s | %s | %s | %.0f |" % (name, ",".join(str(s) for s, _ in rs), cell(t), cell(tn), cell(g), cell(gn), w))
