"""kg at scale: a synthetic graph of N engagements (bench/synth.py, written through kg's own
mapping and store), then, measured in one run for each size:

- load: kg's write path (``pipeline.GraphWriter``: new reports in batches, as ``kg build``
  writes them) against pyoxigraph's ``bulk_load`` of the same quads (ratio);
- every named query, p50 and p99 of ``--n`` runs in-process (plain values read as
  ``kg query`` reads them): the whole answer, its first page (``--limit 100``), and, for
  the queries that take one, with a parameter (the actor, place or node that recurs most);
- validation of one report (``kg validate --document``), an export slice (GEXF of the
  busiest actor's neighbourhood), and validation of the whole store (in its own process);
- the process's peak resident memory after each step (ru_maxrss: it only grows).

From ``--bounded-from`` engagements on, only what a target bounds is measured: first
pages, parameters, one report's validation, the load, and the slice of the least busy
actor. Whole answers, the busiest actor's slice (most of the graph) and whole-store
validation grow with the graph and would take hours at a million engagements.

The whole store is validated below ``--validate-store-below`` engagements. A variant
whose run takes more than 30 s runs once. Each size's store is deleted after it.

    .venv/bin/python bench/bench_scale.py [--sizes 10000 30000] [--n 5] [--bounded-from 300000]

Writes bench/results/scale.json and scale.md, and plots bench/plots/scale-*.png (log-log).
Each size runs in its own process, so its memory is its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS, PLOTS = HERE / "results", HERE / "plots"
REPEAT_UNDER = 30.0  # seconds: a variant slower than this runs once
PARAMS = {"engagements": "actor", "actors": "actor", "relations": "subject", "aliases": "node", "places": "place"}


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def one_size(n_engagements: int, runs: int, bounded: bool = False, validate_whole: bool = True) -> dict[str, Any]:
    import pyoxigraph as ox
    import synth  # type: ignore[import-not-found]

    from kg import iris, queries
    from kg.config import Settings
    from kg.export import gexf
    from kg.export.network import build_network
    from kg.pipeline import Accepted, BuildReport, GraphWriter, load_ontology
    from kg.store import open_store
    from kg.store.base import statement_lines
    from kg.validate import validate

    out: dict[str, Any] = {"engagements": n_engagements, "bounded": bounded}
    tmp = Path(tempfile.mkdtemp(prefix="kg-scale-"))
    settings = Settings(out_dir=tmp / "out")
    store = open_store(tmp / "store")
    load_ontology(store, settings)
    nquads = tmp / "all.nq"
    writer = GraphWriter(store, BuildReport())  # kg build's write path for new documents
    t_make = t_write = 0.0
    with nquads.open("w", encoding="utf-8") as f:
        for extraction, resolution in synth.Corpus(n_engagements).documents():
            t0 = time.perf_counter()
            own, shared = synth.triples(extraction, resolution)
            t1 = time.perf_counter()
            graph = iris.graph(extraction.document.id)
            writer.new(extraction.document, Accepted(extraction.document.path, extraction.document.id, str(graph)),
                       graph, own, shared)
            t_write += time.perf_counter() - t1
            t_make += t1 - t0
            for line in statement_lines(own):
                f.write(f"{line[:-2]} {graph.n3()} .\n")
            for line in statement_lines(shared):
                f.write(f"{line[:-2]} {iris.SHARED_GRAPH.n3()} .\n")
    t0 = time.perf_counter()
    writer.flush()
    t_write += time.perf_counter() - t0
    out["triples"] = len(store)
    out["mapping_s"] = round(t_make, 2)
    out["kg_write_s"] = round(t_write, 2)
    out["rss_after_load_mib"] = round(_rss_mib())
    bulk = ox.Store(str(tmp / "bulk"))
    t0 = time.perf_counter()
    bulk.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    out["bulk_load_s"] = round(time.perf_counter() - t0, 2)
    out["write_vs_bulk_load"] = round(t_write / out["bulk_load_s"], 2)
    del bulk
    shutil.rmtree(tmp / "bulk")  # a million engagements: tens of GB on disk
    nquads.unlink()

    top = {  # the node that recurs most, for the parameterised runs
        "actor": str(iris.entity("actor", "synth-actor-0")), "subject": str(iris.entity("actor", "synth-actor-0")),
        "node": str(iris.entity("actor", "synth-actor-0")), "place": str(iris.entity("place", "synth-place-1")),
    }
    timings: dict[str, dict[str, float]] = {}
    for name, q in queries.registry(settings.queries_dir).items():
        row: dict[str, float] = {}
        # as `kg query` runs them: the page chosen by the engine, plain values, no RDF terms
        variants: dict[str, tuple[dict[str, str], int | None]] = {"page": ({}, 100)}
        if not bounded:
            variants["all"] = ({}, None)
        if name in PARAMS:
            variants["param"] = ({PARAMS[name]: top[PARAMS[name]]}, None)
        for variant, (params, limit) in variants.items():
            seconds = []
            for _ in range(runs):
                t0 = time.perf_counter()
                rows = list(queries.run_plain(store, q, params, limit=limit)[1])
                seconds.append(time.perf_counter() - t0)
                if seconds[-1] > REPEAT_UNDER:  # one run of a slow variant tells enough
                    break
            row[f"{variant}_p50"] = round(statistics.median(seconds), 3)
            row[f"{variant}_p99"] = round(_pct(seconds, 0.99), 3)
            row[f"{variant}_rows"] = len(rows)
        timings[name] = row
    out["queries"] = timings
    out["rss_after_queries_mib"] = round(_rss_mib())

    one = iris.graph(f"{0:016x}")
    t0 = time.perf_counter()
    report, _ = validate(store, settings=settings, graphs=[one])
    out["validate_one_document_s"] = round(time.perf_counter() - t0, 2)
    out["validate_one_document_findings"] = len(report.findings)
    out["rss_after_validation_mib"] = round(_rss_mib())

    # the busiest actor's neighbourhood is most of the graph; bounded, the least busy one's
    rare = str(iris.entity("actor", f"synth-actor-{synth.Corpus(n_engagements).m - 1}"))
    actor = rare if bounded else top["actor"]
    t0 = time.perf_counter()
    network = build_network(store, actor=actor, hops=1)
    gexf.write(network, tmp / "slice.gexf")
    out["export_slice_s"] = round(time.perf_counter() - t0, 2)
    out["export_slice_nodes"] = network.graph.number_of_nodes()
    out["rss_after_export_mib"] = round(_rss_mib())
    store.close()
    if validate_whole:
        child = subprocess.run([sys.executable, __file__, "--validate-store", str(tmp / "store")],
                               capture_output=True, text=True, check=True)  # its own process: its own peak memory
        out["validate_store"] = json.loads(child.stdout.strip().splitlines()[-1])
    shutil.rmtree(tmp)
    return out


def validate_store(path: Path) -> dict[str, object]:
    """``kg validate`` of the whole store (in batches of graphs past
    Settings.validate_max_triples): seconds, findings, peak memory."""
    from kg.config import Settings
    from kg.store import open_store
    from kg.validate import validate

    settings = Settings(out_dir=path.parent / "out")
    store = open_store(path, read_only=True)
    t0 = time.perf_counter()
    report, _ = validate(store, settings=settings)
    seconds = time.perf_counter() - t0
    batched = len(store) > settings.validate_max_triples
    store.close()
    return {"s": round(seconds, 1), "findings": len(report.findings), "batched": batched, "rss_mib": round(_rss_mib())}


def _get(r: dict[str, Any], *keys: str) -> Any:
    """A nested value, or None where the size did not measure it (bounded)."""
    for k in keys:
        if not isinstance(r, dict) or k not in r:
            return None
        r = r[k]
    return r


def markdown(results: list[dict[str, Any]]) -> str:
    sizes = [r["engagements"] for r in results]
    lines = ["| | " + " | ".join(f"{s:,} engagements" + (" (bounded)" if r.get("bounded") else "")
                                 for s, r in zip(sizes, results, strict=True)) + " |",
             "|---|" + "---|" * len(sizes)]

    def row(label: str, get: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(str(get(r)) for r in results) + " |")

    def either(*keys: str) -> Any:
        return lambda r: "—" if _get(r, *keys) is None else _get(r, *keys)

    row("triples", lambda r: f"{r['triples']:,}")
    row("kg write / bulk_load (s)", lambda r: f"{r['kg_write_s']} / {r['bulk_load_s']} = {r['write_vs_bulk_load']}x")
    for name in sorted(results[0]["queries"]):
        row(f"`{name}` p50 / p99 (s)", lambda r, n=name: "—" if _get(r, "queries", n, "all_p50") is None
            else f"{r['queries'][n]['all_p50']} / {r['queries'][n]['all_p99']}")
        row(f"`{name}` first page p50 (s)", either("queries", name, "page_p50"))
        if name in PARAMS:
            row(f"`{name}` --param {PARAMS[name]} p50 (s)", either("queries", name, "param_p50"))
    row("validate one report (s)", either("validate_one_document_s"))
    row("export slice, GEXF (s; nodes)", lambda r: f"{r['export_slice_s']}; {r['export_slice_nodes']}")
    row("validate the whole store: s, peak MiB (own process)",
        lambda r: "—" if "validate_store" not in r else f"{r['validate_store']['s']}, {r['validate_store']['rss_mib']}"
                  + (" (in batches)" if r["validate_store"]["batched"] else " (one pass)"))
    row("peak RSS after load / queries / validation / export (MiB)",
        lambda r: f"{r['rss_after_load_mib']} / {r['rss_after_queries_mib']} / {r['rss_after_validation_mib']} / "
                  f"{r['rss_after_export_mib']}")
    return "\n".join(lines) + "\n"


def _curve(ax: Any, results: list[dict[str, Any]], keys: tuple[str, ...], label: str) -> None:
    points = [(r["engagements"], _get(r, *keys)) for r in results if _get(r, *keys) is not None]
    if points:
        ax.plot([x for x, _ in points], [y for _, y in points], marker="o", label=label)


def plots(results: list[dict[str, Any]]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    PLOTS.mkdir(exist_ok=True)
    written = []
    for variant, what in (("all", "whole answer"), ("page", "first page (100 rows)")):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for name in sorted(results[0]["queries"]):
            _curve(ax, results, ("queries", name, f"{variant}_p50"), name)
        ax.axhline(1.0, color="grey", linestyle=":", label="1 s")
        ax.set(xscale="log", yscale="log", xlabel="engagements", ylabel=f"p50 (s), {what}",
               title=f"Named queries against size: {what}")
        ax.legend(fontsize=8)
        fig.tight_layout()
        written.append(PLOTS / ("scale-queries.png" if variant == "all" else "scale-first-page.png"))
        fig.savefig(written[-1], dpi=110)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for keys, label in ((("kg_write_s",), "kg write"), (("bulk_load_s",), "pyoxigraph bulk_load"),
                        (("validate_one_document_s",), "validate one report"), (("export_slice_s",), "export slice"),
                        (("validate_store", "s"), "validate the whole store")):
        _curve(ax, results, keys, label)
    ax.axhline(2.0, color="grey", linestyle=":", label="2 s (one report)")
    ax.set(xscale="log", yscale="log", xlabel="engagements", ylabel="seconds", title="Steps against size")
    ax.legend(fontsize=8)
    fig.tight_layout()
    written.append(PLOTS / "scale-steps.png")
    fig.savefig(written[-1], dpi=110)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key in ("rss_after_load_mib", "rss_after_queries_mib", "rss_after_validation_mib", "rss_after_export_mib"):
        _curve(ax, results, (key,), key.removeprefix("rss_after_").removesuffix("_mib"))
    _curve(ax, results, ("validate_store", "rss_mib"), "validate the whole store (own process)")
    ax.set(xscale="log", yscale="log", xlabel="engagements", ylabel="peak RSS (MiB)", title="Memory against size")
    ax.legend(fontsize=8)
    fig.tight_layout()
    written.append(PLOTS / "scale-memory.png")
    fig.savefig(written[-1], dpi=110)
    return written


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000])
    p.add_argument("--n", type=int, default=5, help="runs per query (default 5)")
    p.add_argument("--bounded-from", type=int, default=300_000,
                   help="from this size on, measure only what a target bounds (default 300000)")
    p.add_argument("--validate-store-below", type=int, default=300_000,
                   help="validate the whole store only below this size (default 300000; 24 min at 100000)")
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: one size, JSON on stdout
    p.add_argument("--validate-store", type=Path, help=argparse.SUPPRESS)  # a grandchild: JSON on stdout
    args = p.parse_args()
    if args.validate_store:
        print(json.dumps(validate_store(args.validate_store)))
        return
    if args.one:
        print(json.dumps(one_size(args.one, args.n, bounded=args.one >= args.bounded_from,
                                  validate_whole=args.one < args.validate_store_below)))
        return
    results = []
    for size in args.sizes:  # each in its own process: its peak memory is its own
        t0 = time.perf_counter()
        child = subprocess.run([sys.executable, __file__, "--one", str(size), "--n", str(args.n),
                                "--bounded-from", str(args.bounded_from),
                                "--validate-store-below", str(args.validate_store_below)],
                               capture_output=True, text=True, check=False)
        if child.returncode:
            raise SystemExit(f"size {size} failed:\n{child.stderr}")
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(f"{size:,} engagements: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    record = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "runs": args.n, "sizes": results}
    (RESULTS / "scale.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    table = markdown(results)
    (RESULTS / "scale.md").write_text(table, encoding="utf-8")
    print(table)
    for path in plots(results):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
