"""Every public function/class a notebook exports is used by at least one example/test cell of that notebook."""
import ast
import json
import re

import pytest

from personseg.core import project_root

NBS = sorted(p for p in (project_root() / "nbs").glob("*.ipynb") if not p.name.startswith("_"))


def _cells(nb):
    for c in json.loads(nb.read_text())["cells"]:
        if c["cell_type"] == "code":
            yield "".join(c["source"])


def _is_export(src):
    return re.search(r"^#\|\s*export\b", src, re.M) is not None


def _public_defs(src):
    try:
        tree = ast.parse(re.sub(r"^#\|.*$", "", src, flags=re.M))
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
            and not n.name.startswith("_") and n.name != "main"]


@pytest.mark.parametrize("nb", NBS, ids=[p.stem for p in NBS])
def test_exported_names_have_examples(nb):
    cells = list(_cells(nb))
    exported = [name for src in cells if _is_export(src) for name in _public_defs(src)]
    examples = "\n".join(src for src in cells if not _is_export(src))
    missing = [n for n in exported if not re.search(rf"\b{re.escape(n)}\b", examples)]
    assert not missing, f"{nb.name}: exported without an example/test cell using them: {missing}"
