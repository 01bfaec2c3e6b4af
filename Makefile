# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared/data
OUT    ?= wijksignaal-out

.PHONY: run test data bench lint clean

$(BIN)/wijksignaal: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

run: $(BIN)/wijksignaal
	$(BIN)/wijksignaal run --demo-records --out $(OUT)

test: $(BIN)/wijksignaal
	$(BIN)/python -m pytest -q

# Rebuild the embedded CBS panel and money tables from the raw files in ../shared/data (deterministic).
data: $(BIN)/wijksignaal
	$(BIN)/python -m toolkit.sources.build $(SHARED)
	$(BIN)/python -m toolkit.finance.build $(SHARED)

bench: $(BIN)/wijksignaal
	$(BIN)/python bench/run_all.py

lint: $(BIN)/wijksignaal
	$(BIN)/ruff check toolkit ethics tests bench

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
