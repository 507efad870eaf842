#!/usr/bin/python3
"""PyTorch peer of lsconf's train step, encoder and decoder: the paper's Table 1 SAE.

Not a dependency of lsconf and not run in CI. `lsconf bench` runs it (embedded in the binary)
beside lsconf's own benchmark on the same machine so the ratio comes from
one run. Needs Debian's python3-torch (apt-get install python3-torch).

Usage: /usr/bin/python3 bench/torch_sae.py --width 8 --batch 64 --seconds 10 [--threads 2]
    [--measure train,encode,decode,train+decoder]
Prints one JSON object: {"width", "batch", "train_img_s", "encode_img_s",
"decode_img_s", "train_decoder_img_s" (0 for a kind not measured), the same
four as "..._cpu_ms_per_img" (process CPU time of the timed calls), "threads",
"torch", "onednn_isa" (the instruction set oneDNN's convolutions run, from
its verbose output), "aten_cpu_capability"}.
The decoder mirrors lsconf's (model.Decode): a dense layer z -> 4x4 maps of
the level-3 channels and ReLU, then for levels 2, 1, 0 a nearest x2
upsampling and a double convolution (conv, batch norm, ReLU, twice), then a
3x3 convolution to one channel and a sigmoid. train+decoder adds the mean
squared reconstruction error (weight 1) to the loss; decode runs the
decoder alone on latent points (eval mode, no gradients).
ONEDNN_MAX_CPU_ISA and ATEN_CPU_CAPABILITY in the environment restrict both
(lsconf bench sets them to AVX2 when lsconf runs its AVX2 kernels).
"""
import argparse
import json
import math
import os
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def double(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def down(cin, cout):
    return nn.Sequential(nn.MaxPool2d(2), double(cin, cout))


class SAE(nn.Module):
    def __init__(self, w, nd=2, nc=5):
        super().__init__()
        c = [64 // w, 128 // w, 256 // w, 512 // w, 512 // w]
        self.enc = nn.Sequential(double(1, c[0]), down(c[0], c[1]), down(c[1], c[2]), down(c[2], c[3]), down(c[3], c[4]))
        self.a = nn.Linear(4 * c[4], nd)
        self.b = nn.Linear(4 * c[4], nd)
        self.cls = nn.Sequential(nn.Linear(nd, 32), nn.ReLU(), nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, nc))

    def encode(self, x):
        h = torch.flatten(self.enc(x), 1)
        return self.a(h) + self.b(h)

    def forward(self, x):
        z = self.encode(x)
        return z, self.cls(z)


class Decoder(nn.Module):
    def __init__(self, w, nd=2):
        super().__init__()
        c = [64 // w, 128 // w, 256 // w, 512 // w]
        self.c3 = c[3]
        self.dense = nn.Linear(nd, 16 * c[3])
        layers, cin = [], c[3]
        for lev in (2, 1, 0):
            layers += [nn.Upsample(scale_factor=2, mode="nearest"), double(cin, c[lev])]
            cin = c[lev]
        layers.append(nn.Conv2d(cin, 1, 3, padding=1))
        self.up = nn.Sequential(*layers)

    def forward(self, z):
        h = F.relu(self.dense(z)).view(z.shape[0], self.c3, 4, 4)
        return torch.sigmoid(torch.flatten(self.up(h), 1))


def lg(z, y, centers, rc):
    d = torch.linalg.norm(z - centers[y], dim=1)
    return torch.expm1(F.relu(d - rc)).sum()


def onednn_isa():
    """The ISA line of oneDNN's verbose output for one convolution ("" if
    oneDNN did not run it)."""
    x, conv = torch.rand(8, 16, 16, 16), nn.Conv2d(16, 16, 3)
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile() as f:
        os.dup2(f.fileno(), 1)
        try:
            with torch.no_grad(), torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON):
                conv(x)
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
        f.seek(0)
        for line in f.read().decode(errors="replace").splitlines():
            if ",isa:" in line:
                return line.split(",isa:", 1)[1].strip()
    return ""


def aten_capability():
    """ATen's CPU capability ("AVX2", "AVX512", "DEFAULT", ...)."""
    cpu = getattr(torch.backends, "cpu", None)
    if cpu is not None and hasattr(cpu, "get_cpu_capability"):
        return cpu.get_cpu_capability()
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage:" in line:
            return line.split(":", 1)[1].strip()
    return ""


def timed(fn, seconds, min_iters=3):
    """Calls fn once (warm-up), then until seconds have passed (at least
    min_iters times); returns the count, the wall and the process CPU time."""
    fn()  # warm-up
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while n < min_iters or time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    return n, time.perf_counter() - t0, time.process_time() - c0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--width", type=int, default=8)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--measure", default="train,encode",
                    help="kinds to measure: train, encode, decode, train+decoder (comma-separated)")
    args = ap.parse_args()
    kinds = set(args.measure.split(","))
    unknown = kinds - {"train", "encode", "decode", "train+decoder"}
    if unknown:
        ap.error("unknown --measure kinds: %s" % ",".join(sorted(unknown)))
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    m = SAE(args.width)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    x = torch.rand(args.batch, 1, 32, 32)
    y = torch.randint(0, 5, (args.batch,))
    ang = torch.arange(5) * 2 * math.pi / 5
    centers = 0.85 * torch.stack([torch.cos(ang), torch.sin(ang)], 1)

    dec = Decoder(args.width)
    opt_dec = torch.optim.Adam(list(m.parameters()) + list(dec.parameters()), lr=1e-3)
    z0 = torch.rand(args.batch, 2) * 2 - 1

    def step():
        opt.zero_grad(set_to_none=True)
        z, p = m(x)
        loss = F.cross_entropy(p, y) + 0.2 * lg(z, y, centers, 0.34)
        loss.backward()
        opt.step()

    def step_dec():
        opt_dec.zero_grad(set_to_none=True)
        z, p = m(x)
        img = dec(z)
        loss = F.cross_entropy(p, y) + 0.2 * lg(z, y, centers, 0.34) + F.mse_loss(img, x.flatten(1))
        loss.backward()
        opt_dec.step()

    def enc():
        with torch.no_grad():
            m.encode(x)

    def decode():
        with torch.no_grad():
            dec(z0)

    out = {"width": args.width, "batch": args.batch}
    for kind, key, fn, secs, train in (("train", "train", step, args.seconds, True),
                                       ("train+decoder", "train_decoder", step_dec, args.seconds, True),
                                       ("encode", "encode", enc, args.seconds / 2, False),
                                       ("decode", "decode", decode, args.seconds / 2, False)):
        rate, cpu = 0.0, 0.0
        if kind in kinds:
            m.train(train)
            dec.train(train)
            n, t, c = timed(fn, secs)
            rate = n * args.batch / t
            cpu = 1000 * c / (n * args.batch)
        out[key + "_img_s"] = rate
        out[key + "_cpu_ms_per_img"] = cpu
    out.update({"threads": args.threads, "torch": torch.__version__,
                "onednn_isa": onednn_isa(), "aten_cpu_capability": aten_capability()})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
