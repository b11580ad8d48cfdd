"""Findings made readable: the focus node's label and type, the value's label, and the
document and sentence the node comes from (its first evidence; for a Time, that of the
statement it dates; for Evidence, itself)."""

from __future__ import annotations

import dataclasses

from rdflib import URIRef
from rdflib.term import Identifier

from .. import sparql
from ..curate import snippet
from ..model import Finding
from ..queries import bind, bind_values
from ..store import Store


def _label_rank(label: object) -> int:
    lang = getattr(label, "language", None)
    return {"fr": 0, "en": 1}.get(lang or "", 2)


def describe(store: Store, findings: tuple[Finding, ...], *, chunk: int = 500,
             graphs: list[URIRef] | None = None) -> tuple[Finding, ...]:
    """Each finding with its labels and first sentence. With ``graphs`` (the reports
    being validated), the sentence is the first of those reports that is behind the
    node, read in their graphs alone; elsewhere only for a node they give none: an
    actor named by thousands of reports is not read in all of them."""
    iris = sorted({f.focus for f in findings} | {f.value for f in findings if f.value
                                                  and f.value.startswith(("http://", "https://"))})
    labels: dict[str, tuple[int, str]] = {}
    types: dict[str, str] = {}
    evidence: dict[str, tuple[int, int, str, str]] = {}  # node -> first (start, end, file, sentence)
    for i in range(0, len(iris), chunk):
        nodes: list[Identifier] = [URIRef(n) for n in iris[i:i + chunk]]
        for row in store.query(bind_values(sparql.text("describe_nodes"), "node", nodes)).rows:
            node = str(row["node"])
            if "label" in row:
                rank = _label_rank(row["label"])
                if node not in labels or rank < labels[node][0]:
                    labels[node] = (rank, str(row["label"]))
            if "type" in row:
                name = str(row["type"]).rsplit("#", 1)[-1]
                if node not in types or types[node] == "Actor":  # the most specific
                    types[node] = name
            if "label" not in row and ("place" in row or "date" in row):  # an engagement
                text = ", ".join(str(row[k]) for k in ("place", "date") if k in row)
                labels.setdefault(node, (3, text))
        found: dict[str, str] = {}
        for graph in graphs or ():
            rows = store.query(bind_values(bind(sparql.text("describe_evidence_in"), {"g": graph}), "node", nodes)).rows
            for row in rows:
                node, first = str(row["node"]), str(row["first"])
                found[node] = min(found.get(node, first), first)
        rest = [n for n in nodes if str(n) not in found]
        if rest:
            for row in store.query(bind_values(sparql.text("describe_evidence"), "node", rest)).rows:
                found[str(row["node"])] = str(row["first"])
        for node, first in found.items():  # start and end padded to ten digits, file, U+001F, sentence
            file, _, sentence = first[20:].partition("\x1f")
            evidence[node] = (int(first[:10]), int(first[10:20]), file, sentence)
    out = []
    for f in findings:
        ev = evidence.get(f.focus)
        out.append(dataclasses.replace(
            f,
            focus_label=labels.get(f.focus, (0, None))[1],
            focus_type=types.get(f.focus),
            value_label=labels.get(f.value, (0, None))[1] if f.value else None,
            document=ev[2] if ev else None, sentence=ev[3] if ev else None,
            start=ev[0] if ev else None, end=ev[1] if ev else None,
            correction=snippet(f.shape, f.focus, f.value),
        ))
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    return tuple(sorted(out, key=lambda f: (order[f.severity], f.name.get("en", ""),
                                            f.document or "", f.start or 0, f.focus)))
