"""Named queries: headers, exact columns, safe parameters, W3C result formats, CLI."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from kg import iris, sparql
from kg.cli import main
from kg.errors import QueryError
from kg.queries import bind, bindings, load, registry, run, run_serialized

from .conftest import DATA

COLUMNS = {
    "actors": "actor label type country aliases documents engagements curatedBy",
    "persons": "person label rank affiliation fate aliases documents",
    "places": "place label kind lat long coordinateSource aliases documents engagements",
    "aliases": "node label kind alias document",
    "relations": ("type subject subjectLabel object objectLabel kind start end documents document "
                  "curatedBy statements evidence"),
    "engagements": ("event type date datePrecision place placeLabel lat long agentNames targetNames agents "
                    "targets claimedBy fatalities curatedBy document evidence"),
    "corrections": "correction source kind status curator when why node takenOut",
}
# each named query's rows are one per thing: these columns never repeat
ROW_KEYS = {"actors": ("actor",), "persons": ("person",), "places": ("place",),
            "aliases": ("node", "alias", "document"), "relations": ("type", "subject", "object"),
            "engagements": ("event",), "documents": ("document",)}
ONE_PER = """SELECT ?a (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e kg:agent|kg:target ?a . FILTER NOT EXISTS { ?e kg:subject [] } } GROUP BY ?a"""
LOOKUP = DATA / "queries" / "label_lookup.rq"


@pytest.mark.parametrize("name, columns", COLUMNS.items())
def test_named_query_has_its_exact_columns(seed_build, seed_store, name, columns) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    q = load(name, settings.queries_dir)
    assert q.title and q.description
    assert run(seed_store, q).variables == columns.split()


def test_every_query_in_the_registry_runs(seed_build, seed_store) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    for q in registry(settings.queries_dir).values():
        assert run(seed_store, q).kind == "select"


def test_sparqlwrapper_reads_every_named_query_as_a_query(seed_build) -> None:  # type: ignore[no-untyped-def]
    """SPARQLWrapper guesses a text's kind from the first keyword it finds, comments
    included (RDFLib/sparqlwrapper#211): a header that says "added" would be sent as an
    update, which the endpoint refuses (403)."""
    from SPARQLWrapper import SPARQLWrapper

    settings, _ = seed_build
    for q in registry(settings.queries_dir).values():
        client = SPARQLWrapper("http://localhost/sparql")
        client.setQuery(q.text)
        assert (q.name, client.queryType) == (q.name, "SELECT")


@pytest.mark.parametrize("name, key", ROW_KEYS.items())
def test_one_row_per_entity_relation_or_engagement(seed_build, seed_store, name, key) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    rows = run(seed_store, load(name, settings.queries_dir)).rows
    keys = [tuple(str(r.get(k, "")) for k in key) for r in rows]
    assert rows and len(keys) == len(set(keys))
    if "label" in rows[0]:
        labels: dict[str, set[str]] = {}
        for r in rows:
            labels.setdefault(str(r[key[0]]), set()).add(str(r["label"]))
        assert all(len(v) == 1 for v in labels.values())


def test_each_actors_engagements_are_as_many_rows_as_engagements(seed_build, seed_store) -> None:  # type: ignore[no-untyped-def]
    """Issue "the analyst's view", item 1: a plain count per actor, whatever the number of
    labels, documents and evidence sentences behind each engagement."""
    settings, _ = seed_build
    q = load("engagements", settings.queries_dir)
    counts = seed_store.query(ONE_PER).rows
    assert len(counts) > 30
    for r in counts:
        rows = run(seed_store, q, {"actor": str(r["a"])}).rows
        assert len(rows) == int(r["n"]), r["a"]  # type: ignore[call-overload]
    actors = {str(r["actor"]): int(r["engagements"])  # type: ignore[call-overload]
              for r in run(seed_store, load("actors", settings.queries_dir)).rows}
    assert all(actors[str(r["a"])] == int(r["n"]) for r in counts if str(r["a"]) in actors)  # type: ignore[call-overload]


def test_iri_parameter_filters(seed_build, seed_store) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    q = load("actors", settings.queries_dir)
    rows = run(seed_store, q, {"class": "kg:Alliance"}).rows
    assert rows and {str(r["type"]) for r in rows} == {"Alliance"}
    kia = str(iris.entity("actor", "kia"))
    assert {r["actor"] for r in run(seed_store, q, {"actor": kia}).rows} == {iris.entity("actor", "kia")}


@pytest.mark.parametrize("evil", [
    '" } UNION { ?node ?p ?o } #',
    "KIA\" . ?node ?p ?o . FILTER(\"1\" = \"1",
    "x'} ; DROP ALL ; #",
])
def test_a_parameter_cannot_change_the_query_shape(seed_store, evil) -> None:  # type: ignore[no-untyped-def]
    q = load(str(LOOKUP), DATA)
    result = run(seed_store, q, {"name": evil})
    assert result.variables == ["node"] and result.rows == []
    text = bind(q.text, bindings(q, {"name": evil}))
    assert text.count("VALUES") == 1


def test_string_parameter_matches_as_a_literal(seed_store) -> None:  # type: ignore[no-untyped-def]
    q = load(str(LOOKUP), DATA)
    rows = run(seed_store, q, {"name": "Alliance des Trois Fraternités"}).rows
    assert [r["node"] for r in rows] == [iris.entity("actor", "three-brotherhood-alliance")]


@pytest.mark.parametrize("value", ["kg:Actor> } ; DROP ALL #", "not an iri", "<http://x>"])
def test_malformed_iri_parameter_is_refused(seed_build, value) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    with pytest.raises(QueryError, match="not an IRI"):
        bindings(load("actors", settings.queries_dir), {"class": value})


def test_unknown_parameter_and_query_are_refused(seed_build) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    with pytest.raises(QueryError, match="no parameter 'nope'"):
        bindings(load("actors", settings.queries_dir), {"nope": "x"})
    with pytest.raises(QueryError, match="no query named"):
        load("nope", settings.queries_dir)


def test_w3c_result_formats(seed_build, seed_store) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    q = load("places", settings.queries_dir)
    cols = COLUMNS["places"].split()
    data = json.loads(run_serialized(seed_store, q, "json"))
    assert data["head"]["vars"] == cols and data["results"]["bindings"]
    rows = list(csv.reader(io.StringIO(run_serialized(seed_store, q, "csv").decode())))
    assert rows[0] == cols and len(rows) == len(data["results"]["bindings"]) + 1
    tsv = run_serialized(seed_store, q, "tsv").decode().splitlines()
    assert tsv[0].split("\t") == [f"?{c}" for c in cols]


def test_cli_query_list_and_formats(seed_build, capsys) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    assert main(["query", "--list"]) == 0
    listing = capsys.readouterr().out
    for name in COLUMNS:
        assert f"{name}:" in listing
    assert main(["query", "actors", "--store", str(settings.store_path), "--format", "json",
                 "--param", "class=kg:Alliance"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {b["type"]["value"] for b in out["results"]["bindings"]} == {"Alliance"}
    assert main(["query", "actors", "--store", str(settings.store_path), "--param", "bad"]) == 1
    assert "NAME=VALUE" in capsys.readouterr().err


def _rq_files() -> list[Path]:
    from kg.config import Settings

    return sorted(Settings().queries_dir.glob("*.rq")) + sorted((Path(sparql.__file__).parent).glob("*.rq"))


@pytest.mark.parametrize("path", _rq_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sparql_text_parses_and_names_only_ontology_terms(path: Path) -> None:
    """Every query the project runs lives in a .rq file (queries/ for the public ones,
    kg/sparql/ for the code's): rdflib's parser reads it, and each kg: term it names is
    declared in ontology/kg.ttl."""
    from rdflib import Graph, URIRef
    from rdflib.plugins.sparql import prepareQuery

    from kg.config import Settings
    from kg.vocab import PREFIXES

    text = path.read_text(encoding="utf-8")
    prepareQuery(text, initNs=PREFIXES)
    onto = Graph().parse(Settings().ontology_file, format="turtle")
    code = re.sub(r'#[^\n]*|"(?:[^"\\\n]|\\.)*"', "", text)  # no comments, no strings
    terms = set(re.findall(r"\bkg:(\w+)", code))
    for term in terms:
        assert (URIRef(PREFIXES["kg"] + term), None, None) in onto, f"{path.name}: kg:{term} is not in the ontology"


def test_a_parameter_can_lead_the_pattern(seed_build) -> None:  # type: ignore[no-untyped-def]
    """``# with actor: PATTERN`` joins the query only when the actor is given, so the
    engine starts from that actor; without it, the file is the query as written."""
    from kg.queries import prepared

    settings, _ = seed_build
    q = load("engagements", settings.queries_dir)
    lead = "?event kg:agent|kg:target ?actor ."
    assert f"# with actor: {lead}" in q.text and prepared(q, {}) == q.text
    bound = prepared(q, {"actor": "id:actor/jnim"})
    assert f"\n  {lead}\n" in bound and "# with actor" not in bound


def test_a_page_is_cut_by_the_engine(seed_build, seed_store) -> None:  # type: ignore[no-untyped-def]
    from kg.queries import paged, pages

    settings, _ = seed_build
    q = load("corrections", settings.queries_dir)  # no page line: cut at the end
    whole = run(seed_store, q).rows
    assert run(seed_store, q, limit=2, offset=3).rows == whole[3:5]
    assert "\nLIMIT 2\nOFFSET 3" in paged(q.text, 2, 3)
    own = "SELECT ?s WHERE { ?s a kg:Actor }\nLIMIT 5  # its own\n"
    assert not pages(own) and paged(own, 2, None) == own  # a query's own LIMIT is kept


# how each query is cut: in its own subquery (its ORDER BY and the page), or by its page's
# keys chosen first and bound in each subquery (VALUES), the page cut from their rows at
# the end when a key has several (aliases: a node's names); the page size (the seeds hold
# 5 documents)
PAGED = {"engagements": ("ORDER BY ?date ?event LIMIT 7 OFFSET 14 }", 7, False),
         "actors": ("VALUES ?actor { <", 7, False),
         "relations": ("ORDER BY ?type ?sLabel ?oLabel ?subject ?object LIMIT 7 OFFSET 14 }", 7, False),
         "places": ("VALUES ?place { <", 7, False),
         "documents": ("VALUES ?graph { <", 2, False),
         "aliases": ("VALUES ?node { <", 7, True)}


@pytest.mark.parametrize("name", PAGED)
def test_a_query_chooses_its_page_before_describing_it(seed_build, seed_store, name) -> None:  # type: ignore[no-untyped-def]
    """A query with a ``# page:`` line pages in a subquery, and one with a ``# page NAME:``
    line chooses its page's keys first, so only a page's rows are grouped, labelled and
    given their evidence; the pages, one after another, are the whole answer, in its
    order."""
    from kg.queries import text_for

    settings, _ = seed_build
    q = load(name, settings.queries_dir)
    cut, size, at_end = PAGED[name]
    text = text_for(seed_store, q, limit=size, offset=2 * size)
    assert cut in text and text.rstrip().endswith(f"OFFSET {2 * size}") == at_end
    whole = run(seed_store, q).rows
    assert len(whole) > 2 * size
    pages = [run(seed_store, q, limit=size, offset=k).rows for k in range(0, len(whole) + size, size)]
    assert all(len(page) <= size for page in pages)
    assert [row for page in pages for row in page] == whole


def test_with_a_parameter_the_page_is_chosen_among_its_rows(seed_build, seed_store) -> None:  # type: ignore[no-untyped-def]
    """engagements --param actor=X --limit N: its ``# page with actor:`` line chooses the
    page among X's engagements before describing them; the pages in turn are X's whole
    answer. A parameter with no such line (class) narrows the rows, then the page is cut."""
    from kg.queries import text_for

    settings, _ = seed_build
    q = load("engagements", settings.queries_dir)
    busiest = Counter(a for r in run(seed_store, q).rows for a in str(r.get("agents", "")).split("|") if a)
    actor = busiest.most_common(1)[0][0]
    text = text_for(seed_store, q, {"actor": actor}, limit=4, offset=8)
    assert f"VALUES ?actor {{ <{actor}> }} ?event kg:agent|kg:target ?actor" in text
    assert "ORDER BY ?date ?event LIMIT 4 OFFSET 8 }" in text and not text.rstrip().endswith("OFFSET 8")
    whole = run(seed_store, q, {"actor": actor}).rows
    assert len(whole) > 8
    pages = [run(seed_store, q, {"actor": actor}, limit=4, offset=k).rows for k in range(0, len(whole) + 4, 4)]
    assert [row for page in pages for row in page] == whole
    capture = {"class": "kg:Capture"}
    assert text_for(seed_store, q, capture, limit=3).rstrip().endswith("LIMIT 3")
    assert run(seed_store, q, capture, limit=3).rows == run(seed_store, q, capture).rows[:3]