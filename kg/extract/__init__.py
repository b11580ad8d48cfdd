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


WORKER_DOCUMENTS = 8  # documents per extraction process at the least, and per task


def extract(documents: Iterable[Document], *,
            settings: Settings) -> Iterator[Extraction | ExtractionError]:
    """One Extraction per document, in order; an ExtractionError in its place when the
    extractor fails on that document (the others go on). With ``settings.workers`` > 1 and
    enough documents, in that many processes (this one and others, each loads the model
    once), results in order as they come: the caller writes them (one writer)."""
    docs = list(documents)
    workers = min(settings.workers, len(docs) // WORKER_DOCUMENTS)
    if workers > 1:
        yield from _in_processes(docs, settings, workers)
    else:
        yield from _extract(docs, settings)


def _in_processes(docs: list[Document], settings: Settings, workers: int) -> Iterator[Extraction | ExtractionError]:
    """Tasks of WORKER_DOCUMENTS documents, in order: one in ``workers`` extracted here,
    the others by a pool of ``workers - 1`` processes started clean (``spawn``: the
    parent's open store and threads are not copied). This process loads the model for its
    share, as a build with one worker does, so two workers load it twice, not three
    times (a load is 4 to 5 s of CPU)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    tasks = [docs[i:i + WORKER_DOCUMENTS] for i in range(0, len(docs), WORKER_DOCUMENTS)]
    with ProcessPoolExecutor(max_workers=workers - 1, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {i: pool.submit(_task, task, settings) for i, task in enumerate(tasks) if i % workers}
        for i, task in enumerate(tasks):
            if i not in futures:
                yield from _extract(task, settings)
                continue
            try:
                yield from futures[i].result()
            except Exception as exc:  # noqa: BLE001 -- a process that died: its documents are named
                yield from (ExtractionError(d.path, f"extraction process failed: {type(exc).__name__}: {exc}")
                            for d in task)


def _task(docs: list[Document], settings: Settings) -> list[Extraction | ExtractionError]:
    return list(_extract(docs, settings))


def _extract(docs: list[Document], settings: Settings) -> Iterator[Extraction | ExtractionError]:
    nlp = pipeline(settings.spacy_model, settings.reference_dir)
    demonyms = reference.load(settings.reference_dir).demonyms
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
