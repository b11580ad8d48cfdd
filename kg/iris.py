"""The only place that mints instance IRIs. Every IRI is a function of its content,
so building the same text twice gives the same IRIs."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from rdflib import URIRef

from .text import fold
from .vocab import INSTANCE_BASE


def slug(text: str) -> str:
    """A readable IRI segment; a hash when nothing readable is left (non-Latin names)."""
    s = fold(text).replace(" ", "-")
    s = re.sub(r"[^a-z0-9-]", "", s)
    return s or "h" + digest(text)[:12]


def digest(*parts: object) -> str:
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()


def _iri(*segments: str) -> URIRef:
    return URIRef(INSTANCE_BASE + "/".join(segments))


def graph(doc_id: str) -> URIRef:
    """The named graph that holds one document's statements."""
    return _iri("graph", doc_id)


# The shared graph: what is the same whichever document speaks of it, stated once for all
# of them: each entity's canonical description (names, Wikidata id, ISO code, coordinates)
# and each time point (named from its date, precision and basis). In every document's
# graph it would come once per document in the union default graph (Oxigraph keeps the
# duplicates, oxigraph/oxigraph#1919), and multiply the rows of a query that joins several
# such nodes: 10,000 synthetic engagements took more than 10 minutes instead of seconds.
# A document's graph keeps what its text says: an entity's type, its words for it, where
# it is mentioned, and which time each statement has.
SHARED_GRAPH = graph("shared")
INFERRED_GRAPH = graph("inferred")  # what the reasoner infers (kg reason)


def is_document_graph(g: URIRef) -> bool:
    """Whether a named graph is one document's."""
    return str(g).startswith(str(graph(""))) and g not in (SHARED_GRAPH, INFERRED_GRAPH)


def document(doc_id: str) -> URIRef:
    return _iri("document", doc_id)


@lru_cache(maxsize=65536)
def entity(kind: str, key: str) -> URIRef:
    """An actor, person or place; ``key`` is already canonical (see resolve.py)."""
    return _iri(kind, key)


@lru_cache(maxsize=65536)
def evidence(doc_id: str, start: int, end: int) -> URIRef:
    return _iri("evidence", doc_id, f"{start}-{end}")


def statement(kind: str, *parts: object) -> URIRef:
    """A relation, engagement, claim or time node, named from what it says."""
    return _iri(kind, digest(*parts)[:20])


def curation(name: str) -> URIRef:
    """The named graph of one curation file's corrections (by its file name)."""
    return _iri("curation", slug(name))


CURATION_GRAPHS = INSTANCE_BASE + "curation/"
