#!/usr/bin/env python3
"""numpy peer of lsconf's similarity search (issues 6 and 7).

Exact top-k by sim (eq 15 of the paper) over n stored float32 class
similarity vectors v, the way a numpy user would write it: the index held
column by column, one vectorised pass per query, one thread.

    sim(q, v) = sum_i min(q_i, v_i) / max(sum q, sum v)    (0 when both sums are 0)

Ties are broken by the lower record position, as lsconf does, so the two
rankings can be compared id for id.

Usage:
  search_numpy.py [--n 1000000] [--queries 30] [--k 10]     synthetic data
  search_numpy.py --v V.f32 --q Q.f32 --nc 5 [--k 10]        data written by
      the Go benchmark (raw little-endian float32, row-major); prints the
      top-k positions too, so the benchmark checks that both agree.

Prints one JSON object: n, queries, seconds, qps, cpu_seconds (process CPU
time of the timed queries), and top (with --v).
Not a dependency of lsconf; needs Debian's python3-numpy.
"""
import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def paper_layout(nc=5, dc=0.85, rc=0.34, bc=0.79):
    ang = 2 * math.pi * np.arange(nc) / nc
    centers = np.stack([dc * np.cos(ang), dc * np.sin(ang)], axis=1)
    rd = dc * math.sqrt(2 * (1 - math.cos(2 * math.pi / nc)))
    kb = (1 - bc) / math.sin(1)
    return centers, rc, rd, bc, kb


def synthetic(n, seed):
    """Encodings spread like lsconf's search.SyntheticZ, and their v (eq 12)."""
    centers, rc, rd, bc, kb = paper_layout()
    nc = len(centers)
    rng = np.random.default_rng(seed)
    u = rng.random(n)
    z = np.empty((n, 2))
    a = u < 0.7
    c = rng.integers(0, nc, n)
    z[a] = centers[c[a]] + 0.8 * rc * rng.standard_normal((a.sum(), 2))
    b = (u >= 0.7) & (u < 0.9)
    c2 = rng.integers(0, nc, n)
    t = rng.random((n, 1))
    z[b] = ((1 - t) * centers[c] + t * centers[c2])[b] + 0.1 * rng.standard_normal((b.sum(), 2))
    o = u >= 0.9
    z[o] = 1.5 * 0.85 * (2 * rng.random((o.sum(), 2)) - 1)
    d = np.sqrt(((z[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2))
    inside = 1 - kb * np.sin(d / rc)
    outside = np.maximum(bc * (rd - d) / (rd - rc), 0)
    return np.where(d <= rc, inside, outside).astype(np.float32)


class ColumnIndex:
    def __init__(self, v):
        v = np.asarray(v, dtype=np.float32)
        self.n, self.nc = v.shape
        self.cols = [np.ascontiguousarray(v[:, i]) for i in range(self.nc)]
        s = self.cols[0].copy()
        for col in self.cols[1:]:
            s += col
        self.sums = s

    def topk(self, q, k):
        q = np.asarray(q, dtype=np.float32)
        num = np.minimum(self.cols[0], q[0])
        for i in range(1, self.nc):
            num += np.minimum(self.cols[i], q[i])
        sq = np.float32(0)
        for x in q:
            sq = np.float32(sq + x)
        den = np.maximum(self.sums, sq)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = num / den
        score[den == 0] = 0
        k = min(k, self.n)
        part = np.argpartition(-score, k - 1)[:k]
        kth = score[part].min()
        cand = np.nonzero(score >= kth)[0]
        order = np.lexsort((cand, -score[cand]))[:k]
        best = cand[order]
        return best, score[best]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--v", help="raw float32 v vectors (n x nc)")
    ap.add_argument("--q", help="raw float32 query vectors (m x nc)")
    ap.add_argument("--nc", type=int, default=5)
    a = ap.parse_args()
    if a.v:
        v = np.fromfile(a.v, dtype="<f4").reshape(-1, a.nc)
        qs = np.fromfile(a.q, dtype="<f4").reshape(-1, a.nc)
    else:
        v = synthetic(a.n, a.seed)
        qs = synthetic(a.queries, a.seed + 1)
    idx = ColumnIndex(v)
    idx.topk(qs[0], a.k)  # warm-up
    tops = []
    t0, c0 = time.perf_counter(), time.process_time()
    for q in qs:
        best, _ = idx.topk(q, a.k)
        tops.append(best)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    out = {"n": idx.n, "queries": len(qs), "k": a.k, "seconds": dt, "qps": len(qs) / dt,
           "cpu_seconds": cpu, "numpy": np.__version__}
    if a.v:
        out["top"] = [[int(i) for i in t] for t in tops]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
