"""Bad annotations for the COCO persons, Supervisely Person and Cityscapes loaders: each fixture is written by
`export` in the dataset's real on-disk layout, copied, spoiled, and then opened and indexed. Every failure is one
line naming the file (and the annotation id or object index) and what was expected."""
import base64
import json
import shutil
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from personseg.data.formats import export, open_dataset, read_label

SIZE = (64, 48)   # (H, W) of the exported fixtures
COCO_JSON = "annotations/instances_train2017.json"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    base = tmp_path_factory.mktemp("exported")
    return {name: export(base / name, name, n=2, size=SIZE) for name in ("coco_person", "supervisely_person", "cityscapes")}


@pytest.fixture
def fresh(exported, tmp_path):
    def copy(name):
        return Path(shutil.copytree(exported[name], tmp_path / name))
    return copy


def _fails(fn, exc, path, message):
    with pytest.raises(exc) as e: fn()
    msg = str(e.value)
    assert "\n" not in msg, msg
    assert msg.startswith(f"{path}: "), msg
    assert message in msg, msg


def _edit_json(path: Path, edit):
    js = json.loads(path.read_text()); edit(js); path.write_text(json.dumps(js))


def _spoil_bytes(how: str, b: bytes) -> bytes:
    return {"empty": b"", "truncated": b[:len(b) // 2], "not_json": b"\x89PNG\r\n\x1a\n not json", "list": b"[]",
            "string": b'"annotations"'}[how]


# ================================================================ COCO persons

def _seg0(js): return js["annotations"][0]


def _uncompressed(js, extra=0):
    "Rewrite annotation 1's RLE as an uncompressed count list (as COCO stores crowd regions), `extra` pixels off."
    from pycocotools import mask as mu
    seg = _seg0(js)["segmentation"]
    flat = mu.decode(dict(size=seg["size"], counts=seg["counts"].encode())).flatten(order="F")
    edges = np.flatnonzero(np.diff(flat)) + 1
    counts = np.diff(np.r_[0, edges, flat.size]).tolist()
    if flat[0]: counts = [0] + counts
    counts[-1] += extra
    _seg0(js)["segmentation"] = dict(size=seg["size"], counts=counts)


@pytest.mark.parametrize("how,message", [
    ("empty", "annotation file is empty (0 bytes); expected COCO instances JSON"),
    ("truncated", "not valid JSON (Unterminated string"),
    ("not_json", "not valid JSON ('utf-8' codec can't decode byte 0x89"),
    ("list", "top-level JSON is a list; expected COCO instances JSON: an object with 'images', 'annotations' and 'categories' lists"),
    ("string", "top-level JSON is a string; expected COCO instances JSON"),
])
def test_coco_bad_json_file(fresh, how, message):
    root = fresh("coco_person"); ann = root / COCO_JSON
    ann.write_bytes(_spoil_bytes(how, ann.read_bytes()))
    _fails(lambda: open_dataset("coco_person", root=root), ValueError, ann, message)


@pytest.mark.parametrize("edit,message", [
    (lambda js: js.pop("annotations"), "no 'annotations'; expected COCO instances JSON"),
    (lambda js: js.pop("images"), "no 'images'; expected COCO instances JSON"),
    (lambda js: js.update(annotations={}), "'annotations' is an object; expected COCO instances JSON"),
    (lambda js: _seg0(js).pop("segmentation"), "annotation 1 has no 'segmentation'; expected 'id', 'image_id', 'category_id' and 'segmentation'"),
    (lambda js: _seg0(js).pop("image_id"), "annotation 1 has no 'image_id'; expected 'id', 'image_id'"),
    (lambda js: _seg0(js).pop("id"), "annotations[0] has no 'id'"),
    (lambda js: _seg0(js).update(image_id=99), "annotation 1 refers to image_id 99, which is not in 'images'; expected the id of a listed image"),
    (lambda js: js["annotations"].append([1, 2]), "annotations[3] is a list; expected an object with 'id', 'image_id'"),
    (lambda js: js["images"][0].pop("file_name"), "image 1 has no 'file_name'; expected 'id', 'file_name', 'height' and 'width'"),
    (lambda js: js["images"][0].update(height="64"), "image 1 has height '64'; expected a positive integer"),
    (lambda js: js["images"].append(dict(js["images"][0])), "image id 1 is listed twice in 'images'"),
    (lambda js: js["categories"][0].update(name="people"), "no category named 'person' in 'categories'"),
], ids=["no_annotations", "no_images", "annotations_not_list", "no_segmentation", "no_image_id", "no_id",
        "unknown_image_id", "annotation_not_object", "no_file_name", "height_string", "duplicate_image", "no_person_category"])
def test_coco_bad_structure_refused_on_open(fresh, edit, message):
    root = fresh("coco_person"); ann = root / COCO_JSON
    _edit_json(ann, edit)
    _fails(lambda: open_dataset("coco_person", root=root), ValueError, ann, message)


@pytest.mark.parametrize("edit,message", [
    (lambda js: _uncompressed(js, -100), "annotation 1 has RLE counts that add up to 2972 pixels; expected 64x48 = 3072"),
    (lambda js: _uncompressed(js, +100), "annotation 1 has RLE counts that add up to 3172 pixels; expected 64x48 = 3072"),
    (lambda js: _seg0(js)["segmentation"].update(counts=_seg0(js)["segmentation"]["counts"][:20]),
     "annotation 1 has RLE counts that add up to"),
    (lambda js: _seg0(js)["segmentation"].update(counts=""), "annotation 1 has RLE counts that add up to 0 pixels; expected 64x48 = 3072"),
    (lambda js: _seg0(js)["segmentation"].update(counts="~~~~"), "annotation 1 has compressed RLE counts that do not decode (character '~'"),
    (lambda js: _seg0(js)["segmentation"].update(size=[32, 24]), "annotation 1 has an RLE of size 24x32 (WxH) but its image is 48x64; expected the same size"),
    (lambda js: _seg0(js)["segmentation"].pop("counts"), "annotation 1 has an RLE segmentation without 'counts'"),
    (lambda js: _seg0(js).update(segmentation=[[5, 5, 30, 5, 30, 40, 5]]), "annotation 1 has a polygon with an odd number of coordinates (7); expected (x, y) pairs"),
    (lambda js: _seg0(js).update(segmentation=[[5, 5, 30, 5]]), "annotation 1 has a polygon with 2 points; expected at least 3 (x, y) points"),
    (lambda js: _seg0(js).update(segmentation=[[5, "a", 30, 5, 30, 40]]), "annotation 1 has a polygon with a non-numeric coordinate 'a'"),
    (lambda js: _seg0(js).update(segmentation=[[5, None, 30, 5, 30, 40]]), "annotation 1 has a polygon with a non-numeric coordinate None"),
    (lambda js: _seg0(js).update(segmentation=[[5, float("nan"), 30, 5, 30, 40]]), "annotation 1 has a polygon with NaN/inf coordinates"),
    (lambda js: _seg0(js).update(segmentation=[[5, 3000, 30, 5, 30, 40]]), "annotation 1 has a polygon with point (5, 3000) far outside the 48x64 image; expected x in [-48, 96] and y in [-64, 128]"),
    (lambda js: _seg0(js).update(segmentation=[5, 5, 30, 5, 30, 40]), "annotation 1 has a polygon that is a number (5); expected a list"),
    (lambda js: _seg0(js).update(segmentation=[]), "annotation 1 has an empty polygon list"),
    (lambda js: _seg0(js).update(segmentation=None), "annotation 1 has a segmentation that is null; expected a list of polygons or an RLE"),
], ids=["rle_short", "rle_long", "rle_string_cut", "rle_string_empty", "rle_string_garbage", "rle_size", "rle_no_counts",
        "poly_odd", "poly_two_points", "poly_string", "poly_null", "poly_nan", "poly_far", "poly_flat", "poly_none", "seg_null"])
def test_coco_bad_segmentation_refused_on_read(fresh, edit, message):
    "Before: silently wrong masks (short/cut/empty RLE, odd polygon), pycocotools errors without a file, or a crash (NaN)."
    root = fresh("coco_person"); ann = root / COCO_JSON
    _edit_json(ann, edit)
    ds = open_dataset("coco_person", root=root)
    _fails(lambda: ds[0], ValueError, ann, message)


def test_coco_valid_variants_read_as_before(fresh, exported):
    ref = open_dataset("coco_person", root=exported["coco_person"])[0]["mask"].numpy()
    root = fresh("coco_person"); _edit_json(root / COCO_JSON, _uncompressed)
    np.testing.assert_array_equal(open_dataset("coco_person", root=root)[0]["mask"].numpy(), ref)
    _edit_json(root / COCO_JSON, lambda js: _seg0(js).update(segmentation=[[5, 5, 30, 5, 30, 40, 5, 40]]))
    m = open_dataset("coco_person", root=root)[0]["mask"].numpy()
    assert (m[6:39, 6:29] == 1).all()


@pytest.mark.parametrize("how,exc,message", [
    ("missing", FileNotFoundError, "image file not found"),
    ("empty", ValueError, "image file is empty (0 bytes)"),
    ("truncated", ValueError, "JPEG data ends before its end-of-image marker"),
    ("other_size", ValueError, "image is 10x10 but instances_train2017.json says 48x64; expected the same size"),
])
def test_coco_bad_image(fresh, how, exc, message):
    root = fresh("coco_person")
    ds = open_dataset("coco_person", root=root)
    p = root / "train2017" / ds.coco.loadImgs(ds.ids[0])[0]["file_name"]
    if how == "missing": p.unlink()
    elif how == "other_size": cv2.imwrite(str(p), np.zeros((10, 10, 3), np.uint8))
    else: p.write_bytes(_spoil_bytes(how, p.read_bytes()))
    _fails(lambda: ds[0], exc, p, message)


# ================================================================ Supervisely Person

def _sv(root, poly=False):
    "(dataset, index, annotation path) of the bitmap (or polygon) sample."
    ds = open_dataset("supervisely_person", root=root)
    name = "person_00001.png.json" if poly else "person_00000.png.json"
    k = next(k for k, (_, a) in enumerate(ds.items) if a.name == name)
    return ds, k, ds.items[k][1]


@pytest.mark.parametrize("how,message", [
    ("empty", "annotation file is empty (0 bytes); expected a Supervisely annotation"),
    ("truncated", "not valid JSON (Unterminated string"),
    ("not_json", "not valid JSON ("),
    ("list", "top-level JSON is a list; expected a Supervisely annotation: an object with 'size' {height, width} and 'objects'"),
])
def test_supervisely_bad_json_file(fresh, how, message):
    ds, k, ap = _sv(fresh("supervisely_person"))
    ap.write_bytes(_spoil_bytes(how, ap.read_bytes()))
    _fails(lambda: ds[k], ValueError, ap, message)


def _obj0(js): return js["objects"][0]


def _pts(js, exterior=None, **kw):
    p = _obj0(js)["points"]
    if exterior is not None: p["exterior"] = exterior
    p.update(kw)


@pytest.mark.parametrize("poly,edit,message", [
    (False, lambda js: js.pop("objects"), "'objects' is missing; expected a list of objects (empty when the image has none)"),
    (False, lambda js: js.update(objects=None), "'objects' is null; expected a list of objects"),
    (False, lambda js: js.pop("size"), "annotation size is None; expected {'height': 64, 'width': 48} (integers, the size of person_00000.png)"),
    (False, lambda js: js.update(size=[64, 48]), "annotation size is [64, 48]; expected {'height': 64, 'width': 48}"),
    (False, lambda js: js["size"].update(height="64"), "annotation size is {'height': '64', 'width': 48}; expected {'height': 64, 'width': 48}"),
    (False, lambda js: js["size"].update(height=65), "annotation size is 48x65 but the image person_00000.png is 48x64; expected the same size"),
    (False, lambda js: js["objects"].append([1]), "object 1 is a list; expected an object with 'classTitle' and 'geometryType'"),
    (False, lambda js: _obj0(js)["bitmap"].update(data="!!!notbase64@@"), "object 0: bitmap data is not base64 ("),
    (False, lambda js: _obj0(js)["bitmap"].update(data=base64.b64encode(b"not zlib data").decode()),
     "object 0: bitmap data is not zlib-compressed (Error -3 while decompressing data"),
    (False, lambda js: _obj0(js)["bitmap"].update(data=base64.b64encode(zlib.compress(b"not a png")).decode()),
     "object 0: bitmap data does not hold a readable PNG; expected base64 of zlib-compressed PNG"),
    (False, lambda js: _obj0(js)["bitmap"].update(data=base64.b64encode(zlib.compress(zlib.decompress(base64.b64decode(_obj0(js)["bitmap"]["data"]))[:60])).decode()),
     "object 0: bitmap data does not hold a readable PNG"),
    (False, lambda js: _obj0(js)["bitmap"].update(origin=[100, 100]),
     "object 0: bitmap at origin [100, 100] of size 30x55 puts 677 mask pixels outside the 48x64 image; expected the bitmap inside the image"),
    (False, lambda js: _obj0(js)["bitmap"].update(origin=[40, 50]), "object 0: bitmap at origin [40, 50] of size 30x55 puts 648 mask pixels outside"),
    (False, lambda js: _obj0(js)["bitmap"].update(origin=[-5, 0]), "object 0: bitmap at origin [-5, 0] of size 30x55 puts 90 mask pixels outside"),
    (False, lambda js: _obj0(js)["bitmap"].update(origin=[3]), "object 0: bitmap origin [3]; expected [x, y] integers"),
    (False, lambda js: _obj0(js)["bitmap"].pop("origin"), "object 0 (bitmap) has bitmap {'data':"),
    (False, lambda js: _obj0(js).pop("bitmap"), "object 0 (bitmap) has bitmap None; expected {'data': <base64>, 'origin': [x, y]}"),
    (False, lambda js: _obj0(js).update(geometryType="rectangle"), "object 0 has geometryType 'rectangle'; expected 'bitmap' or 'polygon'"),
    (False, lambda js: _obj0(js).update(classTitle="cat"), "object 0 has classTitle 'cat'; expected one of ['person_poly', 'person_bmp', 'neutral']"),
    (True, lambda js: _pts(js, [[1, 1], [20, 20]]), "object 0 has a polygon exterior with 2 points; expected at least 3 (x, y) points"),
    (True, lambda js: _pts(js, []), "object 0 has a polygon exterior with 0 points; expected at least 3 (x, y) points"),
    (True, lambda js: _pts(js, [[1, 1], ["a", 20], [5, 30]]), "object 0 has a polygon exterior point ['a', 20]; expected [x, y] with numeric x and y"),
    (True, lambda js: _pts(js, [[1, 1], [None, 20], [5, 30]]), "object 0 has a polygon exterior point [None, 20]"),
    (True, lambda js: _pts(js, [1, 1, 20, 20, 5, 30]), "object 0 has a polygon exterior point 1; expected [x, y]"),
    (True, lambda js: _pts(js, [[1, 1], [float("inf"), 20], [5, 30]]), "object 0 has a polygon exterior with NaN/inf coordinates"),
    (True, lambda js: _pts(js, [[1, 1], [1e12, 20], [5, 30]]), "object 0 has a polygon exterior with point (1e+12, 20) far outside the 48x64 image"),
    (True, lambda js: _pts(js, interior=[[[1, 1], [2, 2]]]), "object 0 has a polygon interior 0 with 2 points"),
    (True, lambda js: _obj0(js)["points"].pop("exterior"), "object 0 has polygon points {'interior': []}; expected {'exterior': [[x, y], ...]"),
], ids=["no_objects", "objects_null", "no_size", "size_list", "size_string", "size_differs", "object_not_dict",
        "bad_base64", "bad_zlib", "zlib_not_png", "png_cut", "origin_outside", "origin_partly_outside", "origin_negative",
        "origin_one_value", "no_origin", "no_bitmap", "unknown_geometry", "unknown_class",
        "poly_two_points", "poly_no_points", "poly_string", "poly_null", "poly_flat", "poly_inf", "poly_far",
        "hole_two_points", "poly_no_exterior"])
def test_supervisely_bad_annotation(fresh, poly, edit, message):
    "Before: KeyError/IndexError/cv2.error, or a silently wrong mask (no 'objects', a cropped bitmap, two points drawn as a line)."
    ds, k, ap = _sv(fresh("supervisely_person"), poly)
    _edit_json(ap, edit)
    _fails(lambda: ds[k], ValueError, ap, message)


def test_supervisely_bitmap_whose_empty_rim_leaves_the_image_is_accepted(fresh):
    ds, k, ap = _sv(fresh("supervisely_person"))
    ref = ds[k]["mask"].numpy()
    js = json.loads(ap.read_text()); bm = _obj0(js)["bitmap"]
    x0, y0 = bm["origin"]
    crop = (ref[y0:, x0:] == 1)
    crop = crop[:np.flatnonzero(crop.any(1))[-1] + 1, :np.flatnonzero(crop.any(0))[-1] + 1]
    rim = np.pad(crop, ((0, 0), (x0 + 1, 0))).astype(np.uint8)     # empty columns on the left, the first one off the image
    bm.update(data=base64.b64encode(zlib.compress(cv2.imencode(".png", rim)[1].tobytes())).decode(), origin=[-1, y0])
    ap.write_text(json.dumps(js))
    np.testing.assert_array_equal(ds[k]["mask"].numpy(), ref)


@pytest.mark.parametrize("how,exc,message", [
    ("missing", FileNotFoundError, "image file not found"),
    ("empty", ValueError, "image file is empty (0 bytes)"),
    ("truncated", ValueError, "not a readable image"),
])
def test_supervisely_bad_image(fresh, how, exc, message):
    ds, k, _ = _sv(fresh("supervisely_person"))
    ip = ds.items[k][0]
    if how == "missing": ip.unlink()
    else: ip.write_bytes(_spoil_bytes(how, ip.read_bytes()))
    _fails(lambda: ds[k], exc, ip, message)


# ================================================================ Cityscapes

def _relabel(lp, value, dtype=np.uint8):
    a = read_label(lp).astype(dtype); a[0, 0] = value
    if dtype == np.uint8: Image.fromarray(a).save(lp)
    else: assert cv2.imwrite(str(lp), a)


@pytest.mark.parametrize("spoil,message", [
    (lambda lp: Image.fromarray(read_label(lp)[:-3]).save(lp), "label map is 48x61 (WxH) but its image is 48x64; expected the same size"),
    (lambda lp: _relabel(lp, 34), "label values [34] are not Cityscapes label ids; expected 0..33"),
    (lambda lp: _relabel(lp, 255), "label values [255] are not Cityscapes label ids; expected 0..33"),
    (lambda lp: _relabel(lp, 1000, np.uint16), "label values [1000] are not Cityscapes label ids; expected 0..33"),
    (lambda lp: cv2.imwrite(str(lp), np.dstack([read_label(lp), read_label(lp) // 2, read_label(lp)])), "label map is a colour image"),
    (lambda lp: lp.write_bytes(b""), "label file is empty (0 bytes)"),
    (lambda lp: lp.write_bytes(lp.read_bytes()[:100]), "cannot decode the label map"),
], ids=["wrong_size", "id_34", "id_255", "id_1000_16bit", "colour", "empty", "truncated"])
def test_cityscapes_bad_label(fresh, spoil, message):
    ds = open_dataset("cityscapes", root=fresh("cityscapes"))
    lp = ds.items[0][1]; spoil(lp)
    _fails(lambda: ds[0], ValueError, lp, message)


@pytest.mark.parametrize("remove", ["file", "city"])
def test_cityscapes_missing_gtfine_found_on_open(fresh, remove):
    "Before: 'label file not found' only when that sample was read, mid-epoch, without naming its image."
    root = fresh("cityscapes")
    ip, lp = open_dataset("cityscapes", root=root).items[0]
    if remove == "file": lp.unlink()
    else: shutil.rmtree(lp.parent)
    _fails(lambda: open_dataset("cityscapes", root=root), FileNotFoundError, lp,
           f"not found; expected the gtFine label of {ip.name} (1 of 2 images have none)")


@pytest.mark.parametrize("how,exc,message", [
    ("empty", ValueError, "image file is empty (0 bytes)"),
    ("truncated", ValueError, "not a readable image"),
])
def test_cityscapes_bad_image(fresh, how, exc, message):
    ds = open_dataset("cityscapes", root=fresh("cityscapes"))
    ip = ds.items[0][0]; ip.write_bytes(_spoil_bytes(how, ip.read_bytes()))
    _fails(lambda: ds[0], exc, ip, message)


def test_cityscapes_file_beside_the_city_folders(fresh):
    "Before: NotADirectoryError from torchvision's listdir."
    root = fresh("cityscapes"); junk = root / "leftImg8bit" / "train" / ".DS_Store"; junk.write_bytes(b"\0")
    _fails(lambda: open_dataset("cityscapes", root=root), ValueError, junk, "not a city folder; expected only <city>/ folders in leftImg8bit/train/")


def test_cityscapes_junk_in_a_city_folder_is_skipped(fresh):
    "Before: listed as an image, failing when read."
    root = fresh("cityscapes"); (root / "leftImg8bit" / "train" / "aachen" / ".DS_Store").write_bytes(b"\0")
    ds = open_dataset("cityscapes", root=root)
    assert len(ds) == 2 and all(ip.name.endswith("_leftImg8bit.png") for ip, _ in ds.items)


def test_cityscapes_empty_split(fresh):
    root = fresh("cityscapes")
    for d in (root / "leftImg8bit" / "train").iterdir(): shutil.rmtree(d)
    _fails(lambda: open_dataset("cityscapes", root=root), ValueError, root / "leftImg8bit" / "train",
           "no images; expected <city>/<name>_leftImg8bit.png files")
