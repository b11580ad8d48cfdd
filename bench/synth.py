"""A large graph of the shape kg writes, made through kg's own writing code.

Synthetic reports, each a few sentences like "L'Armée 17 attaque le Front 203 à Ville 41
le 3 mars 2022.", become the ``Extraction`` and ``Resolution`` that extraction and
resolution would hand over (mentions, sentences, evidence, parties, places, dates,
claims, relations), and ``kg.mapping.to_triples`` turns each into its named graph, as
``kg build`` does. Actors recur across reports as real ones do: who acts is drawn from
a Zipf law over M actors, so a few are in most reports and most in few.

    python bench/synth.py --engagements 10000 --store /tmp/big/store

Nothing here is a fact: the names are numbered and the graph serves only to time kg.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from collections.abc import Iterator
from pathlib import Path

from kg import mapping
from kg.model import (
    Claim,
    Document,
    Engagement,
    Entity,
    Evidence,
    Extraction,
    Mention,
    PartialDate,
    Relation,
    Resolution,
    Sentence,
)

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]
TYPES = ["Attack", "Capture", "AirStrike", "Shelling", "Ambush", "Siege", "Withdrawal", "Arrest"]
VERBS = {"Attack": "attaque", "Capture": "prend", "AirStrike": "bombarde", "Shelling": "pilonne",
         "Ambush": "tend une embuscade à", "Siege": "assiège", "Withdrawal": "se retire devant", "Arrest": "arrête"}
ACTOR_TYPES = ["ArmedGroup", "StateForce", "Militia", "Government", "Alliance"]
PER_DOCUMENT = 20  # engagements per report: the seeds have about 20


def _zipf(rng: random.Random, n: int, s: float = 1.1) -> list[float]:
    weights = [1 / (k + 1) ** s for k in range(n)]
    total = sum(weights)
    return [w / total for w in weights]


class Corpus:
    """N engagements among M actors over P places, in reports of PER_DOCUMENT each."""

    def __init__(self, engagements: int, *, actors: int | None = None, places: int | None = None,
                 seed: int = 7) -> None:
        self.n = engagements
        self.m = actors or max(50, engagements // 50)
        self.p = places or max(50, engagements // 20)
        self.rng = random.Random(seed)
        self.actor_weights = _zipf(self.rng, self.m)
        self.place_coords = [(self.rng.uniform(-30, 50), self.rng.uniform(-20, 120)) for _ in range(self.p)]

    def actor(self, k: int) -> Entity:
        return Entity(key=f"synth-actor-{k}", kind="actor", type=ACTOR_TYPES[k % len(ACTOR_TYPES)],
                      label=f"Groupe {k}", country=None)

    def place(self, k: int) -> Entity:
        lat, long = self.place_coords[k]
        return Entity(key=f"synth-place-{k}", kind="place", type="Town", label=f"Ville {k}",
                      lat=round(lat, 4) if k % 5 else None, long=round(long, 4) if k % 5 else None,
                      coordinate_source="synthetic" if k % 5 else None)

    def documents(self) -> Iterator[tuple[Extraction, Resolution]]:
        for i in range((self.n + PER_DOCUMENT - 1) // PER_DOCUMENT):
            yield self.document(i, min(PER_DOCUMENT, self.n - i * PER_DOCUMENT))

    def document(self, i: int, count: int) -> tuple[Extraction, Resolution]:
        rng = self.rng
        doc_id = f"{i:016x}"
        parts: list[str] = []
        sentences: list[Sentence] = []
        mentions: list[Mention] = []
        engagements: list[Engagement] = []
        relations: list[Relation] = []
        entities: dict[str, Entity] = {}
        links: list[tuple[int, str]] = []
        pos = 0

        def mention(sentence: int, start: int, text: str, entity: Entity) -> int:
            mentions.append(Mention(doc_id, sentence, start, start + len(text), text, entity.kind, entity.type))
            entities[entity.key] = entity
            links.append((len(mentions) - 1, entity.key))
            return len(mentions) - 1

        for j in range(count):
            a, t = rng.choices(range(self.m), self.actor_weights, k=2)
            if a == t:
                t = (t + 1) % self.m
            place = rng.randrange(self.p)
            day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(6 * 365))
            kind = rng.choice(TYPES)
            agent, target, where = self.actor(a), self.actor(t), self.place(place)
            head = f"Le {agent.label} "
            verb = f"{VERBS[kind]} le "
            tail = f"{target.label} à {where.label} le {day.day} {MONTHS[day.month - 1]} {day.year}."
            text = head + verb + tail
            s = len(sentences)
            sentences.append(Sentence(doc_id, s, pos, pos + len(text), text))
            ma = mention(s, pos + 3, agent.label, agent)
            mt = mention(s, pos + len(head) + len(verb), target.label, target)
            mp = mention(s, pos + len(head) + len(verb) + len(target.label) + 3, where.label, where)
            ev = Evidence(doc_id, s, pos, pos + len(text))
            claims = (Claim(ma, "captured", ev),) if kind == "Capture" and j % 3 == 0 else ()
            engagements.append(Engagement(kind, PartialDate(day.year, day.month, day.day), mp, (ma,), (mt,),
                                          ma if claims else None, rng.choice([None, None, 3, 12]), ev, 0.8, claims))
            if j % 4 == 0:  # a relation now and then between the same parties
                relations.append(Relation("opposes", ma, mt, ev, confidence=0.6))
            parts.append(text)
            pos += len(text) + 1
        text = "\n".join(parts) + "\n"
        doc = Document(doc_id, Path(f"/synthetic/report-{i:07d}.txt"), text, text, ((0, 0, len(text)),),
                       title=f"Rapport {i}", date=dt.date(2026, 1, 1))
        extraction = Extraction(doc, tuple(sentences), tuple(mentions), tuple(relations), tuple(engagements))
        return extraction, Resolution(entities, tuple(links))


def triples(extraction: Extraction, resolution: Resolution) -> tuple[set[mapping.Triple], set[mapping.Triple]]:
    """One report's named graph, and what it adds to the shared graph, as kg build writes them."""
    doc = extraction.document
    shared: set[mapping.Triple] = set()
    own = mapping.to_triples(extraction, resolution, ingested_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                             sources=[doc.path.as_uri()], name=doc.path.name, extractor="synthetic", shared=shared)
    return own, shared


def main() -> None:
    from kg import iris
    from kg.config import Settings
    from kg.pipeline import Accepted, BuildReport, GraphWriter, load_ontology
    from kg.store import open_store

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--engagements", type=int, default=10_000)
    p.add_argument("--store", type=Path, required=True)
    args = p.parse_args()
    store = open_store(args.store)
    t0 = time.perf_counter()
    try:
        load_ontology(store, Settings())
        writer = GraphWriter(store, BuildReport())  # as kg build writes new documents
        for extraction, resolution in Corpus(args.engagements).documents():
            own, shared = triples(extraction, resolution)
            doc, graph = extraction.document, iris.graph(extraction.document.id)
            writer.new(doc, Accepted(doc.path, doc.id, str(graph)), graph, own, shared)
        writer.flush()
        print(f"{args.engagements} engagements, {len(store)} triples in {time.perf_counter() - t0:.1f} s")
    finally:
        store.close()


if __name__ == "__main__":
    main()
