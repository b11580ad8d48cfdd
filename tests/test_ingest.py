"""Documents: metadata, reference markers with exact offsets, and clear errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ingest import discover, document_id, read

from .conftest import DATA, SEEDS

INGEST = DATA / "ingest"


def test_front_matter_gives_metadata_and_offsets_stay_in_the_file() -> None:
    doc = read(INGEST / "front_matter.txt")
    assert doc.title == "Prise de Niafunké"
    assert doc.source == "https://example.org/a"
    assert doc.date == dt.date(2024, 11, 26)
    assert "---" not in doc.analysis and "[12]" not in doc.analysis and "[3],[4]" not in doc.analysis
    assert doc.analysis.startswith("Le JNIM a pris le camp de Niafunké le 24")
    i = doc.analysis.index("Niafunké")
    start, end = doc.span(i, i + len("Niafunké"))
    assert doc.text[start:end] == "Niafunké"
    j = doc.analysis.index("camp")
    assert doc.text[slice(*doc.span(j, j + 4))] == "camp"


def test_sidecar_metadata_and_interlanguage_marker() -> None:
    doc = read(INGEST / "with_sidecar.txt")
    assert (doc.title, doc.source, doc.date) == ("Kidal", "AFP", dt.date(2012, 3, 31))
    assert doc.analysis.startswith("Le MNLA contrôle Kidal depuis")


def test_seed_reference_markers_map_back_exactly() -> None:
    doc = read(SEEDS / "001_5dcbe532336355d1.txt")
    assert "[10]" in doc.text and "[10]" not in doc.analysis
    for name in ["Tun Tun Myint", "Aung Kyaw Lwin", "Cessez-le-feu de Haigeng"]:
        i = doc.analysis.index(name)
        start, end = doc.span(i, i + len(name))
        assert doc.text[start:end] == name


def test_id_is_a_hash_of_the_normalised_text() -> None:
    assert document_id("Le  MNDAA\nattaque") == document_id("Le MNDAA attaque")
    assert document_id("Le MNDAA attaque") != document_id("Le TNLA attaque")


@pytest.mark.parametrize("name, problem", [
    ("latin1.txt", "is not UTF-8 (byte 0xe9 at offset 3)"),
    ("empty.txt", "is empty"),
    ("binary.txt", "looks binary"),
    ("bad_yaml.txt", "front matter is not valid YAML"),
    ("bad_date.txt", "is not a date (YYYY-MM-DD)"),
])
def test_bad_files_raise_input_error_naming_file_and_problem(name: str, problem: str) -> None:
    with pytest.raises(InputError) as info:
        read(INGEST / name)
    assert info.value.path.name == name
    assert problem in str(info.value)
    assert name in str(info.value)


def test_discover_takes_txt_files_sorted_and_skips_sidecars() -> None:
    found = [p.name for p in discover([INGEST]) if isinstance(p, Path)]
    assert found == sorted(found)
    assert "with_sidecar.meta.json" not in found and "front_matter.txt" in found


def test_discover_names_a_missing_path_and_goes_on(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "ok.txt").write_text("Le M23 attaque Goma.", encoding="utf-8")
    found = list(discover([tmp_path / "nope", tmp_path / "ok.txt"]))
    assert isinstance(found[0], InputError) and "no such file" in str(found[0])
    assert found[1] == tmp_path / "ok.txt"


def test_a_title_keeps_no_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "ctrl.txt"
    path.write_text('---\ntitle: "a\\0b\\x1b[31m\\u202eZ\\uFEFF"\n---\nLe M23 a attaqué Sake le 3 mars 2024.\n',
                    encoding="utf-8")
    assert read(path).title == "ab[31mZ"  # no NUL, no terminal escape, no direction override


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "-1", "0", "abc"])
def test_build_refuses_a_size_limit_that_is_no_size(value: str, capsys) -> None:  # type: ignore[no-untyped-def]
    from kg.cli import main

    with pytest.raises(SystemExit) as info:
        main(["build", "seeds", f"--max-mb={value}"])
    assert info.value.code == 2
    assert "--max-mb" in capsys.readouterr().err
