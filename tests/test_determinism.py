"""Determinism: the same seed gives the same synthetic data, the same CPU training weights and the same tables,
in separate processes (with different hash seeds), and a different seed gives different ones."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from personseg.data.synthetic import SyntheticPeople, SyntheticVideos, data_fingerprint

from _train_cli import PLUGIN, ROOT, train_cli, train_env


TABLE = """
import json, sys
from personseg.experiments import run, mean_std_table, runs_csv
seeds = [int(s) for s in sys.argv[1].split(",")]
runs = {m: [run(m, "smoke", seed=s, device="cpu") for s in seeds] for m in ("bisenet-x39", "trisenet-x39")}
print(json.dumps({"md": mean_std_table(runs), "csv": runs_csv(runs)}))
"""


def _py(code: str, *args: str, cache: Path, hashseed: str = "0") -> str:
    env = dict(train_env(cache), PYTHONHASHSEED=hashseed)
    r = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-4000:]
    return r.stdout.strip().splitlines()[-1]


def test_synthetic_data_same_seed_same_bytes(tmp_path):
    code = "from personseg.data.synthetic import data_fingerprint; print(data_fingerprint())"
    a = _py(code, cache=tmp_path / "a", hashseed="1")
    b = _py(code, cache=tmp_path / "b", hashseed="2")
    assert a == b == data_fingerprint()
    s1, s2, s3 = SyntheticPeople(8, size=64, seed=3), SyntheticPeople(8, size=64, seed=3), SyntheticPeople(8, size=64, seed=4)
    for i in (0, 5):
        x, y, z = s1[i], s2[i], s3[i]
        assert torch.equal(torch.as_tensor(np.asarray(x["image"])), torch.as_tensor(np.asarray(y["image"])))
        assert torch.equal(torch.as_tensor(np.asarray(x["mask"])), torch.as_tensor(np.asarray(y["mask"])))
        assert not torch.equal(torch.as_tensor(np.asarray(x["image"])), torch.as_tensor(np.asarray(z["image"])))
    v1, v2 = SyntheticVideos(2, n_frames=3, size=48, seed=1)[1], SyntheticVideos(2, n_frames=3, size=48, seed=1)[1]
    assert all(torch.equal(torch.as_tensor(np.asarray(a)), torch.as_tensor(np.asarray(b))) for a, b in zip(v1["frames"], v2["frames"]))


def _train(out: Path, seed: int) -> dict:
    train_cli(["--model", "trisenet-x39", "--model-kw", json.dumps({"width": 0.25}), "--size", "64", "--n-train", "8",
               "--batch-size", "4", "--steps", "3", "--seed", str(seed), "--device", "cpu", "--no-progress", "--out", str(out)],
              out.parent / "cache")
    return load_file(str(out / "step-00000003" / "model.safetensors"))


def test_training_same_seed_same_weights(tmp_path):
    a, b, c = _train(tmp_path / "a", 0), _train(tmp_path / "b", 0), _train(tmp_path / "c", 1)
    assert set(a) == set(b) and len(a) > 50
    assert all(torch.equal(a[k], b[k]) for k in a), [k for k in a if not torch.equal(a[k], b[k])][:5]
    assert any(not torch.equal(a[k], c[k]) for k in a)


def test_tables_same_seed_same_text(tmp_path):
    a = json.loads(_py(TABLE, "0", cache=tmp_path / "a", hashseed="1"))
    b = json.loads(_py(TABLE, "0", cache=tmp_path / "b", hashseed="2"))
    assert a == b
    assert a["md"].count("\n") == 4 and "trisenet-x39" in a["md"]      # header, rule, two model rows
    c = json.loads(_py(TABLE, "1", cache=tmp_path / "c"))
    assert c["csv"] != a["csv"]


def test_dataloader_workers_do_not_change_weights(tmp_path):
    """Augmentation seeds are per sample (seed, epoch, index), not per worker process: 0 or 2 DataLoader workers
    train to the same bits, so a run may be resumed with another worker count (it is not part of the run's hash)."""
    def run(out: Path, workers: int) -> dict:
        train_cli(["--model", "tiny-seg", "--loss", "per-image-ce", "--plugin", str(PLUGIN), "--size", "32", "--n-train", "16",
                   "--batch-size", "4", "--steps", "6", "--log-every", "1", "--lr", "0.05", "--device", "cpu", "--no-progress",
                   "--workers", str(workers), "--out", str(out)], tmp_path / "cache")
        return load_file(str(out / "step-00000006" / "model.safetensors"))
    a, b = run(tmp_path / "w0", 0), run(tmp_path / "w2", 2)
    assert all(torch.equal(a[k], b[k]) for k in a)
