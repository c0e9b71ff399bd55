"""Bad inputs where a user hands something to the models, the trainer, the Python API and the registries: each
gets one clear line naming the thing and what was expected (no traceback soup, no silent NaN masks).

Data loaders, transforms and metrics: tests/test_bad_data.py; notebook parameters: tests/test_papermill_safety.py;
the CLI: tests/test_cli.py. `CASES` is a table so the count of bad inputs tried is the table's length.
"""
import math
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from personseg import api
from personseg.core import create_model, get_device
from personseg.experiments import trisenet_profile
from personseg.reproduce import check_profile
from personseg.train import TrainConfig, build_loss

torch.set_num_threads(1)
_MODELS = {}


def _model(name: str):
    if name not in _MODELS:
        kw = {"backbone": "resnet18", "width": 0.25} if name.startswith(("pdnet", "ssfnet")) else {"width": 0.25}
        torch.manual_seed(0)
        _MODELS[name] = create_model(name, **kw).eval()
    return _MODELS[name]


def _nan_image() -> torch.Tensor:
    x = torch.zeros(2, 3, 64, 64); x[0, 0, 5, 5] = math.nan; x[1, 2, 7, 7] = math.inf
    return x


def _zero_video(tmp: Path) -> Path:
    p = tmp / "zero.avi"
    cv2.VideoWriter(str(p), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48)).release()
    return p


# (id, call(tmp_path), exception type, text the one-line message must contain)
CASES = [
    # models
    *[(f"{m}-nan-input", lambda t, m=m: _model(m)(_nan_image()), ValueError, "2 NaN/inf values")
      for m in ("bisenet-x39", "trisenet-x39", "mdtrisenet-x39", "mctrisenet-x39", "ssfnet")],
    ("pdnet-nan-reference", lambda t: _model("pdnet-r50")(_nan_image(), torch.zeros(2, 3, 64, 64)), ValueError, "(reference frame): the input holds 2 NaN/inf"),
    ("model-grey-tensor", lambda t: _model("trisenet-x39")(torch.zeros(2, 1, 64, 64)), ValueError, "expected 3 input channels"),
    ("model-rgba-tensor", lambda t: _model("trisenet-x39")(torch.zeros(2, 4, 64, 64)), ValueError, "expected 3 input channels"),
    ("model-3d-tensor", lambda t: _model("trisenet-x39")(torch.zeros(3, 64, 64)), ValueError, "expected a 4-D image tensor"),
    ("model-uint8-tensor", lambda t: _model("trisenet-x39")(torch.zeros(2, 3, 64, 64, dtype=torch.uint8)), TypeError, "expected a float (normalised) image"),
    ("model-numpy", lambda t: _model("trisenet-x39")(np.zeros((2, 3, 64, 64), np.float32)), TypeError, "expected an image tensor"),
    ("unknown-route", lambda t: _model("mdtrisenet-x39")(torch.zeros(2, 3, 64, 64), route="nearest"), ValueError, "unknown route 'nearest'"),
    ("unknown-model", lambda t: create_model("trisenet-x93"), KeyError, "did you mean: trisenet-x39"),
    ("unknown-profile", lambda t: trisenet_profile("fast"), ValueError, "unknown profile 'fast'; expected one of smoke, synthetic, paper"),
    ("unknown-profile-reproduce", lambda t: check_profile("full"), ValueError, "unknown profile 'full'"),
    ("unknown-loss", lambda t: build_loss("crossentropy"), KeyError, "unknown loss 'crossentropy'"),
    ("unknown-device", lambda t: get_device("tpu"), ValueError, "unknown device 'tpu'"),
    # training configuration (a --config JSON or keyword written by hand)
    ("config-unknown-field", lambda t: TrainConfig.from_dict({"batchsize": 4}), KeyError, "did you mean 'batch_size'"),
    ("config-lr-string", lambda t: TrainConfig(lr="0.1"), ValueError, "TrainConfig.lr must be a finite number > 0, got '0.1'"),
    ("config-lr-nan", lambda t: TrainConfig(lr=math.nan), ValueError, "TrainConfig.lr must be a finite number"),
    ("config-batch-zero", lambda t: TrainConfig(batch_size=0), ValueError, "batch_size must be a positive int"),
    ("config-size-string", lambda t: TrainConfig(size="512"), ValueError, "TrainConfig.size must be a positive int, got '512'"),
    ("config-steps-float", lambda t: TrainConfig(max_steps=2.5), ValueError, "max_steps must be None or a positive int"),
    ("config-momentum", lambda t: TrainConfig(momentum=1.0), ValueError, "momentum must be a finite number in [0, 1)"),
    ("config-bool-seed", lambda t: TrainConfig(seed=True), ValueError, "TrainConfig.seed must be an int >= 0"),
    ("config-paper", lambda t: TrainConfig(paper="bisenet"), ValueError, "TrainConfig.paper must be one of"),
    ("config-device", lambda t: TrainConfig(device="gpu0"), ValueError, "TrainConfig.device 'gpu0' is not a device"),
    ("config-model-kw-list", lambda t: TrainConfig(model_kw=[("width", 1)]), TypeError, "TrainConfig.model_kw must be a dict"),
    # the Python API
    ("api-nan-array", lambda t: api.segment(np.full((32, 32, 3), np.nan)), ValueError, "NaN/inf values"),
    ("api-not-an-image", lambda t: api.segment(5), TypeError, "expected an image array"),
    ("api-2-channels", lambda t: api.segment(np.zeros((32, 32, 2), np.uint8)), ValueError, "expected an (H,W,3) RGB"),
    ("api-empty-array", lambda t: api.segment(np.zeros((0, 32, 3), np.uint8)), ValueError, "expected an (H,W,3) RGB"),
    ("api-missing-file", lambda t: api.segment(t / "nope.jpg"), FileNotFoundError, "no such file"),
    ("api-empty-file", lambda t: api.read_image(_touch(t / "empty.png", b"")), ValueError, "empty file"),
    ("api-truncated-png", lambda t: api.read_image(_touch(t / "half.png", _png()[:300])), ValueError, "not a readable image"),
    ("api-truncated-jpeg", lambda t: api.read_image(_touch(t / "cut.jpg", _jpg()[:300])), ValueError, "truncated file"),
    ("api-folder-as-image", lambda t: api.read_image(t), IsADirectoryError, "is a folder"),
    ("api-unknown-model", lambda t: api.load_model("bisenet-x93"), KeyError, "bisenet-x39"),
    ("api-no-weights", lambda t: api.load_model("mdtrisenet-x39"), api.NoWeightsError, "personseg train --model mdtrisenet-x39"),
    ("api-bare-safetensors", lambda t: api.load_model(weights=_touch(t / "w.safetensors", b"x")), ValueError, "holds no architecture"),
    ("api-size-too-small", lambda t: api.Segmenter(size=8), ValueError, "size must be >= 32"),
    ("api-paper", lambda t: api.Segmenter(paper="bisenet"), ValueError, "paper must be one of"),
    ("video-zero-length", lambda t: list(api.segment_video(_zero_video(t))), ValueError, "the video has no frames"),
    ("video-empty-file", lambda t: list(api.segment_video(_touch(t / "e.mp4", b""))), ValueError, "empty file"),
    ("video-not-a-video", lambda t: list(api.segment_video(_touch(t / "x.mp4", b"text, not video"))), ValueError, "cannot open this video"),
    ("video-empty-folder", lambda t: list(api.segment_video(_mkdir(t / "frames"))), FileNotFoundError, "folder has no images"),
    ("video-nan-frame", lambda t: list(api.video_frames([np.full((8, 8, 3), np.inf)])), ValueError, "frame: 192 NaN/inf values"),
]


