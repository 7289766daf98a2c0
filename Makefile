# One task runner: the README's commands and CI (.ci/run) both call these targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest clean venv flink editors vscode

venv: $(STAMP)

# (Re)create .venv at the repo root whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/eventapi-lsp --generate --out gen examples/

# PyFlink and the connector jars for the Flink SQL tests (a separate venv: its pins clash).
flink:
	bash scripts/setup-flink.sh

# Real editors (Debian's neovim, emacs-nox, elpa-eglot) for the headless editor tests.
editors:
	bash scripts/install-editors.sh

# Build, lint, test and package the VS Code extension (.vsix under vscode-extension/build/).
vscode: $(STAMP)
	bash vscode-extension/scripts/ci.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy cannot follow setuptools' editable import hook, so it reads the package
# through a link tree that mirrors the installed layout (eventapi/<folder>).
typecheck: $(STAMP)
	rm -rf build/typecheck && mkdir -p build/typecheck/eventapi
	for d in server generators runtime; do ln -s ../../../$$d build/typecheck/eventapi/$$d; done
	cd build/typecheck && ../../$(BIN)/mypy -p eventapi

pytest: $(STAMP) flink editors
	$(BIN)/python -m pytest

test: lint typecheck vscode pytest

clean:
	rm -rf build gen .mypy_cache .pytest_cache .ruff_cache
