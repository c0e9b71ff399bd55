"""Crash safety of training: a run killed with SIGKILL mid-epoch resumes from its last complete checkpoint and
ends bit-identical (CPU) to an uninterrupted run with the same seed; a checkpoint interrupted while being
written is ignored and rewritten.

The runs use `tests/_tiny_model.py` (`tiny-seg`, `slow-per-image-ce`: the per-image cross-entropy with a sleep,
so the test can kill the process while it is between two checkpoints). 16 samples at batch 4 are 4 steps per
epoch; checkpoints every 3 steps, so the kill lands in epoch 0 after the step-3 checkpoint and the resumed run
restarts mid-epoch (batch 3 of 4) and crosses the epoch boundary.
"""
import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from personseg.train import latest_checkpoint

from _train_cli import PLUGIN, ROOT, train_cli, train_cmd, train_env

STEPS = 8


def _args(out: Path, sleep: float) -> list[str]:
    return ["--model", "tiny-seg", "--loss", "slow-per-image-ce", "--loss-kw", json.dumps({"sleep": sleep}),
            "--plugin", str(PLUGIN), "--size", "32", "--n-train", "16", "--batch-size", "4", "--steps", str(STEPS),
            "--ckpt-every", "3", "--log-every", "1", "--lr", "0.05", "--device", "cpu", "--no-progress", "--out", str(out)]


def _run(out: Path, sleep: float, *extra: str) -> dict:
    return train_cli([*_args(out, sleep), *extra], out.parent / "cache", timeout=300)


def _final(out: Path) -> tuple[dict, dict]:
    d = out / f"step-{STEPS:08d}"
    return load_file(str(d / "model.safetensors")), json.loads((d / "checkpoint.json").read_text())


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("crash")
    _run(base / "clean", 0.0)                                    # the uninterrupted reference
    out = base / "killed"
    p = subprocess.Popen([*train_cmd(), *_args(out, 0.4)], cwd=ROOT, env=train_env(base / "cache"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.monotonic()
    while not (out / "step-00000003" / "checkpoint.json").is_file():
        assert p.poll() is None, f"the run ended before it could be killed: {p.communicate()[1][-3000:]}"
        assert time.monotonic() - t0 < 240, "no step-3 checkpoint after 240 s"
        time.sleep(0.02)
    time.sleep(0.5)                                               # inside step 4 or 5: mid-epoch, after the checkpoint
    p.send_signal(signal.SIGKILL); p.wait(30)
    killed_at = sorted(q.name for q in out.iterdir() if q.name.startswith("step-"))
    # what a kill during a later checkpoint write leaves: a step folder without its sidecar, a half-written temp file
    partial = out / "step-00000006"
    partial.mkdir(exist_ok=True)
    (partial / "model.safetensors").write_bytes(b"\x00" * 100)
    (partial / ".checkpoint.json.abc123.json").write_text('{"step": 6, "trunc')
    resumed = _run(out, 0.4, "--resume")
    return base, {"signal": p.returncode, "killed_at": killed_at, "resumed": resumed}


def test_sigkill_mid_epoch_then_resume_is_bit_identical(runs):
    base, r = runs
    assert r["signal"] == -signal.SIGKILL
    assert r["killed_at"] == ["step-00000003"], r["killed_at"]     # killed after step 3's checkpoint, before step 6's
    assert r["resumed"]["step"] == STEPS
    w_clean, m_clean = _final(base / "clean")
    w_res, m_res = _final(base / "killed")
    assert set(w_clean) == set(w_res)
    assert all(torch.equal(w_clean[k], w_res[k]) for k in w_clean)
    assert [h["loss"] for h in m_res["history"]] == [h["loss"] for h in m_clean["history"]]
    assert m_res["finished"] and m_res["step"] == STEPS


def test_partial_checkpoint_ignored_then_rewritten(runs):
    base, _ = runs
    d = base / "killed" / "step-00000006"
    assert (d / "checkpoint.json").is_file()                       # the resumed run wrote step 6 over the debris
    json.loads((d / "checkpoint.json").read_text())
    load_file(str(d / "model.safetensors"))                        # a complete, readable file again
    assert latest_checkpoint(base / "killed").name == f"step-{STEPS:08d}"


def test_latest_checkpoint_skips_incomplete(tmp_path):
    (tmp_path / "step-00000002").mkdir()
    (tmp_path / "step-00000002" / "checkpoint.json").write_text("{}")
    (tmp_path / "step-00000009").mkdir()                           # killed before its sidecar was renamed into place
    (tmp_path / "step-00000009" / "model.safetensors").write_bytes(b"partial")
    assert latest_checkpoint(tmp_path).name == "step-00000002"
