"""Build throughput on the seeds: words per second of the whole pipeline (ingest,
extract, resolve, mapping, store write into an empty store opened beforehand, as the
model is loaded beforehand) against spaCy alone (fr_core_news_md, nlp.pipe)
on the same text, measured in one run, alternating, after both are warm; then the
whole ``kg build`` of 100 documents against spaCy alone, each a cold process (``by_workers``).

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
    result["workers"] = by_workers(docs, settings)
    out = PROJECT_ROOT / "bench" / "results" / "build.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"seeds: {len(docs)} documents, {n_words} words, median of {args.rounds} rounds")
    print(f"spaCy alone   {ws:10.0f} words/s")
    print(f"kg pipeline   {wk:10.0f} words/s   ratio {wk / ws:.3f} (median of paired rounds {paired:.3f})")
    print(f"startup: spaCy load {load_spacy:.1f} s, kg pipeline load {load_kg:.1f} s, "
          f"gazetteer index {load_gazetteer:.1f} s")
    w = result["workers"]
    print(f"kg build of {w['documents']} documents ({w['words']} words), cold processes, median of "
          f"{w['rounds']} rounds: spaCy alone {w['spacy_cold_cpu_s']} s CPU; " + "; ".join(
              f"{name} worker(s) {r['wall_s']} s wall, {r['cpu_s']} s CPU ({r['cpu_vs_spacy']}x spaCy)"
              for name, r in w["runs"].items()))
    print(f"wrote {out}")


SPACY_ALONE = """
import sys
from pathlib import Path
import spacy
nlp = spacy.load(sys.argv[1])
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[2]).iterdir())]
for _ in nlp.pipe(texts, batch_size=int(sys.argv[3])):
    pass
"""


def by_workers(docs: list, settings: Settings, copies: int = 20, rounds: int = 3) -> dict[str, object]:
    """The whole ``kg build`` of a larger corpus (each seed ``copies`` times, each copy's
    text made its own by a first line) against spaCy alone on the same texts, each in its
    own process from a cold start (Python, imports, the model's load: what a user waits
    for), CPU time of the process and its children. Runs, in each round: spaCy alone;
    ``kg build --no-validate`` with 1 and 2 extraction processes; ``kg build`` with its
    validation (1 process). Each kg run against the spaCy run of its round (the
    machine's drift cancels), median over rounds."""
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
    kg = str(Path(sys.executable).parent / "kg")
    variants = {
        "spacy": [sys.executable, "-c", SPACY_ALONE, settings.spacy_model, str(folder / "docs"),
                  str(settings.spacy_batch_size)],
        "1": [kg, "build", str(folder / "docs"), "--no-validate", "--workers", "1"],
        "2": [kg, "build", str(folder / "docs"), "--no-validate", "--workers", "2"],
        "1 validated": [kg, "build", str(folder / "docs"), "--workers", "1"],
    }
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for r in range(rounds):
        for name, command in variants.items():
            out = ["--out", str(folder / f"out-{r}-{name.replace(' ', '-')}"), "--quiet",
                   "--curation", str(folder / "none")] if name != "spacy" else []
            before = os.times()
            t0 = time.perf_counter()
            done = subprocess.run([*command, *out], check=False, stdout=subprocess.DEVNULL)
            wall = time.perf_counter() - t0
            after = os.times()
            if done.returncode != 0:  # 2: documents skipped, 1: an error; neither is a build to time
                raise SystemExit(f"{name}: exit status {done.returncode}")
            runs[name].append((wall, (after.children_user - before.children_user)
                               + (after.children_system - before.children_system)))
    spacy_cpu = [cpu for _, cpu in runs["spacy"]]
    result: dict[str, dict[str, float]] = {}
    for name, measured in runs.items():
        result[name] = {
            "wall_s": round(statistics.median(w for w, _ in measured), 1),
            "cpu_s": round(statistics.median(c for _, c in measured), 1),
            "cpu_vs_spacy": round(statistics.median(c / s for (_, c), s in zip(measured, spacy_cpu, strict=True)), 2),
        }
    return {"documents": len(texts), "words": sum(len(t.split()) for t in texts), "rounds": rounds,
            "spacy_cold_cpu_s": result.pop("spacy")["cpu_s"], "runs": result}


if __name__ == "__main__":
    main()
