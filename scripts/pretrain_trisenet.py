"""Train every TriSeNet-family run the paper notebooks need, in parallel worker processes.

The notebooks train what they need themselves (through the run cache), one run at a time. On a
machine with several cores it is faster to fill the cache first with one single-threaded process
per core, then run `make reproduce`, which finds every run trained:

    .venv/bin/python scripts/pretrain_trisenet.py --profile synthetic --workers 2

A run listed here with other settings than a notebook's would simply be trained again by the
notebook: this script only saves time, it cannot change a result.
"""
import argparse, os, sys, time
from concurrent.futures import ProcessPoolExecutor, as_completed


def runs(profile: str) -> list[tuple]:
    from personseg.experiments import trisenet_profile, model_name
    P = trisenet_profile(profile)
    m = lambda fam: model_name(fam, P)
    todo = []
    for s in P["seeds"]:
        todo += [(m("bisenet"), s, None, None), (m("trisenet"), s, None, None), (m("mctrisenet"), s, None, None),
                 (m("mdtrisenet"), s, None, None), (m("mdtrisenet"), s, None, {"lambda2": 0.0}),
                 (m("trisenet"), s, {"mxunit": False}, None), (m("mdtrisenet"), s, {"mxunit": False}, None),
                 ("lraspp-mbv3", s, None, None), ("deeplabv3-mbv3", s, None, None)]
        todo += [(m("trisenet"), s, None, {"lambda1": l}) for l in (0.5, 0.25, 0.0)]
    return todo


def _one(profile, model, seed, model_kw, loss_kw):
    import torch
    torch.set_num_threads(1)
    from personseg.experiments import run
    t0 = time.perf_counter()
    r = run(model, profile, seed, model_kw=model_kw, loss_kw=loss_kw)
    return model, seed, model_kw, loss_kw, r["iou"], r["ca"], time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", default="synthetic", choices=("smoke", "synthetic", "paper"))
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args(argv)
    os.environ["OMP_NUM_THREADS"] = "1"
    todo = runs(a.profile)
    print(f"{len(todo)} runs, {a.workers} workers", flush=True)
    t0 = time.perf_counter()
    with ProcessPoolExecutor(a.workers) as ex:
        futs = [ex.submit(_one, a.profile, *r) for r in todo]
        for f in as_completed(futs):
            model, seed, mk, lk, iou, ca, dt = f.result()
            print(f"{model:16s} seed {seed} model_kw={mk} loss_kw={lk}: IoU {iou:.4f} CA {ca:.4f} ({dt:.0f}s)", flush=True)
    print(f"all done in {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    sys.exit(main())
