"""Extraction: the only package that imports spaCy.

``extract(documents)`` runs the French pipeline once over all documents (``nlp.pipe``)
and returns one ``Extraction`` per document: its sentences and mentions now; relations,
engagements and dates as their modules land.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import reference
from ..config import Settings
from ..errors import ExtractionError
from ..model import Document, Extraction
from . import lang
from .dates import find_dates
from .events import find_engagements
from .mentions import MentionIndex, find_mentions, sentences
from .nlp import parse, pipeline
from .relations import find_relations

__all__ = ["extract", "fingerprint", "pipeline"]


def extract(documents: Iterable[Document], *,
            settings: Settings) -> Iterator[Extraction | ExtractionError]:
    """One Extraction per document, in order; an ExtractionError in its place when the
    extractor fails on that document (the others go on)."""
    nlp = pipeline(settings.spacy_model, settings.reference_dir)
    demonyms = reference.load(settings.reference_dir).demonyms
    docs = list(documents)
    parsed = parse(nlp, (d.analysis for d in docs), batch_size=settings.spacy_batch_size,
                   chunk_chars=settings.spacy_chunk_chars)
    for document, sdoc in zip(docs, parsed, strict=True):
        if document.language not in lang.available():
            yield ExtractionError(document.path, f"no language pack for {document.language!r} "
                                                 f"(kg/extract/lang/ has {', '.join(lang.available())})")
            continue
        try:
            sents = sentences(document, sdoc)
            mentions = find_mentions(document, sdoc, nlp, demonyms)
            dates = find_dates(document, [(s.start_char, s.end_char) for s in sdoc.sents])
            index = MentionIndex(document, mentions, sdoc)
            engagements = find_engagements(document, sdoc, sents, mentions, dates, index)
            yield Extraction(
                document=document,
                sentences=sents,
                mentions=mentions,
                relations=find_relations(document, sdoc, sents, mentions, dates, engagements, index),
                engagements=engagements,
            )
        except Exception as exc:  # noqa: BLE001 -- reported with the file's name
            yield ExtractionError(document.path, f"extraction failed: {type(exc).__name__}: {exc}")


def fingerprint(settings: Settings) -> str:
    """What makes a document's graph besides its text: kg's extraction, resolution and
    mapping code, the language packs, the reference lists and the spaCy model. Stated on
    each document (kg:extractor); a document whose text and fingerprint are unchanged is
    not extracted again."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version

    package = Path(__file__).resolve().parent.parent
    files = sorted([*package.glob("extract/**/*.py"), *package.glob("extract/lang/**/*.yaml"),
                    *(package / name for name in ("resolve.py", "mapping.py", "gazetteer.py", "model.py",
                                                  "reference.py", "iris.py", "text.py")),
                    *Path(settings.reference_dir).glob("*.yaml")])
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    try:
        model = f"{settings.spacy_model} {version(settings.spacy_model)}"
    except PackageNotFoundError:
        model = settings.spacy_model
    h.update(model.encode())
    return f"{model} · {h.hexdigest()[:16]}"
