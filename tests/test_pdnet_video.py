"""PDNet end to end: bad inputs, streaming parity, the mixed image/video schedule with exact resume, smoke
training lowering the loss, and the `paper` profile's code path on real-layout fixtures under a data_root."""
import dataclasses

import pytest
import torch

from personseg.core import create_model
from personseg.train import Trainer, TrainConfig, load_checkpoint, latest_checkpoint, mixed_schedule
from personseg.video import (PDNetStream, predict_clip, naive_clip, pdnet_profile, train_config, run, evaluate_video,
                             video_sequences, export_synthetic_videos, ROWS)

SMALL = dict(backbone="resnet18", width=0.25)


@pytest.fixture(autouse=True)
def _one_thread_and_cache(tmp_path, monkeypatch):
    n = torch.get_num_threads(); torch.set_num_threads(1)
    monkeypatch.setenv("PERSONSEG_CACHE", str(tmp_path / "cache"))
    yield
    torch.set_num_threads(n)


# -- bad input: one clear error each -------------------------------------------------------------------
def test_stream_bad_inputs():
    m = create_model("pdnet-r50", **SMALL)
    s = PDNetStream(m)
    with pytest.raises(RuntimeError, match="no reference frame"):
        s.step(torch.randn(3, 32, 32))
    with pytest.raises(ValueError, match="no frames"):
        predict_clip(m, torch.zeros(0, 3, 32, 32))
    with pytest.raises(ValueError, match="no frames"):
        naive_clip(m, [])
    with pytest.raises(ValueError, match="different sizes"):
        predict_clip(m, [torch.randn(3, 32, 32), torch.randn(3, 32, 48)])
    s.start(torch.randn(1, 3, 32, 32))
    with pytest.raises(ValueError, match="reference's size"):
        s.step(torch.randn(1, 3, 32, 48))
    with pytest.raises(TypeError, match="float frame"):
        s.step(torch.zeros(1, 3, 32, 32, dtype=torch.uint8))
    with pytest.raises(ValueError, match="no sequences"):
        evaluate_video(m, [])


# -- streaming = naive per-frame call ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["pdnet-r50", "pdnet-p1", "pdnet-p3", "pdnet-2ref", "pdnet-base"])
def test_stream_parity(name):
    torch.manual_seed(1)
    m = create_model(name, **SMALL).eval()
    clip = torch.randn(8, 3, 48, 80)                 # non-square, longer than the 2-reference ring buffer (gap 5)
    a, b = predict_clip(m, clip), naive_clip(m, clip)
    assert a.shape == (8, 1, 48, 80)
    torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


def test_stream_batch_of_clips():
    torch.manual_seed(2)
    m = create_model("pdnet-2ref", **SMALL).eval()
    clips = torch.randn(2, 7, 3, 32, 32)
    s = PDNetStream(m)
    outs = [s.start(clips[:, 0])["out"]] + [s.step(clips[:, t])["out"] for t in range(1, 7)]
    both = torch.stack(outs, 1)                      # (2,T,1,H,W)
    for i in range(2):
        torch.testing.assert_close(both[i], naive_clip(m, clips[i]), atol=1e-5, rtol=1e-5)


# -- the mixed schedule through the trainer, with PDNet and its loss ------------------------------------
def _cfg(**kw):
    p = pdnet_profile("smoke", size=48, n_train=8, image_n=8, batch_size=4, steps=7)
    c = train_config("pdnet-r50", p, seed=0)
    return dataclasses.replace(c, device="cpu", log_every=1, ckpt_every=0, **kw)


def test_mixed_schedule_order_and_lrs():
    cfg = _cfg()
    seen = []
    tr = Trainer(cfg, callbacks=[lambda t, rec: seen.append((rec["kind"], rec["lr"]))])
    assert tr.image_dataset is not None and tr.total_steps == 7
    tr.fit(None, progress=False)
    assert [k for k, _ in seen] == ["image", "video", "video", "image", "video", "video", "image"]
    assert [k for k, _ in seen] == [mixed_schedule(s)[0] for s in range(7)]
    from personseg.train import poly_lr
    for s, (kind, lr) in enumerate(seen):        # group 0 is the backbone: image_lr on image iterations, lr × backbone_lr_mult on video ones
        base = cfg.image_lr if kind == "image" else cfg.lr * cfg.model_kw["backbone_lr_mult"]
        assert lr == pytest.approx(poly_lr(base, s, 7))


