"""Throughput of the synthetic people generator (personseg.data.synthetic) on one CPU thread.

Usage: python scripts/bench_synthetic.py [--size 512] [--n 200] [--frames 8]
Prints samples/s for `render_person`, for `SyntheticPeople.__getitem__` (adds the tensor sample
dict) and frames/s for `render_clip`. No assertion on time: numbers depend on the machine and load.
"""
import argparse, time

import cv2
import torch

from personseg.data.synthetic import SyntheticPeople, render_clip, render_person, _bank


def rate(fn, n):
    t0 = time.perf_counter()
    for i in range(n): fn(i)
    return n / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--n", type=int, default=200, help="samples per measurement")
    ap.add_argument("--frames", type=int, default=8, help="frames per clip")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    cv2.setNumThreads(1); torch.set_num_threads(1)
    t0 = time.perf_counter(); _bank(); print(f"bank (once per process): {time.perf_counter() - t0:.2f} s")
    render_person(a.seed, 0, a.size)   # warm-up
    r = rate(lambda i: render_person(a.seed, i, a.size), a.n)
    print(f"render_person {a.size}x{a.size}: {r:.0f} samples/s ({1000 / r:.2f} ms/sample)")
    ds = SyntheticPeople(n=a.n, size=a.size, seed=a.seed)
    r = rate(lambda i: ds[i], a.n)
    print(f"SyntheticPeople.__getitem__ {a.size}x{a.size}: {r:.0f} samples/s ({1000 / r:.2f} ms/sample)")
    nc = max(1, a.n // a.frames)
    r = rate(lambda i: render_clip(a.seed, i, a.frames, a.size), nc)
    print(f"render_clip {a.size}x{a.size}, {a.frames} frames: {r * a.frames:.0f} frames/s ({r:.1f} clips/s)")


if __name__ == "__main__":
    main()
