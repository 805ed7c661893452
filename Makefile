# The two commands a newcomer types: `make run` and `make test`.
# Each creates or refreshes .venv and installs the project first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench lint format clean lock

# requirements.lock pins what CI tested (uv pip compile of pyproject.toml with the dev extra);
# `make lock` refreshes it after a change of the ranges in pyproject.toml.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

PORT ?= 8000

run: install
	$(BIN)/miasto demo --port $(PORT)

# Tests run on TEST_WORKERS processes (pytest-xdist): most slow tests wait on real processes (Celery
# workers, uvicorn, Chromium, job children), so more workers than this 2-core machine's cores pay.
# `make test TEST_WORKERS=0` runs them in one process.
TEST_WORKERS ?= 4

test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist load

bench: install
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

lint: install
	$(BIN)/ruff check service energy integration tests benchmarks
	$(BIN)/ruff format --check service energy integration tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format service energy integration tests benchmarks
	$(BIN)/ruff check --fix service energy integration tests benchmarks

lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -q -o requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache
