# TreatyWatch: `make run` serves the site on the bundled data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint lock dataset bench

$(BIN)/treatywatch: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

run: $(BIN)/treatywatch
	$(BIN)/treatywatch serve --host $(HOST) --port $(PORT)

test: $(BIN)/treatywatch
	bash scripts/test.sh

lint: $(BIN)/treatywatch
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lock:
	$(BIN)/pip-compile --quiet --extra dev --strip-extras -o requirements.lock pyproject.toml

dataset: $(BIN)/treatywatch
	$(BIN)/treatywatch build-dataset

bench: $(BIN)/treatywatch
	for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done
