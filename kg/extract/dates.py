"""Dates in French text, each resolved at the precision the text supports.

Expressions are found here (a regex grammar: "le 1er novembre", "27 mars 2021",
"novembre 2023", "en décembre", "le 24", "les 27 et 28", "Le lendemain", "en 2021",
"jusqu'en 2030"), never a bare number ("opération 1027" is no year). They are resolved
against the document's own context, sentence by sentence: a day or month without a
year takes the year of the last date stated before it (basis "carried"; a month earlier
than the context's by more than two rolls to the next year: "Le 4 janvier" after
November 2023 is 2024-01-04; one later by more than six, to the previous); with no year
stated anywhere, the publication or page date gives it (basis "inferred", for a curator to
confirm); with neither, the year stays unknown ("--11-24").
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass

from ..model import Basis, Document, PartialDate

MONTHS = {m: i for i, m in enumerate(
    ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
     "octobre", "novembre", "décembre"], start=1)}
MONTHS.update({"fevrier": 2, "aout": 8, "decembre": 12})
_M = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_WEEKDAY = r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"
_YEAR = r"((?:19|20)\d\d)"

_WD = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
WEEKDAYS = {d: i for i, d in enumerate(_WD)}
RELATIVE_DAYS = {"hier": -1, "avant-hier": -2, "aujourd'hui": 0, "aujourd’hui": 0, "ce matin": 0,
                 "cette nuit": 0, "ce soir": 0, "la veille": -1}
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # "entre le 25 et le 27 juillet 2024", "du 3 au 5 mars": a range is dated by its start
    ("range", re.compile(rf"(?i)\b(?:entre\s+le|du)\s+{_WEEKDAY}(\d{{1,2}})(?:er)?\s+(?:et\s+le|au)\s+"
                         rf"{_WEEKDAY}\d{{1,2}}(?:er)?\s+{_M}(?:\s+{_YEAR})?\b")),
    ("dmy", re.compile(rf"(?i)\b{_WEEKDAY}(\d{{1,2}})(?:er)?\s+{_M}\s+{_YEAR}\b")),
    ("dm", re.compile(rf"(?i)\b{_WEEKDAY}(\d{{1,2}})(?:er)?\s+{_M}\b")),
    ("my", re.compile(rf"(?i)\b{_M}\s+(?:de\s+l['’]année\s+)?{_YEAR}\b")),
    ("m", re.compile(rf"(?i)\b(?:en|(?:fin|début|courant)(?:\s+de|\s+d['’])?|mi-|depuis|d['’]|mois\s+d['’]"
                     rf"|mois\s+de)\s*{_M}\b")),
    ("y", re.compile(rf"(?i)\b(?:(?:en|depuis|jusqu['’]en|dès|avant|après|d['’]ici|de|à|au|année|début|fin"
                     rf"|courant)\s+|mi-){_YEAR}\b(?!\s*(?:morts|soldats|personnes|%))")),
    ("d", re.compile(r"(?i)\b(?:le|les|du|au|jusqu['’]au)\s+(\d{1,2})(?:er)?\b(?![,.]?\d)"
                     r"(?!\s*(?:e\b|ème|%|h\b|heures?|ans|km|kilomètres|[a-zé-]*(?:bataillons?|divisions?"
                     r"|brigades?|soldats|morts|personnes|avant-postes|postes|bases|positions|villes"
                     r"|civils|combattants|membres|policiers|maisons|villages|camps|mille|millions?)\b))")),
    ("next", re.compile(r"(?i)\ble\s+lendemain\b")),
    ("rel", re.compile(r"(?i)\b(avant-hier|hier|aujourd['’]hui|ce\s+matin|cette\s+nuit|ce\s+soir)\b")),
    # "la semaine dernière", "le mois dernier", "l'année passée": before the publication date
    ("period", re.compile(r"(?i)\b(la\s+semaine|le\s+mois|l['’]année)\s+(?:dernière|dernier|passée|passé)\b")),
    ("weekday", re.compile(r"(?i)\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)(\s+dernier)?\b"
                           r"(?!\s+\d)")),
    ("same", re.compile(r"(?i)\b(?:le\s+même\s+jour|ce\s+jour-là)\b")),
]
# every pattern above needs one of these: a sentence without any is not searched
_MAY_DATE = re.compile(rf"(?i)\d|{_M}|lendemain|même\s+jour|jour-là|hier|aujourd|matin|nuit|soir|dernier|dernière|passé"
                       r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche")
_PAGE_DATE = re.compile(r"\b(\d{2})-(\d{2})-((?:19|20)\d\d)\b")


_BOUND_BEFORE = re.compile(r"(?i)(?:depuis|jusqu['’]\w*|dès)\s+(?:le\s+|la\s+|l['’]|fin\s+|début\s+|mi-)?$")
_BOUND_START = re.compile(r"(?i)(?:depuis|jusqu|dès)\b")
_SINCE = re.compile(r"(?i)(?:depuis|dès)\s+(?:le\s+|la\s+|l['’]|fin\s+|début\s+|mi-)?$")
_SINCE_START = re.compile(r"(?i)(?:depuis|dès)\b")


def _bound(text: str, start: int) -> bool:
    """A date that bounds a period ("depuis décembre 2023", "jusqu'au 5"): it does not
    date what the story tells next."""
    return bool(_BOUND_START.match(text, start) or _BOUND_BEFORE.search(text[max(0, start - 16) : start]))


@dataclass(frozen=True)
class DateMention:
    sentence: int
    start: int  # analysis offsets
    end: int
    text: str
    date: PartialDate
    bound: bool = False  # preceded by "depuis", "jusqu'au" …: the edge of a period
    since: bool = False  # preceded by "depuis" or "dès": the start of what goes on

    @property
    def is_span_bound(self) -> bool:
        """'jusqu'en 2030', 'depuis 2025': the edge of a period, not the date of an event."""
        if self.bound or re.match(r"(?i)(?:jusqu|depuis|d['’]ici|dès)", self.text):
            return True
        return self.date.precision == "year" and not re.match(r"(?i)(?:en|année|début|fin|courant)\s|mi-|l['’]année",
                                                              self.text)


