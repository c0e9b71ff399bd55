"""PDNet streaming benchmark: per-frame cost of `PDNetStream` vs the naive per-frame call, and 1-ref/2-ref FPS.

The naive call `model(refs, target)` runs the Siamese encoder on the reference frame(s) again for every
target frame; `PDNetStream` encodes the reference once and keeps the second reference's encoding in a ring
buffer, so each frame is encoded once. Goal: streaming costs at most 0.60 of the naive call per frame.
The paper reports 26.6 FPS with one reference and 9.7 with two (RTX 3090, 480²); we print our 1-ref/2-ref
FPS ratio beside theirs. Everything is measured in one run, on this machine, with random weights (the
cost does not depend on them): the paper's ResNet-50 at 480² (a few frames) and the synthetic profile's
small model (ResNet-18 ×0.5 at 96²).

    .venv/bin/python scripts/bench_pdnet.py [--threads 1] [--frames 3] [--device cpu]
"""
import argparse, json, sys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1: leaves the other cores free)")
    ap.add_argument("--frames", type=int, default=3, help="timed frames per configuration (after one warm-up frame)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--json", default=None, help="also write the results to this file (atomically)")
    a = ap.parse_args(argv)
    import torch
    torch.set_num_threads(a.threads)
    from personseg.video import stream_fps, pdnet_profile, PAPER
    sp = pdnet_profile("synthetic")
    configs = {"paper (ResNet-50, 480²)": dict(size=480, frames=a.frames),
               f"small (ResNet-18 ×{sp['width']}, {sp['size']}²)": dict(size=sp["size"], frames=max(a.frames, 10), backbone=sp["backbone"],
                                                                      width=sp["width"], ipda_stride=sp["ipda_stride"])}
    rows = []
    print(f"device {a.device}, {a.threads} thread(s); median seconds per frame after 1 warm-up frame", flush=True)
    print(f"{'config':34s} {'model':11s} {'naive s':>9s} {'stream s':>9s} {'stream/naive':>12s} {'stream FPS':>10s}")
    for label, kw in configs.items():
        res = {}
        for name in ("pdnet-r50", "pdnet-2ref"):
            r = stream_fps(name, device=a.device, **kw)
            res[name] = r; rows.append({"config": label, **r})
            print(f"{label:34s} {name:11s} {r['naive_s']:9.4f} {r['stream_s']:9.4f} {r['ratio']:12.3f} {r['stream_fps']:10.2f}", flush=True)
        one, two = res["pdnet-r50"], res["pdnet-2ref"]
        print(f"{'':34s} 1-ref/2-ref FPS: streaming {one['stream_fps'] / two['stream_fps']:.2f}, naive {one['naive_fps'] / two['naive_fps']:.2f}"
              f" (paper {PAPER['table5']['1 reference']['fps']}/{PAPER['table5']['2 references']['fps']} = "
              f"{PAPER['table5']['1 reference']['fps'] / PAPER['table5']['2 references']['fps']:.2f})", flush=True)
    worst = max(r["ratio"] for r in rows)
    print(f"streaming per-frame cost / naive: worst {worst:.3f} (goal <= 0.60): {'met' if worst <= 0.60 else 'NOT met'}")
    if a.json:
        from personseg.core import atomic_write_text
        atomic_write_text(a.json, json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
