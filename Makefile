# Every target sets itself up: a fresh machine needs only Python 3.11 (Java and Chromium
# are installed from Debian when missing).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export PIP_DISABLE_PIP_VERSION_CHECK=1

.PHONY: setup demo test bench lint clean eval browser java gdal validate golden

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

demo: setup browser
	$(BIN)/kg build seeds/ --out out/
	$(BIN)/kg query documents
	$(BIN)/kg export --format gexf --out out/graph.gexf
	$(BIN)/kg export --format graphml --out out/graph.graphml
	$(BIN)/kg export --format cyjs --out out/graph.cyjs
	$(BIN)/kg export --format geojson --out out/engagements.geojson
	$(BIN)/kg export --format html --out out/index.html
	$(BIN)/kg export --format events --out out/events.csv
	$(BIN)/python tools/screenshots.py out

# headless Chromium and its driver, from Debian, for the page tests
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

# a Java runtime for HermiT (owlready2 runs it for kg validate --reason)
java:
	@command -v java >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; }

# GDAL's ogr2ogr, from Debian: the tests read the event table as a GIS does
gdal:
	@command -v ogr2ogr >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdal-bin; }

test: setup browser java gdal
	$(BIN)/python -m pytest

bench: setup java
	$(BIN)/python bench/bench_build.py
	$(BIN)/python bench/bench_validate.py
	$(BIN)/python bench/bench_serve.py
	$(BIN)/python bench/bench_serve_load.py
	$(BIN)/python bench/bench_scale.py

# the SHACL report after OWL reasoning; violations in the seeds are expected (exit 1 is
# kg validate's "there are violations", not a failure of this target)
validate: setup java
	$(BIN)/kg validate --reason --out out/validation.md || [ $$? -eq 1 ]

# rewrite tests/data/golden/ from today's build, on purpose: review its diff before committing
golden: setup
	KG_WRITE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_golden.py

lint: setup
	$(BIN)/ruff check kg tests bench tools
	$(BIN)/mypy kg
	$(BIN)/vulture kg tools/vulture_whitelist.py --min-confidence 60

clean:
	rm -rf out .pytest_cache

eval: setup
	$(BIN)/kg eval --gold ../shared/eval/seeds --docs seeds/
