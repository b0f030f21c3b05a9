"""The document model shared by the plain-text and Rich renderers.

All text in blocks is literal: it is never parsed as markup by either renderer.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

from baclofen_cli._records import NamedTuple


class Heading(NamedTuple):
    text: str
    level: int = 1
    style: Optional[str] = None
    """A grade name (contraindicated, major, moderate, minor) or a status to colour by."""


class Para(NamedTuple):
    text: str
    label: Optional[str] = None
    sources: Tuple[str, ...] = ()
    style: Optional[str] = None
    indent: int = 0
    bullet: bool = False


class Table(NamedTuple):
    columns: Tuple[str, ...]
    rows: Tuple[Tuple[str, ...], ...]
    title: Optional[str] = None
    row_styles: Tuple[Optional[str], ...] = ()
    inline: Tuple[int, ...] = ()
    """Columns that, when the table is stacked, follow the row's first cell in brackets ("Opioids (major)")."""


class Bars(NamedTuple):
    """A small bar chart: one bar per (label, value, caption), scaled to ``maximum``."""

    steps: Tuple[Tuple[str, float, str], ...]
    maximum: float
    unit: str


class Spacer(NamedTuple):
    pass


Block = Union[Heading, Para, Table, Bars, Spacer]
Document = Sequence[Block]


def sources_text(sources: Sequence[str]) -> str:
    return "; ".join(sources)


def comfortable_width(t: Table) -> int:
    """The width a table needs to read well: each column as wide as its longest word, and up to
    16 characters of its longest cell, plus padding. Narrower than this, tables are stacked."""
    total = 0
    for i, column in enumerate(t.columns):
        cells = [column] + [row[i] for row in t.rows if i < len(row)]
        longest = max((len(c) for c in cells), default=0)
        longest_word = max((len(w) for c in cells for w in c.split()), default=0)
        total += max(min(longest, 16), longest_word)
    return total + 3 * len(t.columns)


def stacked(t: Table, width: int) -> bool:
    """Whether to show the table as one record per row (a field per line, wrapped on words)."""
    return comfortable_width(t) > width


def stacked_rows(t: Table) -> Tuple[Tuple[str, Tuple[Tuple[str, str], ...]], ...]:
    """Each row as (title, ((column, cell), ...)) for the stacked layout; empty and "-" cells are left out."""
    out = []
    for row in t.rows:
        if not row:
            continue
        extra = [row[i] for i in t.inline if i < len(row) and row[i]]
        title = row[0] + (f" ({', '.join(extra)})" if extra else "")
        fields = tuple((name, cell) for i, (name, cell) in enumerate(zip(t.columns, row, strict=False))
                       if i and i not in t.inline and cell and cell != "-")
        out.append((title, fields))
    return tuple(out)
