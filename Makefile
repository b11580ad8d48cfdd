# Every target sets itself up: a fresh machine needs only Python 3.11 (and Java 17 later).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export PIP_DISABLE_PIP_VERSION_CHECK=1

.PHONY: setup demo test bench lint clean eval browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/kg build seeds/ --out out/
	$(BIN)/kg query documents
	$(BIN)/kg export --format gexf --out out/graph.gexf
	$(BIN)/kg export --format graphml --out out/graph.graphml
	$(BIN)/kg export --format cyjs --out out/graph.cyjs
	$(BIN)/kg export --format geojson --out out/engagements.geojson
	$(BIN)/kg export --format html --out out/index.html

# headless Chromium and its driver, from Debian, for the page tests
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

test: setup browser
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
