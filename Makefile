# The two commands of the quick start: `make run` and `make test`. Both set up .venv first if needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test chat serve bench kb-check

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# The main job on the embedded default (SQLite file helpline.db, bundled knowledge base, no accounts).
run: setup
	$(BIN)/helpline kb check
	$(BIN)/helpline chat

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/sms_bench.py
	$(BIN)/python benchmarks/status_bench.py

# The web app (webhooks, staff console, /healthz) on http://127.0.0.1:8000, outbox worker included.
serve: setup
	$(BIN)/helpline serve

kb-check: setup
	$(BIN)/helpline kb check
