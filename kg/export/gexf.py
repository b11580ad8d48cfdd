"""GEXF 1.2draft, written element by element with lxml so that it validates against
the official XSD (networkx's writer does not: a `name` on <graph>, among others).
Dynamic, so Gephi's timeline plays the conflict: a node lives from its first dated fact
on (no end: nothing in a report says an actor is gone); a relation from its start to its
end when the text gives them, and always when it gives neither; the engagements
between two actors as one spell per date, so the edge shows in the months they fought.
Partial dates widen to their whole month or year."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

from lxml import etree

from .network import Network
from .style import COLORS

NS = "http://www.gexf.net/1.2draft"
VIZ = "http://www.gexf.net/1.2draft/viz"
NODE_ATTRS = [("type", "string"), ("country", "string"), ("wikidata", "string"),
              ("engagements", "integer"), ("aliases", "string"), ("curatedBy", "string")]
EDGE_ATTRS = [("type", "string"), ("kind", "string"), ("fatalities", "integer"), ("curatedBy", "string")]


def _bound(date: str, *, end: bool) -> str | None:
    """'2023-10' -> 2023-10-01 (start) or 2023-10-31 (end); '--11-24' has no year: None."""
    if not date or date.startswith("--"):
        return None
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 3:
        return dt.date(*parts).isoformat()
    if len(parts) == 2:
        y, m = parts
        return dt.date(y, m, calendar.monthrange(y, m)[1] if end else 1).isoformat()
    return dt.date(parts[0], 12, 31).isoformat() if end else dt.date(parts[0], 1, 1).isoformat()


def _times(el: etree._Element, start: str, end: str) -> None:
    """From ``start`` (if dated) to ``end`` (if known): an open interval otherwise."""
    s, e = _bound(start, end=False), _bound(end, end=True)
    if s:
        el.set("start", s)
    if e:
        el.set("end", e)


def _spells(el: etree._Element, dates: list[str]) -> None:
    """One spell per date, each as long as the date's precision (a day, a month, a year)."""
    periods = sorted({(s, e) for s, e in ((_bound(d, end=False), _bound(d, end=True)) for d in dates) if s and e})
    if periods:
        spells = etree.SubElement(el, f"{{{NS}}}spells")
        for s, e in periods:
            etree.SubElement(spells, f"{{{NS}}}spell", start=s, end=e)


def _attvalues(el: etree._Element, values: list[tuple[int, object]]) -> None:
    av = etree.SubElement(el, f"{{{NS}}}attvalues")
    for i, v in values:
        etree.SubElement(av, f"{{{NS}}}attvalue", {"for": str(i), "value": str(v)})


def write(network: Network, path: Path) -> None:
    g = network.graph
    root = etree.Element(f"{{{NS}}}gexf", nsmap={None: NS, "viz": VIZ}, version="1.2")
    meta = etree.SubElement(root, f"{{{NS}}}meta", lastmodifieddate=dt.date.today().isoformat())
    etree.SubElement(meta, f"{{{NS}}}creator").text = "kg"
    etree.SubElement(meta, f"{{{NS}}}description").text = "Actor network of armed conflict reports"
    graph = etree.SubElement(root, f"{{{NS}}}graph", defaultedgetype="directed", mode="dynamic",
                             timeformat="date")
    for cls, attrs in (("node", NODE_ATTRS), ("edge", EDGE_ATTRS)):
        block = etree.SubElement(graph, f"{{{NS}}}attributes", {"class": cls, "mode": "static"})
        for i, (title, type_) in enumerate(attrs):
            etree.SubElement(block, f"{{{NS}}}attribute", id=str(i), title=title, type=type_)
    nodes = etree.SubElement(graph, f"{{{NS}}}nodes", count=str(g.number_of_nodes()))
    for n, d in g.nodes(data=True):
        node = etree.SubElement(nodes, f"{{{NS}}}node", id=n, label=d["label"] or n)
        _times(node, d["start"], "")
        _attvalues(node, [(0, d["type"]), (1, d["country"]), (2, d["wikidata"]),
                          (3, d["engagements"]), (4, " | ".join(d["aliases"])), (5, " | ".join(d["curatedBy"]))])
        r, gr, b = COLORS.get(d["type"], COLORS["Actor"])
        etree.SubElement(node, f"{{{NS}}}color", r=str(r), g=str(gr), b=str(b))
        etree.SubElement(node, f"{{{NS}}}size", value=str(4 + 2 * min(d["engagements"], 20)))
    edges = etree.SubElement(graph, f"{{{NS}}}edges", count=str(g.number_of_edges()))
    for i, (s, t, d) in enumerate(g.edges(data=True)):
        edge = etree.SubElement(edges, f"{{{NS}}}edge", id=str(i), source=s, target=t,
                                label=d["label"], weight=str(float(d["weight"])))
        _attvalues(edge, [(0, d["type"]), (1, d["kind"]), (2, d.get("fatalities", 0)), (3, " | ".join(d["curatedBy"]))])
        if d["type"] == "engagement":
            _spells(edge, d.get("dates", []))
        else:
            _times(edge, d["start"], d["end"])
    etree.ElementTree(root).write(str(path), encoding="UTF-8", xml_declaration=True,
                                  pretty_print=True)
