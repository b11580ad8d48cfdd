"""The golden graph (rule 7 of the house): seed 002's document graph, built by the real
pipeline, compared with tests/data/golden/002.ttl as a graph (isomorphism), with the
statements on each side shown when they differ. Only ``make golden`` rewrites the file,
after a change that means to change what kg writes; the diff then goes into review."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, to_isomorphic

from kg import iris
from kg.config import Settings
from kg.pipeline import build
from kg.store import open_store
from kg.vocab import KG, PREFIXES

from .conftest import DATA, SEEDS

GOLDEN = DATA / "golden" / "002.ttl"
SEED = "002_ad34e4e326f002f7.txt"
# what depends on when and where the build ran, not on the text
VOLATILE = {KG.ingestedAt, KG.sourceFile, KG.extractor}  # kg:extractor: a fingerprint of the code


def _document_graph(tmp: Path) -> Graph:
    docs = tmp / "docs"
    docs.mkdir()
    shutil.copy(SEEDS / SEED, docs)
    settings = Settings(out_dir=tmp / "out")
    report = build([docs], settings=settings)
    store = open_store(settings.store_path, read_only=True)
    try:
        # the document's graph, and the shared graph its entities' names and its times are in
        triples = [*store.graph_triples(URIRef(report.accepted[0].graph)), *store.graph_triples(iris.SHARED_GRAPH)]
    finally:
        store.close()
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for t in triples:
        if t[1] not in VOLATILE:
            g.add(t)
    return g


def test_seed_002_graph_is_the_golden_graph(tmp_path: Path) -> None:
    got = _document_graph(tmp_path)
    if os.environ.get("KG_WRITE_GOLDEN"):  # make golden
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(got.serialize(format="turtle"), encoding="utf-8")
    want = Graph().parse(GOLDEN, format="turtle")
    if to_isomorphic(got) == to_isomorphic(want):
        return
    _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))

    def shown(g: Graph) -> str:
        lines = sorted(" ".join(term.n3(g.namespace_manager) for term in t) for t in g)
        return "\n  ".join(lines[:40]) + (f"\n  … and {len(lines) - 40} more" if len(lines) > 40 else "")

    raise AssertionError(
        f"seed 002's graph differs from {GOLDEN.name} (run `make golden` if the change is meant):\n"
        f"only in the build ({len(only_got)}):\n  {shown(only_got)}\n"
        f"only in the golden file ({len(only_want)}):\n  {shown(only_want)}")
