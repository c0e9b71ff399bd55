"""`python -m personseg.train` in a subprocess, as a user runs it (tests of crash safety, determinism and DDP).

One OpenMP thread per process, and a cache folder of the test's own, so runs are comparable and never share state.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "tests" / "_tiny_model.py"


def train_env(cache: Path) -> dict:
    return dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PERSONSEG_CACHE=str(cache))


def train_cmd(nproc: int = 1) -> list[str]:
    "Plain python for one process, torchrun (standalone) for more."
    if nproc == 1: return [sys.executable, "-m", "personseg.train"]
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(nproc), "-m", "personseg.train"]


def train_cli(args: list[str], cache: Path, nproc: int = 1, timeout: int = 600) -> dict:
    "Run the training CLI to the end; returns rank 0's closing JSON line (asserting it is the only one)."
    r = subprocess.run([*train_cmd(nproc), *args], cwd=ROOT, env=train_env(cache), capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"exit {r.returncode}\n--- stdout\n{r.stdout[-3000:]}\n--- stderr\n{r.stderr[-5000:]}"
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    assert len(lines) == 1, f"expected one summary line (rank 0 only), got {lines}"
    return json.loads(lines[0])
