"""Extraction: the only package that imports spaCy.

``extract(documents)`` runs the French pipeline once over all documents (``nlp.pipe``)
and returns one ``Extraction`` per document: its sentences and mentions now; relations,
engagements and dates as their modules land.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

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

__all__ = ["extract", "pipeline"]


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
