#!/usr/bin/env python3
"""Benchmark the batched boundary F (personseg.metrics.boundary_f_batch) against the per-frame
OpenCV reference of the DAVIS toolkit's algorithm (personseg.metrics.ref_boundary_f).

64 blobby masks at 480x854 and slightly perturbed predictions (shifted / eroded / dilated);
checks that the values agree to 1e-6 and prints both times (best of --repeat) and the speed-up.
Single process, CPU. Thread counts are the machine defaults unless --threads is given. The 1-minute load
average is printed before and after: on a shared machine, compare numbers taken at similar loads.
"""
import argparse, os, sys, time

import cv2
import numpy as np
import torch

from personseg.metrics import boundary_f_batch, ref_boundary_f

def blobs(n, H, W, seed=0, cell=24):
    "n random person-sized blobby masks (thresholded smooth noise), bool (n, H, W)."
    rng = np.random.default_rng(seed)
    out = np.zeros((n, H, W), bool)
    for i in range(n):
        small = rng.random((H // cell + 2, W // cell + 2)).astype(np.float32)
        big = cv2.resize(cv2.GaussianBlur(small, (0, 0), 1.0), (W, H), interpolation=cv2.INTER_CUBIC)
        out[i] = big > np.quantile(big, rng.uniform(0.5, 0.8))
    return out

def perturb(m, seed=1):
    "Slightly wrong predictions: shifted by up to 6 px, or eroded/dilated by 1-4 px."
    rng = np.random.default_rng(seed); out = np.empty_like(m); k = np.ones((3, 3), np.uint8)
    for i, x in enumerate(m.astype(np.uint8)):
        op = i % 3
        if op == 0: x = np.roll(x, tuple(rng.integers(-6, 7, 2)), axis=(0, 1))
        elif op == 1: x = cv2.erode(x, k, iterations=int(rng.integers(1, 5)))
        else: x = cv2.dilate(x, k, iterations=int(rng.integers(1, 5)))
        out[i] = x > 0
    return out

def best_of(fn, repeat):
    ts, out = [], None
    for _ in range(repeat):
        t = time.perf_counter(); out = fn(); ts.append(time.perf_counter() - t)
    return min(ts), out

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=64); ap.add_argument("--size", type=int, nargs=2, default=(480, 854))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None, help="torch and OpenCV threads (default: machine default)")
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads); cv2.setNumThreads(a.threads)
    print(f"torch threads: {torch.get_num_threads()}, OpenCV threads: {cv2.getNumThreads()}, "
          f"load average: {os.getloadavg()[0]:.2f}")
    H, W = a.size
    gt = blobs(a.n, H, W, seed=0); pred = perturb(gt, seed=1)
    t_ref, ref = best_of(lambda: np.array([ref_boundary_f(pred[i], gt[i]) for i in range(a.n)]), a.repeat)
    t_fast, fast = best_of(lambda: boundary_f_batch(pred, gt).numpy(), a.repeat)
    diff = float(np.abs(ref - fast).max())
    print(f"{a.n} masks at {H}x{W}: mean F = {ref.mean():.4f} (min {ref.min():.4f}, max {ref.max():.4f})")
    print(f"per-frame OpenCV reference: {t_ref * 1e3:8.1f} ms")
    print(f"boundary_f_batch (sparse) : {t_fast * 1e3:8.1f} ms")
    print(f"speed-up: {t_ref / t_fast:.1f}x   max |diff| = {diff:.3g}   (load average now {os.getloadavg()[0]:.2f})")
    if diff > 1e-6: print("MISMATCH: values differ by more than 1e-6"); return 1
    return 0

if __name__ == "__main__": sys.exit(main())
