"""Shared fixtures: the real spaCy model, the real Oxigraph store, the real seeds."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from kg.config import PROJECT_ROOT, Settings
from kg.model import ValidationReport
from kg.pipeline import BuildReport, build, write_validation
from kg.store import open_store

SEEDS = PROJECT_ROOT / "seeds"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, BuildReport]:
    """The seeds built once per session into a fresh store, then validated (the two
    steps of ``kg build``): out/validation.html and .ttl are written."""
    out = tmp_path_factory.mktemp("seed-build")
    settings = Settings(out_dir=out)
    report = build([SEEDS], settings=settings)
    store = open_store(settings.store_path, read_only=True)
    try:
        _VALIDATION.append(write_validation(store, settings))
    finally:
        store.close()
    return settings, report


_VALIDATION: list[ValidationReport] = []


@pytest.fixture(scope="session")
def seed_validation(seed_build) -> ValidationReport:  # type: ignore[no-untyped-def]
    """The seeds' validation report, from the build's validation step."""
    return _VALIDATION[0]


@pytest.fixture
def seed_store(seed_build):  # type: ignore[no-untyped-def]
    settings, _ = seed_build
    store = open_store(settings.store_path, read_only=True)
    yield store
    store.close()


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Settings:
    return replace(Settings(), out_dir=tmp_path / "out")


def copy_seeds(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for p in SEEDS.glob("*.txt"):
        shutil.copy(p, dest / p.name)
    return dest


def free_port() -> int:
    """A TCP port free on loopback now (for a server a test starts)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float) -> bool:
    """Whether ``url`` answers 2xx within ``seconds`` (a server a test started is up)."""
    import time
    import urllib.request

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if 200 <= r.status < 300:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def oxigraph_binary() -> str | None:
    """The Oxigraph server the Makefile installs (PyPI `oxigraph`, into the venv)."""
    import shutil
    import sys

    local = Path(sys.executable).parent / "oxigraph"
    return str(local) if local.exists() else shutil.which("oxigraph")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A real Oxigraph SPARQL server on loopback, started for the session, then stopped;
    yields its kg store location (the query URL)."""
    import subprocess

    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server is not installed (make test installs it)")
    port = free_port()
    data = tmp_path_factory.mktemp("oxigraph-server")
    proc = subprocess.Popen([binary, "serve", "--location", str(data), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    if not wait_for(f"{url}?query=ASK%7B%7D", 30):
        proc.kill()
        pytest.fail("the oxigraph server did not start")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Virtuoso open source (Debian virtuoso-opensource), when installed: a fresh database
    on free loopback ports, anonymous SPARQL updates granted, stopped after the session;
    yields its kg store location (its /sparql URL)."""
    import re
    import shutil
    import subprocess

    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    template = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
    if not (server and isql and template.exists()):
        pytest.skip("Virtuoso open source is not installed (Debian virtuoso-opensource)")
    sql_port, http_port = free_port(), free_port()
    data = tmp_path_factory.mktemp("virtuoso")
    ini = template.read_text(encoding="utf-8")
    ini = ini.replace("/var/lib/virtuoso-opensource-7/db/", f"{data}/")
    ini = ini.replace("ServerPort               = 1111", f"ServerPort               = {sql_port}")
    ini = ini.replace("ServerPort                  = 8890", f"ServerPort                  = {http_port}")
    # kg reads a whole graph back for validation: more rows than Virtuoso's default 10000
    ini = re.sub(r"(?m)^ResultSetMaxRows\s*=.*$", "ResultSetMaxRows = 10000000", ini)
    (data / "virtuoso.ini").write_text(ini, encoding="utf-8")
    proc = subprocess.Popen([server, "+foreground", "+configfile", str(data / "virtuoso.ini")],
                            cwd=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http_port}/sparql"
    if not wait_for(f"{url}?query=ASK%7B%7D", 90):
        proc.kill()
        pytest.fail("Virtuoso did not start")
    subprocess.run([isql, str(sql_port), "dba", "dba",
                    "exec=GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"],
                   check=True, capture_output=True, timeout=60)
    yield url
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
