# Two commands on a fresh machine with only Python >= 3.11 and make:
#   make run    set up .venv and start the app on the default data folder
#   make test   set up .venv with the test tools and run lint, contracts and the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run test lint bench soak serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TSTAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/isms-tui $(ARGS)

lint: $(TSTAMP)
	$(BIN)/ruff check isms_tui tests bench
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(TSTAMP)
	$(BIN)/python -m bench.run

# 1,000 SIGKILLs during opens and saves; prints the counts and writes them to $(SOAK_OUT)
# for the reliability table in BENCHMARKS.md (kills: SOAK_KILLS=n make soak).
SOAK_OUT   ?= bench/soak.json
SOAK_KILLS ?= 1000
soak: $(TSTAMP)
	ISMS_SOAK=1 ISMS_SOAK_OUT=$(SOAK_OUT) ISMS_SOAK_KILLS=$(SOAK_KILLS) $(BIN)/python -m pytest -s -m slow tests/test_crash_safety.py

serve: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[serve]'
	$(BIN)/isms-tui serve $(ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
