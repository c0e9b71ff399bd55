"""Bad inputs to the data loaders, the transforms and the metrics: each gives one clear error naming the
file or argument and what was expected, and the inputs that are merely unusual (grey, RGBA, 16-bit
images; 16-bit masks; the ignore value 255) are accepted."""
import re
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image
from torchvision import tv_tensors

from personseg.data.formats import (PairedLabels, VideoFolders, decode_labels, export, get_spec, open_dataset,
                                    read_image, read_label)
from personseg.data.sample import make_clip, make_sample
from personseg.data.transforms import CheckSample, RandomFlipLR, eval_transforms, train_transforms
from personseg.metrics import (boundary_f, boundary_f_batch, confusion_matrix, db_statistics, jaccard, jaccard_batch,
                               miou, paired_ttest, per_class_iou, ref_boundary_f, ref_jaccard)

SIZE = (64, 48)   # (H, W) of the exported fixtures
PAIRED = ["atr", "lip", "pascal_person_part", "ppss", "baidu", "eg1800", "pp_humanseg14k"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    "One small export per layout, copied by `fresh` before a test spoils it."
    base = tmp_path_factory.mktemp("exported")
    return {name: export(base / name, name, n=2, size=SIZE) for name in PAIRED + ["mvps"]}


@pytest.fixture
def fresh(exported, tmp_path):
    def copy(name):
        return Path(shutil.copytree(exported[name], tmp_path / name))
    return copy


@pytest.fixture(scope="module")
def real_files(tmp_path_factory):
    "A real PNG and JPEG image and a real PNG label map, to cut and spoil."
    d = tmp_path_factory.mktemp("real")
    rgb = np.random.default_rng(0).integers(0, 256, (40, 30, 3), np.uint8)
    cv2.imwrite(str(d / "image.png"), rgb); cv2.imwrite(str(d / "image.jpg"), rgb)
    Image.fromarray((rgb[..., 0] > 128).astype(np.uint8)).save(d / "label.png")
    Image.fromarray((rgb[..., 0] > 128).astype(np.uint8)).save(d / "label.jpg", quality=100)
    return d


# ================================================================ images and label files

def _spoil(src: Path, dst: Path, how: str) -> Path:
    b = src.read_bytes()
    dst.write_bytes({"empty": b"", "half": b[:len(b) // 2], "corrupt": b[:8] + bytes(range(256)) * 4}[how])
    return dst


@pytest.mark.parametrize("how,ext,message", [
    ("empty", "png", "image file is empty (0 bytes)"),
    ("empty", "jpg", "image file is empty (0 bytes)"),
    ("corrupt", "png", "not a readable image"),
    ("corrupt", "jpg", "not a readable image"),
    ("half", "png", "not a readable image"),
    ("half", "jpg", "JPEG data ends before its end-of-image marker"),   # OpenCV would fill the rest with grey
])
def test_read_image_bad_file(real_files, tmp_path, how, ext, message):
    f = _spoil(real_files / f"image.{ext}", tmp_path / f"bad.{ext}", how)
    with pytest.raises(ValueError) as e: read_image(f)
    assert str(e.value).startswith(f"{f}: ") and message in str(e.value)


@pytest.mark.parametrize("how,ext,message", [
    ("empty", "png", "label file is empty (0 bytes)"),
    ("corrupt", "png", "cannot decode the label map"),
    ("half", "png", "cannot decode the label map"),
    ("half", "jpg", "cannot decode the label map"),
])
def test_read_label_bad_file(real_files, tmp_path, how, ext, message):
    f = _spoil(real_files / f"label.{ext}", tmp_path / f"bad.{ext}", how)
    with pytest.raises(ValueError) as e: read_label(f)
    assert str(e.value).startswith(f"{f}: ") and message in str(e.value)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.jpg: image file not found"): read_image(tmp_path / "nope.jpg")
    with pytest.raises(FileNotFoundError, match="nope.png: label file not found"): read_label(tmp_path / "nope.png")


@pytest.mark.parametrize("kind", ["grey", "grey_alpha", "rgba", "palette", "grey16", "rgb16", "rgba16"])
def test_read_image_accepts_and_converts(tmp_path, kind):
    rgb = np.random.default_rng(1).integers(0, 256, (9, 11, 3), np.uint8)
    grey = np.repeat(rgb[..., :1], 3, 2)
    f = tmp_path / f"{kind}.png"
    if kind == "grey": Image.fromarray(rgb[..., 0]).save(f); exp = grey
    elif kind == "grey_alpha": Image.fromarray(np.dstack([rgb[..., 0], rgb[..., 1]]), mode="LA").save(f); exp = grey
    elif kind == "rgba": Image.fromarray(np.dstack([rgb, rgb[..., 2]]), mode="RGBA").save(f); exp = rgb
    elif kind == "palette":
        im = Image.fromarray(rgb).convert("P"); im.save(f); exp = np.asarray(im.convert("RGB"))
    elif kind == "grey16": cv2.imwrite(str(f), rgb[..., 0].astype(np.uint16) * 257); exp = grey
    elif kind == "rgb16": cv2.imwrite(str(f), rgb[..., ::-1].astype(np.uint16) * 257); exp = rgb
    else: cv2.imwrite(str(f), np.dstack([rgb[..., ::-1], rgb[..., :1]]).astype(np.uint16) * 257); exp = rgb
    out = read_image(f)
    assert out.dtype == np.uint8 and out.shape == (9, 11, 3)
    np.testing.assert_array_equal(out, exp)


def test_colour_label_map_rejected(real_files):
    with pytest.raises(ValueError, match="image.png: label map is a colour image"): read_label(real_files / "image.png")


def test_grey_alpha_label_map_reads_the_grey_channel(tmp_path):
    a = np.array([[0, 1, 255]], np.uint8)
    for alpha in (a, np.full_like(a, 255)):   # alpha equal to the grey values used to raise an IndexError
        Image.fromarray(np.dstack([a, alpha]), mode="LA").save(tmp_path / "la.png")
        np.testing.assert_array_equal(read_label(tmp_path / "la.png"), a)


def test_decode_labels_rejects_float_arrays():
    with pytest.raises(TypeError, match="x/y.png: label array of dtype float64; expected integer class values"):
        decode_labels(get_spec("baidu"), np.array([[0.0, 1.5]]), "x/y.png")


# ================================================================ paired datasets

def _item(ds, i=0):
    ip, lp, _ = ds.items[i]
    return ip, lp


@pytest.mark.parametrize("which", ["image", "label"])
@pytest.mark.parametrize("how", ["empty", "half", "corrupt"])
def test_paired_bad_file_named(fresh, which, how):
    ds = PairedLabels("baidu", root=fresh("baidu"))
    f = _item(ds)[0 if which == "image" else 1]
    _spoil(f, f, how)
    with pytest.raises(ValueError) as e: ds[0]
    assert str(e.value).startswith(f"{f}: ")


@pytest.mark.parametrize("name", PAIRED)
def test_paired_mask_of_wrong_size(fresh, name):
    ds = open_dataset(name, root=fresh(name))
    ip, lp = _item(ds)
    Image.fromarray(read_label(lp)[:-3, :-5].astype(np.uint8)).save(lp)
    with pytest.raises(ValueError) as e: ds[0]
    msg = str(e.value)
    assert msg.startswith(f"{lp}: label map is 43x61 (WxH) but its image") and "is 48x64; expected the same size" in msg


@pytest.mark.parametrize("kind", ["grey", "rgba"])
def test_paired_accepts_grey_and_rgba_images(fresh, kind):
    ds = PairedLabels("baidu", root=fresh("baidu"))
    ip, _ = _item(ds)
    rgb = read_image(ip)
    ip.unlink(); png = ip.with_suffix(".png")
    if kind == "grey": cv2.imwrite(str(png), rgb[..., 0])
    else: Image.fromarray(np.dstack([rgb, np.full(rgb.shape[:2], 200, np.uint8)]), mode="RGBA").save(png)
    png.rename(ip)          # a PNG under the .jpg name the list expects: decoded by content
    s = ds[0]
    assert s["image"].shape == (3, *SIZE) and s["image"].dtype == torch.uint8
    if kind == "grey": assert torch.equal(s["image"][0], s["image"][2])
    else: np.testing.assert_array_equal(s["image"].permute(1, 2, 0).numpy(), rgb)


def test_paired_16bit_mask_in_range_accepted(fresh):
    ds = PairedLabels("baidu", root=fresh("baidu"))
    _, lp = _item(ds)
    a = read_label(lp).astype(np.uint16); a[0, 0] = 255
    assert cv2.imwrite(str(lp), a)
    assert Image.open(lp).mode.startswith("I;16")
    np.testing.assert_array_equal(ds[0]["mask"].numpy(), a)


def test_paired_16bit_mask_out_of_range_rejected(fresh):
    ds = PairedLabels("baidu", root=fresh("baidu"))
    _, lp = _item(ds)
    a = read_label(lp).astype(np.uint16); a[3, 4] = 300
    assert cv2.imwrite(str(lp), a)
    with pytest.raises(ValueError, match=rf"^{lp}: label values range 0\.\.300; expected baidu values \[0, 1\] or 255"):
        ds[0]


@pytest.mark.parametrize("name,value", [("baidu", 7), ("atr", 18), ("ppss", 10), ("pp_humanseg14k", 2), ("lip", 254)])
def test_paired_label_value_out_of_range(fresh, name, value):
    ds = open_dataset(name, root=fresh(name), target="parsing")
    _, lp = _item(ds)
    a = read_label(lp).astype(np.uint8).copy(); a[0, 0] = 255
    Image.fromarray(a).save(lp)
    assert int(ds[0]["mask"][0, 0]) == 255                    # 255 is the ignore value: valid
    a[1, 1] = value; Image.fromarray(a).save(lp)
    with pytest.raises(ValueError, match=rf"^{lp}: label values \[{value}\] are not {name} classes"):
        ds[0]


@pytest.mark.parametrize("name,list_file,expected", [
    ("baidu", "train.txt", "one sample id per line"),
    ("atr", "train_id.txt", "one sample id per line"),
    ("lip", "TrainVal_images/train_id.txt", "one sample id per line"),
    ("pascal_person_part", "list/train_id.txt", "one sample id per line"),
    ("eg1800", "eg1800_train.txt", "one sample id per line"),
    ("pp_humanseg14k", "train.txt", "lines '<image path> <label path>'"),
])
def test_paired_empty_list_file(fresh, name, list_file, expected):
    root = fresh(name)
    (root / list_file).write_text("\n  \n")
    with pytest.raises(ValueError, match=rf"^{root / list_file}: list file is empty; expected {expected}"):
        open_dataset(name, root=root, split="train")


def test_paired_listed_sample_without_files(fresh):
    root = fresh("baidu")
    (root / "train.txt").write_text("ghost\n")
    ds = PairedLabels("baidu", root=root)
    with pytest.raises(FileNotFoundError, match=rf"^{root}/images/ghost.jpg: image file not found"): ds[0]


def test_paired_missing_folder(fresh):
    root = fresh("baidu"); shutil.rmtree(root / "masks")
    with pytest.raises(FileNotFoundError, match=rf"^{root}/masks: not found; expected the Baidu layout"):
        PairedLabels("baidu", root=root)


# ================================================================ video folders

def _first_seq(root):
    return (root / "ImageSets" / "train.txt").read_text().split()[0]


def test_video_sequence_without_frames(fresh):
    root = fresh("mvps"); seq = _first_seq(root)
    for f in (root / "JPEGImages" / "480p" / seq).iterdir(): f.unlink()
    with pytest.raises(ValueError, match=rf"^{root}/JPEGImages/480p/{seq}: video folder has no frames"):
        VideoFolders(root=root)


def test_video_sequence_without_annotations(fresh):
    root = fresh("mvps"); seq = _first_seq(root)
    for f in (root / "Annotations" / "480p" / seq).iterdir(): f.unlink()
    with pytest.raises(ValueError, match=rf"^{root}/Annotations/480p/{seq}: video folder has no annotations"):
        VideoFolders(root=root)


def test_video_empty_sequence_list(fresh):
    root = fresh("mvps"); (root / "ImageSets" / "train.txt").write_text("")
    with pytest.raises(ValueError, match=rf"^{root}/ImageSets/train.txt: list file is empty; expected one sequence name per line"):
        VideoFolders(root=root)


def test_video_clip_longer_than_every_sequence(fresh):
    root = fresh("mvps")
    with pytest.raises(ValueError, match="train.txt: no listed sequence has 50 annotated frames"):
        VideoFolders(root=root, clip_len=50)


def test_video_mask_of_wrong_size(fresh):
    root = fresh("mvps"); seq = _first_seq(root)
    mp = root / "Annotations" / "480p" / seq / "00001.png"
    Image.fromarray(read_label(mp)[:, :40].astype(np.uint8)).save(mp)
    with pytest.raises(ValueError, match=rf"^{mp}: mask is 40x64 \(WxH\) but frame 00001.jpg is 48x64"):
        VideoFolders(root=root)[0]


def test_video_mask_value_out_of_range(fresh):
    root = fresh("mvps"); seq = _first_seq(root)
    mp = root / "Annotations" / "480p" / seq / "00000.png"
    a = read_label(mp).astype(np.uint8).copy(); a[0, 0] = 3
    Image.fromarray(a).save(mp)
    with pytest.raises(ValueError, match=rf"^{mp}: label values \[3\] are not mvps classes"):
        VideoFolders(root=root)[0]


# ================================================================ dataset names

@pytest.mark.parametrize("call", [get_spec, open_dataset])
@pytest.mark.parametrize("name,close", [("lipp", "'lip'"), ("pascal_person", "'pascal_person_part'"), ("cityscape", "'cityscapes'")])
def test_unknown_dataset_lists_close_names(call, name, close):
    with pytest.raises(KeyError, match=rf"unknown dataset '{name}'; did you mean \[.*{close}"): call(name)


def test_unknown_dataset_without_close_names_lists_all():
    with pytest.raises(KeyError, match=r"unknown dataset 'zzzz'; known datasets: \['atr', 'baidu'"): get_spec("zzzz")


# ================================================================ metrics

_G = np.zeros((8, 8), bool); _G[2:5, 2:6] = True


def _with(value, n=1, base=_G):
    a = base.astype(np.float32); a.flat[:n] = value
    return a


@pytest.mark.parametrize("fn", [jaccard, boundary_f, ref_jaccard, ref_boundary_f,
                                lambda p, g, **kw: jaccard_batch(p[None], g[None]),
                                lambda p, g, **kw: boundary_f_batch(p[None], g[None])])
@pytest.mark.parametrize("arg", ["pred", "gt"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_metric_non_finite_mask(fn, arg, value):
    bad = _with(value, 2)
    args = (bad, _G) if arg == "pred" else (_G, bad)
    with pytest.raises(ValueError, match=rf"^{arg}: 2 NaN/inf values; expected finite scores or a \{{0,1\}}/bool mask"):
        fn(*args)


def test_metric_non_finite_void():
    with pytest.raises(ValueError, match="^void: 1 NaN/inf values"): jaccard(_G, _G, void=_with(np.nan))
    with pytest.raises(ValueError, match="^void: 1 NaN/inf values"): boundary_f_batch(_G[None], _G[None], void=_with(np.nan)[None])


def test_metric_nan_torch_tensor():
    with pytest.raises(ValueError, match="^pred: 1 NaN/inf values"): jaccard_batch(torch.tensor(_with(np.nan))[None], torch.tensor(_G)[None])


@pytest.mark.parametrize("fn", [jaccard_batch, boundary_f_batch])
@pytest.mark.parametrize("shape", [(5,), (2, 2, 3, 3)])
def test_batch_metric_wrong_ndim(fn, shape):
    with pytest.raises(ValueError, match="^" + re.escape(f"pred and gt: shape {shape}; expected (H, W) or (N, H, W) masks")):
        fn(np.zeros(shape), np.zeros(shape))


@pytest.mark.parametrize("fn,name", [(jaccard, "jaccard"), (boundary_f, "boundary_f")])
@pytest.mark.parametrize("shape", [(5,), (2, 3, 3)])
def test_single_metric_wrong_ndim(fn, name, shape):
    with pytest.raises(ValueError, match=rf"^pred: shape .*; {name} takes one \(H, W\) mask pair \(use {name}_batch"):
        fn(np.zeros(shape), np.zeros(shape))


def test_metric_shapes_differ():
    with pytest.raises(ValueError, match=r"pred \(3, 4\) and gt \(4, 3\) shapes differ"): jaccard(np.zeros((3, 4)), np.zeros((4, 3)))


@pytest.mark.parametrize("bad", [np.array([["a", "b"]]), np.array([[None, 1]], dtype=object), np.ones((1, 2), complex)])
def test_metric_non_numeric_mask(bad):
    with pytest.raises(TypeError, match=rf"^pred: dtype {bad.dtype}; expected a bool, integer or float mask"):
        jaccard(bad, np.ones((1, 2)))


def test_metric_bfloat16_mask_accepted():
    p = torch.tensor(_G, dtype=torch.bfloat16)
    assert jaccard(p, _G) == 1.0 and boundary_f(p, _G) == 1.0


@pytest.mark.parametrize("pred,gt,message", [
    ([0, 5], [0, 1], r"^pred: labels must be in \[0, 3\) \(pixels whose gt is 255 are skipped\); got \[5\] at 1 pixels"),
    ([0, -1], [0, 1], r"^pred: labels must be in \[0, 3\).*got \[-1\]"),
    ([0, 255], [0, 1], r"^pred: labels must be in \[0, 3\).*got \[255\]"),
    ([0, 1], [0, 3], r"^gt: labels must be in \[0, 3\) or the ignore index 255; got \[3\] at 1 pixels"),
    ([0, 1], [0, -2], r"^gt: labels must be in \[0, 3\) or the ignore index 255; got \[-2\]"),
    ([0.0, float("nan")], [0, 1], r"^pred: 1 NaN/inf values; expected integer class ids"),
    ([0, 1], [0.0, float("inf")], r"^gt: 1 NaN/inf values; expected integer class ids"),
    ([0.2, 0.9], [0, 1], r"^pred: non-integer values such as 0\.2; expected integer class ids"),
])
def test_confusion_matrix_bad_labels(pred, gt, message):
    with pytest.raises(ValueError, match=message):
        confusion_matrix(torch.tensor(pred), torch.tensor(gt), 3)


def test_confusion_matrix_ignore_and_whole_floats_accepted():
    cm = confusion_matrix(torch.tensor([0.0, 255.0, 2.0]), torch.tensor([0, 255, 2]), 3)
    assert cm.tolist() == [[1, 0, 0], [0, 0, 0], [0, 0, 1]]


@pytest.mark.parametrize("num_classes", [0, -1, 2.5, "3", True])
def test_confusion_matrix_bad_num_classes(num_classes):
    with pytest.raises(ValueError, match=r"^num_classes: got .*; expected a positive int"):
        confusion_matrix(torch.tensor([0]), torch.tensor([0]), num_classes)


@pytest.mark.parametrize("fn", [per_class_iou, miou])
@pytest.mark.parametrize("cm,message", [
    (torch.zeros(2, 3), r"^cm: shape \(2, 3\); expected a square \(C, C\) confusion matrix"),
    (torch.zeros(4), r"^cm: shape \(4,\); expected a square"),
    (torch.tensor([[1.0, float("nan")], [0.0, 1.0]]), "^cm: NaN/inf or negative entries"),
    (torch.tensor([[1, -1], [0, 1]]), "^cm: NaN/inf or negative entries"),
])
def test_iou_bad_confusion_matrix(fn, cm, message):
    with pytest.raises(ValueError, match=message): fn(cm)


@pytest.mark.parametrize("values,message", [
    (0.5, "^values: a scalar; expected per-frame values"),
    ([], "at least one frame"),
    ([0.5, np.inf, 0.7], "^values: 1 infinite values; expected per-frame scores"),
    ([["a", "b"]], r"^values: dtype <U1; expected per-frame float scores"),
])
def test_db_statistics_bad_values(values, message):
    with pytest.raises((ValueError, TypeError), match=message): db_statistics(values)


def test_db_statistics_nan_is_a_missing_frame():
    assert db_statistics([np.nan, 1.0, 1.0])[:2] == (1.0, 2 / 3)


@pytest.mark.parametrize("a,b,message", [
    ([0.5, np.nan, 0.7], [0.4, 0.5, 0.6], "^a: 1 NaN/inf scores; expected finite scores"),
    ([0.5, 0.6, 0.7], [0.4, np.inf, 0.6], "^b: 1 NaN/inf scores"),
    ([0.5, 0.6], [0.4, 0.5, 0.6], r"^a \(2,\) and b \(3,\): need two 1-D sequences of equal length >= 2"),
    ([0.5], [0.4], "equal length >= 2"),
])
def test_paired_ttest_bad_scores(a, b, message):
    with pytest.raises(ValueError, match=message): paired_ttest(a, b)


# ================================================================ transforms

def _sample(H=40, W=30, path="people/001.jpg"):
    img = np.random.default_rng(0).integers(0, 256, (H, W, 3), np.uint8)
    m = np.zeros((H, W), np.uint8); m[10:25, 5:20] = 1
    return make_sample(img, m, parts=m * 2, edge=m, face_box=[5, 10, 20, 25], path=path)


PIPELINES = {f"{kind}-{paper}": (lambda kind=kind, paper=paper: (train_transforms if kind == "train" else eval_transforms)(paper, size=32))
             for kind in ("train", "eval") for paper in ("trisenet", "ssfnet", "pdnet")}


@pytest.mark.parametrize("pipeline", PIPELINES)
@pytest.mark.parametrize("key", ["mask", "parts"])
def test_transform_label_map_of_other_size(pipeline, key):
    s = {**_sample(), key: tv_tensors.Mask(torch.zeros(20, 15, dtype=torch.long))}
    with pytest.raises(ValueError, match=rf"^people/001.jpg: {key} is 15x20 \(WxH\) but the image is 30x40; expected the same size"):
        PIPELINES[pipeline]()(s)


@pytest.mark.parametrize("pipeline", PIPELINES)
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_transform_non_finite_image(pipeline, value):
    img = _sample()["image"].float() / 255; img[1, 3, 4] = value
    with pytest.raises(ValueError, match=r"^people/001.jpg: image has 1 NaN/inf values; expected finite pixel values"):
        PIPELINES[pipeline]()({**_sample(), "image": tv_tensors.Image(img)})


def test_transform_finite_float_image_passes():
    o = eval_transforms("pdnet", size=32)({**_sample(), "image": tv_tensors.Image(_sample()["image"].float() / 255)})
    assert torch.isfinite(o["image"]).all() and o["image"].shape == (3, 32, 32)


def test_transform_channels_last_image():
    s = _sample(); hwc = tv_tensors.Image(s["image"].permute(1, 2, 0))
    with pytest.raises(ValueError, match=r"^people/001.jpg: image has shape \(40, 30, 3\); expected \(3, H, W\) RGB, channels first"):
        eval_transforms("pdnet", size=32)({**s, "image": hwc})


def test_transform_face_box_on_other_canvas():
    box = tv_tensors.BoundingBoxes(torch.tensor([[1.0, 1.0, 5.0, 5.0]]), format="XYXY", canvas_size=(20, 15))
    with pytest.raises(ValueError, match=r"^people/001.jpg: face_box is on a 15x20 canvas but the image is 30x40"):
        train_transforms("trisenet", size=32)({**_sample(), "face_box": box})


@pytest.mark.parametrize("bad", ["size", "count"])
def test_transform_clip_masks_disagree(bad):
    f = np.zeros((40, 30, 3), np.uint8); m = np.zeros((40, 30), np.uint8)
    c = make_clip([f] * 3, [m] * 3, path="seq7")
    masks = torch.zeros(3, 20, 15, dtype=torch.long) if bad == "size" else c["masks"][:2]
    message = r"masks is 15x20 \(WxH\) but the frames is 30x40" if bad == "size" else "masks has 2 maps but the clip has 3 frames"
    with pytest.raises(ValueError, match=rf"^seq7: {message}"):
        train_transforms("pdnet", size=32)({**c, "masks": tv_tensors.Mask(masks)})


@pytest.mark.parametrize("value", [300, -1])
def test_flip_label_ids_outside_the_table(value):
    s = {**_sample(), "mask": tv_tensors.Mask(torch.full((40, 30), value))}
    with pytest.raises(ValueError, match=rf"^mask: label values {value}\.\.{value} outside 0\.\.255; expected class ids or 255"):
        RandomFlipLR(p=1.0, flip_pairs=[(1, 2)])(s)


def test_good_sample_passes_every_pipeline_unchanged_in_size():
    for make in PIPELINES.values():
        o = make()(_sample())
        assert o["image"].shape == (3, 32, 32) and o["mask"].shape == o["parts"].shape == o["edge"].shape == (32, 32)
    assert CheckSample()(_sample())["meta"] == {"path": "people/001.jpg"}
