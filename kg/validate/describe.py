"""Findings made readable: the focus node's label and type, the value's label, and the
document and sentence the node comes from (its first evidence; for a Time, that of the
statement it dates; for Evidence, itself)."""

from __future__ import annotations

import dataclasses

from rdflib import URIRef

from ..model import Finding
from ..store import Store

DESCRIBE = """
SELECT ?node ?label ?type ?place ?date WHERE {
  VALUES ?node { %s }
  OPTIONAL { ?node skos:prefLabel|rdfs:label|kg:quote|kg:fileName ?label }
  OPTIONAL { ?node a ?type . FILTER (STRSTARTS(STR(?type), STR(kg:))) }
  OPTIONAL { ?node kg:place/skos:prefLabel ?place . FILTER (LANG(?place) = "fr") }
  OPTIONAL { ?node (sem:hasTime|kg:start)/kg:date ?date }
}"""
EVIDENCE = """
SELECT ?node ?file ?sentence ?start ?end WHERE {
  VALUES ?node { %s }
  # its own evidence; itself if it is evidence; that of what it dates or is a claim of
  ?node (kg:evidence | ^sem:hasTime/kg:evidence | ^kg:start/kg:evidence | ^kg:end/kg:evidence
         | kg:claimOf/kg:evidence)? ?ev .
  ?ev kg:sentence ?sentence ; kg:startOffset ?start ; kg:endOffset ?end ;
      kg:inDocument/kg:fileName ?file .
}"""


def _label_rank(label: object) -> int:
    lang = getattr(label, "language", None)
    return {"fr": 0, "en": 1}.get(lang or "", 2)


def describe(store: Store, findings: tuple[Finding, ...], *, chunk: int = 500) -> tuple[Finding, ...]:
    iris = sorted({f.focus for f in findings} | {f.value for f in findings if f.value
                                                  and f.value.startswith(("http://", "https://"))})
    labels: dict[str, tuple[int, str]] = {}
    types: dict[str, str] = {}
    evidence: dict[str, tuple[int, int, str, str]] = {}  # node -> first (start, end, file, sentence)
    for i in range(0, len(iris), chunk):
        values = " ".join(URIRef(n).n3() for n in iris[i:i + chunk])
        for row in store.query(DESCRIBE % values).rows:
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
        for row in store.query(EVIDENCE % values).rows:
            node = str(row["node"])
            item = (int(row["start"]), int(row["end"]), str(row["file"]), str(row["sentence"]))  # type: ignore[call-overload]
            if node not in evidence or item < evidence[node]:
                evidence[node] = item
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
        ))
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    return tuple(sorted(out, key=lambda f: (order[f.severity], f.name.get("en", ""),
                                            f.document or "", f.start or 0, f.focus)))
