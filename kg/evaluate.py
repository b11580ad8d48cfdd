"""Gold files vs the graph: precision, recall and F1 for actors, persons, relations,
engagements and engagement types, per document and overall, with the misses and false
positives and their evidence (../shared/eval/FORMAT.md, its matching rules).

Items are matched one to one: a duplicate extracted item counts as a false positive
rather than a second hit. Among the pairs the rules allow, those where the extracted
sentence contains the gold evidence, then those of the same type, are taken first: the
rules decide whether items match, this only which pairs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.term import Identifier

from . import sparql
from .errors import InputError
from .queries import bind
from .store import Store
from .text import fold

KINDS = ("actors", "persons", "relations", "engagements")

@dataclass
class Score:
    gold: int = 0
    extracted: int = 0
    hits: int = 0  # gold items found
    correct: int = 0  # extracted items that match
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else 0.0

    @property
    def recall(self) -> float:
        return self.hits / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.gold += other.gold
        self.extracted += other.extracted
        self.hits += other.hits
        self.correct += other.correct


@dataclass
class DocScore:
    document: str
    scores: dict[str, Score]
    type_matched: int = 0
    type_correct: int = 0
    actor_type_matched: int = 0  # matched actors, and those whose class is the gold type
    actor_type_correct: int = 0


# gold actor types (FORMAT.md) whose ontology class has another name
_CLASS = {"Other": "OtherOrganization"}


def _lit(v: Any) -> str:
    return str(v) if v is not None else ""


def _names(gold_items: list[dict[str, Any]]) -> dict[str, set[str]]:
    return {g["id"]: {fold(m) for m in g.get("mentions", [])} for g in gold_items}


def _pairs(gold: list[Any], extracted: list[Any], match, prefer=None):  # type: ignore[no-untyped-def]
    """One-to-one pairs under the matching rule, as many as can be (a maximum matching of
    the bipartite graph of matching pairs, networkx's blossom algorithm; taking pairs
    greedily can leave a gold item unmatched that another choice would have matched).
    Among the maximum matchings, the one whose pairs ``prefer`` ranks highest (the rules
    decide whether items match, ``prefer`` only which of them pair up)."""
    g = nx.Graph()
    for ei, e in enumerate(extracted):
        for gi, item in enumerate(gold):
            if match(item, e):
                rank = prefer(item, e) if prefer is not None else ()
                bonus = sum(2 ** -(k + 1) for k, flag in enumerate(rank if isinstance(rank, tuple) else (rank,))
                            if flag)
                g.add_edge(("g", gi), ("e", ei), weight=1 + bonus / (len(gold) + len(extracted) + 1))
    pairs = sorted((a[1], b[1]) if a[0] == "g" else (b[1], a[1])
                   for a, b in nx.max_weight_matching(g, maxcardinality=True))
    return {gi for gi, _ in pairs}, {ei for _, ei in pairs}, pairs


def _date_matches(gold: str | None, precision: str, got: str) -> bool:
    if gold is None:
        return True
    if not got:
        return False
    if gold.startswith("--"):  # no year: month (and day) alone
        g_parts = gold[2:].split("-")
        if got.startswith("--"):
            e_parts = got[2:].split("-")
        else:
            e_parts = got.split("-")[1:]
        if len(e_parts) < len(g_parts):
            return False
        if len(g_parts) == 1:
            return e_parts[0] == g_parts[0]
        try:
            gd = dt.date(2000, int(g_parts[0]), int(g_parts[1]))
            ed = dt.date(2000, int(e_parts[0]), int(e_parts[1]))
        except ValueError:
            return False
        return abs((gd - ed).days) <= 1
    if got.startswith("--"):
        return False
    if precision == "day" or len(gold) == 10:
        if len(got) < 10:
            return False
        return abs((dt.date.fromisoformat(gold) - dt.date.fromisoformat(got[:10])).days) <= 1
    return got.startswith(gold)  # month or year: any finer date inside it


class _Graph:
    """One document's extracted items, read from the store."""

    def __init__(self, store: Store, file_name: str) -> None:
        vals: dict[str, Identifier] = {"file": Literal(file_name)}
        self.labels: dict[URIRef, set[str]] = {}
        self.classes: dict[URIRef, set[str]] = {}
        self.shown: dict[URIRef, str] = {}
        for r in store.query(bind(sparql.text("eval_entities"), vals)).rows:
            node = r["node"]
            self.labels.setdefault(node, set()).add(fold(_lit(r["label"])))  # type: ignore[arg-type]
            self.classes.setdefault(node, set()).add(_lit(r["class"]).rsplit("#", 1)[-1])  # type: ignore[arg-type]
            self.shown.setdefault(node, _lit(r["label"]))  # type: ignore[arg-type]
        for r in store.query(bind(sparql.text("eval_pref_labels"), vals)).rows:
            if r["node"] in self.labels:
                self.labels[r["node"]].add(fold(_lit(r["label"])))  # type: ignore[index]
        rels: dict[Any, tuple] = {}  # type: ignore[type-arg]
        for r in store.query(bind(sparql.text("eval_relations"), vals)).rows:  # one per relation node
            rels.setdefault(r["rel"], (r["type"], r["s"], r["o"], ""))
            t, s_, o, sent = rels[r["rel"]]
            rels[r["rel"]] = (t, s_, o, sent + " " + _lit(r["sentence"]))
        self.relations = list(rels.values())
        events: dict[URIRef, dict[str, Any]] = {}
        for r in store.query(bind(sparql.text("eval_engagements"), vals)).rows:
            e = events.setdefault(r["e"], {  # type: ignore[arg-type]
                "type": _lit(r["class"]).rsplit("#", 1)[-1], "date": _lit(r.get("date")),
                "agents": set(), "targets": set(), "place": r.get("place"),
                "sentence": _lit(r["sentence"])})
            if "agent" in r:
                e["agents"].add(r["agent"])
            if "target" in r:
                e["targets"].add(r["target"])
        self.engagements = list(events.values())

    def nodes(self, person: bool) -> list[URIRef]:
        actor_classes = {"State", "StateForce", "Government", "ArmedGroup", "Militia", "Alliance",
                         "PoliticalOrganization", "InternationalOrganization",
                         "OtherOrganization", "Actor"}
        return sorted(n for n, cs in self.classes.items()
                      if ("Person" in cs) == person and (person or cs & actor_classes))


