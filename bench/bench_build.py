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
    result["workers"] = by_workers(docs, plain, settings)
    out = PROJECT_ROOT / "bench" / "results" / "build.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"seeds: {len(docs)} documents, {n_words} words, median of {args.rounds} rounds")
    print(f"spaCy alone   {ws:10.0f} words/s")
    print(f"kg pipeline   {wk:10.0f} words/s   ratio {wk / ws:.3f} (median of paired rounds {paired:.3f})")
    print(f"startup: spaCy load {load_spacy:.1f} s, kg pipeline load {load_kg:.1f} s, "
          f"gazetteer index {load_gazetteer:.1f} s")
    w = result["workers"]
    print(f"kg build of {w['documents']} documents ({w['words']} words), no validation: spaCy alone "
          f"{w['spacy_cpu_s']} s CPU; " + ", ".join(
              f"{n} worker(s) {r['wall_s']} s wall, {r['cpu_s']} s CPU ({r['cpu_vs_spacy']}x spaCy)"
              for n, r in w["runs"].items()))
    print(f"wrote {out}")


def by_workers(docs: list, plain: spacy.language.Language, settings: Settings,  # type: ignore[type-arg]
               copies: int = 8) -> dict[str, object]:
    """``kg build --no-validate`` of a larger corpus (each seed ``copies`` times, each
    copy's text made its own by a first line) with 1 and 2 extraction processes, each
    run in its own process from a cold start (model loads included): wall time, and CPU
    time (its processes' and their children's) against spaCy alone's CPU on the same texts."""
    import os
    import subprocess
    import sys

    folder = Path(tempfile.mkdtemp(prefix="kg-workers-"))
    (folder / "docs").mkdir()
    texts = []
    for i in range(copies):
        for d in docs:
            text = f"Copie {i}.\n\n" + d.path.read_text(encoding="utf-8")
            (folder / "docs" / f"{i:02d}-{d.path.name}").write_text(text, encoding="utf-8")
            texts.append(text)
    c0 = time.process_time()
    for _ in plain.pipe(texts, batch_size=settings.spacy_batch_size):
        pass
    spacy_cpu = time.process_time() - c0
    runs: dict[str, dict[str, float]] = {}
    for n in (1, 2):
        before = os.times()
        t0 = time.perf_counter()
        kg = str(Path(sys.executable).parent / "kg")
        subprocess.run([kg, "build", str(folder / "docs"), "--out", str(folder / f"out{n}"), "--no-validate",
                        "--quiet", "--curation", str(folder / "none"), "--workers", str(n)],
                       check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = os.times()
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        runs[str(n)] = {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "cpu_vs_spacy": round(cpu / spacy_cpu, 2)}
    return {"documents": len(texts), "words": sum(len(t.split()) for t in texts),
            "spacy_cpu_s": round(spacy_cpu, 1), "runs": runs}


if __name__ == "__main__":
    main()
