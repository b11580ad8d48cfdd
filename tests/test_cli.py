"""The commands as a user runs them: counts printed, skipped files named, exit status."""

from __future__ import annotations

import shutil
from pathlib import Path

from kg.cli import EXIT_OK, EXIT_SKIPPED, main

from .conftest import DATA, SEEDS


def test_build_prints_counts_and_exits_2_when_a_file_is_skipped(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEEDS / "002_ad34e4e326f002f7.txt", docs)
    shutil.copy(DATA / "ingest" / "binary.txt", docs)
    code = main(["build", str(docs), "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == EXIT_SKIPPED
    assert "built 1 document(s)" in out and "actors" in out and "triples" in out
    assert "binary.txt" in err and "looks binary" in err
    assert (tmp_path / "out" / "graph.trig").stat().st_size > 0
    assert (tmp_path / "out" / "store").is_dir()

    assert main(["query", "documents", "--store", str(tmp_path / "out" / "store")]) == EXIT_OK
    assert "002_ad34e4e326f002f7.txt" in capsys.readouterr().out


def test_build_of_a_missing_path_names_it_and_builds_the_rest(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "ok.txt").write_text("Le 3 mars 2024, le M23 a attaqué Sake.", encoding="utf-8")
    code = main(["build", str(tmp_path / "missing"), str(tmp_path / "ok.txt"), "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 2
    assert f"skipped {tmp_path / 'missing'}: no such file or folder" in err
    assert "built 1 document(s)" in out


def test_query_with_service_reaches_nothing_unless_allowed(seed_build, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import socket
    import threading

    settings, _ = seed_build
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    contacted: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    contacted.append(conn.recv(200))
                except OSError:
                    contacted.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    rq = tmp_path / "remote.rq"
    rq.write_text(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}", encoding="utf-8")
    try:
        code = main(["query", str(rq), "--store", str(settings.store_path)])
        err = capsys.readouterr().err
        assert code == 1 and "SERVICE" in err and "--allow-network" in err and "Traceback" not in err
        assert contacted == []
        code = main(["query", str(rq), "--store", str(settings.store_path), "--allow-network"])
        err = capsys.readouterr().err
        assert code == 1 and "the query failed while it ran" in err  # the listener is no SPARQL server
        assert contacted, "with --allow-network the engine calls the endpoint"
    finally:
        stop.set()
        thread.join(5)
        listener.close()
