"""Every paper notebook and tutorial, executed end to end by papermill on the `smoke` profile.

`nbdev_test` skips `nbs/figures/` and `nbs/tutorials/` (they hold a `.notest` file) because their
default profile trains for minutes; here they run with `profile="smoke"` and write into a temp
folder, so the committed `figures/` never change during tests.
"""
import json

import pytest

from personseg.reproduce import paper_notebooks, run_notebook
from personseg.core import project_root

ROOT = project_root()
PAPER = paper_notebooks()
TUTORIALS = sorted(p for p in (ROOT / "nbs" / "tutorials").glob("*.ipynb") if not p.name.startswith("_"))


def _outputs_of(executed):
    nb = json.loads(executed.read_text())
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    return nb, errors


@pytest.mark.parametrize("nb", PAPER, ids=[p.stem for p in PAPER])
def test_paper_notebook_smoke(nb, tmp_path):
    executed = run_notebook(nb, "smoke", out_dir=tmp_path / "out", runs_dir=tmp_path / "runs")
    _, errors = _outputs_of(executed)
    assert not errors
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    stems = {p.split(".")[0] for p in written}
    assert nb.stem in stems, f"{nb.name} wrote {written}, expected {nb.stem}.png/.csv/.md"
    assert any(w.endswith(".png") for w in written) and any(w.endswith(".csv") for w in written)


@pytest.mark.parametrize("nb", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_smoke(nb, tmp_path):
    executed = run_notebook(nb, "smoke", out_dir=tmp_path / "out", runs_dir=tmp_path / "runs")
    _, errors = _outputs_of(executed)
    assert not errors


def test_there_are_paper_notebooks_and_tutorials():
    assert PAPER, "nbs/figures holds no paper notebook"
    assert TUTORIALS, "nbs/tutorials holds no tutorial"
