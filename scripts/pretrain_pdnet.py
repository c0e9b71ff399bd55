"""Train and evaluate every PDNet run the paper notebooks (pdnet_table1 … pdnet_table5) need, in one process.

The notebooks train what they need themselves through the run cache; this script fills the cache first,
one run after another (seed 0 of every row, then seed 1, …), single-threaded, so a long synthetic profile
can run in the background while other work uses the other cores:

    OMP_NUM_THREADS=1 .venv/bin/python scripts/pretrain_pdnet.py --profile synthetic

It names its runs with `personseg.video.ROWS` and `personseg.video.run`, as the notebooks do, so it only
saves time: it cannot change a result.
"""
import argparse, os, sys, time


def runs(profile: str) -> list[tuple]:
    from personseg.video import ROWS, pdnet_profile
    rows = []
    for table in ("table3", "table4", "table5"):
        for model, loss_kw in ROWS[table].values():
            if (model, loss_kw) not in rows: rows.append((model, loss_kw))
    return [(m, s, lk) for s in pdnet_profile(profile)["seeds"] for m, lk in rows]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", default="synthetic", choices=("smoke", "synthetic", "paper"))
    ap.add_argument("--data-root", default=None)
    a = ap.parse_args(argv)
    import torch
    torch.set_num_threads(1)
    from personseg.video import run
    todo = runs(a.profile)
    print(f"{len(todo)} runs", flush=True)
    t0 = time.perf_counter()
    for model, seed, loss_kw in todo:
        t = time.perf_counter()
        r = run(model, a.profile, seed, data_root=a.data_root, loss_kw=loss_kw or None)
        r2 = run(model, a.profile, seed, data_root=a.data_root, loss_kw=loss_kw or None, test="pp_humanseg14k") if (model, loss_kw) == ("pdnet-r50", {}) else None
        print(f"{model:11s} seed {seed} {loss_kw}: J&F {100 * r['jf']:.2f} (J {100 * r['j_mean']:.2f}, F {100 * r['f_mean']:.2f})"
              + (f", PP-HumanSeg14K layout J&F {100 * r2['jf']:.2f}" if r2 else "") + f"  {time.perf_counter() - t:.0f}s", flush=True)
    print(f"done in {time.perf_counter() - t0:.0f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
