"""The store: one small interface, decided once here: queries see the union of the
documents' named graphs (both rdflib and pyoxigraph default to the empty default
graph, and would answer nothing without an error).

``open_store(location)`` gives the embedded Oxigraph store for a folder. Only this
package talks to pyoxigraph (and, later, to remote SPARQL servers over HTTP).
"""

from __future__ import annotations

from pathlib import Path

from .base import QueryResult, Store
from .embedded import OxigraphStore

__all__ = ["OxigraphStore", "QueryResult", "Store", "open_store"]


def open_store(location: str | Path, *, read_only: bool = False) -> Store:
    return OxigraphStore(Path(location), read_only=read_only)
