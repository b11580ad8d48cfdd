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


def test_build_of_a_missing_path_is_an_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["build", str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 1
    assert "no such file" in capsys.readouterr().err
