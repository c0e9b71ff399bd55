"""Latency of MediaPipe Selfie Segmentation on one image, run in the peer venv (`make bench-peers`).

Usage: .venv-peers/bin/python scripts/peers/mediapipe_bench.py [--size 256] [--iters 50] [--warmup 5]
Times `SelfieSegmentation(model_selection=0).process(image)` (the general, square 256x256 model) on a
random (size, size, 3) uint8 RGB image after warm-up and prints one JSON line:
{"median_ms", "min_ms", "fps", "iters", "size", "model", "mediapipe_version"}.
MediaPipe's Python API processes one image at a time, so fps = 1000 / median_ms is its sequential throughput.
"""
import argparse
import json
import statistics
import sys
import time


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=256, help="square image size (pixels)")
    ap.add_argument("--iters", type=int, default=50, help="timed calls")
    ap.add_argument("--warmup", type=int, default=5, help="untimed calls first")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    if a.size < 1 or a.iters < 1 or a.warmup < 0:
        print(f"mediapipe_bench: --size and --iters must be >= 1 and --warmup >= 0 (got {a.size}, {a.iters}, {a.warmup})", file=sys.stderr)
        return 2
    import numpy as np
    import mediapipe as mp
    img = np.random.default_rng(a.seed).integers(0, 256, (a.size, a.size, 3), dtype=np.uint8)
    ts = []
    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
        for _ in range(a.warmup): seg.process(img)
        for _ in range(a.iters):
            t0 = time.perf_counter()
            mask = seg.process(img).segmentation_mask
            ts.append(time.perf_counter() - t0)
    if mask is None or mask.shape[:2] != (a.size, a.size):
        print(f"mediapipe_bench: unexpected mask {None if mask is None else mask.shape}", file=sys.stderr)
        return 1
    med = statistics.median(ts)
    print(json.dumps(dict(median_ms=1e3 * med, min_ms=1e3 * min(ts), fps=1 / med, iters=a.iters, size=a.size,
                          model="selfie_segmentation (model_selection=0, general 256x256)",
                          mediapipe_version=mp.__version__)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
