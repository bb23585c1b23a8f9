# Two commands for a fresh machine (see README.md):
#   make run    set everything up, load demo users and referrals, serve the app on SQLite
#   make test   set everything up and run the whole test suite
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
ACRO := $(VENV)/bin/acro
PYTHON ?= python3

.PHONY: run test setup system-packages python-packages node-packages clean

setup: system-packages python-packages node-packages

# Debian packages the project needs: the PDF font. Installed when missing and we are root.
system-packages:
	@if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq fonts-dejavu-core; \
	  else echo "install fonts-dejavu-core (sudo apt-get install fonts-dejavu-core)"; exit 1; fi; fi

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
	@if [ ! -f instance/.demo-loaded ]; then $(ACRO) demo && touch instance/.demo-loaded; \
	  else echo "demo data already loaded (delete instance/ to start again)"; fi
	@echo "Sign in with one of the users above. Emails are kept in instance/mail."
	$(ACRO) serve --mail-catcher

test: setup
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) node_modules instance
