"""Property-based checks of the metrics and the dataset readers on random shapes and values.

The batched metrics must agree with the per-frame reference transcription of the DAVIS toolkit, the
confusion-matrix metrics must keep their bookkeeping identities, and the file readers must round-trip
every label-map encoding the datasets use.
"""
import io
import math
import tempfile
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image
from scipy import stats

from personseg.data.formats import decode_labels, get_spec, list_datasets, read_image, read_label
from personseg.metrics import (boundary_f, boundary_f_batch, confusion_matrix, db_statistics, jaccard, jaccard_batch,
                               miou, paired_ttest, per_class_iou, ref_boundary_f, ref_jaccard)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
IO = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


# ---------------------------------------------------------------- masks

@st.composite
def mask_batch(draw, max_n=3, max_side=24):
    "(pred, gt, void | None) bool (N, H, W): arbitrary pixels, rectangles, empty and full masks, void or not."
    n = draw(st.integers(1, max_n)); h = draw(st.integers(1, max_side)); w = draw(st.integers(1, max_side))

    def one():
        kind = draw(st.sampled_from(["pixels", "rect", "empty", "full"]))
        if kind == "pixels": return draw(hnp.arrays(np.bool_, (h, w)))
        m = np.zeros((h, w), bool)
        if kind == "full": m[:] = True
        if kind == "rect":
            y0, x0 = draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1))
            m[y0:draw(st.integers(y0 + 1, h)), x0:draw(st.integers(x0 + 1, w))] = True
        return m

    g = np.stack([one() for _ in range(n)])
    if draw(st.booleans()):            # a prediction near the GT: a few flipped pixels
        p = g ^ draw(hnp.arrays(np.bool_, (n, h, w), elements=st.booleans(), fill=st.just(False)))
    else: p = np.stack([one() for _ in range(n)])
    v = draw(st.one_of(st.none(), hnp.arrays(np.bool_, (n, h, w))))
    return p, g, v


@FAST
@given(mask_batch())
def test_jaccard_matches_reference(pgv):
    p, g, v = pgv
    J = jaccard_batch(p, g, void=v).numpy()
    ref = [ref_jaccard(p[i], g[i], None if v is None else v[i]) for i in range(len(p))]
    assert J.shape == (len(p),)
    np.testing.assert_allclose(J, ref, rtol=0, atol=1e-12)
    assert ((J >= 0) & (J <= 1)).all()
    assert jaccard(p[0], g[0], None if v is None else v[0]) == pytest.approx(ref[0], abs=1e-12)
    # torch {0,1} integer input reads the same as numpy bool
    assert torch.equal(jaccard_batch(torch.from_numpy(p).int(), torch.from_numpy(g).to(torch.uint8), void=v), jaccard_batch(p, g, void=v))


@FAST
@given(mask_batch(), st.sampled_from([0.008, 0.05, 0.2, 1, 2, 3.0]))
def test_boundary_f_matches_reference(pgv, bound_th):
    p, g, v = pgv
    F = boundary_f_batch(p, g, bound_th=bound_th, void=v, threads=1).numpy()
    ref = [ref_boundary_f(p[i], g[i], None if v is None else v[i], bound_th=bound_th) for i in range(len(p))]
    np.testing.assert_allclose(F, ref, rtol=0, atol=1e-12)
    assert ((F >= 0) & (F <= 1)).all()
    assert boundary_f(p[-1], g[-1], bound_th, None if v is None else v[-1]) == pytest.approx(ref[-1], abs=1e-12)
    np.testing.assert_array_equal(boundary_f_batch(p, g, bound_th=bound_th, void=v, threads=2).numpy(), F)


@FAST
@given(mask_batch())
def test_identical_masks_score_one(pgv):
    _, g, v = pgv
    np.testing.assert_array_equal(jaccard_batch(g, g, void=v).numpy(), 1.0)
    np.testing.assert_array_equal(boundary_f_batch(g, g, void=v).numpy(), 1.0)


# ---------------------------------------------------------------- confusion matrix

@st.composite
def label_maps(draw, max_c=6):
    c = draw(st.integers(1, max_c))
    shape = draw(st.tuples(st.integers(1, 3), st.integers(1, 12), st.integers(1, 12)))
    gt = draw(hnp.arrays(np.int64, shape, elements=st.one_of(st.integers(0, c - 1), st.just(255))))
    pred = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, c - 1)))
    return c, pred, gt


