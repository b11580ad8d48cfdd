"""Exports: the store as the actor network (networkx) and what analysts open it with.

``EXPORTERS`` maps a format name to a writer ``(network, path) -> None``; each writer
lives in its module and registers itself here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .. import files
from ..store import Store
from . import cyjs, geojson, gexf, graphml, html
from .network import Network, build_network

Writer = Callable[[Network, Path], None]
EXPORTERS: dict[str, Writer] = {
    "graphml": graphml.write,
    "gexf": gexf.write,
    "cyjs": cyjs.write,
    "geojson": geojson.write,
    "html": html.write,
}
SUFFIXES = {"graphml": ".graphml", "gexf": ".gexf", "cyjs": ".cyjs", "geojson": ".geojson",
            "html": ".html"}


def export(store: Store, fmt: str, out: Path, **selection: object) -> Network:
    """Write the network (selected by ``build_network``'s options) in one format."""
    if fmt not in EXPORTERS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(EXPORTERS)}")
    network = build_network(store, **selection)  # type: ignore[arg-type]
    out.parent.mkdir(parents=True, exist_ok=True)
    with files.replacing(out) as tmp:  # a kill mid-write leaves the previous file
        EXPORTERS[fmt](network, tmp)
    return network


__all__ = ["EXPORTERS", "SUFFIXES", "Network", "build_network", "export"]