def score_document(store: Store, gold: dict[str, Any]) -> DocScore:
    graph = _Graph(store, gold["document"])
    names = {**_names(gold.get("actors", [])), **_names(gold.get("persons", [])),
             **_names(gold.get("places", []))}

    def is_(node: Any, gold_id: str | None) -> bool:
        return gold_id is not None and bool(graph.labels.get(node, set()) & names.get(gold_id, set()))

    scores: dict[str, Score] = {}
    for kind, person in (("actors", False), ("persons", True)):
        items = gold.get(kind, [])
        nodes = graph.nodes(person)
        hit_g, hit_e, actor_pairs = _pairs(items, nodes, lambda g, n: is_(n, g["id"]))
        if not person:
            typed = [(items[gi], nodes[ni]) for gi, ni in actor_pairs]
            actor_types = (len(typed), sum(1 for g, n in typed
                                           if _CLASS.get(g.get("type"), g.get("type")) in graph.classes[n]))
        scores[kind] = Score(
            gold=len(items), extracted=len(nodes), hits=len(hit_g), correct=len(hit_e),
            misses=[f"{g['id']} ({', '.join(g['mentions'][:3])})" for i, g in enumerate(items)
                    if i not in hit_g],
            false_positives=[f"{graph.shown[n]} [{'/'.join(sorted(graph.classes[n]))}]"
                             for i, n in enumerate(nodes) if i not in hit_e],
        )

    def rel_match(g: dict[str, Any], e: tuple) -> bool:  # type: ignore[type-arg]
        t, s, o, _ = e
        if str(t) != g["type"]:
            return False
        if is_(s, g["subject"]) and is_(o, g["object"]):
            return True
        return g["type"] in ("alliedWith", "opposes", "agreement") and is_(s, g["object"]) and is_(o, g["subject"])

    rels = gold.get("relations", [])
    hit_g, hit_e, _ = _pairs(rels, graph.relations, rel_match,
                              lambda g, e: fold(g["evidence"]) in fold(e[3]))
    scores["relations"] = Score(
        gold=len(rels), extracted=len(graph.relations), hits=len(hit_g), correct=len(hit_e),
        misses=[f"{g['type']} {g['subject']} -> {g['object']}: «{g['evidence']}»"
                for i, g in enumerate(rels) if i not in hit_g],
        false_positives=[f"{t} {graph.shown.get(s, s)} -> {graph.shown.get(o, o)}: «{sent.strip()[:160]}»"
                         for i, (t, s, o, sent) in enumerate(graph.relations) if i not in hit_e],
    )

    def eng_match(g: dict[str, Any], e: dict[str, Any]) -> bool:
        if not _date_matches(g.get("date"), g.get("date_precision", "day"), e["date"]):
            return False
        if any(is_(a, ga) for a in e["agents"] for ga in g.get("agents", [])):
            return True
        if any(is_(t, gt) for t in e["targets"] for gt in g.get("targets", [])):
            return True
        return e["place"] is not None and is_(e["place"], g.get("place"))

    engs = gold.get("engagements", [])
    def eng_prefer(g: dict[str, Any], e: dict[str, Any]) -> tuple[bool, bool]:
        return fold(g["evidence"]) in fold(e["sentence"]), g["type"] == e["type"]

    hit_g, hit_e, index_pairs = _pairs(engs, graph.engagements, eng_match, eng_prefer)
    pairs = [(engs[gi], graph.engagements[ei]) for gi, ei in index_pairs]
    scores["engagements"] = Score(
        gold=len(engs), extracted=len(graph.engagements), hits=len(hit_g), correct=len(hit_e),
        misses=[f"{g['type']} {g.get('date')} {g.get('place')} {g.get('agents')}->{g.get('targets')}: "
                f"«{g['evidence']}»" for i, g in enumerate(engs) if i not in hit_g],
        false_positives=[f"{e['type']} {e['date'] or '?'}: «{e['sentence'].strip()[:160]}»"
                         for i, e in enumerate(graph.engagements) if i not in hit_e],
    )
    return DocScore(gold["document"], scores, type_matched=len(pairs),
                    type_correct=sum(1 for g, e in pairs if g["type"] == e["type"]),
                    actor_type_matched=actor_types[0], actor_type_correct=actor_types[1])


