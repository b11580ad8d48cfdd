"""The commands as a user runs them: counts printed, skipped files named, exit status."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg import queries
from kg.cli import EXIT_OK, EXIT_SKIPPED, main
from kg.store import open_store

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


def test_version_and_a_missing_store_said_plainly(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("kg ")
    assert main(["query", "actors", "--store", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert "nowhere: does not exist" in err and "kg build" in err and "another kg process" not in err


def test_bad_dates_and_limits_are_refused_by_name(seed_build, capsys) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    for args, why in ((["export", "--format", "gexf", "--from", "2023-13"], "not a date"),
                      (["export", "--format", "gexf", "--to", "last-week"], "not a date"),
                      (["query", "actors", "--limit", "0"], "whole number")):
        with pytest.raises(SystemExit) as exit_:
            main([*args, "--store", str(settings.store_path)])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert args[-1] in err and why in err


def test_query_output_for_people_and_for_spreadsheets(seed_build, capsys) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    store = ["--store", str(settings.store_path)]
    assert main(["query", "engagements", "--format", "tsv", "--limit", "5", *store]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6 and lines[0].split("\t")[:3] == ["event", "type", "date"]
    assert not any(c in line for line in lines for c in ('"@fr', "^^", "\t<http"))
    for fmt in ("csv", "json"):
        assert main(["query", "actors", "--format", fmt, "--limit", "3", *store]) == EXIT_OK
        out = capsys.readouterr().out
        n = len(json.loads(out)["results"]["bindings"]) if fmt == "json" else len(out.strip().splitlines()) - 1
        assert n == 3
    s = open_store(settings.store_path, read_only=True)
    try:
        names, rows = queries.run_plain(s, queries.load("relations", settings.queries_dir))
        every = list(rows)
    finally:
        s.close()
    text = queries.table(names, every, width=100)
    assert all(len(line) <= 100 for line in text.splitlines())
    header = text.splitlines()[0].split()
    assert header[1].startswith("subjectLab") and "subject" not in header  # names kept, IRIs give way
    footer = text.splitlines()[-1]
    assert footer.startswith(f"({len(every)} rows; not shown") and "subject" in footer
    wide = queries.table(names, every).splitlines()[0].split()
    assert wide.index("subjectLabel") < wide.index("subject")  # names before IRIs


def test_a_closed_pipe_is_quiet(seed_build, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    every = tmp_path / "all.rq"
    every.write_text("SELECT * WHERE { ?s ?p ?o }", encoding="utf-8")  # far more than a pipe holds
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "query", str(every), "--store", str(settings.store_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline()
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 141 and err == b""


def test_export_actor_by_name_or_alias(seed_build, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    store = ["--store", str(settings.store_path)]
    for name in ("KIA", "armée pour l'indépendance kachin", "https://w3id.org/kg-armed-actors/id/actor/kia"):
        out = tmp_path / "kia.cyjs"
        assert main(["export", "--actor", name, "--out", str(out), *store]) == EXIT_OK
        nodes = {e["data"]["id"] for e in json.loads(out.read_text(encoding="utf-8"))["elements"]["nodes"]}
        assert "https://w3id.org/kg-armed-actors/id/actor/kia" in nodes
    assert main(["export", "--actor", "junte", "--out", str(tmp_path / "j.cyjs"), *store]) == 1
    err = capsys.readouterr().err
    assert "names 2 nodes" in err and "tatmadaw" in err and "malian-junta" in err


def _in_a_terminal(argv: list[str]) -> str:
    """What a person sees: the command run in a pseudo-terminal 100 columns wide."""
    import fcntl
    import os
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen(argv, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=300)
    os.close(master)
    return out.decode("utf-8", "replace")


def test_build_shows_its_progress_on_a_terminal_only(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("002_ad34e4e326f002f7.txt", "003_d81cb42c22d10bab.txt"):
        shutil.copy(SEEDS / name, docs)
    kg = str(Path(sys.executable).parent / "kg")
    seen = _in_a_terminal([kg, "build", str(docs), "--out", str(tmp_path / "a")])
    assert "building: 100%" in seen and "2/2" in seen and "validating" in seen
    assert "building" not in _in_a_terminal([kg, "build", str(docs), "--out", str(tmp_path / "b"), "--quiet"])
    assert main(["build", str(docs), "--out", str(tmp_path / "c")]) == EXIT_OK  # not a terminal: quiet
    assert "building" not in capsys.readouterr().err


def test_build_and_validation_are_two_timed_steps(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEEDS / "002_ad34e4e326f002f7.txt", docs)
    assert main(["build", str(docs), "--out", str(tmp_path / "a"), "--no-validate"]) == EXIT_OK
    out = capsys.readouterr().out
    assert re.search(r"built 1 document\(s\) into .* \(\d+\.\d s\)", out) and "validation:" not in out
    assert not (tmp_path / "a" / "validation.html").exists() and (tmp_path / "a" / "graph.trig").exists()
    assert main(["build", str(docs), "--out", str(tmp_path / "b")]) == EXIT_OK
    out = capsys.readouterr().out
    assert re.search(r"validation: \d+ violations, \d+ warnings, \d+ infos \(\d+\.\d s\)", out)
    assert (tmp_path / "b" / "validation.html").exists()


def test_validation_after_a_build_covers_the_documents_it_wrote(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A build into a store that holds other documents validates the ones it wrote (their
    nodes, against the whole store) and says so; one that wrote nothing leaves the last
    report; --validate all checks the whole store."""
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    shutil.copy(SEEDS / "002_ad34e4e326f002f7.txt", first)
    shutil.copy(SEEDS / "003_d81cb42c22d10bab.txt", later)
    out = ["--out", str(tmp_path / "out"), "--curation", str(tmp_path / "none")]
    assert main(["build", str(first), *out]) == EXIT_OK
    assert "document(s) written" not in capsys.readouterr().out  # every document: the whole store
    report = tmp_path / "out" / "validation.html"
    assert main(["build", str(later), *out]) == EXIT_OK
    said = capsys.readouterr().out
    assert re.search(r"validation: \d+ violations, \d+ warnings, \d+ infos in the 1 document\(s\) written", said)
    def data() -> dict:  # type: ignore[type-arg]
        page = report.read_text(encoding="utf-8")
        return json.loads(page.split('id="kg-data">', 1)[1].split("</script>", 1)[0])  # type: ignore[no-any-return]

    scoped = data()
    assert scoped["summary"]["documents"] == ["003_d81cb42c22d10bab.txt"]
    assert "kg validate" in scoped["summary"]["scope"]
    before = report.stat().st_mtime_ns
    assert main(["build", str(later), *out]) == EXIT_OK
    assert "no document written; the last report stands" in capsys.readouterr().out
    assert report.stat().st_mtime_ns == before
    other = tmp_path / "other"  # the same store, an output folder with no report yet: the whole store
    assert main(["build", str(later), "--out", str(other), "--store", str(tmp_path / "out" / "store"),
                 "--curation", str(tmp_path / "none")]) == EXIT_OK
    said = capsys.readouterr().out
    assert "validation: " in said and "document(s) written" not in said and (other / "validation.html").exists()
    assert main(["build", str(later), *out, "--validate", "all"]) == EXIT_OK
    assert "document(s) written" not in capsys.readouterr().out
    whole = data()
    assert whole["summary"]["documents"] is None and len(whole["findings"]) > len(scoped["findings"]) > 0


