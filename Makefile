# Tillwright: `make run` opens the till, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck layers pytest bench clean

$(STAMP): pyproject.toml
	@python=$$(tools/find-python $(PYTHON)) && $$python -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo shop, in its own folder of the data directory; `main.py run` opens a real shop.
run: $(STAMP)
	$(BIN)/python main.py run --demo

test: lint typecheck layers pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python main.py bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info

# PySide6's window needs X11 libraries a fresh Debian/Ubuntu may lack: checked (installed when
# root with apt-get, else the command to run is printed) before the till starts, and before the
# tests, which also open the till on Xvfb (tests/smoke).
.PHONY: qt-libs qt-libs-for-tests
qt-libs: $(STAMP)
	@$(BIN)/python tools/check_qt_libs.py
qt-libs-for-tests: $(STAMP)
	@$(BIN)/python tools/check_qt_libs.py --smoke-test
run: qt-libs
pytest: qt-libs-for-tests
