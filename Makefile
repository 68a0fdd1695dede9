# The two commands of the README: `make serve` and `make test`.
# Both create the virtualenv when it is missing and install the project into it, and
# install the SPARQL editor's script (YASGUI) from the npm registry.

PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8000
HOST   ?= 127.0.0.1
# Seconds a stopped server's queries may go on (`openness serve --stop-grace`), if given.
STOP_GRACE ?=
# Seconds a stopped server goes on taking new requests first (`openness serve --drain`), if given.
DRAIN ?=
# The store `openness` reads without --store (OPENNESS_STORE, as README says), else var/store;
# a remote engine named by OPENNESS_ENDPOINT (read by `openness` itself) instead, where given.
STORE  ?= $(or $(OPENNESS_STORE),var/store)
BIN     = $(VENV)/bin

.PHONY: serve test test-equivalence lint build clean editor bytecode

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

# The editor's YASGUI is the npm package that package-lock.json pins, not a copy kept in
# git: `npm ci` runs only when node_modules is missing or package.json or the lock changed,
# and its two built files are copied where the page loads them (an ignored folder). Without
# npm the server still starts and /editor says that the editor's script is missing. The
# same `npm ci` installs axe-core (a devDependency), which the page tests read from
# node_modules to check the pages' accessibility: it is copied nowhere the server serves.
YASGUI_BUILD = node_modules/@zazuko/yasgui/build
YASGUI_DIR   = server/static/vendor/yasgui
YASGUI_FILES = yasgui.min.js yasgui.min.css

node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@ \
	    || echo "warning: npm ci failed: /editor will say that its script is missing" >&2; \
	else \
	    echo "warning: npm not found: /editor will say that its script (YASGUI) is missing;" \
	         "install Node.js and npm, then run make again" >&2; \
	fi

# The copies are the targets themselves (no stamp), so that a checkout which removed them
# brings them back.
$(addprefix $(YASGUI_DIR)/,$(YASGUI_FILES)): node_modules/.package-lock.json
	@if [ -f $(YASGUI_BUILD)/$(@F) ]; then mkdir -p $(@D) && cp $(YASGUI_BUILD)/$(@F) $@; fi

editor: $(addprefix $(YASGUI_DIR)/,$(YASGUI_FILES))

# The project's own modules compiled ahead: pip compiles what it installs but not an editable
# checkout, and where PYTHONDONTWRITEBYTECODE is set (as in many containers) every process
# compiled them again — each server worker and query process, each test's subprocess: ~0.4
# CPU s of a start's ~2.1. Up-to-date files are skipped. (`test` compiles in its recipe,
# after `lint` installed: as a prerequisite beside it, `make -j` would run two pip installs.)
COMPILE = $(BIN)/python -m compileall -q openness ingest server

bytecode: $(VENV)/.installed-run
	$(COMPILE)

build: $(VENV)/.installed-run editor bytecode
	$(BIN)/openness $(if $(OPENNESS_ENDPOINT),,--store $(STORE)) build --if-missing

serve: build
	$(BIN)/openness $(if $(OPENNESS_ENDPOINT),,--store $(STORE)) serve --host $(HOST) --port $(PORT) $(if $(STOP_GRACE),--stop-grace $(STOP_GRACE)) $(if $(DRAIN),--drain $(DRAIN))

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Two worker processes (pytest-xdist), a test file to each in turn: a file's module fixtures
# (a store built and assessed once for its tests) are built by one worker only. The files
# are handed out in the order tests/conftest.py collects them, the longest first (xdist's
# reordering by number of tests is off). PYTEST_WORKERS=0 runs the suite in this process.
PYTEST_WORKERS ?= 2

test: lint editor
	$(COMPILE)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

# pySHACL on every bundled model's evidence beside the set-wise engine (issue 9's done-when):
# ~1 350 CPU s (50 minutes wall on the loaded 2-core machine), so not part of `make test`,
# which checks a sample of models.
# EQUIVALENCE_WORKERS processes run pySHACL.
EQUIVALENCE_WORKERS ?= 2

test-equivalence: $(VENV)/.installed-test
	EQUIVALENCE_WORKERS=$(EQUIVALENCE_WORKERS) $(BIN)/python -m pytest -m equivalence \
	    tests/test_assessment_engine.py

clean:
	rm -rf var .pytest_cache .ruff_cache