def _touch(p: Path, data: bytes) -> Path:
    p.write_bytes(data); return p


def _mkdir(p: Path) -> Path:
    p.mkdir(); return p


def _jpg() -> bytes:
    ok, buf = cv2.imencode(".jpg", np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    return buf.tobytes()


def _png() -> bytes:
    ok, buf = cv2.imencode(".png", np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    return buf.tobytes()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_one_clear_line(case, tmp_path):
    _, call, exc, text = case
    with pytest.raises(exc) as e:
        call(tmp_path)
    msg = str(e.value.args[0]) if isinstance(e.value, KeyError) and e.value.args else str(e.value)
    assert text in msg, msg
    assert "\n" not in msg.strip(), f"more than one line: {msg!r}"
    assert len(msg) < 600, f"too long ({len(msg)} chars): {msg[:200]}..."


# what must be ACCEPTED and converted rather than refused
def test_grey_rgba_and_16bit_images_are_converted(tmp_path):
    rgb = np.random.default_rng(1).integers(0, 255, (40, 30, 3), dtype=np.uint8)
    cv2.imwrite(str(tmp_path / "grey.png"), rgb[..., 0])
    cv2.imwrite(str(tmp_path / "rgba.png"), np.dstack([rgb[..., ::-1], np.full((40, 30), 128, np.uint8)]))
    cv2.imwrite(str(tmp_path / "deep.png"), rgb[..., ::-1].astype(np.uint16) * 257)
    for f in ("grey.png", "rgba.png", "deep.png"):
        im = api.read_image(tmp_path / f)
        assert im.shape == (40, 30, 3) and im.dtype == np.uint8, f
    assert np.array_equal(api.read_image(tmp_path / "deep.png"), rgb)          # 16-bit scaled down, not clipped
    assert np.array_equal(api.read_image(tmp_path / "rgba.png"), rgb)
    for arr in (rgb[..., 0], np.dstack([rgb, rgb[..., :1]]), rgb.astype(np.uint16) * 257, rgb / 255.0):
        s = api.segment(arr)
        assert s.mask.shape == (40, 30) and np.isfinite(s.prob).all()
    assert np.array_equal(api.segment(rgb.astype(np.uint16) * 257).prob, api.segment(rgb).prob)


def test_model_inputs_that_are_fine():
    "Odd sizes and a batch of one still work: the checks refuse only what is wrong."
    with torch.no_grad():
        out = _model("trisenet-x39")(torch.randn(1, 3, 70, 50))["out"]
    assert out.shape[-2:] == (70, 50) and torch.isfinite(out).all()


def test_case_count():
    assert len(CASES) >= 45
