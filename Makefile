# Two commands for a newcomer: `make chat` and `make test`. Both create the virtual
# environment with Python 3.10 when it is missing (Rasa 3.6 supports Python 3.8-3.10).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# python3.10 may be a pyenv shim that refuses to run unless 3.10 is selected: ask pyenv directly.
PYTHON310 ?= $(shell for p in python3.10 $$(pyenv root 2>/dev/null)/versions/3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do \
	  if "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then echo "$$p"; break; fi; done)
# 2 cores: one BLAS/OpenMP thread per process avoids oversubscription.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: setup chat test test-fast lint lock train check report locales browser clean servers

# Installs exactly what requirements.lock says (every file checked against its hash), then
# Masar itself without touching its dependencies. `make lock` refreshes the lock.
$(VENV)/.installed: pyproject.toml requirements.lock
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is required (Rasa 3.6 supports 3.8-3.10). Install python3.10 and retry." >&2; exit 1; }
	test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	touch $@

# Resolves pyproject.toml's dependencies (with the test tools) again for Python 3.10 on Linux.
lock: $(VENV)/.installed
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --python-version 3.10 \
	  --python-platform x86_64-unknown-linux-gnu --generate-hashes --custom-compile-command "make lock" --quiet -o requirements.lock
	echo "# compiled from pyproject.toml with sha256 $$(sha256sum pyproject.toml | cut -c1-64)" >> requirements.lock

setup: $(VENV)/.installed locales

# Compiled catalogs (.mo, not committed) are rebuilt only when their .po changed; quietly, so
# `make chat` shows the bot and nothing else (pybabel still reports a broken catalog).
CATALOGS := $(patsubst %.po,%.mo,$(wildcard locales/*/LC_MESSAGES/masar.po locales/*/LC_MESSAGES/console.po))
locales: $(CATALOGS)

locales/%/LC_MESSAGES/masar.mo: locales/%/LC_MESSAGES/masar.po $(VENV)/.installed
	@$(VENV)/bin/pybabel -q compile --domain masar --locale $* --input-file $< --output-file $@

# The staff console's own strings (bot/console/pages.py), in English, Arabic and French.
locales/%/LC_MESSAGES/console.mo: locales/%/LC_MESSAGES/console.po $(VENV)/.installed
	@$(VENV)/bin/pybabel -q compile --domain console --locale $* --input-file $< --output-file $@

# The console's browser tests (tests/test_console_web.py) drive Debian's headless Chromium.
# Installed here when missing and when running as root (CI containers); otherwise say how.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y chromium chromium-driver || { apt-get update && apt-get install -y chromium chromium-driver; }; \
	  else echo "chromium is missing: run 'sudo apt-get install -y chromium chromium-driver' for the browser tests" >&2; exit 1; fi; }

chat: setup
	@$(VENV)/bin/masar chat

train: setup
	$(VENV)/bin/masar train

check: setup
	$(VENV)/bin/masar content check

report: setup
	$(VENV)/bin/masar content report

# Real Redis and PostgreSQL servers for the scale-out tests, which start and stop their own
# (tests/servers.py): Debian's packages, installed when missing, as root or with sudo. Without
# them the tests that need them are skipped and say why.
servers:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "make servers: missing:$$missing; not root and no sudo, so the Redis/PostgreSQL tests will be skipped (install them with: apt-get install$$missing)" >&2; exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then echo "make servers: missing:$$missing; no apt-get here, so the Redis/PostgreSQL tests will be skipped" >&2; exit 0; fi; \
	echo "make servers: installing$$missing (Debian packages)"; \
	{ $$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends$$missing >/dev/null; } \
	  || echo "make servers: could not install$$missing; the Redis/PostgreSQL tests will be skipped" >&2

# Lint, format and types first (seconds), then every test (the browser tests need chromium,
# the scale-out tests Redis and PostgreSQL).
test: setup lint browser servers
	$(VENV)/bin/python -m pytest

# The daily loop: no model trained or loaded, no subprocess; well under a minute.
test-fast: setup lint
	$(VENV)/bin/python -m pytest -m "not model and not training and not subprocess" -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check bot tests
	$(VENV)/bin/ruff format --check bot tests
	$(VENV)/bin/mypy

clean:
	rm -rf build var
