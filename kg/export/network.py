"""The store as an actor network: actors and persons as nodes, relations as typed
edges, engagements folded into weighted agent -> target edges; places and engagements
with coordinates for maps. Every writer reads this one structure.

Labels are cleaned once, here (``clean``): characters XML 1.0 forbids would make
networkx write files its own reader refuses. Identifiers are IRIs, never labels.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from rdflib import URIRef
from rdflib.term import Identifier

from .. import sparql
from ..store import Store

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: object) -> str:
    """A label safe for every format: no character XML 1.0 forbids, spaces collapsed."""
    return " ".join(_XML_FORBIDDEN.sub("", str(text)).split())


@dataclass
class Network:
    """The graph for network formats, and the events and places for maps."""

    graph: nx.MultiDiGraph
    engagements: list[dict[str, Any]] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)


EVIDENCE = 12  # sentences kept a node


def _s(value: Identifier | None) -> str | None:
    return None if value is None else str(value)


def _in_range(date: str | None, start: str | None, end: str | None) -> bool:
    if not date or date.startswith("--"):
        return start is None and end is None or not date
    return (start is None or date[: len(start)] >= start) and (end is None or date[: len(end)] <= end)


def build_network(store: Store, *, query_rows: list[dict[str, Identifier]] | None = None,
                  actor: str | None = None, hops: int = 1, date_from: str | None = None,
                  date_to: str | None = None) -> Network:
    """The whole graph, or the part a query's rows name, or the neighbourhood of one
    actor (``hops`` steps), with engagements between ``date_from`` and ``date_to``."""
    # a slice reads only what it can show: the nodes within reach of the actor (or the
    # nodes the rows name), their relations and their engagements, bound into each query
    scope = _scope(store, query_rows, actor, hops)

    def rows(name: str, var: str = "node", terms: set[str] | None = scope) -> list[dict[str, Identifier]]:
        cut = None if terms is None else [URIRef(t) for t in sorted(terms)]
        return store.query(sparql.scoped(sparql.text(name), var, cut)).rows

    rels: dict[str, dict[str, Any]] = {}
    for r in rows("network_relations"):
        rid = str(r["rel"])
        rels.setdefault(rid, {"type": str(r["type"]), "s": str(r["s"]), "o": str(r["o"]),
                              "kind": _s(r.get("kind")), "start": _s(r.get("start")),
                              "end": _s(r.get("end")), "evidence": []})
    for r in rows("network_relation_evidence", "rel", None if scope is None else set(rels)):
        if str(r["rel"]) in rels:
            rels[str(r["rel"])]["evidence"].append({"sentence": clean(r["sentence"]), "document": clean(r["file"])})

    g = nx.MultiDiGraph()  # in a slice, the other parties of its relations too: their dates count
    for r in rows("network_nodes", terms=None if scope is None else
                  scope | {n for rel in rels.values() for n in (rel["s"], rel["o"])}):
        node = str(r["node"])
        type_ = str(r["class"]).rsplit("#", 1)[-1]
        if node in g and g.nodes[node]["type"] != "Actor":
            continue  # keep the most specific type seen
        wikidata = _s(r.get("wikidata"))
        g.add_node(node, label=clean(r.get("label", node.rsplit("/", 1)[-1])), type=type_,
                   kind="person" if type_ == "Person" else "actor",
                   country=clean(r.get("country") or ""),
                   wikidata=wikidata.rsplit("/", 1)[-1] if wikidata else "",
                   engagements=0, aliases=[], evidence=[], curatedBy=[])
    for r in rows("network_aliases"):
        node = str(r["node"])
        if node in g:
            alias = clean(r["alias"])
            if alias not in g.nodes[node]["aliases"]:
                g.nodes[node]["aliases"].append(alias)
    # up to 12 sentences a node: in a slice, asked node by node and cut by the engine (an
    # actor that thousands of reports name would bring all their sentences)
    sentences = sparql.text("network_evidence")
    evidence = rows("network_evidence") if scope is None else [
        r for n in sorted(scope)
        for r in store.query(sparql.scoped(sentences, "node", [URIRef(n)]) + f"\nLIMIT {4 * EVIDENCE}").rows]
    for r in evidence:
        node = str(r["node"])
        if node in g and len(g.nodes[node]["evidence"]) < EVIDENCE:
            item = {"sentence": clean(r["sentence"]), "document": clean(r["file"])}
            if item not in g.nodes[node]["evidence"]:
                g.nodes[node]["evidence"].append(item)

    curated: dict[str, set[str]] = defaultdict(set)  # node -> curators whose corrections changed it
    for r in store.query(sparql.text("network_curated")).rows:
        curated[str(r["node"])].add(clean(r["curator"]))
    for node in g:
        g.nodes[node]["curatedBy"] = sorted(curated.get(node, ()))

    for rid, rel in rels.items():
        if rel["s"] in g and rel["o"] in g:
            g.add_edge(rel["s"], rel["o"], key=rid, type=rel["type"], kind=rel["kind"] or "",
                       start=rel["start"] or "", end=rel["end"] or "", weight=1,
                       curatedBy=sorted(curated.get(rid, ())),
                       label=rel["type"] + (f" ({rel['kind']})" if rel["kind"] else ""),
                       evidence=rel["evidence"][:5])

    events: dict[str, dict[str, Any]] = {}
    for r in rows("network_engagements"):
        eid = str(r["e"])
        e = events.setdefault(eid, {
            "id": eid, "type": str(r["class"]).rsplit("#", 1)[-1], "date": _s(r.get("date")),
            "agents": set(), "targets": set(), "place": _s(r.get("place")),
            "placeLabel": clean(r.get("placeLabel") or ""),
            "lat": float(r["lat"]) if "lat" in r else None,  # type: ignore[arg-type]
            "long": float(r["long"]) if "long" in r else None,  # type: ignore[arg-type]
            "fatalities": int(r["fatalities"]) if "fatalities" in r else None,  # type: ignore[call-overload]
            "evidence": clean(r["sentence"]), "document": clean(r["file"])})
        if "agent" in r:
            e["agents"].add(str(r["agent"]))
        if "target" in r:
            e["targets"].add(str(r["target"]))
    claims: dict[str, set[str]] = defaultdict(set)
    for r in rows("network_claims", "event", None if scope is None else set(events)):
        claims[str(r["e"])].add(clean(r["who"]))
    for eid, e in events.items():
        e["claimedBy"] = sorted(claims.get(eid, ()))
        e["curatedBy"] = sorted(curated.get(eid, ()))
    kept = [e for e in events.values() if _in_range(e["date"], date_from, date_to)]
    folded: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"count": 0, "dates": [], "fatalities": 0, "types": set(), "told": []})
    for e in kept:
        for n in e["agents"] | e["targets"]:
            if n in g:
                g.nodes[n]["engagements"] += 1
                if e["date"] and not e["date"].startswith("--"):
                    g.nodes[n].setdefault("dates", []).append(e["date"])
        for a in e["agents"]:
            for t in e["targets"]:
                if a in g and t in g and a != t:
                    f = folded[(a, t)]
                    f["count"] += 1
                    f["fatalities"] += e["fatalities"] or 0
                    f["types"].add(e["type"])
                    f["told"].append(e)
                    if e["date"] and not e["date"].startswith("--"):
                        f["dates"].append(e["date"])
    for (a, t), f in folded.items():
        dates = sorted(f["dates"])
        g.add_edge(a, t, key=f"engagement:{a}|{t}", type="engagement", kind=",".join(sorted(f["types"])),
                   start=dates[0] if dates else "", end=dates[-1] if dates else "",
                   weight=f["count"], fatalities=f["fatalities"], dates=sorted(set(dates)),
                   curatedBy=sorted({c for e in f["told"] for c in e["curatedBy"]}),
                   label=f"{f['count']} engagement(s)", evidence=[
                       {"sentence": e["evidence"], "document": e["document"], "date": e["date"] or "",
                        "type": e["type"], "place": e["placeLabel"], "claimedBy": e["claimedBy"],
                        "id": e["id"], "curatedBy": e["curatedBy"]}
                       for e in sorted(f["told"], key=lambda e: (e["date"] or "", e["id"]))[:8]])
    first_fact: dict[str, list[str]] = defaultdict(list)  # a dated relation counts too
    for s_, o_, d in g.edges(data=True):
        if d["type"] != "engagement" and d["start"] and not d["start"].startswith("--"):
            first_fact[s_].append(d["start"])
            first_fact[o_].append(d["start"])
    for n, data in g.nodes(data=True):
        dates = sorted(data.pop("dates", []))
        data["start"], data["end"] = (dates[0], dates[-1]) if dates else ("", "")
        if first_fact[n] and (not data["start"] or min(first_fact[n]) < data["start"]):
            data["start"] = min(first_fact[n])  # the first dated fact, engagement or relation

    g = _select(g, query_rows, actor, hops)
    selected = set(g)
    whole = query_rows is None and actor is None
    engagements = []
    for e in kept:
        parties = e["agents"] | e["targets"]
        if (parties and not parties & selected) or (not parties and not whole):
            continue
        engagements.append({**e, "agents": sorted(e["agents"]), "targets": sorted(e["targets"])})
    by_place: dict[str, dict[str, Any]] = {}  # one feature per place, whatever its rows
    # the whole graph's places, or a slice's: those of its engagements
    for r in rows("network_places", "place", None if whole else {e["place"] for e in engagements if e["place"]}):
        by_place.setdefault(str(r["place"]), {
            "id": str(r["place"]), "label": clean(r.get("label") or ""),
            "kind": str(r["class"]).rsplit("#", 1)[-1], "lat": float(r["lat"]),  # type: ignore[arg-type]
            "long": float(r["long"]), "source": clean(r.get("source") or "")})  # type: ignore[arg-type]
    places = list(by_place.values())
    return Network(graph=g, engagements=engagements, places=places)


def _scope(store: Store, rows: list[dict[str, Identifier]] | None, actor: str | None,
           hops: int) -> set[str] | None:
    """The nodes a slice can show, or None for the whole graph: those the rows name, or
    those within ``hops`` steps of the actor along any relation or engagement (a superset:
    ``_select`` cuts the neighbourhood exactly once the edges are known)."""
    if rows is not None:
        return {str(v) for row in rows for v in row.values() if isinstance(v, URIRef)}
    if actor is None:
        return None
    seen, frontier = {actor}, {actor}
    for _ in range(hops):
        text = sparql.scoped(sparql.text("network_neighbours"), "node", [URIRef(n) for n in sorted(frontier)])
        frontier = {str(r["next"]) for r in store.query(text).rows if isinstance(r["next"], URIRef)} - seen
        seen |= frontier
        if not frontier:
            break
    return seen


def _select(g: nx.MultiDiGraph, rows: list[dict[str, Identifier]] | None, actor: str | None,
            hops: int) -> nx.MultiDiGraph:
    if rows is not None:
        named = {str(v) for row in rows for v in row.values() if isinstance(v, URIRef)}
        return g.subgraph([n for n in g if n in named]).copy()
    if actor is not None:
        if actor not in g:
            raise KeyError(f"no actor or person {actor} in the graph")
        near = nx.ego_graph(g.to_undirected(as_view=True), actor, radius=hops)
        return g.subgraph(near.nodes).copy()
    return g

