"""Build throughput on the seeds: words per second of the whole pipeline (ingest,
extract, resolve, mapping, store write into an empty store opened beforehand, as the
model is loaded beforehand) against spaCy alone (fr_core_news_md, nlp.pipe)
on the same text, measured in one run, alternating, after both are warm.

    .venv/bin/python bench/bench_build.py [--rounds 5]

Writes bench/results/build.json and prints the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path

import spacy

from kg import gazetteer, ingest, iris, mapping
from kg.config import PROJECT_ROOT, Settings
from kg.extract import extract, pipeline
from kg.model import Extraction
from kg.resolve import resolve
from kg.store import open_store


def words(text: str) -> int:
    return len(text.split())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    settings = Settings()
    docs = [ingest.read(p) for p in ingest.discover([PROJECT_ROOT / "seeds"]) if isinstance(p, Path)]
    n_words = sum(words(d.analysis) for d in docs)

    t = time.perf_counter()
    plain = spacy.load(settings.spacy_model)
    load_spacy = time.perf_counter() - t
    t = time.perf_counter()
    pipeline(settings.spacy_model, settings.reference_dir)
    load_kg = time.perf_counter() - t
    t = time.perf_counter()
    gazetteer.lookup("Lashio", "MM")
    load_gazetteer = time.perf_counter() - t

    def run_spacy() -> float:
        t0 = time.perf_counter()
        for _ in plain.pipe((d.analysis for d in docs), batch_size=settings.spacy_batch_size):
            pass
        return time.perf_counter() - t0

    # a first build into an empty store each round; stores are opened before the clock
    # starts, as the model is loaded before it
    stores = [open_store(Path(tempfile.mkdtemp())) for _ in range(args.rounds + 1)]

    def run_kg() -> float:
        store = stores.pop()
        t0 = time.perf_counter()
        fresh = [ingest.read(d.path) for d in docs]
        now = dt.datetime.now(dt.UTC)
        for ex in extract(fresh, settings=settings):
            assert isinstance(ex, Extraction), ex
            res = resolve(ex, settings=settings)
            store.replace_graph(iris.graph(ex.document.id),
                                mapping.to_triples(ex, res, ingested_at=now))  # type: ignore[arg-type]
        elapsed = time.perf_counter() - t0
        store.close()
        return elapsed

    run_spacy(), run_kg()  # warm-up
    t_spacy, t_kg = [], []
    for _ in range(args.rounds):
        t_spacy.append(run_spacy())
        t_kg.append(run_kg())
    for s in stores:
        s.close()
    ws, wk = n_words / statistics.median(t_spacy), n_words / statistics.median(t_kg)
    # each kg round against the spaCy round just before it: the machine's drift cancels
    paired = statistics.median(s_ / k for s_, k in zip(t_spacy, t_kg, strict=True))
    result = {
        "date": dt.date.today().isoformat(),
        "documents": len(docs),
        "words": n_words,
        "rounds": args.rounds,
        "spacy_alone_words_per_s": round(ws),
        "kg_pipeline_words_per_s": round(wk),
        "ratio_kg_to_spacy": round(wk / ws, 3),
        "ratio_paired_median": round(paired, 3),
        "median_s": {"spacy": round(statistics.median(t_spacy), 3),
                     "kg": round(statistics.median(t_kg), 3)},
        "startup_s": {"spacy_load": round(load_spacy, 2), "kg_pipeline_load": round(load_kg, 2),
                      "gazetteer_index": round(load_gazetteer, 2)},
    }
    out = PROJECT_ROOT / "bench" / "results" / "build.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"seeds: {len(docs)} documents, {n_words} words, median of {args.rounds} rounds")
    print(f"spaCy alone   {ws:10.0f} words/s")
    print(f"kg pipeline   {wk:10.0f} words/s   ratio {wk / ws:.3f} (median of paired rounds {paired:.3f})")
    print(f"startup: spaCy load {load_spacy:.1f} s, kg pipeline load {load_kg:.1f} s, "
          f"gazetteer index {load_gazetteer:.1f} s")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
