# The commands a person needs: `make run`, `make test` and `make lint`. Everything else is installed here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=
PYTEST_ARGS ?=

.PHONY: install run test lint bench lock clean messages

# The page and CLI texts: app/web/locale/<lang>/LC_MESSAGES/messages.po (in git), compiled to .mo (not in git).
PO := $(wildcard app/web/locale/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

install: $(STAMP) $(MO)

messages: $(MO)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "obligraph needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	@touch $(STAMP)

run: install
	$(BIN)/obligraph serve $(ARGS)

# Every test, the slow ones (browser, crash, load, schemathesis) included: what CI runs.
test: install
	$(BIN)/python -m pytest -m "" $(PYTEST_ARGS)

# ruff (lint and format) and mypy (strict on graph/, the default on app/; every module checked).
# Zero findings, or it fails.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/run.py $(ARGS)

# Re-pin after changing dependencies in pyproject.toml.
lock: install
	$(BIN)/python -m pip freeze --exclude-editable --exclude obligraph > constraints.txt

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis .mypy_cache .ruff_cache
