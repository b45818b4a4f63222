# Kinship: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
# axe-core, the accessibility checker the browser tests run (a test tool from npm).
AXE_VERSION := 4.14.1
AXE := $(VENV)/node/node_modules/axe-core/axe.min.js

.PHONY: run test setup lint migrate demo benchmark clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Kinship needs Python 3.12 or newer; found " + sys.version.split()[0] + ". Set PYTHON=/path/to/python3.12.")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

setup: $(VENV)/.runtime

migrate: setup
	$(BIN)/python manage.py migrate --verbosity 0
	$(BIN)/python manage.py createcachetable

demo: migrate
	DEBUG=true $(BIN)/python manage.py load_demo_data

## Set up, load the demo data and serve on http://127.0.0.1:$(PORT)
run: demo
	@echo "Kinship is at http://127.0.0.1:$(PORT)/  (log in with a demo login above)"
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

$(AXE): | $(BIN)/python
	@if command -v npm >/dev/null; then \
		npm install --silent --no-audit --no-fund --prefix $(VENV)/node axe-core@$(AXE_VERSION) \
		|| echo "Could not install axe-core; the accessibility tests will be skipped."; \
	else echo "No npm here; the accessibility tests will be skipped."; fi

## Run the whole suite (on DATABASE_URL when set, else SQLite)
test: $(VENV)/.dev $(AXE)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Measure the pages against the health endpoint and the admin (see docs/benchmarks.md)
benchmark: migrate
	$(BIN)/python manage.py benchmark

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis
