"""DDP with 2 CPU processes (gloo) through `torchrun -m personseg.train`, and resume under DDP.

The model and loss come from `tests/_tiny_model.py` (`--plugin`): a GroupNorm conv net and a per-image
cross-entropy, so a 2-process run of global batch 4 computes the same gradients as a 1-process run of
batch 4 (see that module's docstring for why not BatchNorm / a batch-wide pixel mean). They then differ
only by float rounding in the gradient all-reduce: measured max |w_2proc - w_1proc| = 5.6e-8 after 6 SGD
steps (weights of magnitude ~0.1-1); the test allows 1e-6. A resumed 2-process run must be bit-identical
to an uninterrupted one.
"""
import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from personseg.train import load_model

from _train_cli import PLUGIN, train_cli

ATOL = 1e-6   # 1-process vs 2-process weights (measured max 5.6e-8)
STEPS = 6     # 16 samples / batch 4 = 4 steps per epoch: the runs cross an epoch boundary
ARGS = ["--model", "tiny-seg", "--loss", "per-image-ce", "--plugin", str(PLUGIN), "--size", "32", "--n-train", "16",
        "--batch-size", "4", "--steps", str(STEPS), "--ckpt-every", "3", "--log-every", "1", "--lr", "0.05",
        "--device", "cpu", "--no-progress"]


def _train(out: Path, nproc: int, *extra: str) -> dict:
    return train_cli([*ARGS, "--out", str(out), *extra], out.parent / "cache", nproc=nproc, timeout=300)


def _final(out: Path) -> tuple[dict, dict]:
    d = out / f"step-{STEPS:08d}"
    return load_file(str(d / "model.safetensors")), json.loads((d / "checkpoint.json").read_text())


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("ddp")
    res = {"one": _train(base / "one", 1), "two": _train(base / "two", 2)}
    res["stopped"] = _train(base / "resumed", 2, "--stop-after", "3")
    res["resumed"] = _train(base / "resumed", 2, "--resume")
    return base, res


def test_ddp_matches_one_process(runs):
    base, res = runs
    assert res["one"]["world_size"] == 1 and res["two"]["world_size"] == 2
    assert res["one"]["step"] == res["two"]["step"] == STEPS
    w1, m1 = _final(base / "one")
    w2, m2 = _final(base / "two")
    assert m2["extra"]["world_size"] == 2 and m2["finished"]
    assert m1["config"] == m2["config"]                      # the global batch is the config's: 4
    assert set(w1) == set(w2)
    diff = max(float((w1[k] - w2[k]).abs().max()) for k in w1)
    assert diff <= ATOL, f"max |w_1proc - w_2proc| = {diff:.3g} > {ATOL}"
    assert any(not torch.equal(w1[k], _initial(base / "one")[k]) for k in w1)   # it did train
    l1 = [h["loss"] for h in m1["history"]]
    l2 = [h["loss"] for h in m2["history"]]                  # rank-averaged loss terms
    assert len(l1) == len(l2) == STEPS
    assert max(abs(a - b) for a, b in zip(l1, l2)) < 1e-5


def _initial(out: Path) -> dict:
    "Weights at the first checkpoint (step 3): only used to check that training moved them."
    return load_file(str(out / "step-00000003" / "model.safetensors"))


def test_ddp_resume_is_bit_identical(runs):
    base, res = runs
    assert res["stopped"]["step"] == 3 and res["resumed"]["step"] == STEPS
    w_full, m_full = _final(base / "two")
    w_res, m_res = _final(base / "resumed")
    assert set(w_full) == set(w_res)
    assert all(torch.equal(w_full[k], w_res[k]) for k in w_full)
    assert m_res["history"] == m_full["history"]
    # the checkpoint alone rebuilds the model (the sidecar names the model, its config and the plugin)
    model = load_model(base / "resumed", trust_plugins=True)   # our own plugin file
    assert all(torch.equal(v, w_res[k]) for k, v in model.state_dict().items())
    # only rank 0 wrote, and only complete checkpoints remain (keep_ckpts=2: steps 3 and 6)
    assert sorted(p.name for p in (base / "resumed").iterdir()) == ["step-00000003", f"step-{STEPS:08d}"]


def test_ddp_router_stage(tmp_path):
    "MDTriSeNet's router stage under 2 processes: the ranks' router gradients and branch-cost totals are summed."
    out = tmp_path / "md"
    train_cli(["--model", "mdtrisenet-x39", "--model-kw", '{"width": 0.25}', "--loss", "trisenet", "--domain-batches",
               "--size", "64", "--n-train", "48", "--batch-size", "4", "--steps", "4", "--router-steps", "3",
               "--ckpt-every", "0", "--log-every", "1", "--device", "cpu", "--no-progress", "--out", str(out)],
              tmp_path / "cache", nproc=2, timeout=300)
    d = out / "step-00000007"
    w, meta = load_file(str(d / "model.safetensors")), json.loads((d / "checkpoint.json").read_text())
    assert meta["finished"] and meta["extra"]["router_steps"] == 3
    assert [h.get("stage") for h in meta["history"]] == [None] * 4 + ["router"] * 3
    assert float(w["router.cost_n"].sum()) == 3 * 4     # every image of the global batch, from both ranks, measured once
    C = w["router.cost_sum"] / w["router.cost_n"].clamp(min=1)[:, None]
    assert bool(((C >= 0) & (C <= 1)).all())
