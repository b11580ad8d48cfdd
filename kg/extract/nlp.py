"""The spaCy French pipeline with an entity ruler, fed by the reference lists, placed
before the model's NER (the model alone mistypes acronyms: Tatmadaw as a person, AA as
a place)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from .. import reference as ref

# ruler labels; the entity id (ent_id_) is the reference key, or "ctx:<alias>" for a
# contextual alias resolved later against the document's country
ACTOR, PERSON, PLACE = "ORG", "PER", "LOC"
CONTEXT_PREFIX = "ctx:"


def _variants(label: str) -> set[str]:
    return {label, label.replace("'", "’"), label.replace("’", "'")}


def ruler_patterns(reference: ref.Reference) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Phrase patterns for names (matched on LOWER) and for acronyms (matched on ORTH:
    "SITE" is an actor, "site" a word). Phrase patterns for both: spaCy's PhraseMatcher
    is much faster than one token pattern per acronym."""
    patterns: list[dict[str, Any]] = []
    acronyms: list[dict[str, Any]] = []
    spacy_label = {"actor": ACTOR, "person": PERSON, "place": PLACE}
    for entry in reference.entries.values():
        if entry.key.startswith("state-"):
            continue  # a country is matched once, as a place; the State follows from it
        label = spacy_label[entry.kind]
        for name in entry.labels:
            for v in _variants(name):
                patterns.append({"label": label, "pattern": v, "id": entry.key})
        for acronym in entry.acronyms:
            acronyms.append({"label": label, "pattern": acronym, "id": entry.key})
        for alias in entry.contextual:
            for v in _variants(alias):
                patterns.append({"label": ACTOR, "pattern": v, "id": CONTEXT_PREFIX + alias.lower()})
    return patterns, acronyms


@Language.component("kg_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, list items and infobox rows carry no
    final stop, and the parser would run them into the next paragraph. Inside a line, a
    lower-case word does not start one (the parser cuts "… de la junte et le 425e
    bataillon …" before "et")."""
    # one array written once: Token.is_sent_start's setter checks the whole Doc at each call
    starts = numpy.asarray(doc.to_array([SENT_START]), dtype="int64").reshape(-1, 1)
    after_break = False
    for tok in doc:
        if after_break and not tok.is_space:
            starts[tok.i, 0] = 1
        elif tok.i > 0 and tok.is_alpha and tok.is_lower:
            starts[tok.i, 0] = -1
        after_break = "\n" in tok.text or "\n" in tok.whitespace_ if tok.is_space else after_break and tok.is_space
    doc.from_array([SENT_START], starts.astype("uint64"))  # type: ignore[arg-type]  # -1 wraps, as to_array gives it
    return doc


@lru_cache(maxsize=2)
def pipeline(model: str, reference_dir: Path) -> Language:
    """Load the model once per process and add the reference ruler before its NER."""
    # loading the model and parsing make objects by the million and few cycles: the
    # youngest generation is collected every 50,000 allocations, not 700 (a 100-report
    # build's collections: 1.06 s in 2,138 runs against 0.44 s in 28)
    gc.set_threshold(50_000, 20, 20)
    try:
        nlp = spacy.load(model)
    except OSError as exc:  # the model package is missing
        raise RuntimeError(
            f"spaCy model {model!r} is not installed: run `make demo` or "
            f"`pip install {model}`"
        ) from exc
    nlp.add_pipe("kg_line_breaks", before="parser")
    names, acronyms = ruler_patterns(ref.load(reference_dir))
    ruler = nlp.add_pipe(
        "entity_ruler",
        before="ner",
        config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True, "validate": True},
    )
    acronym_ruler = nlp.add_pipe(  # after the names: "PDF de Mandalay" keeps its whole name
        "entity_ruler", name="acronym_ruler", before="ner",
        config={"phrase_matcher_attr": "ORTH", "overwrite_ents": False, "validate": True},
    )
    # tokenise the patterns only: without this, spaCy runs the whole pipeline on each (W012)
    with nlp.select_pipes(disable=nlp.pipe_names):
        acronym_ruler.add_patterns(acronyms)  # type: ignore[attr-defined]
        ruler.add_patterns(names)  # type: ignore[attr-defined]
    # the model and the lists live as long as the process: collected once, then kept out
    # of the collector's later walks
    gc.collect()
    gc.freeze()
    return nlp


def chunks(text: str, size: int) -> list[str]:
    """Pieces of at most ``size`` characters whose concatenation is ``text``, cut after a
    paragraph break, else a line break, else a sentence's end, else a space (anywhere
    only when a piece's second half has none of them)."""
    out: list[str] = []
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = size
        for sep in ("\n\n", "\n", ". ", " "):
            at = window.rfind(sep)
            if at >= size // 2:
                cut = at + len(sep)
                break
        out.append(text[start : start + cut])
        start += cut
    out.append(text[start:])
    return out


def parse(nlp: Language, texts: Iterable[str], *, batch_size: int, chunk_chars: int) -> Iterator[Doc]:
    """One parsed Doc per text, in order. A text longer than ``chunk_chars`` is parsed in
    chunks (the model's memory grows with a text's length, and spaCy refuses texts over
    ``nlp.max_length``) and the chunks joined back into one Doc with the same text."""
    nlp.max_length = max(nlp.max_length, chunk_chars + 1)
    pieces = ((piece, i) for i, text in enumerate(texts) for piece in chunks(text, chunk_chars))
    parts: list[Doc] = []
    current = 0
    for doc, i in nlp.pipe(pieces, as_tuples=True, batch_size=batch_size):
        if i != current and parts:
            yield parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False)
            parts, current = [], i
        parts.append(doc)
    if parts:
        yield parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False)
