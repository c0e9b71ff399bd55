"""ONNX export of every TriSeNet-family model and of PDNet (whole, and its streaming halves): onnxruntime parity in fp32,
a dynamic batch axis (exported at batch 2, run at 1 and 3), atomic writes and clear errors; `GPUPredictor` on the CPU
and, where CUDA exists, fp16 + CUDA graphs against fp32."""
import os

import numpy as np
import pytest
import torch

from personseg.core import create_model, list_models
from personseg.export import (GPUPredictor, OnnxPDNetStream, PDNET_PARTS, calibrate_bn, export_onnx, export_pdnet_stream,
                              onnx_meta, onnx_parity, onnx_session, reference_outputs)
from personseg.video import PDNetStream

TRISENET = [n for n in list_models(r"^(bi|tri|md|mc)(se|tri)*net-") if n.split("-")[0] in ("bisenet", "trisenet", "mdtrisenet", "mctrisenet")]
PDNETS = list_models(r"^pdnet-")
S = 64


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads(); torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _tol(model, path, x, **inputs) -> float:
    "1e-4 absolute, scaled by the largest output magnitude when it exceeds 1 (fp32 rounding is relative; see the notebook)."
    want, _ = reference_outputs(model, onnx_meta(path)["part"], x, **inputs)
    return 1e-4 * max(1.0, max(float(v.abs().max()) for v in want.values()))


def _trisenet(name):
    torch.manual_seed(0)
    kw = {"n_domains": 2} if name.startswith("mc") else {}     # MCTriSeNet: 2 whole TriSeNets keep the export quick
    m = create_model(name, width=0.25, **kw)
    if name.startswith("mc"):
        for net in m.nets: calibrate_bn(net, torch.randn(24, 3, S, S))
        return m.eval()
    dom = {"domain": torch.arange(48) % m.config.n_domains} if name.startswith("md") else {}
    return calibrate_bn(m, torch.randn(48, 3, S, S), **dom)


def test_names_cover_the_family():
    assert {"bisenet-x39", "trisenet-x39", "mdtrisenet-x39", "mctrisenet-x39"} <= set(TRISENET)
    assert {"pdnet-r50", "pdnet-2ref", "pdnet-base"} <= set(PDNETS)


@pytest.mark.parametrize("name", TRISENET)
def test_trisenet_family_parity_and_dynamic_batch(name, tmp_path):
    m = _trisenet(name)
    p = export_onnx(m, tmp_path / f"{name}.onnx", size=S)     # example batch 2
    sess = onnx_session(p)
    assert sess.get_inputs()[0].shape[0] == "batch"
    routed = name.startswith(("md", "mc"))
    assert [i.name for i in sess.get_inputs()] == (["image", "domain"] if routed else ["image"])
    assert [o.name for o in sess.get_outputs()] == ["logits", "probs"]
    for b in (1, 2, 3):
        x = torch.randn(b, 3, S, S)
        kw = {"domain": torch.tensor([1, 0, 1][:b]) if name.startswith("mc") else torch.tensor([5, 0, 3][:b])} if routed else {}
        d, tol = onnx_parity(m, p, x, **kw), _tol(m, p, x, **kw)
        assert d <= tol, f"{name} batch {b}: max abs diff {d:.2e} > {tol:.2e}"


@pytest.mark.parametrize("measured", [False, True])
def test_mdtrisenet_learned_route(tmp_path, measured):
    m = _trisenet("mdtrisenet-x39")
    if measured:   # a cost matrix as the router stage leaves it: the graph must pick branches by it, not by argmax
        m.router.add_costs(torch.rand(6, 6, generator=torch.Generator().manual_seed(1)), torch.ones(6))
    p = export_onnx(m, tmp_path / "md.onnx", size=S, route="learned")
    assert [o.name for o in onnx_session(p).get_outputs()] == ["logits", "probs", "domain"]
    x = torch.randn(3, 3, S, S)
    assert onnx_parity(m, p, x) <= _tol(m, p, x)
    sess = onnx_session(p)
    got = sess.run(["domain"], {sess.get_inputs()[0].name: x.numpy()})[0]
    with torch.no_grad(): want = m.router.decide(m.router(m.router_features(x)))
    assert got.tolist() == want.tolist()


def _pdnet(name):
    torch.manual_seed(0)
    m = create_model(name, backbone="resnet18", width=0.25, ipda_stride=2)
    return calibrate_bn(m, _refs(m, 8), torch.randn(8, 3, S, S))


def _refs(m, b):
    R = m.config.n_refs
    return torch.randn(b, 3, S, S) if R == 1 else torch.randn(b, R, 3, S, S)


@pytest.mark.parametrize("name", ["pdnet-r50", "pdnet-p1", "pdnet-2ref", "pdnet-base"])
def test_pdnet_parts_parity_and_dynamic_batch(name, tmp_path):
    m = _pdnet(name)
    for part in PDNET_PARTS:
        p = export_onnx(m, tmp_path / f"{part}.onnx", size=S, part=part)
        assert onnx_meta(p)["part"] == part
        for b in (1, 3):
            x, ref = torch.randn(b, 3, S, S), _refs(m, b)
            d, tol = onnx_parity(m, p, x, reference=ref), _tol(m, p, x, reference=ref)
            assert d <= tol, f"{name} {part} batch {b}: max abs diff {d:.2e} > {tol:.2e}"


