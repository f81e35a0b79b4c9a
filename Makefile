# Every target bootstraps what it needs: a fresh clone runs `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The integrations (adapters/*/src) ship inside the one auditmw wheel; the editable
# install of the root exposes them too (pyproject.toml: dev-mode-dirs).
OLD_ADAPTER_DISTS := auditmw-starlette auditmw-flask auditmw-strawberry auditmw-ariadne \
	auditmw-graphene auditmw-django

.PHONY: venv demo test test-fast lint bench services browser clean

venv: $(STAMP)

$(STAMP): pyproject.toml hatch_build.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# a venv made before the integrations moved into the one wheel: drop their old dists
	@$(PY) -m pip uninstall --quiet --yes $(OLD_ADAPTER_DISTS) 2>/dev/null || true
	$(PY) -m pip install --quiet -e ".[dev]"
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
	$(PY) scripts/check_layers.py
	$(VENV)/bin/mypy

bench: venv services
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build dist
