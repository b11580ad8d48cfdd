"""The rules' sentence tables (tests/data/extract/sentences/*.yaml): French sentences
written for the tests, about conflicts across the world, each with what it must give
(actors and their types, persons, engagements, relations) and what it must not.

All sentences run through the real pipeline in one batch (one spaCy pass), then each
case checks its own document. A case marked ``known_gap`` states a limit of today's
rules: it is expected to fail (strict xfail), so the day a rule fixes it the test
says so and the mark comes off.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg.config import Settings
from kg.extract import extract
from kg.ingest import read
from kg.model import Engagement, Extraction, PartialDate, Relation, Resolution
from kg.resolve import resolve
from kg.text import fold
from kg.vocab import SYMMETRIC_RELATIONS

from .conftest import DATA

SETTINGS = Settings()
TABLES = sorted((DATA / "extract" / "sentences").glob("*.yaml"))
CASES = [(path.stem, i, case) for path in TABLES
         for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")))]


def _date(d: PartialDate | None) -> str | None:
    if d is None:
        return None
    if d.year is None:
        return f"--{d.month:02d}-{d.day:02d}" if d.day else f"--{d.month:02d}"
    return "-".join([f"{d.year:04d}"] + [f"{p:02d}" for p in (d.month, d.day) if p])


class Doc:
    """One sentence's extraction and resolution, with the names of each party."""

    def __init__(self, ex: Extraction, res: Resolution) -> None:
        self.ex, self.res = ex, res
        self.entity_of: dict[int, list[str]] = {}
        for i, key in res.mention_entities:
            self.entity_of.setdefault(i, []).append(key)
        self.names: dict[str, set[str]] = {}  # entity key -> every folded name it has here
        for i, keys in self.entity_of.items():
            for key in keys:
                names = self.names.setdefault(key, {fold(res.entities[key].label)})
                names.add(fold(ex.mentions[i].text))

    def party_names(self, party: int | str | None) -> set[str]:
        if party is None:
            return set()
        if isinstance(party, str):
            return {fold(party)}
        out = {fold(self.ex.mentions[party].text)}
        for key in self.entity_of.get(party, []):
            out |= self.names[key]
        return out

    def named(self, name: str, parties: tuple[int, ...] | list[int]) -> bool:
        return any(fold(name) in self.party_names(p) for p in parties)


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], Doc]:
    folder = tmp_path_factory.mktemp("sentences")
    paths = {}
    for table, i, case in CASES:
        path = folder / f"{table}_{i:03d}.txt"
        date = case.get("date")
        head = f"---\ndate: {date.isoformat() if isinstance(date, dt.date) else date}\n---\n" if date else ""
        path.write_text(head + case["text"] + "\n", encoding="utf-8")
        paths[(table, i)] = path
    out = {}
    documents = [read(p) for p in paths.values()]
    for key, ex in zip(paths, extract(documents, settings=SETTINGS), strict=True):
        assert isinstance(ex, Extraction), ex
        out[key] = Doc(ex, resolve(ex, settings=SETTINGS))
    return out


def _engagement_ok(doc: Doc, want: dict[str, Any], e: Engagement) -> bool:
    if e.type != want["type"]:
        return False
    if "date" in want and _date(e.date) != str(want["date"]):
        return False
    if "precision" in want and (e.date is None or e.date.precision != want["precision"]):
        return False
    if not all(doc.named(a, e.agents) for a in want.get("agents", [])):
        return False
    if not all(doc.named(t, e.targets) for t in want.get("targets", [])):
        return False
    if "place" in want and fold(want["place"]) not in doc.party_names(e.place):
        return False
    if "fatalities" in want and e.fatalities != want["fatalities"]:
        return False
    if "contested" in want:  # a denial is one more account, and the claim is contested
        outcomes = {c.outcome or "asserted" for c in e.claims}
        if (len(outcomes) > 1) != want["contested"]:
            return False
    claimant = fold(want.get("claimed_by", ""))
    return not claimant or claimant in doc.party_names(e.claimed_by) or any(
        claimant in doc.party_names(c.source) for c in e.claims)