@dataclass(frozen=True)
class SentenceDates:
    stated: list[DateMention]
    context: PartialDate | None  # what the document had said before this sentence


def page_date(document: Document) -> dt.date | None:
    """The publication date: from the metadata, else a dd-mm-yyyy page header or a
    dated source line ("Radio France Internationale – 4 février 2026")."""
    if document.date:
        return document.date
    head = document.analysis[:200]
    m = _PAGE_DATE.search(head)
    if m:
        try:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
    for line in document.analysis.splitlines():
        line = line.strip()
        if 0 < len(line) < 80 and re.search(r"[–—-]\s*\d{1,2}(?:er)?\s+" + _M + r"\s+" + _YEAR + r"\s*$",
                                            line, re.IGNORECASE):
            d = dict(PATTERNS)["dmy"].search(line)
            if d:
                return dt.date(int(d.group(3)), MONTHS[d.group(2).lower()], int(d.group(1)))
    return None


def _find(text: str) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """Non-overlapping date expressions in a sentence, earlier and longer first."""
    hits: list[tuple[int, int, str, tuple[str, ...]]] = []
    if not _MAY_DATE.search(text):
        return hits
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e, _, _ in hits):
                continue
            hits.append((m.start(), m.end(), kind, tuple(g for g in m.groups() if g is not None)))
    return sorted(hits)


