"""Train the model that ships in the package, copy it in, and write its report on real photographs.

    python scripts/train_shipped.py [--out RUN_DIR] [--resume] [--steps N] [--no-export]

The recipe is `personseg.pretrained.SHIPPED_RECIPE` (TriSeNet-X39, synthetic people at 128², 2,400 iterations of
batch 16; about 35 minutes on 2 CPU cores). Writes personseg/weights/trisenet-x39-synthetic/ and
figures/pretrained_photos.{md,png}.
"""
import argparse
import json
import sys
import time

from personseg.core import cache_dir, figures_dir
from personseg.experiments import write_item
from personseg.pretrained import SHIPPED_NAME, export_shipped, photo_figure, photo_report, shipped_config
from personseg.train import Trainer


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None, help="run folder (default: the cache's runs/<model>-<hash>)")
    ap.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in --out")
    ap.add_argument("--steps", type=int, default=None, help="override the recipe's iterations (a quick check)")
    ap.add_argument("--no-export", action="store_true", help="train only; do not copy into the package")
    a = ap.parse_args(argv)
    cfg = shipped_config(**({"max_steps": a.steps} if a.steps else {}), ckpt_every=400)
    out = a.out or cache_dir() / "runs" / cfg.run_name()
    t0 = time.perf_counter()
    tr = Trainer(cfg)
    tr.fit(out, resume=a.resume)
    print(json.dumps({"run": str(out), "steps": tr.step, "minutes": round((time.perf_counter() - t0) / 60, 1)}))
    if a.no_export: return 0
    dst = export_shipped(out)
    report = photo_report()
    print(f"shipped {SHIPPED_NAME} -> {dst}\n{report}")
    write_item(figures_dir(), "pretrained_photos", fig=photo_figure(),
               md=f"# Shipped model on real photographs (IoU against MediaPipe's masks)\n\n{report}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
