"""Fuzzing the reader and the front-matter parser (hypothesis, bounded in examples and
time): whatever the bytes, reading gives a Document or an InputError naming the file,
never another exception; and every character the extractor reads maps back to the same
character of the file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import InputError
from kg.ingest import read

BOUNDED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
YAML_ALPHABET = st.sampled_from(list("-:&*[]{}!|>'\"#%@`,? \n\t") + ["date", "title", "language", "source",
                                                                    "2024-13-45", "2024-02-03", "fr", "&a", "*a",
                                                                    "!!python/object", "<<", "~", "\u202e", "é"])


def _read(data: bytes) -> object:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rapport.txt"
        path.write_bytes(data)
        try:
            return read(path)
        except InputError as exc:
            assert exc.path == path and exc.problem
            return exc


@BOUNDED
@given(st.binary(max_size=4096))
def test_any_bytes_give_a_document_or_an_input_error(data: bytes) -> None:
    _read(data)


@BOUNDED
@given(st.lists(YAML_ALPHABET, max_size=80).map("".join), st.text(min_size=1, max_size=200))
def test_any_front_matter_gives_a_document_or_an_input_error(front: str, body: str) -> None:
    got = _read(f"---\n{front}\n---\n{body}".encode("utf-8", "surrogatepass"))
    if not isinstance(got, InputError):
        assert got.language and (got.date is None or got.date.year >= 1800)  # type: ignore[attr-defined]


@BOUNDED
@given(st.lists(st.sampled_from(["Le M23 ", "[12]", " (en)", "[3],[4]", "attaque ", "\n", "Goma.", "é", " "]),
                min_size=1, max_size=60).map("".join))
def test_what_the_extractor_reads_maps_back_to_the_file(text: str) -> None:
    got = _read(text.encode("utf-8"))
    if isinstance(got, InputError):
        return
    for i, ch in enumerate(got.analysis):  # type: ignore[attr-defined]
        assert got.text[got.to_text_offset(i)] == ch  # type: ignore[attr-defined]