def load_gold(gold_dir: Path) -> list[dict[str, Any]]:
    files = sorted(gold_dir.glob("*.gold.json"))
    if not files:
        raise InputError(gold_dir, "holds no *.gold.json file")
    out = []
    for f in files:
        try:
            out.append(json.loads(f.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f, f"gold file cannot be read: {exc}") from exc
    return out


def evaluate(store: Store, golds: Iterable[dict[str, Any]]) -> tuple[list[DocScore], DocScore]:
    docs = [score_document(store, g) for g in golds]
    total = DocScore("overall", {k: Score() for k in KINDS})
    for d in docs:
        for k in KINDS:
            total.scores[k].add(d.scores[k])
        total.type_matched += d.type_matched
        total.type_correct += d.type_correct
        total.actor_type_matched += d.actor_type_matched
        total.actor_type_correct += d.actor_type_correct
    return docs, total


def report(docs: list[DocScore], total: DocScore, *, details: bool = True) -> str:
    lines = [f"{'document':28} {'kind':12} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5} {'got':>5}"]
    for d in (*docs, total):
        for k in KINDS:
            s = d.scores[k]
            lines.append(f"{d.document:28} {k:12} {s.precision:6.2f} {s.recall:6.2f} {s.f1:6.2f} "
                         f"{s.gold:5d} {s.extracted:5d}")
        share = d.type_correct / d.type_matched if d.type_matched else 0.0
        lines.append(f"{d.document:28} {'eng. type':12} {share:6.2f} of {d.type_matched} matched")
        share = d.actor_type_correct / d.actor_type_matched if d.actor_type_matched else 0.0
        lines.append(f"{d.document:28} {'actor type':12} {share:6.2f} of {d.actor_type_matched} matched")
    if details:
        for d in docs:
            for k in KINDS:
                s = d.scores[k]
                for m in s.misses:
                    lines.append(f"MISS {d.document} {k}: {m}")
                for fp in s.false_positives:
                    lines.append(f"FP   {d.document} {k}: {fp}")
    return "\n".join(lines)


def as_json(docs: list[DocScore], total: DocScore) -> dict[str, Any]:
    def one(d: DocScore) -> dict[str, Any]:
        return {
            "document": d.document,
            **{k: {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
                   "f1": round(s.f1, 4), "gold": s.gold, "extracted": s.extracted,
                   "misses": s.misses, "false_positives": s.false_positives}
               for k, s in d.scores.items()},
            "engagement_type_accuracy": round(d.type_correct / d.type_matched, 4)
            if d.type_matched else None,
            "actor_type_accuracy": round(d.actor_type_correct / d.actor_type_matched, 4)
            if d.actor_type_matched else None,
        }
    return {"documents": [one(d) for d in docs], "overall": one(total)}
