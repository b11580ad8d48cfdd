"""Mapping: relations and engagements become nodes with evidence, time and attribution,
their shortcut kept in step, and the named queries read them back."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, XSD

from kg import iris
from kg.config import Settings
from kg.extract import extract
from kg.ingest import read
from kg.mapping import date_literal, to_triples
from kg.model import Document, Engagement, Evidence, Extraction, PartialDate, Relation, Resolution
from kg.queries import load, run
from kg.resolve import resolve
from kg.store import open_store
from kg.vocab import KG

TEXT = ("L'Alliance des Trois Fraternités est composée de l'Armée d'Arakan (AA), du MNDAA et "
        "du TNLA. Le 27 octobre 2023, le MNDAA attaque Chinshwehaw.")


@pytest.mark.parametrize("date, literal", [
    (PartialDate(2023, 10, 27), Literal("2023-10-27", datatype=XSD.date)),
    (PartialDate(2023, 10, None, "month"), Literal("2023-10", datatype=XSD.gYearMonth)),
    (PartialDate(2024, None, None, "year"), Literal("2024", datatype=XSD.gYear)),
    (PartialDate(None, 11, 24, "unknown"), Literal("--11-24", datatype=XSD.gMonthDay)),
])
def test_date_literals_carry_their_precision(date, literal) -> None:  # type: ignore[no-untyped-def]
    assert date_literal(date) == literal


def _extracted(tmp_path: Path) -> tuple[Settings, Document, Extraction, Resolution]:
    """TEXT through the real extraction and resolution."""
    path = tmp_path / "doc.txt"
    path.write_text(TEXT, encoding="utf-8")
    settings = Settings(out_dir=tmp_path / "out")
    doc = read(path)
    ex = next(extract([doc], settings=settings))
    assert isinstance(ex, Extraction)
    return settings, doc, ex, resolve(ex, settings=settings)


def test_relations_and_engagements_round_trip_through_the_store(tmp_path: Path) -> None:
    settings, doc, ex, res = _extracted(tmp_path)
    assert {"three-brotherhood-alliance", "aa", "mndaa", "tnla", "chinshwehaw"} <= set(res.entities)
    s1, s2 = ex.sentences[0], ex.sentences[1]
    ev1 = Evidence(doc.id, 0, s1.start, s1.end)
    ev2 = Evidence(doc.id, 1, s2.start, s2.end)
    def mention(text: str) -> int:
        return next(i for i, m in enumerate(ex.mentions) if m.text == text)

    ex = replace(
        ex,
        relations=(Relation("memberOf", mention("Armée d'Arakan"),
                            mention("Alliance des Trois Fraternités"), ev1,
                            start=PartialDate(2019, None, None, "year"), confidence=0.9),),
        engagements=(Engagement("Attack", PartialDate(2023, 10, 27), mention("Chinshwehaw"),
                                (mention("MNDAA"),), (), None, None, ev2, confidence=0.8),),
    )
    triples = to_triples(ex, res, ingested_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    aa, alliance = iris.entity("actor", "aa"), iris.entity("actor", "three-brotherhood-alliance")
    assert (aa, KG.memberOf, alliance) in triples  # the shortcut, in step with the node

    store = open_store(settings.store_path)
    store.replace_graph(iris.graph(doc.id), triples)
    from kg.pipeline import load_ontology

    load_ontology(store, settings)
    rel = run(store, load("relations", settings.queries_dir)).rows
    eng = run(store, load("engagements", settings.queries_dir)).rows
    store.close()

    assert len(rel) == 1
    r = rel[0]
    assert (str(r["type"]), r["subject"], r["object"]) == ("memberOf", aa, alliance)
    assert r["start"] == Literal("2019", datatype=XSD.gYear) and "end" not in r
    assert str(r["document"]) == "doc.txt" and str(r["evidence"]).startswith("L'Alliance des Trois")

    assert len(eng) == 1
    e = eng[0]
    assert str(e["type"]) == "Attack" and str(e["datePrecision"]) == "day"
    assert e["date"] == Literal("2023-10-27", datatype=XSD.date)
    assert str(e["agents"]) == str(iris.entity("actor", "mndaa")) and str(e["targets"]) == ""
    assert str(e["placeLabel"]) == "Chinshwehaw"
    assert str(e["evidence"]).startswith("Le 27 octobre 2023")


def test_a_symmetric_relation_stated_both_ways_is_one_node(tmp_path: Path) -> None:
    """"A allied with B" in one sentence and "B allied with A" in another are one
    statement with two sentences of evidence; backing keeps its direction."""
    _, doc, ex, res = _extracted(tmp_path)
    evs = [Evidence(doc.id, i, s.start, s.end) for i, s in enumerate(ex.sentences[:2])]
    aa = next(i for i, m in enumerate(ex.mentions) if m.text == "Armée d'Arakan")
    tnla = next(i for i, m in enumerate(ex.mentions) if m.text == "TNLA")
    ex = replace(ex, engagements=(), relations=tuple(
        Relation(t, s, o, ev) for t in ("alliedWith", "opposes", "backedBy")
        for (s, o), ev in zip(((aa, tnla), (tnla, aa)), evs, strict=True)))
    triples = to_triples(ex, res, ingested_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    for cls, nodes in ((KG.Cooperation, 1), (KG.Hostility, 1), (KG.Backing, 2)):
        found = {s for s, p, o in triples if p == RDF.type and o == cls}
        assert len(found) == nodes, cls
        for node in found:
            evidence = {o for s, p, o in triples if s == node and p == KG.evidence}
            assert len(evidence) == 2 // nodes, cls
