"""vocab.py, kg.ttl and the named queries agree; every term is documented for people."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.config import Settings
from kg.vocab import KG, ONTOLOGY_IRI

settings = Settings()
ONTO = Graph().parse(settings.ontology_file, format="turtle")
NS = ONTOLOGY_IRI + "#"
TERMS = {s for s in ONTO.subjects() if isinstance(s, URIRef) and s.startswith(NS)}


def test_vocab_lists_exactly_the_ontology_terms() -> None:
    declared = {URIRef(NS + name) for name in KG.__annotations__}
    assert declared == TERMS


def test_unknown_term_is_an_error() -> None:
    with pytest.raises(AttributeError):
        KG.Actr  # noqa: B018


@pytest.mark.parametrize("term", sorted(TERMS))
def test_every_term_has_english_and_french_labels_and_a_comment(term: URIRef) -> None:
    langs = {lbl.language for lbl in ONTO.objects(term, RDFS.label)}
    assert {"en", "fr"} <= langs, f"{term} lacks a label"
    assert ONTO.value(term, RDFS.comment) is not None, f"{term} lacks rdfs:comment"


def test_required_classes_and_alignments() -> None:
    for name in ["State", "StateForce", "Government", "ArmedGroup", "Militia", "Alliance",
                 "PoliticalOrganization", "InternationalOrganization"]:
        assert (KG[name], RDFS.subClassOf, KG.Actor) in ONTO
    for name in ["Attack", "Capture", "AirStrike", "Shelling", "Ambush", "Siege", "Surrender",
                 "Withdrawal", "ViolenceAgainstCivilians", "Arrest", "Agreement"]:
        assert (KG[name], RDFS.subClassOf, KG.Engagement) in ONTO
        assert ONTO.value(KG[name], KG.acledType) is not None
    assert (KG.alliedWith, RDF.type, OWL.SymmetricProperty) in ONTO
    assert (KG.subunitOf, RDF.type, OWL.TransitiveProperty) in ONTO
    assert (KG.commands, OWL.inverseOf, KG.commandedBy) in ONTO
    assert (KG.Membership, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Membership")) in ONTO


def test_queries_use_only_ontology_terms() -> None:
    names = {t[len(NS):] for t in TERMS}
    for path in settings.queries_dir.glob("*.rq"):
        body = "\n".join(l for l in path.read_text().splitlines() if not l.startswith("#"))
        used = set(re.findall(r"\bkg:(\w+)", body))
        assert used <= names, f"{path.name} uses unknown terms {used - names}"


def test_no_iri_strings_outside_vocab_and_iris() -> None:
    """Rule 2 of the house: ontology IRIs are defined once."""
    pkg = settings.ontology_dir.parent / "kg"
    for path in pkg.rglob("*.py"):
        if path.name in {"vocab.py"}:
            continue
        assert "w3id.org/kg-armed-actors" not in path.read_text(), path


def test_one_table_of_engagement_and_relation_types() -> None:
    """vocab.ENGAGEMENT_TYPES is every subclass of kg:Engagement; the French pack's trigger
    tables, its priority and the SHACL engagement shape use those types and no other;
    every relation type maps to a relation class of the ontology."""
    from kg.extract import lang
    from kg.vocab import ENGAGEMENT_TYPES, RELATION_TERMS, SYMMETRIC_RELATIONS

    subclasses = set(ONTO.subjects(RDFS.subClassOf, KG.Engagement))
    assert set(ENGAGEMENT_TYPES.values()) == subclasses
    pack = lang.load("fr")
    for table in ("verb_triggers", "noun_triggers", "mistagged_verbs"):
        assert set(pack.table(table).values()) <= set(ENGAGEMENT_TYPES), table
    assert sorted(pack.ordered("type_priority")) == sorted(ENGAGEMENT_TYPES)
    assert {c["type"] for c in pack.get("relation_cues")} <= set(RELATION_TERMS)
    for cls, prop in RELATION_TERMS.values():
        assert (cls, RDF.type, OWL.Class) in ONTO and (prop, None, None) in ONTO
    symmetric = {t for t, (_, prop) in RELATION_TERMS.items() if (prop, RDF.type, OWL.SymmetricProperty) in ONTO}
    assert symmetric == SYMMETRIC_RELATIONS
    shapes = Graph().parse(settings.ontology_file.parent / "shapes.ttl", format="turtle")
    SH = "http://www.w3.org/ns/shacl#"
    targeted = set(shapes.objects(None, URIRef(SH + "targetClass")))
    assert set(ENGAGEMENT_TYPES.values()) <= targeted
