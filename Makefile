# Two commands for a fresh machine (see README.md):
#   make run    set everything up, load demo users and referrals, serve the app on SQLite
#   make test   set everything up and run the whole test suite (lint, then SQLite, then PostgreSQL)
# and, while working:
#   make check  lint and the fast tests (engine, unit, contract, process), in under a minute
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
ACRO := $(VENV)/bin/acro
PYTHON ?= python3

.PHONY: run test check lint setup system-packages python-packages node-packages clean

setup: system-packages python-packages node-packages

# Debian packages the project needs: the PDF font, and Chromium for the browser tests (never
# `playwright install`: Playwright drives Debian's Chromium). Installed when missing and we are root.
system-packages:
	@if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq fonts-dejavu-core; \
	  else echo "install fonts-dejavu-core (sudo apt-get install fonts-dejavu-core)"; exit 1; fi; fi
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "the browser tests need Chromium (sudo apt-get install chromium); they skip without it"; fi; fi

python-packages: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

node-packages: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: setup
	$(ACRO) db upgrade
	@if [ ! -f instance/.demo-loaded ]; then $(ACRO) demo && touch instance/.demo-loaded; \
	  else echo "demo data already loaded (delete instance/ to start again); its users:"; \
	  $(PY) -c "from casework.demo import DEMO_USERS; from casework.config import ROLE_NAMES; \
	    [print(f'user {u:<12} password demo-{u}-pass{\" \"*(8-len(u))} {ROLE_NAMES[r]}') for u, _, r in DEMO_USERS]"; fi
	@echo "Sign in at http://127.0.0.1:5000/ with one of the users above. Emails are kept in instance/mail."
	$(ACRO) serve --mail-catcher

# The suite runs twice: on SQLite, then on PostgreSQL. In CI (CI=true) a missing PostgreSQL
# server fails the run; elsewhere the second run is skipped with a message.
POSTGRES_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

lint: python-packages
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# the tests that need no web app, browser or server but PostgreSQL's absence: the inner loop
FAST_TESTS := tests/engine tests/unit tests/contract tests/process

check: setup lint
	$(PY) -m pytest -q $(FAST_TESTS)

test: setup lint
	$(PY) -m pytest -q --durations=10
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(subst +psycopg,,$(POSTGRES_TEST_URL))', connect_timeout=3).close()" 2>/dev/null \
	  || [ "$$CI" = true ]; then \
	  echo "== the same suite on PostgreSQL ($(POSTGRES_TEST_URL))"; \
	  ACRO_TEST_DATABASE_URL=$(POSTGRES_TEST_URL) $(PY) -m pytest -q --durations=10; \
	else echo "== no PostgreSQL at $(POSTGRES_TEST_URL): the PostgreSQL run is skipped (set POSTGRES_TEST_URL)"; fi

clean:
	rm -rf $(VENV) node_modules instance
