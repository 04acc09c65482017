# The README's commands. `make run` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
BOOT      := .venv-bootstrap
UV        := $(shell command -v uv 2>/dev/null || echo $(BOOT)/bin/uv)
LANDING   ?= data/landing
HOME_DIR  ?= data
DEMO_SCALE ?= tiny
# the 25 slowest tests are listed at the end of every run (CI's 12-minute budget is watched there)
PYTEST_ARGS ?= --durations=25
DBT_FILES := $(shell find dbt -type f \( -name '*.sql' -o -name '*.yml' \) -not -path 'dbt/target/*' 2>/dev/null) $(wildcard seeds/*.csv seeds/*.yml)

.PHONY: help install run test docs dev bench clean browser-deps

help:
	@echo "make run    install if needed, generate a demo region if $(LANDING) is empty, run the pipeline"
	@echo "make test   install if needed and run every test (PYTEST_ARGS=... to pass pytest options)"
	@echo "make install  the virtualenv (uv, frozen lock) and the dbt manifest; the other targets call it"
	@echo "make docs   the dbt docs site, one page that opens from file:// (dbt/target/static_index.html)"
	@echo "make bench  the benchmark: ratios to DuckDB reading every landing file once, and peak memory"
	@echo "make clean  remove dbt's target/ and logs/ and the pytest cache"
	@echo "make browser-deps  Debian's headless chromium and pdftotext for the browser and privacy tests (make test calls it)"
	@echo "make dev    Dagster UI on http://127.0.0.1:3000"

$(BOOT)/bin/uv:
	python3 -m venv $(BOOT) && $(BOOT)/bin/pip install --quiet uv

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	@touch $@

# dagster-dbt needs the dbt manifest before the definitions load; never committed, rebuilt when dbt changes, in
# full (~9 s): dbt's partial parsing, after a yml edit, was seen to drop the properties of the singular tests
# (their meaning in the gate's messages).
dbt/target/manifest.json: $(VENV)/.installed $(DBT_FILES)
	cd dbt && ../$(VENV)/bin/eparcours-dbt parse --quiet --no-partial-parse --profiles-dir . --project-dir .
	@touch $@

install: $(VENV)/.installed dbt/target/manifest.json

run: install
	@if [ -z "$$(find $(LANDING) -type f -not -name '.*' 2>/dev/null | head -1)" ]; then \
		echo "$(LANDING) is empty: generating a synthetic demo region (scale $(DEMO_SCALE))"; \
		$(VENV)/bin/eparcours generate --out $(LANDING) --scale $(DEMO_SCALE); \
	fi
	$(VENV)/bin/eparcours run --landing $(LANDING) --home $(HOME_DIR)

test: install browser-deps
	@set +e; $(VENV)/bin/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

# The dbt docs site of the project (docs/ holds the hand-written pages; .PHONY, or make would find the folder up to
# date): dbt/target/static_index.html, one page with the manifest and the catalogue inlined, that opens from file://
# with no network request. The catalogue (column types, and the comments persist_docs wrote; no count, no value) is read
# from the working warehouse of HOME_DIR when there is one; else it is empty (--empty-catalog --no-compile: dbt then
# opens no warehouse, and creates none). Every publication ships the same site, catalogue empty, and the data
# dictionary of the analysts' file in published/docs/; both pages get the two fixes of dagster_project/publication/docs.py
# (dbt's page, from file://, otherwise logs console errors for its icons and its favicon).
docs: DOCS_WAREHOUSE = $(abspath $(HOME_DIR))/warehouse/warehouse.duckdb
docs: install
	@if [ -f "$(DOCS_WAREHOUSE)" ]; then flags=""; echo "catalogue: $(DOCS_WAREHOUSE)"; \
	else flags="--empty-catalog --no-compile"; echo "no working warehouse at $(DOCS_WAREHOUSE): empty catalogue"; fi; \
	cd dbt && EPARCOURS_WAREHOUSE="$(DOCS_WAREHOUSE)" EPARCOURS_DUCKDB_TEMP="$(abspath $(HOME_DIR))/warehouse/tmp" \
		$(abspath $(VENV))/bin/eparcours-dbt docs generate --static $$flags --quiet --profiles-dir . --project-dir . \
	&& $(abspath $(VENV))/bin/python -m dagster_project.publication.docs target/static_index.html \
	&& echo "dbt docs site: $(CURDIR)/dbt/target/static_index.html"

# Dagster UI with the whole graph, the schedules and the landing sensor (docs/operations.md). The instance
# (runs, logs, sensor cursor) lives in DEV_DAGSTER_HOME, <home>/dagster by default (the instance the command line
# records its runs in), git-ignored; dagster.yaml (concurrency pool of the
# DuckDB writer, persistent run storage) is copied there at every start. Another port: make dev DEV_PORT=3001
# Bytecode is written (PYTHONDONTWRITEBYTECODE emptied): five processes import Dagster and dbt at start-up and
# every run imports them again; from source that is twice as slow.
dev: DEV_HOST ?= 127.0.0.1
dev: DEV_PORT ?= 3000
dev: DEV_DAGSTER_HOME ?= $(abspath $(HOME_DIR))/dagster
dev: install
	@mkdir -p "$(DEV_DAGSTER_HOME)" && cp dagster.yaml "$(DEV_DAGSTER_HOME)/dagster.yaml"
	PYTHONDONTWRITEBYTECODE= DAGSTER_HOME="$(DEV_DAGSTER_HOME)" \
		EPARCOURS_LANDING="$(abspath $(LANDING))" EPARCOURS_HOME="$(abspath $(HOME_DIR))" \
		$(VENV)/bin/dagster dev -m dagster_project.definitions -h $(DEV_HOST) -p $(DEV_PORT)

# Debian's headless Chromium, for the browser test of the Dagster UI (skipped when /usr/bin/chromium is absent),
# and poppler-utils' pdftotext, with which the privacy test reads the published PDFs.
browser-deps:
	@missing=""; [ -x /usr/bin/chromium ] || missing="chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
		elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
			sudo apt-get update -qq && sudo apt-get install -y -qq $$missing; \
		else echo "$$missing not installed and cannot be installed here: the tests needing them will be skipped"; fi; \
	fi

bench: install
	$(VENV)/bin/python scripts/benchmark.py $(BENCH_ARGS)

clean:
	rm -rf dbt/target dbt/logs .pytest_cache
