# SecPortal Invoicing & Payments. `make demo` runs everything; `make test` runs the suite.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: demo test lint bench install clean

# The interpreter named in .python-version: pyenv's when pyenv is there, else python3.13/3.12 on PATH.
PYTHON_FOR_VENV := $(shell (command -v pyenv >/dev/null && pyenv which python 2>/dev/null) \
	|| (test -x $$HOME/.pyenv/bin/pyenv && $$HOME/.pyenv/bin/pyenv which python 2>/dev/null) \
	|| command -v python3.13 || command -v python3.12)

$(BIN)/.installed: requirements.lock pyproject.toml
	@test -n "$(PYTHON_FOR_VENV)" || { echo "Python 3.13 (or 3.12) not found: install it with pyenv (see .python-version)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON_FOR_VENV) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# The browser tests' axe-core (tests/e2e/package.json), when npm is there; without it they skip.
E2E_NODE := tests/e2e/node_modules/.package-lock.json
$(E2E_NODE): tests/e2e/package.json tests/e2e/package-lock.json
	npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error \
		|| echo "npm ci --prefix tests/e2e failed: the accessibility tests will skip"

install: $(BIN)/.installed $(if $(shell command -v npm),$(E2E_NODE))

# The demo needs Python only: the browser tests' axe-core (npm) is installed by `make install`.
demo: $(BIN)/.installed
	$(BIN)/secportal demo --host $(HOST) --port $(PORT) $(DEMO_ARGS)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	bash bench/run

clean:
	rm -rf $(VENV) var/ .pytest_cache .mypy_cache .ruff_cache
