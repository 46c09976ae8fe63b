# ksoc-audit developer entry points. `make demo` and `make test` install everything they need.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STATE := .state
export PREFECT_HOME ?= $(CURDIR)/$(STATE)/prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_LEVEL ?= WARNING
export OMP_THREAD_LIMIT := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup system venv demo test test-fast typecheck bench bench-extract bench-match bench-rules bench-ops bench-latency bench-people \
        schemas data samples lint clean

setup: system venv

system:
	@bash scripts/install-system-deps.sh

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@echo "ksoc-audit: installing the Python environment in $(VENV) (pinned by constraints.txt)"
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,dask]' > $(VENV)/install.log 2>&1 \
	  || { tail -40 $(VENV)/install.log; echo "ksoc-audit: pip install failed, see $(VENV)/install.log"; exit 1; }
	@touch $@

demo: setup
	@mkdir -p "$(PREFECT_HOME)"
	@$(BIN)/ksoc-audit audit sample_docs --out out/demo; rc=$$?; \
	  echo "Open $(CURDIR)/out/demo/index.html for the dashboard (every report is linked there)"; \
	  [ $$rc -le 2 ] || exit $$rc  # 1: findings, 2: a document failed (the samples include a non-contract)
	@$(BIN)/ksoc-audit audit sample_docs/people --per-person-folders --manifest sample_docs/people/staff.csv \
	  --out out/demo-people; rc=$$?; \
	  echo "Open $(CURDIR)/out/demo-people/index.html for the per-person dashboard (person reports under people/)"; \
	  [ $$rc -le 2 ] || exit $$rc  # 1: the sample person needs fixes before filing

# Lint first (ruff, about a second), then the type check, then the tests: any failure fails CI.
test: setup lint typecheck
	@mkdir -p "$(PREFECT_HOME)"
	@$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# mypy, strict on the stage packages ([tool.mypy] in pyproject.toml), incremental cache in
# .state/mypy. Cold (a fresh clone, as in .ci/run, has no cache): about 45 s of CPU, 35 s on
# this 2-core machine when idle and 90 s under a load of 5; warm, nothing changed: about 3 s.
typecheck: venv
	@$(BIN)/mypy

test-fast: setup
	@mkdir -p "$(PREFECT_HOME)"
	@$(BIN)/python -m pytest -q -m "not ocr and not slow" $(PYTEST_ARGS)

bench: bench-extract bench-match bench-rules bench-ops bench-latency bench-people

bench-extract: setup
	@$(BIN)/python -m bench.extract
	@$(BIN)/python -m bench.devset

bench-match: setup
	@$(BIN)/python -m bench.match

bench-rules: setup
	@$(BIN)/python -m bench.rules

bench-ops: setup
	@$(BIN)/python -m bench.ops

bench-latency: setup
	@$(BIN)/python -m bench.latency

bench-people: setup
	@$(BIN)/python -m bench.people

schemas: venv
	@$(BIN)/python scripts/gen_schemas.py

data: venv
	@$(BIN)/python scripts/import_reference_data.py
	@$(BIN)/python scripts/build_semantic.py
	@$(BIN)/python scripts/import_visa_data.py
	@$(BIN)/python scripts/import_title_heads.py

samples: venv
	@$(BIN)/python scripts/make_sample_docs.py

lint: venv
	@$(BIN)/ruff check extractors matchers reports flows tests scripts bench fixtures

clean:
	rm -rf $(VENV) $(STATE) out bench/out
