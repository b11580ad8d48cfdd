"""Exports: the store as the actor network (networkx) and what analysts open it with.

``EXPORTERS`` maps a format name to a writer ``(network, path) -> None``; each writer
lives in its module and registers itself here. ``events`` is a table, not a network: one
row per engagement (``events.write``), CSV or JSON Lines by the file's suffix.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .. import files
from ..store import Store
from . import cyjs, events, geojson, gexf, graphml, html
from .network import Network, _in_range, build_network

Writer = Callable[[Network, Path], None]
EXPORTERS: dict[str, Writer] = {
    "graphml": graphml.write,
    "gexf": gexf.write,
    "cyjs": cyjs.write,
    "geojson": geojson.write,
    "html": html.write,
}
SUFFIXES = {"graphml": ".graphml", "gexf": ".gexf", "cyjs": ".cyjs", "geojson": ".geojson",
            "html": ".html", "events": ".csv", "trig": ".trig"}
FORMATS = [*EXPORTERS, "events", "trig"]  # trig: the store itself, every named graph (kg export)
# a file suffix -> the format it means (``--out x.gexf`` needs no ``--format``)
BY_SUFFIX = {**{suffix: fmt for fmt, suffix in SUFFIXES.items()}, ".jsonl": "events",
             ".json": "cyjs", ".htm": "html"}


def format_for(out: Path) -> str:
    """The export format a file name asks for."""
    fmt = BY_SUFFIX.get(out.suffix.lower())
    if fmt is None:
        raise ValueError(f"{out}: cannot tell the format from the suffix {out.suffix or '(none)'!r}; "
                         f"give --format ({', '.join(FORMATS)}) or one of {', '.join(sorted(BY_SUFFIX))}")
    return fmt


def export_events(store: Store, out: Path, *, actor: str | None = None, date_from: str | None = None,
                  date_to: str | None = None) -> int:
    """Write the event table (CSV, or JSON Lines for a .jsonl file); the number of rows."""
    def keep(row: dict[str, object]) -> bool:
        if actor is not None and actor not in row["parties"]:  # type: ignore[operator]
            return False
        return _in_range(str(row["date"]) or None, date_from, date_to)

    out.parent.mkdir(parents=True, exist_ok=True)
    with files.replacing(out) as tmp:
        return events.write(store, tmp, jsonl=out.suffix.lower() == ".jsonl", keep=keep)


def export(store: Store, fmt: str, out: Path, **selection: object) -> Network:
    """Write the network (selected by ``build_network``'s options) in one format."""
    if fmt not in EXPORTERS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(EXPORTERS)}")
    network = build_network(store, **selection)  # type: ignore[arg-type]
    out.parent.mkdir(parents=True, exist_ok=True)
    with files.replacing(out) as tmp:  # a kill mid-write leaves the previous file
        EXPORTERS[fmt](network, tmp)
    return network


__all__ = ["EXPORTERS", "FORMATS", "SUFFIXES", "Network", "build_network", "export", "export_events", "format_for"]
