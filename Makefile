# Every target sets itself up: a fresh machine needs only Python 3.11 (and Java 17 later).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export PIP_DISABLE_PIP_VERSION_CHECK=1

.PHONY: setup demo test bench lint clean eval

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/kg build seeds/ --out out/
	$(BIN)/kg query documents

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/bench_build.py

lint: setup
	$(BIN)/ruff check kg tests bench
	$(BIN)/mypy kg

clean:
	rm -rf out .pytest_cache

eval: setup
	$(BIN)/kg eval --gold ../shared/eval/seeds --docs seeds/
