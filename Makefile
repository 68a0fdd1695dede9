# The two commands of the README: `make serve` and `make test`.
# Both create the virtualenv when it is missing and install the project into it.

PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8000
HOST   ?= 127.0.0.1
STORE  ?= var/store
BIN     = $(VENV)/bin

.PHONY: serve test lint build clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamp files make re-installs happen only when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed-run

build: $(VENV)/.installed-run
	$(BIN)/openness --store $(STORE) build --if-missing

serve: build
	$(BIN)/openness --store $(STORE) serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf var .pytest_cache .ruff_cache
