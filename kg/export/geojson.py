"""GeoJSON FeatureCollection (RFC 7946, longitude first) of the engagements whose place
has coordinates, and of the places themselves; coordinates come from the gazetteer with
their source, never guessed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .network import Network


def features(network: Network) -> list[dict[str, Any]]:
    labels = {n: d["label"] for n, d in network.graph.nodes(data=True)}
    sources = {p["id"]: p["source"] for p in network.places}
    out: list[dict[str, Any]] = []
    for e in network.engagements:
        if e["lat"] is None or e["long"] is None:
            continue
        out.append({"type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [e["long"], e["lat"]]},
                    "properties": {
                        "feature": "engagement", "id": e["id"], "type": e["type"],
                        "date": e["date"] or "", "place": e["placeLabel"],
                        "agents": [labels.get(a, a) for a in e["agents"]],
                        "targets": [labels.get(t, t) for t in e["targets"]],
                        "fatalities": e["fatalities"], "evidence": e["evidence"],
                        "document": e["document"],
                        "coordinate_source": sources.get(e["place"] or "", "")}})
    for p in network.places:
        out.append({"type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [p["long"], p["lat"]]},
                    "properties": {"feature": "place", "id": p["id"], "label": p["label"],
                                   "kind": p["kind"], "coordinate_source": p["source"]}})
    return out


def write(network: Network, path: Path) -> None:
    data = {"type": "FeatureCollection", "features": features(network)}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
