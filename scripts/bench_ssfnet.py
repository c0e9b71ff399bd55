"""Parameters, MACs and training memory of every SSFNet-family variant, as the paper builds them.

    OMP_NUM_THREADS=1 .venv/bin/python scripts/bench_ssfnet.py [--size 473] [--mem-batches 1 2] [--mem-models ssfnet ssfnet-baseline]

* Parameters (without the training-only auxiliary heads) and multiply-accumulates of one forward pass
  (fvcore, batch 1) of each registered variant with ResNet-101 and 7 classes at `--size`² (473 in the
  paper), printed beside Tables 1-2's mIoU and as ratios to the one-hourglass Baseline (Table 1 says the
  Baseline has the fewest parameters of the baselines).
* Peak training memory at batch 8 (§4.1). On a GPU: `torch.cuda.max_memory_allocated` of one SGD step at
  batch 8. On a CPU it is an *estimate*: each (model, batch) step runs in a fresh process, the growth of
  its peak resident memory over one SGD step (after the model and optimizer exist) is measured at the
  `--mem-batches` sizes, and a straight line through them is extrapolated to batch 8. The default sizes
  are 2 and 3: at batch 1 a ResNet-101 step at 473² can stay under the peak that building the model
  already left, so its growth reads near zero and would bend the line.
Every number is measured in this run; nothing is compared against a stored value.
"""
import argparse, json, os, resource, subprocess, sys, time


def _step_child(model: str, batch: int, size: int, device: str) -> dict:
    import torch
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    from personseg.core import create_model
    from personseg.models.ssfnet import SSFNetLoss
    net = create_model(model, num_classes=7).to(device).train()
    opt = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(batch, 3, size, size, device=device)
    y = torch.randint(0, 7, (batch, size, size), device=device)
    loss = SSFNetLoss()
    if device == "cuda": torch.cuda.reset_peak_memory_stats()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t0 = time.perf_counter()
    l = loss(net(x), {"mask": y})["loss"]
    opt.zero_grad(); l.backward(); opt.step()
    dt = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out = dict(model=model, batch=batch, size=size, seconds=dt, rss_before=rss0, rss_peak=rss1)
    if device == "cuda": out["cuda_peak"] = torch.cuda.max_memory_allocated()
    return out


def _measure(model, batch, size, device) -> dict:
    r = subprocess.run([sys.executable, __file__, "--child", model, str(batch), str(size), device],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=473)
    ap.add_argument("--mem-batches", type=int, nargs="+", default=[2, 3], help="CPU: batch sizes the line to batch 8 is fitted on")
    ap.add_argument("--mem-models", nargs="+", default=["ssfnet-baseline", "ssfnet"])
    ap.add_argument("--no-macs", action="store_true")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        m, b, s, d = a.child
        print(json.dumps(_step_child(m, int(b), int(s), d)))
        return 0
    import torch
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    from personseg.core import create_model
    from personseg.models.pspnet import TABLE1, paper_params
    from personseg.models.ssfnet import TABLE2
    from personseg.profile import count_macs
    T1 = {"ssfnet-baseline": "Baseline", "ssfnet-baseline-d": "Baseline-D", "ssfnet-baseline-t": "Baseline-T", "ssfnet-baseline-t-a": "Baseline-T-A"}
    rows = [("pspnet-r101", "PSPNet", None)] + [(n, T1[n], v) for n, (_, v) in TABLE1.items()]
    rows += [(n, lab, v) for n, (lab, _, v) in TABLE2.items()]
    print(f"ResNet-101, 7 classes, {a.size}x{a.size}, batch 1; params without auxiliary heads; MACs by fvcore", flush=True)
    res = {}
    for name, lab, miou in rows:
        t0 = time.perf_counter()
        net = create_model(name, num_classes=7)
        p = paper_params(net)
        g = None if a.no_macs else count_macs(net, a.size) / 1e9
        res[name] = (lab, p / 1e6, g, miou)
        del net
        print(f"  {lab:18s} {p / 1e6:7.2f} M params  " + ("" if g is None else f"{g:8.1f} GMACs  ")
              + (f"paper mIoU {miou:.2f}" if miou is not None else "") + f"   ({time.perf_counter() - t0:.0f}s)", flush=True)
    bp, bg = res["ssfnet-baseline"][1], res["ssfnet-baseline"][2]
    print("\nratios to Baseline (PSPNet + one hourglass):")
    for name, (lab, p, g, _) in res.items():
        print(f"  {lab:18s} params x{p / bp:.3f}" + ("" if g is None else f"  MACs x{g / bg:.3f}"))
    base_rows = [r for r in res if r.startswith("ssfnet-baseline")]
    smallest = min(base_rows, key=lambda r: res[r][1])
    print(f"\nTable 1 claim 'the Baseline has the fewest parameters of the baselines': "
          f"{'HOLDS' if smallest == 'ssfnet-baseline' else 'DOES NOT HOLD'} (smallest: {res[smallest][0]})")

    cuda = torch.cuda.is_available()
    print(f"\npeak training memory, batch 8, {a.size}x{a.size} ({'GPU, measured' if cuda else 'CPU, ESTIMATED from batches ' + str(a.mem_batches)}):")
    for m in a.mem_models:
        if cuda:
            r = _measure(m, 8, a.size, "cuda")
            print(f"  {m:18s} {r['cuda_peak'] / 2**30:.2f} GiB allocated at batch 8 (one step {r['seconds']:.2f}s)", flush=True)
            continue
        pts = [_measure(m, b, a.size, "cpu") for b in a.mem_batches]
        for r in pts:
            print(f"  {m:18s} batch {r['batch']}: peak RSS grows {(r['rss_peak'] - r['rss_before']) / 2**30:.2f} GiB over one step "
                  f"(process peak {r['rss_peak'] / 2**30:.2f} GiB; step {r['seconds']:.1f}s)", flush=True)
        if len(pts) >= 2:
            import numpy as np
            b = np.array([r["batch"] for r in pts], float); y = np.array([r["rss_peak"] - r["rss_before"] for r in pts], float)
            slope, icpt = np.polyfit(b, y, 1)
            est = pts[0]["rss_before"] + icpt + 8 * slope
            print(f"  {m:18s} ~{slope / 2**30:.2f} GiB per image; estimated peak at batch 8: {est / 2**30:.1f} GiB "
                  f"(ratio to the measured peak at batch {pts[0]['batch']}: {est / pts[0]['rss_peak']:.2f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
