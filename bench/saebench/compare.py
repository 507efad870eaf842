#!/usr/bin/python3
"""Side-by-side speed of lsconf's Go backend and PyTorch on the Table 1 SAE.

A development tool (not a dependency of lsconf, not run in CI). It runs, in
interleaved rounds so that both see the same machine load, PyTorch's peer
(bench/torch_sae.py) and the saebench benchmarks of one or two compiled test
binaries ("after" and optionally "before", e.g. built from an older tree),
and prints the medians (img/s) and the ratios ours / PyTorch as Markdown.

    GOEXPERIMENT=simd go test -c -o /tmp/after.test ./bench/saebench
    /usr/bin/python3 bench/saebench/compare.py --after /tmp/after.test \
        [--before /tmp/before.test "--before-flags=-saebench.conv=im2col ..."] \
        --widths 1,4,8 --rounds 3
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

LINE = re.compile(r"^Benchmark(TrainStep|Encode)W(\d+)/(\S+)\s+\d+\s+(.*)$")


def run_go(binary, width, flags, benchtime, timeout):
    """Runs the train and encode benchmarks of one width; returns
    {('train'|'encode', config): img/s}."""
    cmd = [binary, "-test.run", "^$", "-test.bench", f"(TrainStep|Encode)W{width}$",
           "-test.benchtime", benchtime, "-test.timeout", f"{timeout}s"] + flags
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 30)
    res = {}
    for line in out.stdout.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        kind = "train" if m.group(1) == "TrainStep" else "encode"
        metrics = dict((v, float(k)) for k, v in re.findall(r"([\d.e+-]+) (\S+)", m.group(4)))
        res[(kind, m.group(3))] = metrics.get("img/s")
    if not res:
        sys.stderr.write(f"no results from {' '.join(cmd)}:\n{out.stdout}\n{out.stderr}\n")
    return res


def runnable():
    """Processes runnable now, from /proc/loadavg (minus this reader)."""
    with open("/proc/loadavg") as f:
        return int(f.read().split()[3].split("/")[0]) - 1


def wait_quiet(max_runnable, patience):
    """Waits (up to patience seconds) until, over 5 s, at most max_runnable
    other processes are runnable on average; returns that average."""
    deadline = time.time() + patience
    while True:
        samples = []
        for _ in range(10):
            samples.append(runnable())
            time.sleep(0.5)
        avg = sum(samples) / len(samples)
        if avg <= max_runnable or time.time() > deadline:
            return avg
        time.sleep(5)


def run_torch(width, seconds):
    out = subprocess.run(["/usr/bin/python3", "bench/torch_sae.py", "--width", str(width),
                          "--seconds", str(seconds)], capture_output=True, text=True, timeout=600)
    d = json.loads(out.stdout.strip().splitlines()[-1])
    return {"train": d["train_img_s"], "encode": d["encode_img_s"], "torch": d["torch"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--after", required=True)
    ap.add_argument("--after-flags", default="")
    ap.add_argument("--before")
    ap.add_argument("--before-flags", default="")
    ap.add_argument("--widths", default="1,4,8")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--torch-seconds", type=float, default=6)
    ap.add_argument("--max-busy", type=float, default=-1,
                    help="before each width of each round, wait until at most this many other processes are "
                         "runnable (average over 5 s); -1: do not wait")
    ap.add_argument("--patience", type=float, default=600, help="longest wait for a quiet machine, seconds")
    args = ap.parse_args()
    widths = [int(w) for w in args.widths.split(",")]
    samples = {}  # (width, who, kind) -> [img/s]
    version = "?"
    busy = []
    for r in range(args.rounds):
        for w in widths:
            if args.max_busy >= 0:
                busy.append(wait_quiet(args.max_busy, args.patience))
            load0 = os.getloadavg()[0]
            t = run_torch(w, args.torch_seconds)
            version = t["torch"]
            for kind in ("train", "encode"):
                samples.setdefault((w, "torch", kind), []).append(t[kind])
                sys.stderr.write(f"  W={w} torch {kind}: {t[kind]:.1f} img/s\n")
            bt = "3x" if w == 1 else "10x"
            for who, binary, flags in (("after", args.after, args.after_flags),
                                       ("before", args.before, args.before_flags)):
                if not binary:
                    continue
                res = run_go(binary, w, flags.split(), "2x" if (who == "before" and w == 1) else bt, 1200)
                for (kind, cfg), v in res.items():
                    samples.setdefault((w, who + ":" + cfg, kind), []).append(v)
                    sys.stderr.write(f"  W={w} {who}:{cfg} {kind}: {v:.1f} img/s\n")
            sys.stderr.write(f"round {r + 1} W={w} done (load average {load0:.1f} -> {os.getloadavg()[0]:.1f})\n")
    print(f"PyTorch {version}, {args.rounds} rounds, medians (img/s), batch 64")
    if busy:
        print(f"other runnable processes before each width (5 s average): {', '.join(f'{b:.1f}' for b in busy)}")
    print()
    print("| W | step | who | img/s (median) | runs | ours / PyTorch |")
    print("|---|---|---|---|---|---|")
    for w in widths:
        for kind in ("train", "encode"):
            ref = statistics.median(samples[(w, "torch", kind)])
            for (sw, who, sk), vals in sorted(samples.items()):
                if sw != w or sk != kind:
                    continue
                med = statistics.median(vals)
                ratio = "" if who == "torch" else f"{med / ref:.2f}"
                runs = ", ".join(f"{v:.1f}" for v in vals)
                print(f"| {w} | {kind} | {who} | {med:.1f} | {runs} | {ratio} |")


if __name__ == "__main__":
    main()
