"""The store: one small interface, decided once here: queries see the union of the
documents' named graphs (both rdflib and pyoxigraph default to the empty default
graph, and would answer nothing without an error).

``open_store(location)`` gives the embedded Oxigraph store for a folder, or a remote
SPARQL 1.1 server for a URL (``QUERY_URL[,UPDATE_URL]``, see remote.py). Only this
package talks to pyoxigraph and to SPARQL servers over HTTP.
"""

from __future__ import annotations

from pathlib import Path

from .base import QueryResult, Store
from .embedded import OxigraphStore
from .remote import RemoteStore, is_remote

__all__ = ["OxigraphStore", "QueryResult", "RemoteStore", "Store", "is_remote", "open_store"]


def open_store(location: str | Path, *, read_only: bool = False) -> Store:
    if is_remote(location):
        return RemoteStore(str(location), read_only=read_only)
    return OxigraphStore(Path(location), read_only=read_only)
