"""Curators' corrections with real files: a seed built into the real store, a curation
file of each kind of correction, query results and validation read back, the document
edited and built again, the corrections' file changed. Nothing is mocked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import URIRef

from kg import queries
from kg.cli import EXIT_ERROR, EXIT_OK, main
from kg.config import Settings
from kg.curate import read_file
from kg.errors import KgError
from kg.pipeline import build, write_validation
from kg.store import open_store

from .conftest import SEEDS

DOC = "002_ad34e4e326f002f7.txt"
ID = "https://w3id.org/kg-armed-actors/id/"
CAPTURE = "engagement/f01fa5f21f319464e064"  # JNIM takes the camp of Niafunke from the Malian army
VAGUE = "engagement/7d856454a31f7ded8c51"  # "since 2012 ... clashes": no agent, no target

CURATION = f"""\
curator: Camille Martin
when: 2026-12-05
corrections:
  - reject: {VAGUE}
    why: A background sentence about the war since 2012, not one attack.
  - correct: {CAPTURE}
    date: 2023-11-24
    fatalities: 3
    why: The report is dated 2023; the camp fell on 24 November.
  - merge: Al-Zallaqa Foundation
    into: actor/jnim
    why: Al-Zallaqa is JNIM's own media outlet, not an actor of its own.
  - split: actor/malian-army
    names: [soldats maliens]
    label: soldats maliens du camp
    type: StateForce
    why: A test of the split.
    curator: Alix Dubois
  - add: opposes
    subject: JNIM
    object: armée malienne
    source: "Agence de test, 2023-11-25"
    quote: "Le JNIM combat l'armée malienne dans la région de Tombouctou."
    why: Said by another agency.
