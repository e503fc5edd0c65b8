# The two commands: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
# Browser libraries the app serves itself (see the Leaflet rule below).
VENDOR := dialog/static/vendor
LEAFLET := $(VENDOR)/leaflet/leaflet.js
export MEDBORGARDIALOG_DEV ?= 1

.PHONY: run test install install-test lock upgrade translations translations-compile chromium postgresql nginx redis serve lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs come from the lock files only (exact versions, every file's hash checked), so a
# fresh clone next month runs the program that was tested. pyproject.toml keeps the compatible
# ranges; `make lock` re-resolves the locks from them; `make upgrade` does that to the newest
# versions and runs the whole suite, so an upgrade is a deliberate, tested step.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-test: requirements-test.lock $(VENV)/.installed
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-test.lock
	touch $@

# uv resolves (in about a second); plain pip installs, so installing needs no extra tool.
UV_VERSION := 0.13.8
LOCK_FLAGS := --python-version 3.11 --generate-hashes --quiet
$(BIN)/uv: | $(BIN)/python
	$(BIN)/pip install --quiet uv==$(UV_VERSION)

# The build backend is locked with the rest (read from stdin): our own package is installed
# without build isolation, so nothing unpinned is fetched to build it.
lock: | $(BIN)/uv
	echo "setuptools>=68" | $(BIN)/uv pip compile pyproject.toml - $(LOCK_FLAGS) $(UPGRADE) \
		-o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra test -c requirements.lock $(LOCK_FLAGS) $(UPGRADE) \
		-o requirements-test.lock

# A new SQLAlchemy or psycopg can change what differs between SQLite and PostgreSQL: every
# database test runs on both here, not only those marked postgres (tests/dialog/conftest.py).
upgrade:
	$(MAKE) lock UPGRADE=--upgrade
	$(MAKE) test TEST_ALL_ON_POSTGRES=1

install: $(VENV)/.installed $(LEAFLET)
install-test: $(VENV)/.installed-test $(LEAFLET)

# npm for the browser libraries: installed through apt-get when missing (CI runs as root).
define ensure_npm
	@if ! command -v npm >/dev/null 2>&1; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q npm; \
	fi
endef

# Leaflet draws the maps of place questions and is served by the app itself, so residents'
# browsers contact no third party (docs/places.md). `npm ci` installs exactly the locked version
# and checks its integrity hash; only its dist folder is kept, in a git-ignored folder. Without
# it the survey still works: the map offers the list instead.
$(LEAFLET): $(VENDOR)/package.json $(VENDOR)/package-lock.json
	$(ensure_npm)
	cd $(VENDOR) && npm ci --no-audit --no-fund --ignore-scripts
	rm -rf $(VENDOR)/leaflet
	cp -r $(VENDOR)/node_modules/leaflet/dist $(VENDOR)/leaflet
	rm -rf $(VENDOR)/node_modules
	touch $@

# Compiled catalogs (.mo) are build output, never committed. Each is compiled only when its .po
# changed: pybabel rewrites a .mo in place, and `make serve` (started by the browser tests beside
# other test processes, or a second server on one host) must not rewrite catalogs that running
# processes are reading.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
translations-compile: $(CATALOGS)
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile -d translations -l $* >/dev/null

# Extract UI strings and update every catalog (translators then fill in the .po files).
translations: install
	$(FLASK) translate update
	$(MAKE) translations-compile

instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print('SECRET_KEY = %r' % secrets.token_hex(32))" > $@

run: install translations-compile instance/config.py
	$(FLASK) init-db --load-builtin
	$(FLASK) seed-demo --if-empty
	$(FLASK) indicators demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# Production serving: gunicorn, one gthread worker per core with 4 threads each (measured in
# benchmarks/load.py: more processes than cores only fight over the CPU and lengthen the slowest
# answers; the threads keep a worker answering residents while a staff export streams), SQLite
# in instance/ or PostgreSQL when DATABASE_URL is set. Plain http for nginx in front (set
# TRUSTED_PROXIES=1 there), or https itself when SERVE_CERTFILE and SERVE_KEYFILE name a
# certificate and its key – see docs/deployment.md. No access log: it would hold residents' IP
# addresses. With SECRET_KEY in the environment no instance/config.py is written. The browser
# tests start exactly this (tests/servers.py). gunicorn's control socket is off: nothing here
# uses it, and two servers on one host would fight over its one default path.
SERVE_BIND ?= 127.0.0.1:8000
SERVE_TLS = $(if $(SERVE_CERTFILE)$(SERVE_KEYFILE),--certfile '$(SERVE_CERTFILE)' --keyfile '$(SERVE_KEYFILE)')
serve: export MEDBORGARDIALOG_DEV = 0
serve: install translations-compile $(if $(SECRET_KEY),,instance/config.py)
	@if [ -n '$(SERVE_CERTFILE)$(SERVE_KEYFILE)' ] && { [ ! -r '$(SERVE_CERTFILE)' ] || [ ! -r '$(SERVE_KEYFILE)' ]; }; then \
		echo "make serve: SERVE_CERTFILE and SERVE_KEYFILE must both name readable files" >&2; exit 2; \
	fi
	$(FLASK) init-db --load-builtin
	exec $(BIN)/gunicorn --workers $$(nproc) --worker-class gthread --threads 4 \
		--keep-alive 5 --no-control-socket --bind $(SERVE_BIND) $(SERVE_TLS) app:app

# Browser tests drive Debian's Chromium (never a browser of Playwright's own) and inject
# axe-core from tests/e2e/node_modules; both are installed when missing (CI runs as root).
E2E_AXE := tests/e2e/node_modules/axe-core/axe.min.js

chromium: $(E2E_AXE)
	@if ! command -v chromium >/dev/null 2>&1; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; \
	fi
	@# The decision page's print test turns Chromium's PDF into text and PNG pages.
	@if ! command -v pdftoppm >/dev/null 2>&1; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q poppler-utils; \
	fi

$(E2E_AXE): tests/e2e/package.json tests/e2e/package-lock.json
	$(ensure_npm)
	cd tests/e2e && npm ci --no-audit --no-fund
	touch $@

# The database tests also run on a throwaway PostgreSQL 15 cluster the tests start themselves.
PG_INITDB := /usr/lib/postgresql/15/bin/initdb
postgresql:
	@if [ ! -x $(PG_INITDB) ]; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q postgresql-15; \
	fi

# The deployment tests start their own nginx and redis-server on free ports with their own
# configuration (tests/servers.py). The system services the packages start would serve nothing
# of ours – nginx would hold port 80 – so they are stopped and disabled right after installing.
# Arguments: the package, the program that shows it is installed, its service.
define apt_install_without_service
	@if [ ! -x $(2) ]; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(1) && \
		if [ -d /run/systemd/system ]; then $$SUDO systemctl disable --now $(3); \
		elif [ -x /etc/init.d/$(3) ]; then $$SUDO /etc/init.d/$(3) stop || true; fi; \
	fi
endef
nginx:
	$(call apt_install_without_service,nginx,/usr/sbin/nginx,nginx)
redis:
	$(call apt_install_without_service,redis-server,/usr/bin/redis-server,redis-server)

test: install-test translations-compile chromium postgresql nginx redis
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --durations=25

lint: install-test
	$(BIN)/ruff check .
