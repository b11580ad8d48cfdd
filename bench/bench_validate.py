"""Validation speed: full validation against per-document validation (pySHACL with
focus_nodes + the SPARQL checks on the store), on the seeds and on a larger graph made
of copies of the seeds' graphs (every instance IRI renamed per copy), measured in one
run; and HermiT's time on the seeds.

    .venv/bin/python bench/bench_validate.py [--copies 12] [--rounds 3]

Writes bench/results/validate.json and prints the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time

from corpus import built_seeds, copies  # type: ignore[import-not-found]
from rdflib import URIRef

from kg.config import PROJECT_ROOT, Settings
from kg.pipeline import ONTOLOGY_GRAPH
from kg.reason import reason
from kg.store import Store, open_store
from kg.validate import data_graph, validate


def timed(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(store: Store, settings: Settings, one: URIRef, rounds: int) -> dict[str, float]:
    data = data_graph(store)  # read once; each validation below reads the store afresh
    return {
        "triples": len(store),
        "full_s": round(timed(lambda: validate(store, settings=settings), rounds), 3),
        "per_document_s": round(timed(lambda: validate(store, settings=settings, graphs=[one]), rounds), 3),
        "per_document_given_data_s": round(
            timed(lambda: validate(store, settings=settings, graphs=[one], data=data), rounds), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    tmp, settings = built_seeds("kg-bench-validate-")
    seeds = open_store(settings.store_path)
    docs = [g for g in seeds.graphs() if g != ONTOLOGY_GRAPH]
    result: dict[str, object] = {"date": dt.date.today().isoformat(), "rounds": args.rounds}
    result["seeds"] = measure(seeds, settings, docs[0], args.rounds)
    report, _ = validate(seeds, settings=settings)
    result["seeds"]["counts"] = {s: report.count(s) for s in ("Violation", "Warning", "Info")}  # type: ignore[index]
    t0 = time.perf_counter()
    outcome = reason(seeds, settings=settings)
    result["hermit_seeds"] = {"seconds": round(time.perf_counter() - t0, 2), "consistent": outcome.consistent,
                              "inferred": outcome.inferred, "input_triples": outcome.input_triples}
    big = open_store(tmp / "big")
    graphs = copies(seeds, big, args.copies, settings)
    seeds.close()
    result[f"copies_{args.copies}"] = measure(big, settings, graphs[0], args.rounds)
    big.close()
    out = PROJECT_ROOT / "bench" / "results" / "validate.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for key in ("seeds", f"copies_{args.copies}"):
        r = result[key]
        assert isinstance(r, dict)
        print(f"{key:10s} {r['triples']:8d} triples: full {r['full_s']:6.2f} s, one document "
              f"{r['per_document_s']:6.2f} s ({r['per_document_given_data_s']:.2f} s with the data graph "
              f"already read), ratio full/one {r['full_s'] / r['per_document_s']:.1f}")
    print(f"HermiT on the seeds: {result['hermit_seeds']}")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
