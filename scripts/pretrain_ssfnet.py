"""Train and evaluate every SSFNet-family run the six `ssfnet_table*` notebooks need, one after another.

The notebooks train what they need themselves through the run cache (`personseg.parsing.run`); this
script fills the cache first, in the order that makes the most important comparisons available
soonest (SSFNet and the baseline, then the Table 2 ablations, the Table 1 baselines, then Tables 4-6):

    OMP_NUM_THREADS=1 .venv/bin/python scripts/pretrain_ssfnet.py --profile synthetic

It calls `run` with exactly the notebooks' arguments, so it only saves time; it cannot change a result.
"""
import argparse, os, sys, time


def runs(profile: str) -> list[tuple]:
    "(model, seed, training dataset, test dataset) of every run, most important first."
    from personseg.parsing import ssfnet_profile
    from personseg.models.pspnet import TABLE1
    from personseg.models.ssfnet import TABLE2
    seeds, tseeds = ssfnet_profile(profile)["seeds"], ssfnet_profile(profile)["transfer_seeds"]
    ppp = "pascal_person_part"
    todo = [(m, s, ppp, ppp) for s in seeds for m in ("ssfnet", "ssfnet-baseline")]
    todo += [(m, s, ppp, ppp) for s in seeds for m in TABLE2 if m != "ssfnet"]
    todo += [(m, s, ppp, ppp) for s in seeds for m in TABLE1 if m != "ssfnet-baseline"]
    for s in tseeds:
        todo += [(m, s, "lip", t) for m in ("ssfnet", "ssfnet-baseline") for t in ("lip", "ppss")]
    todo += [("ssfnet", s, "ppss", "ppss") for s in tseeds]
    todo += [(m, s, "cityscapes", "cityscapes") for s in tseeds for m in ("ssfnet", "ssfnet-baseline")]
    return todo


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", default="synthetic", choices=("smoke", "synthetic", "paper"))
    ap.add_argument("--data-root", default=None, help="paper profile: the folder holding the datasets")
    ap.add_argument("--skip", type=int, default=0, help="start at this entry of the list (the ones before are cached)")
    a = ap.parse_args(argv)
    import torch
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    from personseg.parsing import run
    todo = runs(a.profile)[a.skip:]
    print(f"{len(todo)} runs", flush=True)
    t0, failed = time.perf_counter(), []
    for model, seed, ds, test in todo:
        t = time.perf_counter()
        try: r = run(model, a.profile, seed, data_root=a.data_root, dataset=ds, test=test)
        except (FloatingPointError, RuntimeError) as e:   # report and go on: the notebook that needs it will show the error
            failed.append((model, seed, ds)); print(f"{model:20s} seed {seed} {ds}->{test}: FAILED {type(e).__name__}: {e}", flush=True)
            continue
        print(f"{model:20s} seed {seed} {ds}->{test}: mIoU {100 * r['miou']:.2f} (single scale {100 * r['miou_ss']:.2f}) "
              f"({time.perf_counter() - t:.0f}s, {time.perf_counter() - t0:.0f}s total)", flush=True)
    print(f"all done in {time.perf_counter() - t0:.0f}s" + (f"; {len(failed)} failed: {failed}" if failed else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
