# Two commands do all setup on a fresh machine:
#   make run    create the venv, install, build the demo database if missing, start the app
#               (pages, HTTP API and scheduled jobs in one process: server.py)
#   make test   create the venv, install test tools (and Debian's chromium if missing), lint, test
# While developing: make test-fast (lint and every test but the browser ones).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test test-fast lint setup setup-dev chromium benchmark

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

# Serves only this computer unless ADDRESS says otherwise; another address needs sign-in
# (README, Team mode): `python -m aims_core serve` refuses it with a one-line reason. It builds
# the database from the demo seed first when the file is missing (and says where it is).
run: setup
	$(PY) -m aims_core serve --address=$(ADDRESS) --port=$(PORT)

chromium:
	@scripts/ensure-chromium

lint: setup-dev
	$(VENV)/bin/ruff check .

test: setup-dev chromium lint
	$(PY) -m pytest

# The quick loop: no browser tests (about a third of the full run); CI runs `make test`.
test-fast: setup-dev lint
	$(PY) -m pytest -m "not browser" -q

benchmark: setup-dev chromium
	$(PY) benchmarks/scale.py
