"""Files -> Document, or InputError naming the file and the problem.

A document is a UTF-8 ``.txt`` file, optionally opened by a YAML front-matter block
(``---`` ... ``---``) or accompanied by ``<stem>.meta.json``; both may give ``source``,
``title``, ``date`` (publication date, ISO 8601) and ``language``. Wikipedia reference
markers ("[39]", "[59],[60]") and interlanguage markers ("(en)") are removed from the
text the extractor reads; offsets still point into the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .model import Document

DOC_SUFFIXES = (".txt",)
META_KEYS = {"source", "title", "date", "language"}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_MARKERS = re.compile(r"(?:\[\d{1,4}\](?:,\s?\[\d{1,4}\])*)|(?: \((?:en|zh|de|my|th|ru|ar)\))")


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """The document files named, or found (sorted) in the folders named."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in DOC_SUFFIXES and p.is_file())
        elif path.exists():
            yield path
        else:
            raise InputError(path, "no such file or folder")


def document_id(body: str) -> str:
    """Hash of the normalised text (NFC, whitespace collapsed): same text, same graph."""
    norm = " ".join(unicodedata.normalize("NFC", body).split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def read(path: Path) -> Document:
    """Read one document file; raise InputError when it cannot be used."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from exc
    if not raw.strip():
        raise InputError(path, "is empty", hint="add the report's text or remove the file")
    if b"\x00" in raw:
        raise InputError(path, "looks binary (it holds NUL bytes)", hint="give a UTF-8 text file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            path,
            f"is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            hint="convert it, e.g. iconv -f latin1 -t utf-8",
        ) from exc

    body_start = 1 if text.startswith("\ufeff") else 0
    meta: dict[str, Any] = {}
    fm = _FRONT_MATTER.match(text, body_start)
    if fm:
        meta = _front_matter(path, fm.group(1))
        body_start = fm.end()
    sidecar = path.with_name(path.stem + ".meta.json")
    if sidecar.exists():
        meta = {**_sidecar(sidecar), **meta}
    body = text[body_start:]
    if not body.strip():
        raise InputError(path, "has front matter but no text")

    analysis, segments = _clean(text, body_start)
    title = meta.get("title") or _first_line(body)
    return Document(
        id=document_id(body),
        path=path,
        text=text,
        analysis=analysis,
        segments=segments,
        title=str(title) if title else None,
        date=_date(path, meta.get("date")),
        source=str(meta["source"]) if meta.get("source") else None,
        language=str(meta.get("language") or "fr"),
    )


def _clean(text: str, body_start: int) -> tuple[str, tuple[tuple[int, int, int], ...]]:
    parts: list[str] = []
    segments: list[tuple[int, int, int]] = []
    pos, a_pos = body_start, 0
    for m in _MARKERS.finditer(text, body_start):
        if m.start() > pos:
            segments.append((a_pos, pos, m.start() - pos))
            parts.append(text[pos : m.start()])
            a_pos += m.start() - pos
        pos = m.end()
    segments.append((a_pos, pos, len(text) - pos))
    parts.append(text[pos:])
    return "".join(parts), tuple(segments)


def _front_matter(path: Path, block: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        raise InputError(path, f"front matter is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(path, "front matter must be a mapping of source, title, date, language")
    return {k: v for k, v in data.items() if k in META_KEYS}


def _sidecar(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"metadata file cannot be read as JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(path, "metadata file must hold a JSON object")
    return {k: v for k, v in data.items() if k in META_KEYS}


def _date(path: Path, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise InputError(path, f"publication date {value!r} is not ISO 8601 (YYYY-MM-DD)") from exc


def _first_line(body: str) -> str | None:
    for line in body.splitlines():
        if line.strip():
            return line.strip()[:200]
    return None