@pytest.mark.parametrize("name", ["pdnet-r50", "pdnet-2ref"])
def test_onnx_stream_reproduces_pdnetstream(name, tmp_path):
    m = _pdnet(name)
    ps = export_pdnet_stream(m, tmp_path, size=S)
    dec = [i.name for i in onnx_session(ps["decoder"]).get_inputs()]
    assert dec == ["features", "part_feats", "part_masks", "ref_part_feats"]
    frames = torch.randn(m.config.ref_gap + 3, 2, 3, S, S)          # past the second reference's gap
    s, so = PDNetStream(m), OnnxPDNetStream(ps["encoder"], ps["decoder"])
    want = [s.start(frames[0])["out"]] + [s.step(f)["out"] for f in frames[1:]]
    got = [so.start(frames[0])["logits"]] + [so.step(f)["logits"] for f in frames[1:]]
    err = max(float(np.abs(g - w.numpy()).max()) for g, w in zip(got, want))
    assert err <= 1e-4, f"{name}: stream max abs diff {err:.2e}"


def test_errors_are_clear_and_leave_no_file(tmp_path, monkeypatch):
    m = _trisenet("bisenet-x39")
    with pytest.raises(ValueError, match="cannot export 'nonet-x39' to .*nonet.onnx: unknown model"):
        export_onnx("nonet-x39", tmp_path / "nonet.onnx")
    with pytest.raises(ValueError, match="cannot export Linear"):
        export_onnx(torch.nn.Linear(2, 2), tmp_path / "lin.onnx")
    (tmp_path / "file").write_text("")
    with pytest.raises(OSError, match="cannot write ONNX file .*file/m.onnx"):     # the folder cannot be made
        export_onnx(m, tmp_path / "file" / "m.onnx", size=S)
    ro = tmp_path / "ro"; ro.mkdir(); ro.chmod(0o500)
    try:
        if not os.access(ro, os.W_OK):           # root can write a read-only folder
            with pytest.raises(OSError, match=str(ro / "m.onnx")):
                export_onnx(m, ro / "m.onnx", size=S)
        assert list(ro.iterdir()) == []
    finally: ro.chmod(0o700)

    def broken(*a, **k):                      # the exporter dies half-way through writing
        open(a[2], "wb").write(b"partial")
        raise RuntimeError("exporter failed")
    monkeypatch.setattr(torch.onnx, "export", broken)
    with pytest.raises(RuntimeError, match="exporter failed"):
        export_onnx(m, tmp_path / "half.onnx", size=S)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "ro"]


def test_gpu_predictor_cpu_channels_last_matches_model():
    for name in ("trisenet-x39", "mdtrisenet-x39"):
        m = _trisenet(name)
        x = torch.randn(2, 3, S, S)
        kw = {"domain": torch.tensor([4, 1])} if name.startswith("md") else {}
        g = GPUPredictor(m, x.shape, half=False, channels_last=True, cuda_graph=False)
        assert g.static["image"].is_contiguous(memory_format=torch.channels_last)
        with torch.no_grad(): want = m(x, **kw, **({"route": "oracle"} if kw else {}))["out"]
        out = g(x, **kw)
        assert out["logits"].dtype == torch.float32
        torch.testing.assert_close(out["logits"], want, atol=1e-4, rtol=1e-4)
    with pytest.raises(ValueError, match="CUDA"):
        GPUPredictor(m, x.shape)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_gpu_predictor_fp16_cuda_graph_matches_fp32():
    torch.manual_seed(0)
    for name in ("trisenet-x39", "mdtrisenet-x39"):
        kw = {"domain": torch.arange(8) % 6} if name.startswith("md") else {}
        m = calibrate_bn(create_model(name, width=0.5), torch.randn(8, 3, 128, 128), **kw).cuda()
        g = GPUPredictor(m, (2, 3, 128, 128))                    # fp16 + channels_last + CUDA graph
        dom = {"domain": torch.tensor([5, 2], device="cuda")} if kw else {}
        for _ in range(2):                                        # new data each call: the static input is refreshed
            x = torch.randn(2, 3, 128, 128, device="cuda")
            with torch.no_grad(): want = m(x, **dom, **({"route": "oracle"} if dom else {}))["out"].softmax(1)
            got = g(x, **dom)["probs"]
            assert got.dtype == torch.float32
            torch.testing.assert_close(got, want, atol=1e-2, rtol=0)


def test_shipped_model_parity_on_photos_strict(tmp_path):
    "The trained model that ships, on real photographs at its own input size: 1e-4 absolute, no scaling."
    from personseg.api import Segmenter
    from personseg.pretrained import load_photo
    s = Segmenter()
    p = export_onnx(s.net, tmp_path / "shipped.onnx", size=s.size)
    x = s.prepare([load_photo(n) for n in ("astronaut", "grace_hopper", "coffee")])
    assert onnx_parity(s.net, p, x) <= 1e-4
    assert onnx_parity(s.net, p, x[:1]) <= 1e-4
