# Two commands a newcomer needs: `make run` (the whole pipeline on the bundled sample,
# offline) and `make test` (lint + the whole test suite). Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_COMPILE_BYTECODE := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false

.PHONY: setup run test test-slow lint ui clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --python 3.11
	touch $@

setup: .venv/.synced

run: setup
	$(UV) run --locked pressroom run

lint: setup
	$(UV) run --locked ruff check .

test: setup lint
	$(UV) run --locked pytest

# Minutes-long reliability tests (SIGKILL recovery, secret canary, hostile publisher).
test-slow: setup
	$(UV) run --locked pytest -m slow

ui: setup
	$(UV) run --locked pressroom ui

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
