"""Cytoscape.js JSON: elements with data and classes (the actor type), which the
Cytoscape desktop app and Cytoscape.js both read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .network import Network
from .style import hex_color


def elements(network: Network) -> dict[str, list[dict[str, Any]]]:
    g = network.graph
    nodes = [{"data": {"id": n, "label": d["label"], "type": d["type"], "kind": d["kind"],
                       "country": d["country"], "wikidata": d["wikidata"],
                       "engagements": d["engagements"], "start": d["start"], "end": d["end"],
                       "aliases": d["aliases"], "evidence": d["evidence"], "curatedBy": d["curatedBy"],
                       "color": hex_color(d["type"])},
              "classes": d["type"]} for n, d in g.nodes(data=True)]
    edges = [{"data": {"id": f"e{i}", "source": s, "target": t, "label": d["label"],
                       "type": d["type"], "kind": d["kind"], "start": d["start"], "end": d["end"],
                       "weight": d["weight"], "fatalities": d.get("fatalities", 0),
                       "evidence": d.get("evidence", []), "curatedBy": d["curatedBy"]},
              "classes": d["type"]} for i, (s, t, d) in enumerate(g.edges(data=True))]
    return {"nodes": nodes, "edges": edges}


def write(network: Network, path: Path) -> None:
    data = {"format_version": "1.0", "generated_by": "kg", "target_cytoscapejs_version": "~3",
            "data": {"name": "kg actor network"}, "elements": elements(network)}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
