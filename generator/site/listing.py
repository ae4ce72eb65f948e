"""The data behind a sortable, filterable listing (templates/_listing.html, templates/static/listing.js):
columns, rows of cells with their sort keys, and the facets a reader filters by. Python computes the
keys — amounts and scores as plain numbers, names by pinyin — so the browser only compares strings
and numbers, and the order is the same in every browser and locale.

    from generator.site.listing import Column, Facet, Row, cell, number_cell
    columns = [Column("name", "部门", row_header=True), Column("amount", "支出（万元）", numeric=True)]
    rows = [Row({"name": cell(d.name, href=...), "amount": number_cell(d.spending)}, facets={"dept": d.id})]
    facets = [Facet("dept", "部门", options_from(rows, "dept", labels={...}))]

and in a template: {% from "_listing.html" import listing %}{{ listing("depts", "各部门", columns, rows, facets) }}.
Plain dicts with the same keys work as well as these classes (Jinja reads either).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

from generator.core.fields import format_money

@dataclass(frozen=True)
class Column:
    key: str  # in the URL (?sort=key) and the cells' mapping; ASCII
    label: str  # the header, and each cell's "label: value" on a phone
    numeric: bool = False  # sorted as a number, right-aligned
    sortable: bool = True
    row_header: bool = False  # the cell names the row (<th scope="row">)


@dataclass(frozen=True)
class Cell:
    text: str = ""  # shown, escaped
    sort: str = ""  # the key the column sorts by (number_key or text_key); "" sorts last
    href: str | None = None  # the text links there
    badge: str | None = None  # a short word shown as a badge after the text (差, 有错误)
    tone: str | None = None  # the badge's kind: "bad", "warn" or "good" (also marked by a sign, not colour alone)
    links: Sequence[tuple[str, str | None]] = ()  # (label, href or None) listed in the cell (a department's projects)


@dataclass(frozen=True)
class Row:
    cells: Mapping[str, Cell]
    # facet key → a value, or a list of values for a row in several groups (codes J202 and J410);
    # values are ids and never hold "|", which joins them in the row's data attribute
    facets: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    flag: str | None = None  # the row needs attention: shown as text (e.g. "有错误") at the row's start


@dataclass(frozen=True)
class Facet:
    key: str  # in the URL (?dept=…) and in the rows' facets
    label: str  # the <select>'s label
    options: Sequence[tuple[str, str]]  # (value, label), in the order shown


@lru_cache(maxsize=None)
def text_key(text: str) -> str:
    """A name's sort key: its pinyin syllables with tones (东湖镇 → "dong1 hu2 zhen4"), kept short
    because every row carries it; names that read alike keep the order they were given in."""
    from pypinyin import Style, lazy_pinyin

    plain = unicodedata.normalize("NFKC", text or "").strip()
    syllables = lazy_pinyin(plain, style=Style.TONE3, errors=lambda chars: [c.lower() for c in chars])
    spelled = " ".join(s.strip() for s in syllables if s.strip()).replace("ü", "v")
    return spelled


def number_key(value: Decimal | int | str | None) -> str:
    """A number's sort key: the number written plainly (never float); "" for no value."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value).replace(",", "").rstrip("%"))
    return format(number.normalize(), "f") if number else "0"


def cell(text: str, *, href: str | None = None, badge: str | None = None, tone: str | None = None) -> Cell:
    """A text cell sorted by pinyin."""
    return Cell(text=text, sort=text_key(text), href=href, badge=badge, tone=tone)


def number_cell(value: Decimal | int | None, text: str | None = None, *, money: bool = True, href: str | None = None,
                badge: str | None = None, tone: str | None = None) -> Cell:
    """A number cell: shown as money (thousands separated, two places) unless `text` or money=False."""
    if text is None:
        text = "" if value is None else (format_money(Decimal(value)) if money else str(value))
    return Cell(text=text, sort=number_key(value), href=href, badge=badge, tone=tone)


def options_from(rows: Iterable[Row], key: str, labels: Mapping[str, str] | None = None,
                 order: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """The options of a facet: every value the rows have, labelled by `labels`, in `order` if given,
    else by the labels' pinyin."""
    labels = labels or {}
    seen: list[str] = []
    for row in rows:
        value = row.facets.get(key)
        for v in [value] if isinstance(value, str) else (value or []):
            if v and v not in seen:
                seen.append(v)
    if order is not None:
        seen.sort(key=lambda v: (order.index(v) if v in order else len(order), text_key(labels.get(v, v))))
    else:
        seen.sort(key=lambda v: text_key(labels.get(v, v)))
    return [(v, labels.get(v, v)) for v in seen]
