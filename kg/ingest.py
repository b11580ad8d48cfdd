"""Files -> Document, or InputError naming the file and the problem.

A document is a UTF-8 ``.txt`` file, optionally opened by a YAML front-matter block
(``---`` ... ``---``) or accompanied by ``<stem>.meta.json``; both may give ``source``,
``title``, ``date`` (publication date, ISO 8601) and ``language``. Wikipedia reference
markers ("[39]", "[59],[60]") and interlanguage markers ("(en)") are removed from the
text the extractor reads; offsets still point into the file.

Reading is bounded: regular files only (a FIFO or a device is refused before it is
read), a size limit, front matter parsed with no aliases, a depth and a size limit,
and a publication date that must be a real, past date. Each refusal is an InputError
that names the file, the problem and what to do.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import math
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .model import Document

DOC_SUFFIXES = (".txt",)
META_KEYS = {"source", "title", "date", "language"}
MAX_BYTES = 1_000_000  # Settings.max_document_bytes
FRONT_MATTER_BYTES = 64 * 1024
FRONT_MATTER_DEPTH = 8
SIDECAR_BYTES = 64 * 1024
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_MARKERS = re.compile(r"(?:\[\d{1,4}\](?:,\s?\[\d{1,4}\])*)|(?: \((?:en|zh|de|my|th|ru|ar)\))")


def discover(paths: Iterable[Path]) -> Iterator[Path | InputError]:
    """The document files named, or found (sorted) in the folders named; an InputError in
    the place of a path that does not exist, so the others are still built."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in DOC_SUFFIXES and not p.is_dir())
        elif path.exists() or path.is_symlink():
            yield path
        else:
            yield InputError(path, "no such file or folder", hint="check the path")


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes. Opened without blocking
    and checked on the open descriptor: a FIFO, a device (/dev/zero) or a socket is
    refused before anything is read, and a file that grows while read is cut at the limit."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a FIFO with no writer, a socket
            raise InputError(path, "is not a regular file (a FIFO or a socket)",
                             hint="give a .txt file") from exc
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device" \
                if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "not a file"
            raise InputError(path, f"is not a regular file ({kind})", hint="give a .txt file")
        if info.st_size > limit:
            raise InputError(path, f"is {info.st_size:,} bytes, over the limit of {limit:,}",
                             hint="split it into several documents, or raise the limit (kg build --max-mb)")
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if len(data) > limit:
        raise InputError(path, f"grew over the limit of {limit:,} bytes while it was read",
                         hint="build it once it is complete")
    return data


