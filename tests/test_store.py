"""The store interface, run over every implementation: union of named graphs,
atomic replacement, persistence."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg import iris
from kg.errors import QueryError, StoreError
from kg.store import Store, open_store
from kg.store.base import serialized
from kg.vocab import KG

G1, G2 = iris.graph("doc1"), iris.graph("doc2")
KIA = iris.entity("actor", "kia")
TNLA = iris.entity("actor", "tnla")


def kia_triples(label: str = "KIA") -> list:
    return [(KIA, RDF.type, KG.ArmedGroup), (KIA, SKOS.prefLabel, Literal(label, lang="fr"))]


@pytest.fixture(params=["embedded", "oxigraph-server"])
def store(request, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "embedded":
        s = open_store(tmp_path / "store")
    else:  # a real SPARQL 1.1 server, emptied for each test
        s = open_store(request.getfixturevalue("oxigraph_server"))
        s.update("DROP ALL")  # type: ignore[attr-defined]
    yield s
    s.close()


def test_queries_see_the_union_of_named_graphs(store: Store) -> None:
    store.replace_graph(G1, kia_triples())
    store.replace_graph(G2, [(TNLA, RDF.type, KG.ArmedGroup)])
    rows = store.query("SELECT ?a WHERE { ?a a kg:ArmedGroup } ORDER BY ?a").rows
    assert [r["a"] for r in rows] == sorted([KIA, TNLA])
    assert store.graphs() == sorted([G1, G2])


def test_replacing_a_graph_never_duplicates(store: Store) -> None:
    store.replace_graph(G1, kia_triples("KIA"))
    store.replace_graph(G1, kia_triples("Armée de l'indépendance kachin"))
    labels = [r["l"] for r in store.query("SELECT ?l WHERE { ?a skos:prefLabel ?l }").rows]
    assert labels == [Literal("Armée de l'indépendance kachin", lang="fr")]
    assert len(store) == 2


def test_replace_can_drop_stale_graphs_in_the_same_write(store: Store) -> None:
    store.replace_graph(G1, kia_triples())
    store.replace_graph(G2, kia_triples(), drop=[G1])
    assert store.graphs() == [G2]


def test_a_failed_write_leaves_the_graph_intact(store: Store) -> None:
    store.replace_graph(G1, kia_triples())
    bad = kia_triples("new") + [(KIA, URIRef("not an iri"), Literal("x"))]
    with pytest.raises(StoreError):
        store.replace_graph(G1, bad)
    labels = [r["l"] for r in store.query("SELECT ?l WHERE { ?a skos:prefLabel ?l }").rows]
    assert labels == [Literal("KIA", lang="fr")]


def test_a_change_takes_out_and_puts_in_a_few_triples_of_one_graph_at_once(store: Store) -> None:
    """``change``: what a curator's correction does to a document's graph, without
    rewriting it; the other graphs keep the same triples; a bad triple changes nothing."""
    store.replace_graph(G1, kia_triples())
    store.replace_graph(G2, kia_triples())
    store.change(G1, remove=[kia_triples()[1]], add=[(KIA, SKOS.altLabel, Literal("KIA", lang="fr"))])
    assert set(store.graph_triples(G1)) == {kia_triples()[0], (KIA, SKOS.altLabel, Literal("KIA", lang="fr"))}
    assert set(store.graph_triples(G2)) == set(kia_triples())
    with pytest.raises(StoreError):
        store.change(G1, remove=[kia_triples()[0]], add=[(KIA, URIRef("not an iri"), Literal("x"))])
    assert (KIA, RDF.type, KG.ArmedGroup) in store.graph_triples(G1)
    store.change(G2)  # nothing to do
    assert len(store) == 4


def test_bindings_and_result_formats(store: Store) -> None:
    store.replace_graph(G1, kia_triples())
    q = "SELECT ?l WHERE { ?a skos:prefLabel ?l }"
    assert b"KIA" in serialized(store, q, "csv")
    assert b'"results"' in serialized(store, q, "json")
    with pytest.raises(QueryError):
        serialized(store, q, "yaml")
    with pytest.raises(QueryError):
        store.query("SELECT WHERE {")


def test_rows_come_as_plain_values_and_answers_stream(store: Store) -> None:
    """What the CLI prints without building an RDF term per cell: the engine's own values
    (an IRI, a literal without quotes or language tag, "" when unbound), a value over two
    lines kept whole; and a W3C answer written to a file as the engine serialises it."""
    note = 'deux lignes,\r\n"citées"\x0cune page plus loin\u2028'
    store.replace_graph(G1, kia_triples() + [(KIA, SKOS.note, Literal(note)), (TNLA, SKOS.prefLabel, Literal("TNLA"))])
    q = ("SELECT ?a ?l ?n WHERE { ?a skos:prefLabel ?l OPTIONAL { ?a skos:note ?n } } ORDER BY ?l")
    names, rows = store.plain_rows(q)
    assert names == ["a", "l", "n"]
    assert list(rows) == [[str(KIA), "KIA", note], [str(TNLA), "TNLA", ""]]
    _, rows = store.plain_rows("SELECT ?n WHERE { ?a skos:prefLabel ?l OPTIONAL { ?a skos:note ?n } } ORDER BY ?l")
    assert list(rows) == [[note], [""]]  # one column, unbound: a row all the same
    out = io.BytesIO()
    store.write_results(q, "tsv", out)
    lines = out.getvalue().decode().splitlines()
    assert lines[0] == "?a\t?l\t?n" and lines[1].startswith(f"<{KIA}>\t\"KIA\"@fr\t")
    with pytest.raises(QueryError):
        store.plain_rows("ASK { ?s ?p ?o }")


def test_the_store_persists_and_opens_read_only(tmp_path: Path) -> None:
    s = open_store(tmp_path / "p")
    s.replace_graph(G1, kia_triples())
    s.close()
    r = open_store(tmp_path / "p", read_only=True)
    assert len(r) == 2
    r.close()


def test_dump_parses_back_to_the_same_dataset(store: Store, tmp_path: Path) -> None:
    store.replace_graph(G1, kia_triples("Armée « KIA »\n"))
    store.dump(tmp_path / "g.trig")
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(tmp_path / "g.trig", format="trig")
    assert set(ds.graph(G1)) == set(store.graph_triples(G1))


def test_a_failed_first_write_leaves_no_graph(store: Store) -> None:
    bad = kia_triples() + [(KIA, URIRef("not an iri"), Literal("x"))]
    with pytest.raises(StoreError):
        store.replace_graph(G1, bad)
    assert store.graphs() == [] and len(store) == 0


def test_stated_finds_which_triples_some_graph_states(store: Store) -> None:
    """An actor typed by 300 documents' graphs (more than a scan reads before it seeks
    each triple asked for) and another typed once: which of the triples asked some
    graph states, literals among them."""
    for i in range(300):
        store.replace_graph(iris.graph(f"doc-{i}"), [(KIA, RDF.type, KG.ArmedGroup)])
    store.replace_graph(G1, [(KIA, RDF.type, KG.Actor), (TNLA, RDF.type, KG.ArmedGroup),
                             (TNLA, SKOS.prefLabel, Literal("TNLA", lang="en"))])
    asked = [(n, RDF.type, c) for n in (KIA, TNLA) for c in (KG.ArmedGroup, KG.Actor, KG.Person)]
    asked += [(TNLA, SKOS.prefLabel, Literal("TNLA", lang="en")), (TNLA, SKOS.prefLabel, Literal("TNLA"))]
    assert sorted(store.stated(asked)) == sorted([
        (KIA, RDF.type, KG.ArmedGroup), (KIA, RDF.type, KG.Actor), (TNLA, RDF.type, KG.ArmedGroup),
        (TNLA, SKOS.prefLabel, Literal("TNLA", lang="en"))])


def test_some_values_of_a_node_with_many_quads_as_of_one_with_few(store: Store) -> None:
    """Two values at most of each property, over every graph: a node stated by 300
    graphs (read a property at a time) and one by a single graph (read in one scan)."""
    for i in range(300):
        store.replace_graph(iris.graph(f"doc-{i}"), [(KIA, RDF.type, KG.ArmedGroup),
                                                     (KIA, SKOS.altLabel, Literal(f"name {i:03d}"))])
    store.replace_graph(G1, [(TNLA, RDF.type, KG.ArmedGroup), (TNLA, SKOS.altLabel, Literal("Ta'ang")),
                             (TNLA, SKOS.altLabel, Literal("PSLF")), (TNLA, SKOS.altLabel, Literal("TNLA"))])
    pairs = [(n, p) for n in (KIA, TNLA) for p in (RDF.type, SKOS.altLabel, KG.memberOf)]
    got = store.some_values(pairs)
    assert sorted((s, p) for s, p, _ in got) == sorted([(KIA, RDF.type), (KIA, SKOS.altLabel), (KIA, SKOS.altLabel),
                                                        (TNLA, RDF.type), (TNLA, SKOS.altLabel), (TNLA, SKOS.altLabel)])
    for s, p, o in got:
        assert (s, p, o) in set(store.query(f"CONSTRUCT WHERE {{ {s.n3()} {p.n3()} ?o }}").triples)
    assert len({o for s, p, o in got if s == KIA and p == SKOS.altLabel}) == 2
    assert {o for s, p, o in store.some_values([(TNLA, SKOS.altLabel)], most=1)} <= {
        Literal("Ta'ang"), Literal("PSLF"), Literal("TNLA")}
