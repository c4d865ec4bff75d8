# The two fresh-machine commands are `make run` and `make test`; everything else is a step of theirs.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test setup setup-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install --quiet -e .

setup-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

run: setup
	$(BIN)/tracker demo --if-empty
	$(BIN)/tracker serve

test: setup-test
	$(BIN)/pytest

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .hypothesis
