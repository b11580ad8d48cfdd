"""Building the seeds: canonical actors and persons with evidence, a stable rebuild,
a faithful TriG dump, and bad files reported without losing the rest."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Dataset, URIRef

from kg import iris
from kg.config import Settings
from kg.pipeline import build
from kg.queries import load, run
from kg.store import open_store

from .conftest import DATA, SEEDS, copy_seeds

# (entity key, ontology type, aliases that must all name this one node)
ACTORS = [
    ("kia", "ArmedGroup", ["KIA", "Armée de l’indépendance kachin", "Armée pour l'indépendance kachin"]),
    ("tatmadaw", "StateForce", ["Tatmadaw", "Tamadaw", "l'armée birmane", "junte birmane"]),
    ("mndaa", "ArmedGroup", ["MNDAA", "Armée de l'Alliance nationale démocratique de Birmanie"]),
    ("tnla", "ArmedGroup", ["TNLA", "Armée de libération nationale Ta'ang"]),
    ("aa", "ArmedGroup", ["AA", "Armée d'Arakan"]),
    ("three-brotherhood-alliance", "Alliance", ["Alliance des Trois Fraternités"]),
    ("jnim", "ArmedGroup", ["JNIM", "Jama'at Nusrat al-Islam wal Muslimeen"]),
    ("mnla", "ArmedGroup", ["MNLA", "Mouvement national pour la libération de l'Azawad"]),
    ("state-ru", "State", ["Russie"]),
    ("state-cn", "State", ["Chine"]),
]
PERSONS = [
    ("min-aung-hlaing", ["Min Aung Hlaing", "Min Haung Laing"]),
    ("gun-maw", ["Gun Maw"]),
    ("tun-tun-myint", ["Tun Tun Myint"]),
]


@pytest.fixture(scope="module")
def actor_rows(seed_build):  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    store = open_store(settings.store_path, read_only=True)
    aliases = run(store, load("aliases", settings.queries_dir)).rows
    types = {r["actor"]: str(r["type"]) for r in run(store, load("actors", settings.queries_dir)).rows}
    store.close()
    rows = [{**r, "actor": r["node"], "type": types[r["node"]]} for r in aliases if str(r["kind"]) == "actor"]
    persons = [{**r, "person": r["node"]} for r in aliases if str(r["kind"]) == "person"]
    return rows, persons


def test_build_reports_counts_and_skips_nothing(seed_build) -> None:  # type: ignore[no-untyped-def]
    _, report = seed_build
    assert report.documents == 5 and report.skipped == []
    assert report.counts["documents"] == 5
    assert report.counts["actors"] >= 40 and report.counts["persons"] >= 10
    assert report.counts["places"] >= 40


@pytest.mark.parametrize("key, type_, aliases", ACTORS)
def test_actor_is_one_canonical_node_with_type_and_aliases(actor_rows, key, type_, aliases) -> None:  # type: ignore[no-untyped-def]
    rows, _ = actor_rows
    by_alias = defaultdict(set)
    for r in rows:
        by_alias[str(r["alias"]).lower()].add(r["actor"])
    node = iris.entity("actor", key)
    types = {str(r["type"]) for r in rows if r["actor"] == node}
    assert types == {type_}
    for alias in aliases:
        assert by_alias[alias.lower()] == {node}, f"{alias!r} -> {by_alias[alias.lower()]}"


@pytest.mark.parametrize("key, aliases", PERSONS)
def test_person_is_one_node(actor_rows, key, aliases) -> None:  # type: ignore[no-untyped-def]
    _, persons = actor_rows
    node = iris.entity("person", key)
    found = {str(r["alias"]) for r in persons if r["person"] == node}
    assert set(aliases) <= found


def test_junta_resolves_by_the_documents_country(actor_rows) -> None:  # type: ignore[no-untyped-def]
    rows, _ = actor_rows
    junte = {(r["document"].split("_")[0], r["actor"]) for r in rows  # type: ignore[union-attr]
             if str(r["alias"]).lower() == "junte"}
    assert ("001", iris.entity("actor", "tatmadaw")) in junte
    assert ("003", iris.entity("actor", "malian-junta")) in junte
    assert ("003", iris.entity("actor", "tatmadaw")) not in junte


EVIDENCE = """
SELECT ?node ?start ?end ?quote ?file WHERE {
  ?node kg:evidence ?ev . ?ev kg:startOffset ?start ; kg:endOffset ?end ; kg:quote ?quote ;
        kg:inDocument/kg:fileName ?file .
}"""


def test_every_evidence_offset_covers_its_mention_in_the_file(seed_store) -> None:  # type: ignore[no-untyped-def]
    texts = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    rows = seed_store.query(EVIDENCE).rows
    assert len(rows) > 500
    wanted = {iris.entity("person", "gun-maw"), iris.entity("person", "min-aung-hlaing"),
              iris.entity("person", "tun-tun-myint"), iris.entity("actor", "kia")}
    seen = set()
    for r in rows:
        text = texts[str(r["file"])]
        assert text[int(r["start"]):int(r["end"])] == str(r["quote"])
        seen.add(r["node"])
    assert wanted <= seen


def test_places_have_gazetteer_coordinates_checked_against_the_country(seed_store, seed_build) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    rows = run(seed_store, load("places", settings.queries_dir)).rows
    coords = {alias: (float(r["lat"]), float(r["long"]))  # type: ignore[arg-type]
              for r in rows if "lat" in r for alias in str(r["aliases"]).split("|")}
    assert coords["Lashio"] == pytest.approx((22.94, 97.75), abs=0.01)
    assert coords["Kidal"] == pytest.approx((18.44, 1.41), abs=0.01)  # Mali's, not Indonesia's
    mong_ko = [r for r in rows if "Mong Ko" in str(r["aliases"]).split("|") or str(r["label"]) == "Mong Ko"]
    assert mong_ko and all(r["place"] == iris.entity("place", "mong-ko") for r in mong_ko)


def test_second_build_gives_the_same_triples(tmp_path: Path, seed_build) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    before = open_store(settings.store_path, read_only=True)
    first = before.dataset()
    before.close()
    copy = tmp_path / "store"
    shutil.copytree(settings.store_path, copy)
    rebuilt = Settings(out_dir=tmp_path / "out", store_dir=copy)
    build([SEEDS], settings=rebuilt)
    after = open_store(copy, read_only=True)
    second = after.dataset()
    after.close()
    assert set(first.quads()) == set(second.quads())


def test_trig_dump_parses_back_to_the_same_dataset(seed_build, seed_store) -> None:  # type: ignore[no-untyped-def]
    _, report = seed_build
    ds = Dataset()
    ds.parse(report.trig, format="trig")
    for g in seed_store.graphs():
        assert set(ds.graph(g)) == set(seed_store.graph_triples(g)), g


def test_unreadable_file_is_reported_and_the_rest_is_built(tmp_path: Path) -> None:
    docs = copy_seeds(tmp_path / "docs")
    shutil.copy(DATA / "ingest" / "latin1.txt", docs / "zz_latin1.txt")
    shutil.copy(DATA / "ingest" / "empty.txt", docs / "zz_empty.txt")
    report = build([docs], settings=Settings(out_dir=tmp_path / "out"))
    assert report.documents == 5
    assert sorted(s.path.name for s in report.skipped) == ["zz_empty.txt", "zz_latin1.txt"]
    assert "not UTF-8" in next(s.problem for s in report.skipped if s.path.name == "zz_latin1.txt")


def test_changed_file_replaces_its_old_graph(tmp_path: Path) -> None:
    doc = tmp_path / "d.txt"
    doc.write_text("L'Armée d'Arakan (AA) attaque Kyauktaw.", encoding="utf-8")
    settings = Settings(out_dir=tmp_path / "out")
    build([doc], settings=settings)
    doc.write_text("Le MNLA (Mouvement national pour la libération de l'Azawad) tient Kidal.",
                   encoding="utf-8")
    build([doc], settings=settings)
    store = open_store(settings.store_path, read_only=True)
    graphs = [g for g in store.graphs() if "/graph/" in g and g != iris.SHARED_GRAPH]
    names = store.query("SELECT ?n WHERE { ?d kg:fileName ?n }").rows
    shared = {str(s) for s, _, _ in store.graph_triples(iris.SHARED_GRAPH)}
    store.close()
    assert len(graphs) == 1 and len(names) == 1
    assert not any("arakan" in s or "kyauktaw" in s for s in shared)  # the old text's names are gone too
    assert isinstance(graphs[0], URIRef)
