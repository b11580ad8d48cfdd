"""Latency of the named queries through `kg serve` (HTTP on loopback, uvicorn, worker
processes, JSON results) against the same queries in-process (pyoxigraph, results
read into rdflib terms), on the seeds and on renamed copies of them; p50 and p99 of
each, measured in one run.

    .venv/bin/python bench/bench_serve.py [--copies 12] [--n 50]

Writes bench/results/serve.json and prints the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import socket
import statistics
import threading
import time
from pathlib import Path

import uvicorn
from corpus import built_seeds, copies  # type: ignore[import-not-found]

from kg import queries
from kg.config import PROJECT_ROOT, Settings
from kg.serve import ServeOptions, create_app
from kg.store import open_store


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def measure(path: Path, settings: Settings, n: int) -> dict[str, dict[str, float]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    options = ServeOptions(store=str(path), queries_dir=settings.queries_dir, workers=2, timeout=60, max_rows=10**6)
    server = uvicorn.Server(uvicorn.Config(create_app(options), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    store = open_store(path, read_only=True)
    out = {}
    try:
        for name, q in queries.registry(settings.queries_dir).items():
            http_t, local_t = [], []
            for _ in range(n):
                # a connection per request: the in-process run between two requests can
                # outlast uvicorn's keep-alive (5 s) on a large graph or a loaded machine
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                t0 = time.perf_counter()
                conn.request("GET", f"/queries/{name}", headers={"Accept": "application/sparql-results+json"})
                r = conn.getresponse()
                body = r.read()
                http_t.append(time.perf_counter() - t0)
                conn.close()
                assert r.status == 200, body[:200]
                t0 = time.perf_counter()
                queries.run(store, q)
                local_t.append(time.perf_counter() - t0)
            rows = len(json.loads(body)["results"]["bindings"])
            out[name] = {"rows": rows,
                         "endpoint_p50_ms": round(1000 * statistics.median(http_t), 2),
                         "endpoint_p99_ms": round(1000 * pct(http_t, 0.99), 2),
                         "in_process_p50_ms": round(1000 * statistics.median(local_t), 2),
                         "in_process_p99_ms": round(1000 * pct(local_t, 0.99), 2)}
    finally:
        store.close()
        server.should_exit = True
        thread.join(10)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=12)
    ap.add_argument("--n", type=int, default=50)
    args = ap.parse_args()
    tmp, settings = built_seeds("kg-bench-serve-")
    seeds = open_store(settings.store_path)
    big = open_store(tmp / "big")
    copies(seeds, big, args.copies, settings)
    sizes = {"seeds": len(seeds), f"copies_{args.copies}": len(big)}
    seeds.close()
    big.close()
    result: dict[str, object] = {"date": dt.date.today().isoformat(), "n": args.n, "triples": sizes}
    for key, path in (("seeds", settings.store_path), (f"copies_{args.copies}", tmp / "big")):
        result[key] = measure(path, settings, args.n)
        print(f"{key} ({sizes[key]} triples)")
        for name, r in result[key].items():  # type: ignore[union-attr]
            print(f"  {name:12s} {r['rows']:6d} rows  endpoint p50 {r['endpoint_p50_ms']:8.1f} ms "
                  f"p99 {r['endpoint_p99_ms']:8.1f} ms   in-process p50 {r['in_process_p50_ms']:8.1f} ms "
                  f"p99 {r['in_process_p99_ms']:8.1f} ms")
    out = PROJECT_ROOT / "bench" / "results" / "serve.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
