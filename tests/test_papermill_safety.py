"""papermill runs of the paper notebooks: wrong parameter types fail with a clear message, and a failed
run leaves the previous figure untouched (outputs are staged and moved into place only on success)."""
import json
import subprocess
import sys

import papermill as pm
import pytest

from personseg.core import project_root
from personseg.reproduce import reproduce, run_notebook

FIGURES = project_root() / "nbs" / "figures"

WRITE_PNG = """\
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from personseg.experiments import write_item
fig, ax = plt.subplots(figsize=(2, 2)); ax.plot([0, 1], [1, 0])
write_item(out_dir, "demo_fig1", fig=fig)"""


def _notebook(folder, name, *cells):
    """A tiny parameterized notebook: `cells[0]` is the `parameters` cell."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = {"cells": [{"cell_type": "code", "id": f"cell{i}", "metadata": {"tags": ["parameters"] if i == 0 else []}, "execution_count": None,
                     "outputs": [], "source": src} for i, src in enumerate(cells)],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "python3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path = folder / f"{name}.ipynb"
    path.write_text(json.dumps(nb))
    return path


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _errors(executed):
    nb = json.loads(executed.read_text())
    return [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_failed_run_keeps_previous_figure_and_executed_notebook(tmp_path, monkeypatch):
    """reproduce() in the default layout: the .png is written, then a later cell fails before the .md."""
    monkeypatch.setenv("PERSONSEG_ROOT", str(tmp_path))          # figures_dir() -> tmp_path/figures
    nb = _notebook(tmp_path / "nbs", "demo_fig1", "profile = 'synthetic'\nout_dir = None", WRITE_PNG,
                   "raise RuntimeError('table rows do not add up')",
                   "from personseg.core import atomic_write_text\natomic_write_text(f'{out_dir}/demo_fig1.md', 'new')")
    final = tmp_path / "figures"
    final.mkdir()
    (final / "demo_fig1.png").write_bytes(b"\x89PNG previous figure")
    (final / "demo_fig1.md").write_text("| previous | table |\n")
    before = _snapshot(final)

    with pytest.raises(RuntimeError, match="1 of 1 paper notebooks failed") as ei:
        reproduce("synthetic", pattern="demo_fig1", folder=nb.parent)
    executed = final / "runs" / "synthetic" / "demo_fig1.ipynb"
    assert "RuntimeError: table rows do not add up" in str(ei.value) and str(executed) in str(ei.value)

    assert _snapshot(final) == before                                             # same files, same bytes
    assert not list(tmp_path.glob(".figures.*"))                       # no staging folder left behind
    errors = _errors(executed)                                          # the executed copy shows the failing cell
    assert [(e["ename"], e["evalue"]) for e in errors] == [("RuntimeError", "table rows do not add up")]
    cells = json.loads(executed.read_text())["cells"]
    assert any("write_item" in "".join(c["source"]) and c["execution_count"] for c in cells)   # the .png was written (to staging)


def test_failed_run_with_explicit_out_dir(tmp_path):
    """run_notebook(out_dir=...) raises papermill's error naming the executed notebook; out_dir is untouched."""
    nb = _notebook(tmp_path / "nbs", "demo_fig1", "profile = 'synthetic'\nout_dir = None", WRITE_PNG,
                   "raise ValueError('no table')")
    out = tmp_path / "out"
    out.mkdir()
    (out / "demo_fig1.png").write_bytes(b"previous")
    with pytest.raises(pm.PapermillExecutionError, match="ValueError: no table") as ei:
        run_notebook(nb, "smoke", out_dir=out, runs_dir=tmp_path / "runs")
    executed = tmp_path / "runs" / "demo_fig1.ipynb"
    assert ei.value.executed == executed and f"executed notebook: {executed}" in str(ei.value)
    assert ei.value.ename == "ValueError"
    assert _snapshot(out) == {"demo_fig1.png": b"previous"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nbs", "out", "runs"]    # staging folder removed
    assert _errors(executed)[0]["evalue"] == "no table"
    assert [p.name for p in executed.parent.iterdir()] == ["demo_fig1.ipynb"]   # the executed copy's temp file was moved


def test_successful_run_moves_outputs_into_place(tmp_path):
    nb = _notebook(tmp_path / "nbs", "demo_fig1", "profile = 'synthetic'\nout_dir = None",
                   WRITE_PNG.replace('fig=fig)', 'fig=fig, md="| new |\\n", csv="a,b\\n1,2\\n")')
                   + "\nimport os\nos.makedirs(f'{out_dir}/extra')\nopen(f'{out_dir}/extra/notes.txt', 'w').write('x')")
    out = tmp_path / "out"
    out.mkdir()
    (out / "demo_fig1.png").write_bytes(b"previous")
    (out / "other_item.md").write_text("not produced by this notebook")
    executed = run_notebook(nb, "smoke", out_dir=out, runs_dir=tmp_path / "runs")
    assert executed == tmp_path / "runs" / "demo_fig1.ipynb" and not _errors(executed)
    assert [p.name for p in executed.parent.iterdir()] == ["demo_fig1.ipynb"]
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == ["demo_fig1.csv", "demo_fig1.md", "demo_fig1.png", "extra/notes.txt", "other_item.md"]
    assert (out / "demo_fig1.png").read_bytes().startswith(b"\x89PNG")   # replaced by the new figure
    assert (out / "demo_fig1.md").read_text() == "| new |\n"
    assert (out / "other_item.md").read_text() == "not produced by this notebook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nbs", "out", "runs"]    # staging folder removed
    params = json.loads(executed.read_text())["metadata"]["papermill"]["parameters"]
    assert params["out_dir"].endswith(".staging") and params["profile"] == "smoke"


