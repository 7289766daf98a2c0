# One task runner: the README's commands and CI (.ci/run) both call these targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest clean venv

venv: $(STAMP)

# (Re)create .venv at the repo root whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/eventapi-lsp --generate --out gen examples/

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy cannot follow setuptools' editable import hook, so it reads the package
# through a link tree that mirrors the installed layout (eventapi/<folder>).
typecheck: $(STAMP)
	rm -rf build/typecheck && mkdir -p build/typecheck/eventapi
	for d in server generators runtime; do ln -s ../../../$$d build/typecheck/eventapi/$$d; done
	cd build/typecheck && ../../$(BIN)/mypy -p eventapi

pytest: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck pytest

clean:
	rm -rf build gen .mypy_cache .pytest_cache .ruff_cache
