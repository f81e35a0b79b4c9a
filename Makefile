# Every target bootstraps what it needs: a fresh clone runs `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ADAPTERS := $(wildcard adapters/*/pyproject.toml)

.PHONY: venv demo test test-fast lint bench services browser clean

venv: $(STAMP)

$(STAMP): pyproject.toml $(ADAPTERS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]" $(foreach a,$(ADAPTERS),-e $(dir $(a)))
	@touch $(STAMP)

services:
	@bash scripts/ensure-services.sh

browser:
	@bash scripts/ensure-browser.sh

demo: venv services
	$(PY) -m auditmw demo

test: venv services browser
	$(PY) -m pytest -q -p no:cacheprovider

test-fast: venv
	$(PY) -m pytest -q -x -m "not slow and not browser and not subprocess"

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: venv services
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build dist
