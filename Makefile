# The two commands: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
export MEDBORGARDIALOG_DEV ?= 1

.PHONY: run test install install-test translations translations-compile chromium postgresql serve lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Compiled catalogs (.mo) are build output, never committed.
translations-compile: install
	$(BIN)/pybabel compile -d translations >/dev/null

# Extract UI strings and update every catalog (translators then fill in the .po files).
translations: install
	$(FLASK) translate update
	$(MAKE) translations-compile

instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print('SECRET_KEY = %r' % secrets.token_hex(32))" > $@

run: install translations-compile instance/config.py
	$(FLASK) init-db
	$(FLASK) load-builtin
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# Production serving: gunicorn, one gthread worker per core with 4 threads each (measured in
# benchmarks/load.py: more processes than cores only fight over the CPU and lengthen the slowest
# answers; the threads keep a worker answering residents while a staff export streams), SQLite
# in instance/ or PostgreSQL when DATABASE_URL is set. Behind nginx (TLS) – see docs/deployment.md. No access
# log: it would hold residents' IP addresses.
SERVE_BIND ?= 127.0.0.1:8000
serve: export MEDBORGARDIALOG_DEV = 0
serve: install translations-compile instance/config.py
	$(FLASK) init-db
	$(FLASK) load-builtin
	$(BIN)/gunicorn --workers $$(nproc) --worker-class gthread --threads 4 \
		--keep-alive 5 --bind $(SERVE_BIND) app:app

# Browser tests drive Debian's Chromium (never a browser of Playwright's own) and inject
# axe-core from tests/e2e/node_modules; both are installed when missing (CI runs as root).
E2E_AXE := tests/e2e/node_modules/axe-core/axe.min.js

chromium: $(E2E_AXE)
	@if ! command -v chromium >/dev/null 2>&1; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; \
	fi

$(E2E_AXE): tests/e2e/package.json tests/e2e/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q npm; \
	fi
	cd tests/e2e && npm ci --no-audit --no-fund
	touch $@

# The database tests also run on a throwaway PostgreSQL 15 cluster the tests start themselves.
PG_INITDB := /usr/lib/postgresql/15/bin/initdb
postgresql:
	@if [ ! -x $(PG_INITDB) ]; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q postgresql-15; \
	fi

test: install-test translations-compile chromium postgresql
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2

lint: install-test
	$(BIN)/ruff check .
