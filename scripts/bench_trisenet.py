"""Inference latency of BiSeNet / TriSeNet / MDTriSeNet (learned routing) at batch 1, fp32.

Paper (TriSeNet §V-C, Table III, Tesla P100): BiSeNet 164.7 FPS, TriSeNet 137.7 FPS (ratio 1.20),
MDTriSeNet 120.9 FPS (1.14 over TriSeNet). Our goals: TriSeNet/BiSeNet <= 1.10 and
MDTriSeNet-with-routing/TriSeNet <= 1.05.

Models are timed interleaved (one forward of each model per round, the order rotating every round) so
that drifts in machine load hit all of them alike; the median over rounds is reported.

    python scripts/bench_trisenet.py                       # CPU, 2 threads, 512x512
    python scripts/bench_trisenet.py --device cuda --runs 100
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

from personseg.core import create_model
from personseg.models.layers import fold_batchnorm

ARCHS = ("bisenet", "trisenet", "mdtrisenet")


def _sync(device: torch.device):
    if device.type == "cuda": torch.cuda.synchronize(device)


def bench(backbones=("x39", "r18"), device="cpu", size=512, runs=20, warmup=3, threads=2,
          channels_last=False, fold_bn=False) -> dict[str, list[float]]:
    "Seconds per forward (list over rounds) of every `arch-backbone`, timed interleaved."
    device = torch.device(device)
    if device.type == "cpu": torch.set_num_threads(threads)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    models = {}
    for bb in backbones:
        for arch in ARCHS:
            m = create_model(f"{arch}-{bb}").eval()
            if fold_bn: m = fold_batchnorm(m)
            m = m.to(device).to(memory_format=fmt)
            models[f"{arch}-{bb}"] = m
    x = torch.randn(1, 3, size, size, device=device).contiguous(memory_format=fmt)
    names = list(models)
    times = {n: [] for n in names}
    with torch.inference_mode():
        for n in names:                      # warm-up (allocator, oneDNN/cuDNN algorithm choice)
            for _ in range(warmup): models[n](x)
        _sync(device)
        for r in range(runs):
            order = names[r % len(names):] + names[:r % len(names)]
            for n in order:
                _sync(device); t = time.perf_counter()
                out = models[n](x)
                _sync(device); times[n].append(time.perf_counter() - t)
                if n.startswith("mdtrisenet"): assert "domain_logits" in out     # learned routing ran
    return times


def report(times: dict[str, list[float]], backbones) -> dict[str, float]:
    "Print medians and the two ratios per backbone (median-based; min-based in brackets: robust to load spikes)."
    med = {n: statistics.median(t) for n, t in times.items()}
    mn = {n: min(t) for n, t in times.items()}
    for n, t in times.items():
        print(f"{n:16s} median {med[n] * 1e3:8.2f} ms  ({1 / med[n]:6.1f} FPS)   min {min(t) * 1e3:8.2f} ms")
    ratios = {}
    for bb in backbones:
        tb = med[f"trisenet-{bb}"] / med[f"bisenet-{bb}"]
        mt = med[f"mdtrisenet-{bb}"] / med[f"trisenet-{bb}"]
        ratios[f"tri/bi-{bb}"], ratios[f"md/tri-{bb}"] = tb, mt
        tb_min = mn[f"trisenet-{bb}"] / mn[f"bisenet-{bb}"]
        mt_min = mn[f"mdtrisenet-{bb}"] / mn[f"trisenet-{bb}"]
        print(f"{bb}: TriSeNet/BiSeNet {tb:.3f} [min {tb_min:.3f}] (paper 1.20, goal <= 1.10: {'met' if tb <= 1.10 else 'missed'});  "
              f"MDTriSeNet(learned)/TriSeNet {mt:.3f} [min {mt_min:.3f}] (paper 1.14, goal <= 1.05: {'met' if mt <= 1.05 else 'missed'})")
    return ratios


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N")
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--runs", type=int, default=20, help="timed rounds (one forward of each model per round)")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=2, help="CPU threads (torch.set_num_threads)")
    p.add_argument("--backbones", nargs="+", default=["x39", "r18"], choices=["x39", "r18"])
    p.add_argument("--channels-last", action="store_true", help="run models and input in channels_last")
    p.add_argument("--fold-bn", action="store_true", help="fold every BN into its conv (layers.fold_batchnorm)")
    a = p.parse_args(argv)
    if a.device.startswith("cuda") and not torch.cuda.is_available(): p.error("--device cuda but CUDA is not available")
    print(f"torch {torch.__version__}, device {a.device}" + (f" ({torch.cuda.get_device_name(a.device)})" if a.device.startswith("cuda") else f", {a.threads} threads")
          + f", {a.size}x{a.size}, batch 1, fp32, {a.runs} rounds" + (", channels_last" if a.channels_last else "") + (", BN folded" if a.fold_bn else ""))
    times = bench(a.backbones, a.device, a.size, a.runs, a.warmup, a.threads, a.channels_last, a.fold_bn)
    report(times, a.backbones)


if __name__ == "__main__":
    main()