def test_a_large_store_leaves_graph_trig_to_kg_export(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Above settings.trig_max_triples a build does not rewrite out/graph.trig (most of a
    small build's time at scale), leaves the copy already there and says it is older
    than the store, and counts the store's triples only that far (a scan of the store);
    `kg export --format trig` writes the whole store."""
    from rdflib import Dataset

    from kg.config import Settings
    from kg.pipeline import build, trig_line

    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.trig").write_text("# an earlier build's\n", encoding="utf-8")
    settings = Settings(out_dir=out, curation_dir=tmp_path / "none", trig_max_triples=100)
    report = build([SEEDS / "002_ad34e4e326f002f7.txt"], settings=settings)
    assert report.trig is None and (out / "graph.trig").read_text(encoding="utf-8") == "# an earlier build's\n"
    assert report.counts["triples_more_than"] == 100 and "triples" not in report.counts
    assert "not written (the copy there is older than the store)" in trig_line(settings, report.trig)
    (out / "graph.trig").unlink()
    assert "not written:" in trig_line(settings, None) and "kg export --format trig" in trig_line(settings, None)

    store_arg = ["--store", str(out / "store")]
    assert main(["export", "--format", "trig", *store_arg, "--out", str(tmp_path / "all.trig")]) == EXIT_OK
    written = capsys.readouterr().out
    ds = Dataset()
    ds.parse(tmp_path / "all.trig", format="trig")
    store = open_store(out / "store", read_only=True)
    try:
        assert f"{len(store):,} triples" in written and len(ds) == len(store)
        assert sorted(str(g.identifier) for g in ds.graphs() if len(g)) == sorted(str(g) for g in store.graphs())
    finally:
        store.close()
    assert main(["export", "--format", "trig", "--store", str(out / "store"), "--actor", "x"]) != EXIT_OK


def test_a_small_store_rewrites_graph_trig(tmp_path: Path) -> None:
    from kg.config import Settings
    from kg.pipeline import build

    settings = Settings(out_dir=tmp_path / "out", curation_dir=tmp_path / "none")
    report = build([SEEDS / "002_ad34e4e326f002f7.txt"], settings=settings)
    assert report.trig == tmp_path / "out" / "graph.trig" and report.trig.stat().st_size > 0
    store = open_store(settings.store_path, read_only=True)
    try:
        assert report.counts["triples"] == len(store) > 0  # counted whole: under the limit
    finally:
        store.close()
