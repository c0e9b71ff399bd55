#!/usr/bin/env python3
"""Build README.md from nbs/index.ipynb (nbdev_readme needs quarto, which we don't depend on).

Markdown cells are copied verbatim; code cells become ```python blocks with their text outputs;
cells whose first line is `#| hide` are dropped. `--check` exits 1 if README.md would change.
"""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def render(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text())
    parts = []
    for c in nb["cells"]:
        src = "".join(c["source"]).rstrip()
        if not src: continue
        lines = src.splitlines()
        directives = [l for l in lines if l.startswith("#|")]
        if any(d.replace(" ", "") in ("#|hide", "#|exporti") for d in directives): continue
        body = "\n".join(l for l in lines if not l.startswith("#|")).strip()
        if c["cell_type"] == "markdown": parts.append(body)
        elif c["cell_type"] == "code" and body:
            parts.append(f"```python\n{body}\n```")
            for o in c.get("outputs", []):
                text = "".join(o.get("text", "")) or "".join(o.get("data", {}).get("text/plain", ""))
                if text.strip(): parts.append("```\n" + text.rstrip() + "\n```")
    return "<!-- generated from nbs/index.ipynb by scripts/build_readme.py; edit the notebook, not this file -->\n\n" + "\n\n".join(parts) + "\n"

def main(argv):
    out = render(ROOT / "nbs" / "index.ipynb")
    readme = ROOT / "README.md"
    if "--check" in argv:
        if not readme.exists() or readme.read_text() != out:
            print("README.md is out of date with nbs/index.ipynb: run `python scripts/build_readme.py`", file=sys.stderr)
            return 1
        return 0
    tmp = readme.with_suffix(".md.tmp"); tmp.write_text(out); tmp.replace(readme)
    return 0

if __name__ == "__main__": sys.exit(main(sys.argv[1:]))