def _relation_ok(doc: Doc, want: dict[str, Any], r: Relation) -> bool:
    if r.type != want["type"]:
        return False
    pairs = [(r.subject, r.object)] + ([(r.object, r.subject)] if r.type in SYMMETRIC_RELATIONS else [])
    if not any(fold(want["subject"]) in doc.party_names(s) and fold(want["object"]) in doc.party_names(o)
               for s, o in pairs):
        return False
    for edge in ("start", "end"):
        if edge in want and _date(getattr(r, edge)) != str(want[edge]):
            return False
    return True


def _describe(doc: Doc) -> str:
    def names(parties: tuple[int, ...] | list[int]) -> list[str]:
        return [doc.ex.mentions[p].text for p in parties]
    engagements = [(e.type, _date(e.date), names(e.agents), names(e.targets),
                    doc.ex.mentions[e.place].text if e.place is not None else None)
                   for e in doc.ex.engagements]
    relations = [(r.type, doc.ex.mentions[r.subject].text, doc.ex.mentions[r.object].text,
                  _date(r.start), _date(r.end)) for r in doc.ex.relations]
    mentions = [(m.text, m.kind, m.type) for m in doc.ex.mentions]
    return f"engagements={engagements}\nrelations={relations}\nmentions={mentions}"


def _params() -> list[Any]:
    out = []
    for table, i, case in CASES:
        marks = [pytest.mark.xfail(reason=case["known_gap"], strict=True)] if case.get("known_gap") else []
        out.append(pytest.param(table, i, case, id=f"{table}-{i:03d}", marks=marks))
    return out


@pytest.mark.parametrize(("table", "i", "case"), _params())
def test_sentence(docs: dict[tuple[str, int], Doc], table: str, i: int, case: dict[str, Any]) -> None:
    doc = docs[(table, i)]
    why = f"{case['text']}\n{_describe(doc)}"
    for name, type_ in (case.get("actors") or {}).items():
        keys = {k for m, ks in doc.entity_of.items() for k in ks
                if fold(name) in (fold(doc.ex.mentions[m].text), fold(doc.res.entities[k].label))
                and doc.res.entities[k].kind == "actor"}
        assert keys, f"no actor {name!r}\n{why}"
        assert {doc.res.entities[k].type for k in keys} == {type_}, f"{name!r} not a {type_}\n{why}"
    for name in case.get("persons") or []:
        assert any(m.kind == "person" and fold(m.text) == fold(name) for m in doc.ex.mentions), \
            f"no person {name!r}\n{why}"
    for name in case.get("not_actors") or []:
        # a place or a title is neither an actor nor a person; a person listed as one is no actor
        kinds = ("actor",) if name in (case.get("persons") or []) else ("actor", "person")
        assert not any(m.kind in kinds and fold(m.text) == fold(name)
                       for m in doc.ex.mentions), f"{name!r} taken for an actor\n{why}"
    if "engagements" in case:
        wants = case["engagements"] or []
        if not wants:
            assert not doc.ex.engagements, f"an engagement where none is\n{why}"
        for want in wants:
            assert any(_engagement_ok(doc, want, e) for e in doc.ex.engagements), f"missing {want}\n{why}"
    if "engagement_count" in case:  # the same event told twice is one engagement
        assert len(doc.ex.engagements) == case["engagement_count"], f"not {case['engagement_count']}\n{why}"
    if "relations" in case:
        wants = case["relations"] or []
        if not wants:
            assert not doc.ex.relations, f"a relation where none is\n{why}"
        for want in wants:
            assert any(_relation_ok(doc, want, r) for r in doc.ex.relations), f"missing {want}\n{why}"


def test_tables_cover_the_world() -> None:
    """At least 100 sentences, about conflicts outside Myanmar and Mali among them,
    and every table has sentences that must give nothing."""
    assert len(CASES) >= 100
    texts = " ".join(c["text"] for _, _, c in CASES)
    for place in ("Soudan", "Gaza", "Kharkiv", "Port-au-Prince", "Somalie", "nigérian", "Colombie", "RDC"):
        assert place in texts, place
    assert any(c.get("engagements") == [] for _, _, c in CASES)
    assert any(c.get("relations") == [] for _, _, c in CASES)


def test_tables_are_own_sentences() -> None:
    """No sentence of a table is one of the seeds' sentences (rules are tested on text
    they were not written from)."""
    seeds = " ".join(" ".join(p.read_text(encoding="utf-8").split())
                     for p in (Path(__file__).parent.parent / "seeds").glob("*.txt"))
    for _, _, case in CASES:
        assert " ".join(case["text"].split()) not in seeds
