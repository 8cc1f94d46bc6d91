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

# The main job on the embedded default (SQLite file helpline.db, bundled knowledge base, no accounts):
# the web app (webhooks, staff console, /healthz) on http://127.0.0.1:8000 with the outbox worker inside.
run: setup
	$(BIN)/helpline kb check
	$(BIN)/helpline serve

# Talk to the bot in the terminal.
chat: setup
	$(BIN)/helpline chat

# The suite is spread over the machine's cores (pytest-xdist; each test keeps to its own database, schema,
# Redis namespace and ports, so workers never meet); `$(BIN)/python -m pytest` runs it in one process.
test: setup
	$(BIN)/python -m pytest -n auto --dist worksteal

bench: setup
	$(BIN)/python benchmarks/classifier_bench.py
	$(BIN)/python benchmarks/sms_bench.py
	$(BIN)/python benchmarks/status_bench.py
	$(BIN)/python benchmarks/oep_bench.py
	$(BIN)/python benchmarks/telegram_bench.py
	$(BIN)/python benchmarks/serve_bench.py
	$(BIN)/python benchmarks/tasks.py
	$(BIN)/python benchmarks/console_bench.py

serve: run

kb-check: setup
	$(BIN)/helpline kb check