def test_image_iterations_train_the_backbone_only():
    cfg = _cfg(max_steps=1)                      # step 0 is an image iteration
    tr = Trainer(cfg)
    before = {n: p.detach().clone() for n, p in tr.model.named_parameters()}
    tr.fit(None, progress=False)
    changed = {n for n, p in tr.model.named_parameters() if not torch.equal(p, before[n])}
    assert changed and all(n.startswith("backbone.") for n in changed)
    assert any(n.startswith("backbone.") for n in changed)


def test_exact_resume_mid_schedule(tmp_path):
    cfg = _cfg()
    full = Trainer(cfg); full_hist = full.fit(None, progress=False)
    w = {k: v.clone() for k, v in full.model.state_dict().items()}
    Trainer(cfg).fit(tmp_path / "run", progress=False, stop_after=4)    # stopped mid-schedule: 2 image + 2 video iterations done
    meta = load_checkpoint(latest_checkpoint(tmp_path / "run"))["meta"]
    kind, k = mixed_schedule(4)
    assert meta["extra"]["schedule"] == {"next": kind, "index": k, "video_per_image": 2}
    rt = Trainer(cfg); hist = rt.fit(tmp_path / "run", resume=True, progress=False)
    assert hist == full_hist
    for name, v in rt.model.state_dict().items():
        assert torch.equal(v, w[name]), name


def test_smoke_training_lowers_the_loss():
    p = pdnet_profile("smoke", size=48, n_train=16, image_n=16, batch_size=4, steps=45)
    cfg = dataclasses.replace(train_config("pdnet-r50", p, seed=0), device="cpu", log_every=15, ckpt_every=0)
    hist = Trainer(cfg).fit(None, progress=False)
    assert len(hist) == 3
    assert hist[-1]["loss"] < hist[0]["loss"], [h["loss"] for h in hist]
    assert hist[-1]["seg"] < hist[0]["seg"], [h["seg"] for h in hist]


# -- the paper profile is the real code path: real layouts under data_root --------------------------------
def test_paper_profile_reads_data_root(tmp_path):
    from personseg.data.formats import export, get_spec
    root = tmp_path / "data"
    export(root / get_spec("mvps").folder, "mvps", n=2, size=(40, 48), n_frames=7)
    for name in ("eg1800", "supervisely_person", "coco_person"):
        export(root / get_spec(name).folder, name, n=4, size=(40, 48))
    p = pdnet_profile("paper", backbone="resnet18", width=0.25, size=32, batch_size=2, steps=2, epochs=None,
                      sem=dict(steps=2, size=32, n=4, batch_size=2, width=0.25))
    cfg = train_config("pdnet-2ref", p, data_root=str(root))
    assert cfg.data == "mvps" and cfg.data_root == str(root / "MVPS") and len(cfg.image_data) == 3
    res = run("pdnet-2ref", p, data_root=str(root), device="cpu")
    assert res["n_sequences"] == 2 and res["n_frames"] == 2 * 5           # val sequences of 7 frames, first and last dropped
    assert 0.0 <= res["jf"] <= 1.0


def test_paper_profile_pp_humanseg_training_clips(tmp_path):
    from personseg.data.formats import get_spec
    root = tmp_path / "data"
    for split in ("train", "test"):
        export_synthetic_videos(root / get_spec("pp_humanseg14k").folder / f".{split}", "pp_humanseg14k", n=2, n_frames=7,
                                size=(40, 48), split=split)
    # merge the two split exports into one dataset folder (each wrote images/<split>/, annotations/<split>/ and <split>.txt)
    import shutil
    ds = root / get_spec("pp_humanseg14k").folder
    for split in ("train", "test"):
        src = ds / f".{split}"
        for f in src.rglob("*"):
            if f.is_file():
                dst = ds / f.relative_to(src); dst.parent.mkdir(parents=True, exist_ok=True); shutil.move(str(f), dst)
        shutil.rmtree(src)
    p = pdnet_profile("paper", backbone="resnet18", width=0.25, size=32, batch_size=2, steps=2, epochs=None, image_data=(),
                      sem=dict(steps=2, size=32, n=4, batch_size=2, width=0.25))
    res = run("pdnet-r50", p, data_root=str(root), test="pp_humanseg14k", device="cpu")
    assert res["n_sequences"] == 2 and res["run"].startswith("pdnet-r50-")
    assert len(video_sequences("pp_humanseg14k", ds, "train")) == 2


def test_rows_name_registered_models():
    from personseg.core import list_models
    for rows in ROWS.values():
        for model, _ in rows.values():
            assert model in list_models("pdnet")