def test_run_notebook_rejects_wrong_types_before_starting_a_kernel(tmp_path):
    nb = FIGURES / "pdnet_fig3.ipynb"
    for kw, needle in ((dict(seed="3"), "parameter 'seed': got '3' (str); expected an int >= 0"),
                       (dict(seed=True), "parameter 'seed': got True (bool)"),
                       (dict(profile=3), "parameter 'profile': got 3 (int)"),
                       (dict(data_root=7), "parameter 'data_root': got 7 (int)")):
        kw = {"profile": "smoke", **kw}
        with pytest.raises(TypeError) as ei:
            run_notebook(nb, out_dir=tmp_path / "out", runs_dir=tmp_path / "runs", **kw)
        assert needle in str(ei.value)
    with pytest.raises(ValueError, match="pdnet_fig3.ipynb declares no parameter 'seeds'"):
        run_notebook(nb, "smoke", out_dir=tmp_path / "out", runs_dir=tmp_path / "runs", seeds=[0, 1])
    assert list(tmp_path.iterdir()) == []                               # no run folder, no output folder


def test_papermill_cli_wrong_type_names_the_parameter(tmp_path):
    """What a papermill CLI user sees: `-r seed 3` injects the string '3'; the notebook's first cell refuses it."""
    executed, out = tmp_path / "pdnet_fig3.ipynb", tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "papermill", str(FIGURES / "pdnet_fig3.ipynb"), str(executed),
                        "--cwd", str(FIGURES), "-p", "profile", "smoke", "-p", "out_dir", str(out), "-r", "seed", "3"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode != 0
    assert "TypeError: parameter 'seed': got '3' (str); expected an int >= 0" in r.stderr
    assert not out.exists()                                             # refused before anything was written
    assert [e["ename"] for e in _errors(executed)] == ["TypeError"]


def test_papermill_list_as_string_names_the_parameter(tmp_path):
    """`-p seeds "[0, 1]"` reaches the notebook as a string: refused, with how to pass a list."""
    with pytest.raises(pm.PapermillExecutionError) as ei:
        pm.execute_notebook(str(FIGURES / "trisenet_table2.ipynb"), str(tmp_path / "t2.ipynb"), cwd=str(FIGURES),
                            parameters=dict(profile="smoke", out_dir=str(tmp_path / "out"), seeds="[0, 1]"),
                            kernel_name="python3", progress_bar=False)
    assert ei.value.ename == "TypeError"
    assert ei.value.evalue.startswith("parameter 'seeds': got '[0, 1]' (str)") and "-y 'seeds: [0, 1]'" in ei.value.evalue
    assert not (tmp_path / "out").exists()
