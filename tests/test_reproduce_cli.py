"""`python -m personseg.reproduce` end to end, as `make reproduce PROFILE=smoke` calls it."""
import subprocess
import sys


def test_reproduce_cli_smoke_one_item(root, tmp_path):
    r = subprocess.run([sys.executable, "-m", "personseg.reproduce", "--profile", "smoke", "--only", "pdnet_fig3"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "all 1 paper notebooks ran" in r.stdout
    runs = root / "figures" / "runs"
    assert (runs / "smoke" / "pdnet_fig3.png").exists()
    assert not list(runs.glob(".smoke.pdnet_fig3.*.staging"))      # outputs were staged, then moved into place


def test_reproduce_cli_bad_profile(tmp_path):
    r = subprocess.run([sys.executable, "-m", "personseg.reproduce", "--profile", "fast"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "invalid choice: 'fast'" in r.stderr


def test_reproduce_cli_no_match(tmp_path):
    r = subprocess.run([sys.executable, "-m", "personseg.reproduce", "--profile", "smoke", "--only", "nothing_*"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "no paper notebooks matching" in r.stderr


def test_reproduce_cli_bad_data_root(tmp_path):
    r = subprocess.run([sys.executable, "-m", "personseg.reproduce", "--profile", "smoke", "--data-root", ""],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "parameter 'data_root': got '' (str)" in r.stderr
    assert "[smoke]" not in r.stdout                                  # refused before any notebook ran
