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

.PHONY: setup run test test-slow lint ui bench clean

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

# End to end through the CLI on a synthetic archive served on 127.0.0.1 (docs/performance.md).
# BENCH_SIZES=1000,10000,100000 BENCH_RUNS=3 by default; takes tens of minutes.
BENCH_SIZES ?= 1000,10000,100000
BENCH_RUNS ?= 3
bench: setup
	$(UV) run --locked python benchmarks/bench_e2e.py --sizes $(BENCH_SIZES) --years 20 \
		--runs $(BENCH_RUNS) --new-day --limits --json bench_e2e.json

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