@FAST
@given(label_maps())
def test_confusion_matrix_bookkeeping(cpg):
    c, pred, gt = cpg
    cm = confusion_matrix(torch.from_numpy(pred), torch.from_numpy(gt), c)
    keep = gt != 255
    assert cm.shape == (c, c) and cm.dtype == torch.int64
    assert int(cm.sum()) == int(keep.sum())                                    # every non-ignored pixel, once
    np.testing.assert_array_equal(cm.sum(1).numpy(), np.bincount(gt[keep], minlength=c))   # rows: GT
    np.testing.assert_array_equal(cm.sum(0).numpy(), np.bincount(pred[keep], minlength=c)) # columns: prediction
    iou = per_class_iou(cm).numpy()
    ok = ~np.isnan(iou)
    assert ((iou[ok] >= 0) & (iou[ok] <= 1)).all()
    present = np.isin(np.arange(c), np.r_[gt[keep], pred[keep]])
    np.testing.assert_array_equal(ok, present)                                # NaN exactly for absent classes
    m = miou(cm)
    assert (math.isnan(m) and not ok.any()) or m == pytest.approx(iou[ok].mean(), abs=1e-12)
    # the same labels as numpy arrays, and the batch accumulated frame by frame
    assert torch.equal(confusion_matrix(pred, gt, c), cm)
    assert torch.equal(sum(confusion_matrix(pred[i], gt[i], c) for i in range(len(pred))), cm)


@FAST
@given(label_maps())
def test_confusion_matrix_symmetry_and_perfect_prediction(cpg):
    c, pred, gt = cpg
    gt_full = np.where(gt == 255, pred, gt)                       # no ignored pixels: roles can swap
    cm, cmT = confusion_matrix(pred, gt_full, c), confusion_matrix(gt_full, pred, c)
    assert torch.equal(cm, cmT.T)
    np.testing.assert_array_equal(per_class_iou(cm).numpy(), per_class_iou(cmT).numpy())   # IoU is symmetric
    perfect = per_class_iou(confusion_matrix(np.where(gt == 255, 0, gt), gt, c)).numpy()
    present = np.isin(np.arange(c), gt[gt != 255])
    np.testing.assert_array_equal(perfect[present], 1.0)
    assert np.isnan(perfect[~present]).all()
    assert miou(confusion_matrix(gt_full, gt_full, c)) == 1.0


# ---------------------------------------------------------------- DAVIS statistics, t-test

def _davis_stats(v):
    "The toolkit's rules written out for one (T,) sequence."
    T = len(v)
    ids = [int(x) for x in np.round(np.linspace(1, T, 5) + 1e-10) - 1]
    with np.errstate(invalid="ignore"), __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(v)
        recall = np.mean([x > 0.5 for x in v])
        decay = np.nanmean(v[ids[0]:ids[1] + 1]) - np.nanmean(v[ids[3]:ids[4] + 1])
    return mean, recall, decay


scores = st.one_of(st.floats(0, 1), st.just(float("nan")))


@FAST
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 40)), elements=scores))
def test_db_statistics_with_nans(v):
    M, R, D = db_statistics(v)
    assert M.shape == R.shape == D.shape == (len(v),)
    for i, row in enumerate(v):
        exp = _davis_stats(row)
        got = db_statistics(row)
        assert isinstance(got[0], float)
        for a, b, c in zip(got, (M[i], R[i], D[i]), exp):
            assert (math.isnan(a) and math.isnan(b) and math.isnan(c)) or (a == pytest.approx(c, abs=1e-12) and a == pytest.approx(b, abs=1e-12))
        assert 0 <= got[1] <= 1
        if np.isnan(row).all(): assert math.isnan(got[0]) and got[1] == 0.0


@FAST
@given(st.integers(2, 30).flatmap(lambda n: st.tuples(
    hnp.arrays(np.float64, n, elements=st.floats(-10, 10)), hnp.arrays(np.float64, n, elements=st.floats(-10, 10)))))
