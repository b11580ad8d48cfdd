"""Language packs: the words and patterns of one language, as data.

A pack is a folder ``lang/<code>/`` of YAML files; each file holds named entries
(lexicons, cue lists, type tables). The extraction code is generic machinery that
reads a pack; a second language is a second folder, not a fork of the code.

Conventions of the YAML:
- a *lexicon* is a list of words or phrases: ``words(name)`` gives a frozenset;
- a *type table* is a mapping ``Type: [word, ...]``: ``table(name)`` inverts it into
  ``word -> Type`` (a word under two types is an error, named with its file).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ...errors import InputError
from ...files import read_yaml

LANG_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Pack:
    code: str
    entries: dict[str, Any]
    files: dict[str, Path]  # entry name -> the file that defines it

    def get(self, name: str) -> Any:
        try:
            return self.entries[name]
        except KeyError:
            raise KeyError(f"language pack {self.code!r} has no entry {name!r}") from None

    def words(self, name: str) -> frozenset[str]:
        return frozenset(str(w) for w in self.get(name))

    def ordered(self, name: str) -> tuple[str, ...]:
        return tuple(str(w) for w in self.get(name))

    def table(self, name: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for type_, words in self.get(name).items():
            for w in words:
                if str(w) in out and out[str(w)] != type_:
                    raise InputError(self.files[name], f"{name}: {w!r} is listed under "
                                                       f"{out[str(w)]} and {type_}")
                out[str(w)] = str(type_)
        return out


def available() -> tuple[str, ...]:
    return tuple(sorted(p.name for p in LANG_DIR.iterdir() if p.is_dir() and not p.name.startswith("_")))


@lru_cache(maxsize=4)
def load(code: str) -> Pack:
    """Read every YAML file of ``lang/<code>/``; an entry named twice is an error."""
    folder = LANG_DIR / code
    if not folder.is_dir():
        raise InputError(folder, f"no language pack for {code!r} (packs: {', '.join(available())})")
    entries: dict[str, Any] = {}
    files: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = read_yaml(path) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise InputError(path, f"language data cannot be read: {exc}") from exc
        if isinstance(data, list):  # a file that is one list (countries.yaml) is one entry
            data = {path.stem: data}
        if not isinstance(data, dict):
            raise InputError(path, "a language file must be a mapping of named entries or a list")
        for name, value in data.items():
            if name in entries:
                raise InputError(path, f"entry {name!r} is also defined in {files[name].name}")
            entries[name] = value
            files[name] = path
    return Pack(code, entries, files)
