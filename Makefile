# The two set-up commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test venv lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "govsearch needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: setup.py $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(BIN)/govsearch index seeds
	$(BIN)/govsearch serve --host $(HOST) --port $(PORT)

# pytest exits 5 when it collected no test: make treats that as a failure, as it should.
test: venv
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check .

bench: venv
	$(BIN)/python benchmarks/search_bench.py

clean:
	rm -rf $(VENV) .venv-bare build index_data/* .pytest_cache .hypothesis
