#!/usr/bin/env python3
"""FAISS peer of lsconf's search (lsconf bench).

On the float32 vectors lsconf's bench indexes (its v vectors, n x nc, raw
little-endian, row-major) and the same queries:

  - exact: faiss.IndexFlatL2, one query at a time and in batches;
  - approximate: faiss.IndexIVFFlat (nlist = sqrt(n) lists, trained on
    the vectors themselves), nprobe doubled from 1 until recall@k against
    the exact top-k is >= the target (default 0.99; a returned vector
    counts when it is no farther than the exact k-th, since many stored
    vectors are equal), then timed one query at a time and in batches.

FAISS ranks by L2 distance; lsconf by its similarity (eq 15 of the paper):
the two top-k lists are not comparable id for id. The exact top-k ids are
printed so that the bench checks them against an exact L2 scan of its
own over the same vectors.

Prints one JSON object. Not a dependency of lsconf; needs Debian's
python3-faiss (make bench-peers).
"""
import argparse
import json
import math
import time

import faiss
import numpy as np


def timed(fn, seconds, min_calls=3):
    """Calls fn once (warm-up), then until seconds have passed (at least
    min_calls times); returns calls, wall seconds and process CPU seconds."""
    fn()
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while n < min_calls or time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    return n, time.perf_counter() - t0, time.process_time() - c0


def rate(index, qs, batch, seconds):
    """Queries per second and CPU ms per query of index.search over qs, in
    batches of batch (1: one query at a time), cycling through qs."""
    m = len(qs)
    pos = [0]

    def one():
        i = pos[0]
        if batch == 1:
            index.search(qs[i:i + 1], K)
        else:
            b = np.take(qs, range(i, i + batch), axis=0, mode="wrap")
            index.search(b, K)
        pos[0] = (i + batch) % m

    calls, wall, cpu = timed(one, seconds)
    n = calls * batch
    return n / wall, 1000 * cpu / n


K = 10


def main():
    global K
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--v", required=True)
    ap.add_argument("--q", required=True)
    ap.add_argument("--nc", type=int, required=True)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--recall", type=float, default=0.99)
    ap.add_argument("--check", type=int, default=100, help="queries whose exact top-k are printed")
    ap.add_argument("--threads", type=int, default=0, help="OpenMP threads (0: FAISS's default, one per CPU)")
    a = ap.parse_args()
    K = a.k
    if a.threads > 0:
        faiss.omp_set_num_threads(a.threads)
    v = np.ascontiguousarray(np.fromfile(a.v, dtype="<f4").reshape(-1, a.nc))
    qs = np.ascontiguousarray(np.fromfile(a.q, dtype="<f4").reshape(-1, a.nc))
    n = len(v)
    out = {"n": n, "queries": len(qs), "k": K, "batch": a.batch, "faiss": faiss.__version__,
           "threads": faiss.omp_get_max_threads()}

    flat = faiss.IndexFlatL2(a.nc)
    flat.add(v)
    dist, exact = flat.search(qs, K)
    out["top"] = exact[:a.check].tolist()
    out["dist"] = dist[:a.check].tolist()
    out["flat_qps"], out["flat_cpu_ms"] = rate(flat, qs, 1, a.seconds)
    out["flat_batch_qps"], out["flat_batch_cpu_ms"] = rate(flat, qs, a.batch, a.seconds)

    nlist = max(1, int(math.sqrt(n)))
    quant = faiss.IndexFlatL2(a.nc)
    ivf = faiss.IndexIVFFlat(quant, a.nc, nlist)
    t0 = time.perf_counter()
    ivf.train(v)
    ivf.add(v)
    out["ivf_build_seconds"] = time.perf_counter() - t0
    # recall@k with ties: a returned vector counts when it is no farther
    # than the exact k-th (many stored vectors are equal, and an index may
    # return any of the tied ones).
    kth = dist[:, K - 1]
    nprobe, recall = 1, 0.0
    while True:
        ivf.nprobe = nprobe
        dg, got = ivf.search(qs, K)
        ok = (got >= 0) & (dg <= (kth * (1 + 1e-5) + 1e-7)[:, None])
        recall = float(ok.sum() / (len(qs) * K))
        if recall >= a.recall or nprobe >= nlist:
            break
        nprobe = min(2 * nprobe, nlist)
    out.update({"ivf_nlist": nlist, "ivf_nprobe": nprobe, "ivf_recall": recall})
    out["ivf_qps"], out["ivf_cpu_ms"] = rate(ivf, qs, 1, a.seconds)
    out["ivf_batch_qps"], out["ivf_batch_cpu_ms"] = rate(ivf, qs, a.batch, a.seconds)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
