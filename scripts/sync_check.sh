#!/usr/bin/env bash
# Fails if `nbdev_export` or `nbdev_clean` would change anything under personseg/ or nbs/.
# Works on a dirty tree too: it compares the state before and after, not against HEAD.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
snap() { { git status --porcelain --untracked-files=all -- personseg nbs; git diff -- personseg nbs; } | sha256sum; }
before=$(snap)
nbdev_export
nbdev_clean
after=$(snap)
if [ "$before" != "$after" ]; then
  echo "sync check FAILED: nbdev_export/nbdev_clean changed files (run 'make export' and commit):" >&2
  git status --short -- personseg nbs >&2
  exit 1
fi
python scripts/build_readme.py --check
echo "sync check: notebooks, library and README agree"