class DateContext:
    """What the document has said about time so far."""

    def __init__(self, anchor: dt.date | None) -> None:
        self.anchor = anchor
        self.year: int | None = None
        self.year_basis = "stated"  # how the context's year is known: stated or inferred
        self.month: int | None = None
        self.day: int | None = None

    def _year_for(self, month: int) -> tuple[int | None, str]:
        if self.year is not None:
            year = self.year
            if self.month is not None and month < self.month and (month - self.month) % 12 <= 4:
                year += 1  # "Le 4 janvier" after November events; not "26 septembre" after a
                # lead that named "20 décembre" (the story goes back to its start)
            elif self.month is not None and month > self.month + 6:
                year -= 1  # "13 novembre" after January: looking back
            return year, "inferred" if self.year_basis == "inferred" else "carried"
        if self.anchor is not None:
            year = self.anchor.year if month <= self.anchor.month else self.anchor.year - 1
            return year, "inferred"
        return None, "stated"

    def resolve(self, kind: str, groups: tuple[str, ...], text: str = "") -> PartialDate | None:
        if kind == "range":
            if len(groups) == 3:
                return self.resolve("dmy", groups)
            return self.resolve("dm", groups)
        if kind in ("rel", "weekday"):  # against the publication date
            if self.anchor is None or (self.month is not None and self.year is not None and (
                    (self.anchor.year * 12 + self.anchor.month) - (self.year * 12 + self.month) > 1)):
                return None  # a weekday in a story told months before its publication
            word = " ".join(groups[0].lower().split())
            if kind == "rel":
                back = -RELATIVE_DAYS.get(word.replace("’", "'"), 0)
            else:
                back = (self.anchor.weekday() - WEEKDAYS[word]) % 7
                if back == 0 and len(groups) > 1:
                    back = 7  # "jeudi dernier" written on a Thursday
            d = self.anchor - dt.timedelta(days=back)
            return self._set(PartialDate(d.year, d.month, d.day, "day", "inferred"))
        if kind == "period":
            if self.anchor is None:
                return None
            unit = groups[0].lower().split()[-1].replace("’", "'")
            if unit == "l'année":
                return PartialDate(self.anchor.year - 1, None, None, "year", "inferred")
            d = self.anchor - dt.timedelta(days=7) if unit == "semaine" else \
                self.anchor.replace(day=1) - dt.timedelta(days=1)  # the week before; the month before
            return self._set(PartialDate(d.year, d.month, None, "month", "inferred"))
        if kind == "dmy":
            return self._set(PartialDate(int(groups[-1]), MONTHS[groups[-2].lower()],
                                         int(groups[-3]), "day", "stated"))
        if kind == "my":
            return self._set(PartialDate(int(groups[1]), MONTHS[groups[0].lower()], None, "month", "stated"))
        if kind == "y":
            date = PartialDate(int(groups[0]), None, None, "year", "stated")
            if re.match(r"(?i)(?:en|début|fin|courant)\s|mi-", text):  # "En 2022, …": the story's year
                self.year, self.year_basis, self.month, self.day = date.year, "stated", None, None
            return date  # "depuis 2022", "jusqu'en 2030": a span, not context
        if kind in ("dm", "m"):
            named_day: int | None = int(groups[0]) if kind == "dm" else None
            named_month = MONTHS[groups[-1].lower()]
            named_year, basis = self._year_for(named_month)
            precision = ("day" if named_day else "month") if named_year is not None else "unknown"
            return self._set(PartialDate(named_year, named_month, named_day, precision, basis))  # type: ignore[arg-type]
        if kind == "d" and self.month is not None:
            the_day = int(groups[0])
            if not 1 <= the_day <= 31:
                return None
            the_month = self.month
            if self.day is not None and the_day < self.day - 7:
                the_month = the_month % 12 + 1  # "le 2" after "le 28": the next month
            return self._set(PartialDate(self.year, the_month, the_day,
                                         "day" if self.year is not None else "unknown",
                                         self._carried_basis()))
        if kind in ("next", "same") and self.month is not None and self.day is not None:
            if self.year is not None:
                d = dt.date(self.year, self.month, self.day) + dt.timedelta(days=1 if kind == "next" else 0)
                return self._set(PartialDate(d.year, d.month, d.day, "day", self._carried_basis()))
            return PartialDate(None, self.month, self.day + (kind == "next"), "unknown", "carried")
        return None

    def _carried_basis(self) -> Basis:
        return "inferred" if self.year_basis == "inferred" else "carried"

    def _set(self, date: PartialDate) -> PartialDate:
        if date.year is not None:
            self.year = date.year
            self.year_basis = "inferred" if date.basis == "inferred" else "stated"
        self.month = date.month or self.month
        self.day = date.day
        return date

    def carried(self, precision: str) -> PartialDate | None:
        """The context's date, for a sentence that states none."""
        if self.month is None and self.year is None:
            return None
        if self.year is None:
            return PartialDate(None, self.month, self.day if precision == "day" else None,
                               "unknown", "carried")
        basis = self._carried_basis()
        if precision == "day" and self.day is not None:
            return PartialDate(self.year, self.month, self.day, "day", basis)  # type: ignore[arg-type]
        if self.month is not None:
            return PartialDate(self.year, self.month, None, "month", basis)  # type: ignore[arg-type]
        return PartialDate(self.year, None, None, "year", basis)  # type: ignore[arg-type]


