"""The `personseg` console script end to end, as a user on a fresh install runs it: real photographs, bad input."""
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import data as skdata

from personseg.metrics import jaccard
from personseg.pretrained import load_photo, reference_mask


def _exe() -> list[str]:
    "The installed console script (pip puts it beside the interpreter); `python -m personseg.cli` otherwise."
    s = Path(sys.executable).parent / "personseg"
    return [str(s)] if s.exists() else [sys.executable, "-m", "personseg.cli"]


def run(*args, cwd=None):
    return subprocess.run([*_exe(), *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("photos")
    p = d / "hopper.png"   # lossless: the same pixels as the packaged JPEG decodes to
    cv2.imwrite(str(p), cv2.cvtColor(load_photo("grace_hopper"), cv2.COLOR_RGB2BGR))
    return p


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("video") / "clip.avi"
    w = cv2.VideoWriter(str(p), cv2.VideoWriter_fourcc(*"MJPG"), 8, (128, 128))
    for k in range(5): w.write(np.roll(cv2.resize(skdata.astronaut(), (128, 128)), 2 * k, axis=1)[..., ::-1].copy())
    w.release()
    return p


def test_console_script_is_installed():
    assert (Path(sys.executable).parent / "personseg").exists(), "pip install -e . installs the `personseg` console script"


def test_segment_photo_out_of_the_box(photo, tmp_path):
    r = run("segment", photo, "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    names = sorted(f.name for f in (tmp_path / "out").iterdir())
    assert names == ["hopper_alpha.png", "hopper_cutout.png", "hopper_mask.png"]
    mask = cv2.imread(str(tmp_path / "out" / "hopper_mask.png"), cv2.IMREAD_GRAYSCALE)
    assert mask.shape == (600, 512) and set(np.unique(mask)) <= {0, 255}
    # the same mask the library gives, so the same IoU against MediaPipe as recorded when the model was shipped
    import json
    from personseg.api import shipped_weights
    recorded = json.loads((shipped_weights() / "checkpoint.json").read_text())["extra"]["photos"]["per_photo"]["grace_hopper"]
    assert abs(jaccard(mask > 0, reference_mask("grace_hopper")) - recorded) < 1e-3
    rgba = cv2.imread(str(tmp_path / "out" / "hopper_cutout.png"), cv2.IMREAD_UNCHANGED)
    assert rgba.shape == (600, 512, 4)


def test_segment_folder_glob_outputs(photo, tmp_path):
    r = run("segment", photo.parent / "*.png", "--out", tmp_path, "--outputs", "mask", "--quiet")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert [f.name for f in tmp_path.iterdir()] == ["hopper_mask.png"]


def test_segment_and_replace_video(clip, tmp_path):
    r = run("segment", clip, "--out", tmp_path, "--outputs", "alpha", "--quiet")
    assert r.returncode == 0, r.stderr
    assert sorted(f.name for f in (tmp_path / "clip").iterdir()) == [f"{t:06d}_alpha.png" for t in range(5)]
    r = run("replace-background", clip, "--background", "#00b140", "--out", tmp_path, "--quiet")
    assert r.returncode == 0, r.stderr
    cap = cv2.VideoCapture(str(tmp_path / "clip_bg.avi"))
    n = 0
    while cap.read()[0]: n += 1
    assert n == 5


def test_replace_background_photo(photo, tmp_path):
    bg = tmp_path / "bg.png"; cv2.imwrite(str(bg), skdata.coffee()[..., ::-1])
    r = run("replace-background", photo, "--background", bg, "--out", tmp_path / "o", "--quiet")
    assert r.returncode == 0, r.stderr
    out = cv2.imread(str(tmp_path / "o" / "hopper_bg.png"))
    assert out.shape == (600, 512, 3)


def _bad(tmp_path, *args):
    r = run(*args)
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]


def test_bad_input_one_line_no_partial_outputs(photo, clip, tmp_path):
    out = tmp_path / "out"
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "noimages").mkdir(); (tmp_path / "noimages" / "readme.txt").write_text("x")
    (tmp_path / "broken.mp4").write_bytes(b"\x00" * 64)
    (tmp_path / "afile").write_text("x")
    assert "no such file" in _bad(tmp_path, "segment", tmp_path / "missing.jpg", "--out", out)
    assert "empty file" in _bad(tmp_path, "segment", tmp_path / "empty.png", "--out", out)
    assert "folder has no images" in _bad(tmp_path, "segment", tmp_path / "noimages", "--out", out)
    assert "cannot open this video" in _bad(tmp_path, "segment", tmp_path / "broken.mp4", "--out", out)
    # a good photo listed with a bad one: nothing is written
    assert "empty file" in _bad(tmp_path, "segment", photo, tmp_path / "empty.png", "--out", out)
    assert not out.exists()
    assert "not writable" in _bad(tmp_path, "segment", photo, "--out", tmp_path / "afile" / "sub")
    assert "not a folder" in _bad(tmp_path, "segment", photo, "--out", tmp_path / "afile")
    assert "personseg train --model mdtrisenet-x39" in _bad(tmp_path, "segment", photo, "--model", "mdtrisenet-x39", "--out", out)
    assert "--background" in _bad(tmp_path, "replace-background", photo, "--background", "nope.jpg", "--out", out)
    assert not out.exists()


def test_help_has_examples():
    r = run("--help")
    assert r.returncode == 0 and "examples:" in r.stdout and "replace-background" in r.stdout
    r = run("segment", "--help")
    assert r.returncode == 0 and "personseg segment photo.jpg --out out/" in r.stdout
    r = run("train", "--help")
    assert r.returncode == 0 and "--model" in r.stdout


def test_eval_photos_report():
    r = run("eval", "--photos")
    assert r.returncode == 0, r.stderr
    assert "| astronaut |" in r.stdout and "| rocket |" in r.stdout and "**mean**" in r.stdout