def test_paired_ttest_matches_scipy(ab):
    a, b = ab
    t, p = paired_ttest(a, b)
    ref = stats.ttest_rel(a, b)
    for x, y in ((t, ref.statistic), (p, ref.pvalue)):
        assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(float(y), rel=1e-9, abs=1e-12)
    t2, p2 = paired_ttest(torch.from_numpy(b), torch.from_numpy(a))         # swapped: -t, same p
    assert (math.isnan(t) and math.isnan(t2)) or t2 == pytest.approx(-t, rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------- label files

@pytest.fixture(scope="module")
def tmp():
    with tempfile.TemporaryDirectory(prefix="personseg_prop_") as d: yield Path(d)


shapes = st.tuples(st.integers(1, 20), st.integers(1, 20))


@IO
@given(hnp.arrays(np.uint8, shapes), st.sampled_from(["L", "P"]))
def test_read_label_roundtrip_8bit(tmp, a, mode):
    im = Image.fromarray(a, mode=mode)
    if mode == "P": im.putpalette([(k * 37) % 256 for k in range(768)])   # any palette: we read indices
    im.save(tmp / "l8.png")
    r = read_label(tmp / "l8.png")
    assert r.dtype == np.uint8 and r.shape == a.shape
    np.testing.assert_array_equal(r, a)


@IO
@given(hnp.arrays(np.uint16, shapes))
def test_read_label_roundtrip_16bit(tmp, a):
    assert cv2.imwrite(str(tmp / "l16.png"), a)
    assert Image.open(tmp / "l16.png").mode.startswith("I;16")
    r = read_label(tmp / "l16.png")
    assert r.shape == a.shape and r.dtype.kind in "iu"
    np.testing.assert_array_equal(r, a.astype(np.int64))


def _label_specs():
    "Datasets whose labels are stored as label files decoded by `decode_labels` (paired and video layouts)."
    return [n for n in list_datasets() if get_spec(n).layout in ("paired", "video")]


@pytest.mark.parametrize("name", _label_specs())
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_decode_labels_allowed_and_rejected(name, data):
    spec = get_spec(name)
    raw_values = spec.raw_values if spec.raw_values is not None else tuple(range(spec.num_classes))
    allowed = list(raw_values) + [spec.ignore_index]
    shape = data.draw(shapes)
    ids = data.draw(hnp.arrays(np.int64, shape, elements=st.sampled_from(list(range(spec.num_classes)) + [spec.ignore_index])))
    raw = spec.encode_lut()[ids].astype(data.draw(st.sampled_from([np.uint8, np.uint16, np.int64])))
    out = decode_labels(spec, raw, "some/dir/ok.png")
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, ids)
    bad = data.draw(st.integers(0, 65535).filter(lambda x: x not in allowed))
    y, x = data.draw(st.integers(0, shape[0] - 1)), data.draw(st.integers(0, shape[1] - 1))
    raw2 = raw.astype(np.int64); raw2[y, x] = bad
    with pytest.raises(ValueError, match="some/dir/bad.png: label values"):
        decode_labels(spec, raw2, "some/dir/bad.png")


# ---------------------------------------------------------------- images

@IO
@given(hnp.arrays(np.uint8, st.tuples(st.integers(1, 20), st.integers(1, 20), st.just(3))),
       st.sampled_from(["RGB", "L", "RGBA", "I16", "RGB16", "RGBA16"]))
def test_read_image_png_kinds(tmp, rgb, kind):
    f = tmp / f"img_{kind}.png"
    if kind == "RGB": Image.fromarray(rgb).save(f); exp = rgb
    elif kind == "L": Image.fromarray(rgb[..., 0]).save(f); exp = np.repeat(rgb[..., :1], 3, 2)
    elif kind == "RGBA": Image.fromarray(np.dstack([rgb, rgb[..., 1]]), mode="RGBA").save(f); exp = rgb
    elif kind == "I16": cv2.imwrite(str(f), rgb[..., 0].astype(np.uint16) * 256 + 3); exp = np.repeat(rgb[..., :1], 3, 2)
    elif kind == "RGB16": cv2.imwrite(str(f), rgb[..., ::-1].astype(np.uint16) * 256 + 255); exp = rgb
    else: cv2.imwrite(str(f), np.dstack([rgb[..., ::-1], rgb[..., :1]]).astype(np.uint16) * 257); exp = rgb
    r = read_image(f)
    assert r.dtype == np.uint8 and r.shape == (*rgb.shape[:2], 3)
    np.testing.assert_array_equal(r, exp)


@IO
@given(hnp.arrays(np.uint8, st.tuples(st.integers(8, 40), st.integers(8, 40), st.just(3))), st.floats(0.0, 0.999),
       st.booleans())
def test_read_image_rejects_any_truncated_jpeg(tmp, rgb, frac, progressive):
    buf = io.BytesIO(); Image.fromarray(rgb).save(buf, "JPEG", progressive=progressive); b = buf.getvalue()
    (tmp / "full.jpg").write_bytes(b)
    assert read_image(tmp / "full.jpg").shape == rgb.shape
    cut = int(frac * (len(b) - 2))                    # any prefix that misses the end-of-image marker
    (tmp / "cut.jpg").write_bytes(b[:cut])
    with pytest.raises(ValueError, match="cut.jpg: "):
        read_image(tmp / "cut.jpg")