"""


def _rows(settings: Settings, name: str, **params: str) -> list[dict[str, str]]:
    store = open_store(settings.store_path, read_only=True)
    try:
        result = queries.run(store, queries.load(name, settings.queries_dir), params)
        return [{k: str(v) for k, v in row.items()} for row in result.rows]
    finally:
        store.close()


def _ask(settings: Settings, pattern: str) -> bool:
    """Whether the pattern has a match."""
    store = open_store(settings.store_path, read_only=True)
    try:
        return bool(store.query(f"SELECT * WHERE {pattern} LIMIT 1").rows)
    finally:
        store.close()


def _quads(settings: Settings) -> set[tuple[str, ...]]:
    store = open_store(settings.store_path, read_only=True)
    try:
        return {tuple(str(t) for t in q) for q in store.dataset().quads()}
    finally:
        store.close()


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Settings, Path, Path]:
    docs, curation = tmp_path / "docs", tmp_path / "curation"
    docs.mkdir()
    curation.mkdir()
    shutil.copy(SEEDS / DOC, docs)
    (curation / "camille.yaml").write_text(CURATION, encoding="utf-8")
    return Settings(out_dir=tmp_path / "out", curation_dir=curation), docs, curation


def _check_applied(settings: Settings) -> None:
    events = {r["event"]: r for r in _rows(settings, "engagements")}
    assert ID + VAGUE not in events  # rejected
    capture = events[ID + CAPTURE]
    assert (capture["date"], capture["fatalities"], capture["curatedBy"]) == ("2023-11-24", "3", "Camille Martin")
    actors = {r["label"]: r for r in _rows(settings, "actors")}
    assert "Al-Zallaqa Foundation" not in actors  # merged ...
    assert "Al-Zallaqa Foundation" in actors["Jama'at Nusrat al-Islam wal Muslimeen"]["aliases"].split("|")
    assert actors["soldats maliens du camp"]["curatedBy"] == "Alix Dubois"  # split out
    relations = {(r["type"], r["subjectLabel"], r["objectLabel"]): r for r in _rows(settings, "relations")}
    assert ("subunitOf", "Al-Zallaqa Foundation", "Jama'at Nusrat al-Islam wal Muslimeen") not in relations
    added = relations[("opposes", "Jama'at Nusrat al-Islam wal Muslimeen", "armée malienne")]
    assert (added["document"], added["curatedBy"]) == ("Agence de test, 2023-11-25", "Camille Martin")
    assert added["evidence"].startswith("Le JNIM combat")


def test_each_kind_of_correction_applies_and_the_original_stays_queryable(setup) -> None:  # type: ignore[no-untyped-def]
    settings, docs, _ = setup
    report = build([docs], settings=settings)
    assert [r.status for r in report.curation.results] == ["applied"] * 5
    _check_applied(settings)
    # the extracted date and the rejected engagement are still there, as what a correction invalidated
    assert _ask(settings, f"""{{ GRAPH ?c {{ ?o a rdf:Statement ; rdf:subject <{ID}{CAPTURE}> ;
        rdf:predicate sem:hasTime ; kg:originalGraph ?g ; prov:wasInvalidatedBy ?corr }}
        ?corr prov:wasAssociatedWith/rdfs:label "Camille Martin" ; rdfs:comment ?why ; dcterms:date ?when }}""")
    assert _ask(settings, f"{{ ?o rdf:subject <{ID}{VAGUE}> ; rdf:predicate rdf:type ; rdf:object kg:Attack }}")
    corrections = _rows(settings, "corrections", curator="Alix Dubois")
    assert [(r["kind"], r["status"]) for r in corrections] == [("split", "applied")]


def test_corrections_survive_a_rebuild_and_go_stale_when_their_statement_is_gone(setup) -> None:  # type: ignore[no-untyped-def]
    settings, docs, _ = setup
    build([docs], settings=settings)
    text = (docs / DOC).read_text(encoding="utf-8")
    # the document edited: a paragraph added above (every offset moves, a new content hash)
    (docs / DOC).write_text("Mise à jour du rapport.\n\n" + text, encoding="utf-8")
    report = build([docs], settings=settings)
    assert [a.path.name for a in report.accepted] == [DOC]
    assert [r.status for r in report.curation.results] == ["applied"] * 5
    _check_applied(settings)
    # the sentence of the rejected engagement taken out of the text: its correction is stale
    sentence = next(line for line in text.splitlines() if line.startswith("Depuis 2012"))
    (docs / DOC).write_text(text.replace(sentence, ""), encoding="utf-8")
    report = build([docs], settings=settings)
    stale = report.curation.with_status("stale")
    assert [r.correction.index for r in stale] == [1] and VAGUE in stale[0].detail
    assert len(report.curation.with_status("applied")) == 4


def test_without_the_files_the_store_is_as_extraction_wrote_it(setup, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    settings, docs, curation = setup
    plain = Settings(out_dir=tmp_path / "plain")
    build([docs], settings=plain)
    build([docs], settings=settings)
    assert main(["curate", "--store", str(settings.store_path), "--out", str(settings.out_dir),
                 "--curation", str(curation)]) == EXIT_OK  # again: the same graph
    assert "5 correction(s) applied, 0 stale, 0 unneeded" in capsys.readouterr().out
    curated = _quads(settings)
    assert main(["curate", "--store", str(settings.store_path), "--out", str(settings.out_dir),
                 "--curation", str(curation)]) == EXIT_OK
    assert _quads(settings) == curated
    (curation / "camille.yaml").unlink()
    assert main(["curate", "--store", str(settings.store_path), "--out", str(settings.out_dir),
                 "--curation", str(curation)]) == EXIT_OK

    def volatile(q: tuple[str, ...]) -> bool:
        return "ingestedAt" in q[1] or "sourceFile" in q[1]

    assert {q for q in _quads(settings) if not volatile(q)} == {q for q in _quads(plain) if not volatile(q)}


def test_a_bad_file_is_named_and_the_others_still_apply(setup, capsys) -> None:  # type: ignore[no-untyped-def]
    settings, docs, curation = setup
    (curation / "broken.yaml").write_text("curator: X\nwhen: 2026-12-05\ncorrections:\n  - reject: a\n    merge: b\n",
                                          encoding="utf-8")
    build([docs], settings=settings, store=None)
    assert main(["curate", "--store", str(settings.store_path), "--out", str(settings.out_dir),
                 "--curation", str(curation)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "broken.yaml, correction 1: say exactly one of reject, merge, split, correct, add" in err
    _check_applied(settings)


@pytest.mark.parametrize(("entry", "problem"), [
    ("  - reject: x\n", "say who made it"),
    ("  - reject: x\n    why: y\n    curator: z\n", "give the day it was made"),
    ("  - correct: x\n    why: y\n    curator: z\n    when: 2026-01-01\n", "say what to correct"),
    ("  - correct: x\n    colour: red\n    why: y\n    curator: z\n    when: 2026-01-01\n", "does not take colour"),
    ("  - correct: x\n    date: 2023-13-01\n    why: y\n    curator: z\n    when: 2026-01-01\n", "is not a date"),
    ("  - add: Attack\n    agents: [x]\n    why: y\n    curator: z\n    when: 2026-01-01\n", "gives its source"),
])
def test_a_malformed_correction_names_its_file_place_and_problem(tmp_path: Path, entry: str, problem: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("corrections:\n" + entry, encoding="utf-8")
    with pytest.raises(KgError, match=problem) as err:
        read_file(path)
    assert f"{path}, correction 1" in str(err.value)


def test_a_correction_that_changes_nothing_is_reported_unneeded(setup) -> None:  # type: ignore[no-untyped-def]
    settings, docs, curation = setup
    (curation / "camille.yaml").write_text(
        f"curator: C\nwhen: 2026-12-05\ncorrections:\n  - correct: {CAPTURE}\n    type: Capture\n    why: already so\n",
        encoding="utf-8")
    report = build([docs], settings=settings)
    assert [(r.status, r.detail) for r in report.curation.results] == [("unneeded", "it would change nothing")]


def test_validation_after_a_correction_no_longer_finds_what_it_fixed(setup) -> None:  # type: ignore[no-untyped-def]
    settings, docs, curation = setup
    (curation / "camille.yaml").unlink()
    build([docs], settings=settings)
    store = open_store(settings.store_path)
    try:
        before = {f.focus for f in write_validation(store, settings).findings}
    finally:
        store.close()
    assert ID + VAGUE in before
    (curation / "camille.yaml").write_text(CURATION, encoding="utf-8")
    assert main(["curate", "--store", str(settings.store_path), "--out", str(settings.out_dir),
                 "--curation", str(curation)]) == EXIT_OK
    store = open_store(settings.store_path)
    try:
        after = write_validation(store, settings)
    finally:
        store.close()
    assert ID + VAGUE not in {f.focus for f in after.findings}
    assert not [f for f in after.findings if f.focus.startswith(ID + "relation/") and f.severity == "Violation"]
    assert URIRef(ID + CAPTURE) not in {URIRef(f.focus) for f in after.findings if "year" in f.shape}


def test_exports_show_what_a_curator_changed(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import csv
    import json

    import networkx as nx

    settings, docs, _ = setup
    build([docs], settings=settings)
    store = ["--store", str(settings.store_path)]
    assert main(["export", "--format", "events", "--out", str(tmp_path / "events.csv"), *store]) == EXIT_OK
    with (tmp_path / "events.csv").open(encoding="utf-8") as f:
        events = {r["event_iri"]: r for r in csv.DictReader(f)}
    assert events[ID + CAPTURE]["curated_by"] == "Camille Martin"
    assert ID + VAGUE not in events
    assert main(["export", "--format", "graphml", "--out", str(tmp_path / "g.graphml"), *store]) == EXIT_OK
    g = nx.read_graphml(tmp_path / "g.graphml")
    assert g.nodes[ID + "actor/malian-army"]["curatedBy"] == ""
    curated_edges = [d for _, _, d in g.edges(data=True) if d.get("curatedBy")]
    assert {d["type"] for d in curated_edges} == {"engagement", "hostility"}
    assert main(["export", "--format", "cyjs", "--out", str(tmp_path / "g.cyjs"), *store]) == EXIT_OK
    edges = json.loads((tmp_path / "g.cyjs").read_text(encoding="utf-8"))["elements"]["edges"]
    told = [ev for e in edges for ev in e["data"]["evidence"] if ev.get("id") == ID + CAPTURE]
    assert told and told[0]["curatedBy"] == ["Camille Martin"] and told[0]["date"] == "2023-11-24"
