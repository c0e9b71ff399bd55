"""The project's own configuration: pins agree, nbdev settings keep papermill tags, one OpenCV wheel."""
import configparser
import importlib.metadata as md
import re
import tomllib

import yaml


def _norm(req: str) -> str:
    return re.sub(r"\s+", "", req).lower()


def test_environment_yml_mirrors_pyproject(root):
    py = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    want = {_norm(r) for r in py["dependencies"] + py["optional-dependencies"]["dev"]}
    env = yaml.safe_load((root / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    got = {_norm(r) for r in pip}
    assert got == want, f"only in environment.yml: {sorted(got - want)}; only in pyproject: {sorted(want - got)}"
    py_ver = py["requires-python"]
    conda_py = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert conda_py.split("=")[1] >= py_ver.lstrip(">=")


def test_nbdev_pins_and_settings(root):
    py = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    dev = {_norm(r) for r in py["optional-dependencies"]["dev"]}
    assert "nbdev==2.4.14" in dev and "execnb==0.1.16" in dev
    assert "fastcore>=1.12.3,<2" in {_norm(r) for r in py["dependencies"]}
    cfg = configparser.ConfigParser()
    cfg.read(root / "settings.ini")
    s = cfg["DEFAULT"]
    assert s["allowed_cell_metadata_keys"].strip() == "tags"   # papermill's `parameters` tag survives nbdev_clean
    assert s["tst_flags"].split() == ["notest", "slow", "cuda"]  # space separated
    assert (s["lib_name"], s["lib_path"], s["nbs_path"]) == ("personseg", "personseg", "nbs")


def test_installed_versions_match_pins():
    assert md.version("nbdev") == "2.4.14"
    assert md.version("torch").split("+")[0] == "2.14.1"
    assert md.version("torchvision").split("+")[0] == "0.29.1"
    major = int(md.version("opencv-python").split(".")[0])
    assert major == 4, "OpenCV 5 ships no Haar cascades"


def test_single_opencv_wheel():
    others = []
    for name in ("opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"):
        try:
            md.version(name)
            others.append(name)
        except md.PackageNotFoundError:
            pass
    assert not others, f"a second OpenCV wheel is installed ({others}); it overwrites cv2 of opencv-python"


def test_ci_calls_make_test(root):
    ci = (root / ".ci" / "run").read_text()
    assert re.search(r"^\s*make test\b", ci, re.M)
    readme = (root / "README.md").read_text()
    assert "make test" in readme and "make reproduce" in readme


def test_paper_notebooks_have_parameters(root):
    import json
    for nb in sorted((root / "nbs" / "figures").glob("*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{nb.name}: needs exactly one cell tagged 'parameters'"
        src = "".join(tagged[0]["source"])
        for p in ("profile", "data_root"):
            assert re.search(rf"^{p}\s*=", src, re.M), f"{nb.name}: parameters cell lacks {p}"
