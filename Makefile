# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install demo serve test test-fast lint format messages lock bench clean

help:
	@echo "make demo     set up and run Comptoir on http://$(HOST):$(PORT)/ (SQLite under ./var/)"
	@echo "make test     run the whole test suite"
	@echo "make lint     ruff, mypy --strict and import-linter"
	@echo "make bench    run the benchmarks in bench/"
	@echo "make messages extract and update the translation catalogues"
	@echo "make lock     re-pin the dependencies into requirements.lock"

# The virtual environment is rebuilt only when the pinned dependencies change.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Comptoir needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/comptoir demo --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/comptoir serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy --strict src/
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

messages: install
	$(BIN)/pybabel extract --mapping babel.cfg --keywords "N_ lazy ngettext:1,2" --no-location --sort-output --project Comptoir --output-file src/comptoir/locale/messages.pot src
	$(BIN)/pybabel update --input-file src/comptoir/locale/messages.pot --output-dir src/comptoir/locale --domain messages --no-fuzzy-matching --ignore-obsolete

lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --output-file requirements.lock --quiet

# One entry point per block; each prints a table and writes JSON under bench/results/.
BENCHMARKS := bench/payments.py bench/identity.py bench/network.py

bench: install
	for b in $(BENCHMARKS); do $(BIN)/python $$b $(BENCH_ARGS) || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis test-artifacts
