# The two fresh-machine commands are `make run` and `make test`; everything else is a step of theirs.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test lint setup setup-test browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools

setup: $(BIN)/python
	$(BIN)/pip install --quiet -e .

setup-test: $(BIN)/python browser
	$(BIN)/pip install --quiet -e '.[test]'

# The browser tests drive Debian's Chromium; without it (or without root to install it) they skip.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "Chromium not installed: the browser tests will be skipped"

run: setup
	$(BIN)/tracker demo --if-empty
	$(BIN)/tracker serve

test: setup-test
	$(BIN)/pytest

# pyproject.toml [tool.ruff]: pycodestyle, pyflakes, import order, bugbear; one format
lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .hypothesis
