"""Safe loading: no file a user hands in is unpickled. Weights are safetensors; `torch.load(weights_only=True)` is
the one fallback for plain state dicts; a malicious pickle is refused before any of its code runs, through every
path a user can hand a weights file to; a checkpoint naming plugin code is not imported unless trusted."""
import ast
import os
import pickle
from pathlib import Path

import pytest
import torch

from personseg.api import load_model as api_load_model
from personseg.core import create_model
from personseg.models.backbones import load_state_file
from personseg.train import TrainConfig, load_model, save_checkpoint

PKG = Path(__file__).resolve().parent.parent / "personseg"


class Evil:
    "Unpickling this runs a command (here: creating a marker file)."
    def __init__(self, marker: Path): self.marker = marker
    def __reduce__(self): return (os.system, (f"touch {self.marker}",))


@pytest.fixture
def evil(tmp_path) -> tuple[Path, Path]:
    marker = tmp_path / "PWNED"
    f = tmp_path / "weights.pt"
    with open(f, "wb") as fh: pickle.dump({"conv1.weight": Evil(marker)}, fh)
    return f, marker


def test_malicious_pickle_refused_by_the_weights_loader(evil):
    f, marker = evil
    with pytest.raises(ValueError, match="refused to load"):
        load_state_file(f)
    assert not marker.exists()


def test_malicious_pickle_as_torch_save_refused(tmp_path):
    marker = tmp_path / "PWNED"
    f = tmp_path / "weights.pth"
    torch.save({"state_dict": {"w": Evil(marker)}}, f)              # the zip format torch.save writes today
    with pytest.raises(ValueError, match="refused to load"):
        load_state_file(f)
    assert not marker.exists()


@pytest.mark.parametrize("model,key", [("trisenet-r18", "backbone_weights"), ("pdnet-r50", "backbone_weights")])
def test_malicious_pickle_refused_through_model_configs(evil, model, key):
    f, marker = evil
    kw = {"width": 0.25} if model.startswith("trisenet") else {"backbone": "resnet18", "width": 0.25}
    with pytest.raises(ValueError, match="refused to load"):
        create_model(model, **kw, **{key: str(f)})
    assert not marker.exists()


def test_api_refuses_pickle_weights_by_name(evil):
    f, marker = evil
    with pytest.raises(ValueError, match="does not load pickle-based"):
        api_load_model(weights=f, model="trisenet-x39")
    with pytest.raises(ValueError, match="does not load pickle-based"):
        api_load_model(f)
    assert not marker.exists()


def test_plain_state_dict_still_loads(tmp_path):
    sd = {"a": torch.arange(3.0), "b": torch.ones(2, 2)}
    torch.save(sd, tmp_path / "ok.pt")
    got = load_state_file(tmp_path / "ok.pt")
    assert set(got) == {"a", "b"} and torch.equal(got["a"], sd["a"])


def test_checkpoint_plugin_code_needs_trust(tmp_path):
    marker = tmp_path / "plugin-ran"
    plug = tmp_path / "plug.py"
    plug.write_text(f"open({str(marker)!r}, 'w').close()\n")
    net = create_model("trisenet-x39", width=0.25)
    cfg = TrainConfig(model="trisenet-x39", model_kw={"width": 0.25}, plugins=[str(plug)])
    ck = save_checkpoint(tmp_path / "run" / "step-00000001", net, config=cfg, step=1)
    for load in (lambda: load_model(ck), lambda: api_load_model(weights=ck)):
        with pytest.raises(PermissionError, match="trust_plugins=True"):
            load()
        assert not marker.exists()
    load_model(ck, trust_plugins=True)
    assert marker.exists()


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
            yield owner, name, node


def test_library_has_no_unsafe_deserialisation():
    "Every torch.load passes weights_only=True; no pickle/marshal/dill/joblib loads; numpy never allows pickles."
    bad = []
    for py in sorted(PKG.rglob("*.py")):
        for owner, name, node in _calls(ast.parse(py.read_text(), str(py))):
            kw = {k.arg: k.value for k in node.keywords}
            where = f"{py.relative_to(PKG.parent)}:{node.lineno}"
            if owner == "torch" and name == "load":
                v = kw.get("weights_only")
                if not (isinstance(v, ast.Constant) and v.value is True): bad.append(f"{where}: torch.load without weights_only=True")
            if owner in ("pickle", "cPickle", "marshal", "dill", "joblib", "cloudpickle") and name in ("load", "loads"):
                bad.append(f"{where}: {owner}.{name}")
            if owner in ("np", "numpy") and name == "load":
                v = kw.get("allow_pickle")
                if isinstance(v, ast.Constant) and v.value is True: bad.append(f"{where}: np.load(allow_pickle=True)")
    assert not bad, "\n".join(bad)
