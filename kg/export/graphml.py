"""GraphML through networkx: scalar attributes only (aliases joined with ' | '); the
'label' key holds each node's name (yEd: Edit > Properties Mapper > label)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from .network import Network, clean


def flat(network: Network) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for n, d in network.graph.nodes(data=True):
        g.add_node(n, label=d["label"], type=d["type"], kind=d["kind"], country=d["country"],
                   wikidata=d["wikidata"], engagements=d["engagements"], start=d["start"],
                   end=d["end"], aliases=clean(" | ".join(d["aliases"])),
                   evidence=clean(d["evidence"][0]["sentence"]) if d["evidence"] else "",
                   curatedBy=" | ".join(d["curatedBy"]))
    for s, t, k, d in network.graph.edges(keys=True, data=True):
        g.add_edge(s, t, key=k, label=d["label"], type=d["type"], kind=d["kind"], start=d["start"],
                   end=d["end"], weight=d["weight"], fatalities=d.get("fatalities", 0),
                   curatedBy=" | ".join(d["curatedBy"]))
    return g


def write(network: Network, path: Path) -> None:
    nx.write_graphml(flat(network), path, encoding="utf-8", prettyprint=True)
