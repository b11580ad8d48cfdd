"""Shared fixtures: the real spaCy model, the real Oxigraph store, the real seeds."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from kg.config import PROJECT_ROOT, Settings
from kg.pipeline import BuildReport, build
from kg.store import open_store

SEEDS = PROJECT_ROOT / "seeds"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, BuildReport]:
    """The seeds built once per session into a fresh store."""
    out = tmp_path_factory.mktemp("seed-build")
    settings = Settings(out_dir=out)
    report = build([SEEDS], settings=settings)
    return settings, report


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
