"""The benchmarks' corpus: the seeds built into a fresh store, and a larger graph made of
renamed copies of their document graphs (every instance IRI suffixed per copy)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from rdflib import URIRef

from kg.config import PROJECT_ROOT, Settings
from kg.pipeline import ONTOLOGY_GRAPH, build, load_ontology
from kg.store import Store
from kg.vocab import INSTANCE_BASE


def built_seeds(prefix: str) -> tuple[Path, Settings]:
    """A temporary folder and the settings of the seeds built into it."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    settings = Settings(out_dir=tmp / "seeds")
    build([PROJECT_ROOT / "seeds"], settings=settings)
    return tmp, settings


def _renamed(term, i: int):  # type: ignore[no-untyped-def]
    return URIRef(f"{term}-c{i}") if isinstance(term, URIRef) and str(term).startswith(INSTANCE_BASE) else term


def copies(source: Store, target: Store, n: int, settings: Settings) -> list[URIRef]:
    """n renamed copies of every document graph of source, in target."""
    load_ontology(target, settings)
    graphs = []
    for g in source.graphs():
        if g == ONTOLOGY_GRAPH:
            continue
        triples = source.graph_triples(g)
        for i in range(n):
            name = URIRef(f"{g}-c{i}")
            target.replace_graph(name, [(_renamed(s, i), p, _renamed(o, i)) for s, p, o in triples])  # type: ignore[misc]
            graphs.append(name)
    return graphs