def find_dates(document: Document, sentences: list[tuple[int, int]]) -> list[SentenceDates]:
    """The dates of each sentence (given as analysis spans), resolved in document order,
    with the context each sentence inherits."""
    ctx = DateContext(page_date(document))
    # a day or month named before any full date takes the document's first full date
    # as its context ("Dans la soirée du 24", in a report dated by its tweet "27 mars 2021")
    by_kind = dict(PATTERNS)
    for kind, pattern in (("dmy", by_kind["dmy"]), ("my", by_kind["my"])):
        m = pattern.search(document.analysis, 200)
        if m:
            g = [x for x in m.groups() if x is not None]
            ctx.year, ctx.month = int(g[-1]), MONTHS[g[-2].lower()]
            if ctx.anchor is not None and (ctx.year, ctx.month) == (ctx.anchor.year, ctx.anchor.month) \
                    and kind == "dmy" and int(g[-3]) == ctx.anchor.day:
                ctx.year_basis = "inferred"  # that date is the dateline: the publication date
            break
    else:  # no full date: the first day and month, with the page's year if any (inferred)
        m = by_kind["dm"].search(document.analysis)
        if m:
            month = MONTHS[m.group(2).lower()]
            ctx.month = month
            if ctx.anchor is not None:
                ctx.year = ctx.anchor.year if month <= ctx.anchor.month else ctx.anchor.year - 1
                ctx.year_basis = "inferred"
    out: list[SentenceDates] = []
    # found over the whole text, then given to the sentence each starts in: the parser
    # sometimes cuts a heading date apart ("27" | "novembre" | ":")
    analysis = document.analysis
    hits = _find(analysis)
    starts = [start for start, _ in sentences]
    by_sentence: dict[int, list[tuple[int, int, str, tuple[str, ...]]]] = {}
    for hit in hits:
        by_sentence.setdefault(max(bisect_right(starts, hit[0]) - 1, 0), []).append(hit)
    for index, (start, end) in enumerate(sentences):
        text = analysis[start:end]
        context = ctx.carried("day")
        found = []
        for s, e, kind, groups in by_sentence.get(index, ()):
            if kind == "dmy" and start < 200 and _PAGE_DATE.search(text):
                continue
            saved = (ctx.year, ctx.year_basis, ctx.month, ctx.day)
            date = ctx.resolve(kind, groups, analysis[s:e])
            bound = date is not None and _bound(analysis, s)
            if bound:
                ctx.year, ctx.year_basis, ctx.month, ctx.day = saved  # "depuis décembre 2023"
            if date is not None:
                since = bool(_SINCE.search(analysis[max(0, s - 16) : s]) or _SINCE_START.match(analysis, s))
                found.append(DateMention(index, s, e, analysis[s:e], date, bound, since))
        out.append(SentenceDates(found, context))
    return out

