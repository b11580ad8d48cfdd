"""Every file kg writes is replaced whole: a kill or an error during the write leaves
the previous good file (kg/files.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kg import files


def test_an_error_mid_write_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "graph.trig"
    files.write_text(target, "good\n")
    with pytest.raises(RuntimeError), files.replacing(target) as tmp:
        tmp.write_text("half a gra", encoding="utf-8")
        raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "good\n"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.trig"]


def test_a_kill_mid_write_leaves_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "graph.trig"
    files.write_text(target, "good\n")
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from kg import files
        with files.replacing(Path({str(target)!r})) as tmp:
            with open(tmp, "w") as f:
                f.write("x" * 1_000_000)
                f.flush()
                os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], check=False)
    assert proc.returncode == -signal.SIGKILL
    assert target.read_text(encoding="utf-8") == "good\n"


def test_the_new_file_is_readable_by_others(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    files.write_bytes(target, b"<p>ok</p>")
    assert target.read_bytes() == b"<p>ok</p>"
    assert target.stat().st_mode & 0o044 == 0o044
