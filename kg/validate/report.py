"""Validation reports: for people (HTML page, Markdown, JSON) and for tools (the standard
SHACL report graph in Turtle).

The HTML report is one self-contained page: the findings are embedded as JSON with '<',
'>' and '&' escaped, and the page's script sets every text with textContent, so nothing
from a document can run. It sorts by any column and filters by severity, shape,
document and free text."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from importlib import resources

from rdflib import Graph

from ..model import SEVERITIES, Finding, ValidationReport
from ..pages import embed_json

FORMATS = ("html", "md", "ttl", "json")
STATIC = resources.files("kg.validate") / "static"


def summary(report: ValidationReport) -> dict[str, object]:
    by_shape = Counter((f.severity, f.name.get("en", f.shape)) for f in report.findings)
    return {
        "conforms": report.conforms,
        "counts": {s: report.count(s) for s in SEVERITIES},
        "by_shape": [{"severity": s, "shape": n, "count": c}
                     for (s, n), c in sorted(by_shape.items(),
                                             key=lambda x: (SEVERITIES.index(x[0][0]), -x[1], x[0][1]))],
        "focus_nodes": report.focus_nodes,
        "documents": None if report.documents is None else list(report.documents),
        "seconds": round(report.seconds, 3),
    }


def scope(report: ValidationReport) -> str:
    """What a report covers, said when it is not the whole store."""
    if report.documents is None:
        return "The whole store."
    names = ", ".join(report.documents)
    return (f"The {len(report.documents)} document(s) this run checked ({names}): their nodes, "
            f"against the whole store. `kg validate` checks everything.")


def as_json(report: ValidationReport) -> str:
    data = {"summary": summary(report), "findings": [dataclasses.asdict(f) for f in report.findings]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _md_cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|") if text is not None else ""


def _who(f: Finding) -> str:
    label = f.focus_label or f.focus.rsplit("/", 1)[-1]
    return f"{label} ({f.focus_type})" if f.focus_type else label


def as_markdown(report: ValidationReport, *, lang: str = "en") -> str:
    s = summary(report)
    counts = s["counts"]
    assert isinstance(counts, dict)
    lines = ["# kg validation report", ""]
    if report.documents is not None:
        lines += [_md_cell(scope(report)), ""]
    lines += ["| severity | findings |", "|---|---|"]
    lines += [f"| {sev} | {counts[sev]} |" for sev in SEVERITIES]
    lines += ["", "## By shape", "", "| severity | shape | findings |", "|---|---|---|"]
    for row in s["by_shape"]:  # type: ignore[attr-defined]
        lines.append(f"| {row['severity']} | {_md_cell(row['shape'])} | {row['count']} |")
    current = None
    for f in report.findings:
        head = (f.severity, f.name.get(lang, f.shape))
        if head != current:
            current = head
            lines += ["", f"## {f.severity}: {_md_cell(head[1])}", ""]
            if f.action.get(lang):
                lines += [f"Suggested action: {_md_cell(f.action[lang])}", ""]
        value = f" value: `{_md_cell(f.value_label or f.value)}`" if f.value else ""
        where = f" ({f.document}, characters {f.start}-{f.end})" if f.document else ""
        lines.append(f"- **{_md_cell(_who(f))}**: {_md_cell(f.message.get(lang, ''))}.{value}{where}")
        if f.sentence:
            lines.append(f"  > {_md_cell(f.sentence)}")
        if f.correction:  # ready to paste under `corrections:` of a file of curation/
            lines += ["", "  ```yaml", *(f"  {line}" for line in f.correction.splitlines()), "  ```"]
    return "\n".join(lines) + "\n"


def as_html(report: ValidationReport) -> str:
    page = (STATIC / "report.html").read_text(encoding="utf-8")
    data = {"summary": {**summary(report), "scope": scope(report)},
            "findings": [dataclasses.asdict(f) for f in report.findings]}
    return page.replace("/*KG_DATA*/", embed_json(data))


def render(report: ValidationReport, fmt: str, shacl: Graph) -> str:
    if fmt == "html":
        return as_html(report)
    if fmt == "md":
        return as_markdown(report)
    if fmt == "json":
        return as_json(report)
    if fmt == "ttl":
        return shacl.serialize(format="turtle")
    raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
