"""`kg serve` under a hostile load, on the seeds: 16 loopback clients asking a cheap
query, then 12 of them while 4 others send queries that would take a worker to
gigabytes (ORDER BY over a cartesian product) or run for minutes; the cheap query's
p50 and p99 in both phases, measured in one run, their ratio, what the heavy ones got,
and the largest resident size a worker reached.

    .venv/bin/python bench/bench_serve_load.py [--seconds 30] [--max-memory 400]

Writes bench/results/serve_load.json and prints the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter

from corpus import built_seeds  # type: ignore[import-not-found]

from kg.config import PROJECT_ROOT
from kg.serve.engine import resident, worker_pids

CHEAP = "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Document }"
HEAVY = ["SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
         "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p * (len(values) - 1)))] if values else float("nan")


def get(port: int, query: str) -> tuple[int, float]:
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}))
        r = conn.getresponse()
        r.read()
        return r.status, time.perf_counter() - t0
    finally:
        conn.close()


def phase(port: int, server_pid: int, seconds: float, heavy_clients: int) -> dict[str, object]:
    cheap_times: list[float] = []
    cheap_status: Counter[int] = Counter()
    heavy_status: Counter[int] = Counter()
    peak = [0.0]
    end = time.time() + seconds

    def cheap() -> None:
        while time.time() < end:
            status, took = get(port, CHEAP)
            cheap_status[status] += 1
            if status == 200:
                cheap_times.append(took)

    def heavy(i: int) -> None:
        n = 0
        while time.time() < end:
            n += 1
            status, _ = get(port, HEAVY[i % 2] + f" # {i}-{n}")
            heavy_status[status] += 1

    def watch() -> None:
        while time.time() < end:
            for pid in worker_pids(server_pid):
                peak[0] = max(peak[0], resident(pid) / 2**20)
            time.sleep(0.02)

    threads = [threading.Thread(target=cheap) for _ in range(16 - heavy_clients)]
    threads += [threading.Thread(target=heavy, args=(i,)) for i in range(heavy_clients)]
    threads.append(threading.Thread(target=watch))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"cheap_answered": len(cheap_times), "cheap_status": dict(cheap_status),
            "cheap_p50_s": round(statistics.median(cheap_times), 3) if cheap_times else None,
            "cheap_p99_s": round(pct(cheap_times, 0.99), 3),
            "heavy_status": dict(heavy_status), "worker_peak_mib": round(peak[0], 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--max-memory", type=int, default=400)
    args = ap.parse_args()
    _, settings = built_seeds("kg-bench-load-")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(settings.store_path),
                             "--port", str(port), "--timeout", "10", "--max-memory", str(args.max_memory)],
                            start_new_session=True)
    try:
        for _ in range(600):
            try:
                if get(port, "ASK {}")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        quiet = phase(port, proc.pid, args.seconds, heavy_clients=0)
        loaded = phase(port, proc.pid, args.seconds, heavy_clients=4)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    ratio = (loaded["cheap_p50_s"] / quiet["cheap_p50_s"]  # type: ignore[operator]
             if quiet["cheap_p50_s"] and loaded["cheap_p50_s"] else None)
    result = {"date": dt.date.today().isoformat(), "seconds": args.seconds, "max_memory_mib": args.max_memory,
              "cpus": os.cpu_count(), "quiet_16_cheap": quiet, "hostile_12_cheap_4_heavy": loaded,
              "cheap_p50_ratio_hostile_over_quiet": round(ratio, 2) if ratio else None}
    for key in ("quiet_16_cheap", "hostile_12_cheap_4_heavy"):
        r = result[key]
        print(f"{key:26s} cheap p50 {r['cheap_p50_s']} s p99 {r['cheap_p99_s']} s, "  # type: ignore[index]
              f"answered {r['cheap_answered']} {r['cheap_status']}; heavy {r['heavy_status']}; "  # type: ignore[index]
              f"worker peak {r['worker_peak_mib']} MiB")  # type: ignore[index]
    print(f"cheap p50 hostile / quiet: {result['cheap_p50_ratio_hostile_over_quiet']}")
    out = PROJECT_ROOT / "bench" / "results" / "serve_load.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