def document_id(body: str, meta: dict[str, object] | None = None) -> str:
    """Hash of the normalised text (NFC, whitespace collapsed) and of what its metadata
    says (a date changes what relative dates mean; a title or a source is part of the
    record): the same text with the same metadata is one graph, whatever the file."""
    norm = " ".join(unicodedata.normalize("NFC", body).split())
    if meta:
        norm += "\x00" + json.dumps({k: str(v) for k, v in sorted(meta.items()) if v not in (None, "")},
                                    ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(norm.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def read(path: Path, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read one document file; raise InputError when it cannot be used."""
    raw = read_bounded(path, max_bytes)
    if not raw.strip():
        raise InputError(path, "is empty", hint="add the report's text or remove the file")
    third = len(raw) // 3
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 3 and raw.count(b"\x00") * 3 > len(raw)
                                                     and (raw[1::2].count(0) > third or raw[0::2].count(0) > third)):
        raise InputError(path, "is UTF-16, not UTF-8", hint="convert it, e.g. iconv -f utf-16 -t utf-8")
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
    try:
        sidecar: Path | None = path.with_name(path.stem + ".meta.json")
        if sidecar is not None and not sidecar.exists():
            sidecar = None
    except OSError:  # a name too long for its sidecar's: it has none
        sidecar = None
    if sidecar is not None:
        meta = {**_sidecar(sidecar), **meta}
    body = text[body_start:]
    if not _visible(body):
        if fm:
            raise InputError(path, "has front matter but no text")
        raise InputError(path, "has no visible text", hint="add the report's text or remove the file")

    analysis, segments = _clean(text, body_start)
    date = _date(path, meta.get("date"))
    source = _text(path, meta.get("source"), "source")
    language = _language(path, meta.get("language"))
    title = _text(path, meta.get("title"), "title")
    return Document(
        id=document_id(body, {"date": date, "source": source, "title": title, "language": language}),
        path=path,
        text=text,
        analysis=analysis,
        segments=segments,
        title=title or _first_line(body),
        date=date,
        source=source,
        language=language,
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


class TextDateLoader(yaml.SafeLoader):
    """PyYAML's safe loader with no aliases (an alias bomb expands to gigabytes), a depth
    limit (deep nesting overflows the stack) and dates left as text (checked by _date)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not accepted",
                                              event.start_mark)
        self._depth += 1
        try:
            if self._depth > FRONT_MATTER_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {FRONT_MATTER_DEPTH} levels",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


TextDateLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)  # type: ignore[type-var]


def _front_matter(path: Path, block: str) -> dict[str, Any]:
    if len(block) > FRONT_MATTER_BYTES:
        raise InputError(path, f"front matter is {len(block):,} characters, over the limit of "
                               f"{FRONT_MATTER_BYTES:,}", hint="keep source, title, date and language only")
    try:
        data = yaml.load(block, Loader=TextDateLoader)
    except yaml.YAMLError as exc:
        raise InputError(path, f"front matter is not valid YAML: {exc}",
                         hint="write it as 'key: value' lines between two '---' lines") from exc
    except (RecursionError, MemoryError, ValueError) as exc:
        raise InputError(path, f"front matter cannot be read: {type(exc).__name__}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(path, "front matter must be a mapping of source, title, date, language")
    return _meta(path, data, "front matter")


def _meta(path: Path, data: dict[Any, Any], where: str) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k in META_KEYS}
    for key, value in out.items():
        if isinstance(value, (dict, list)):
            raise InputError(path, f"{where}: {key!r} must be a single value, not a {type(value).__name__}")
    return out


def _sidecar(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_bounded(path, SIDECAR_BYTES).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(path, f"metadata file cannot be read as JSON: {type(exc).__name__}: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(path, "metadata file must hold a JSON object")
    return _meta(path, data, "metadata file")


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff\u00ad]+")


def _visible(text: str) -> bool:
    return bool(_INVISIBLE.sub("", text))


def _text(path: Path, value: Any, key: str) -> str | None:
    """A title or a source: text (a number is written as text); not bytes, not a float."""
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or (
            isinstance(value, float) and not math.isfinite(value)):
        raise InputError(path, f"{key!r} must be text, not {value!r}"[:200])
    out = _CONTROLS.sub("", str(value)).strip()  # no terminal escapes, NULs or direction overrides
    return out[:500] or None


def _language(path: Path, value: Any) -> str:
    if value in (None, ""):
        return "fr"
    if not isinstance(value, str) or not _LANGUAGE.match(value):
        raise InputError(path, f"language {value!r} is not a language code", hint="write e.g. 'language: fr'")
    return value


def _date(path: Path, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
    try:
        date = dt.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise InputError(path, f"publication date {text[:40]!r} is not a date (YYYY-MM-DD)",
                         hint="write it as e.g. 2024-03-05") from exc
    if len(text) > 10:  # a date and time: all of it must be valid ISO 8601
        try:
            dt.datetime.fromisoformat(text)
        except ValueError as exc:
            raise InputError(path, f"publication date {text[:40]!r} is not a date (YYYY-MM-DD)",
                             hint="write it as e.g. 2024-03-05") from exc
    latest = dt.date.today() + dt.timedelta(days=1)  # a day ahead: time zones
    if date > latest or date.year < 1800:
        raise InputError(path, f"publication date {date.isoformat()} is "
                               f"{'in the future' if date > latest else 'before 1800'}",
                         hint="check the year")
    return date


def _first_line(body: str) -> str | None:
    for line in body.splitlines():
        if _visible(line):
            return line.replace("\ufeff", "").strip()[:200]
    return None
