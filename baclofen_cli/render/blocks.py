"""The document model shared by the plain-text and Rich renderers.

All text in blocks is literal: it is never parsed as markup by either renderer.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Set, Tuple, Union

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
    weights: Tuple[int, ...] = ()
    """How the room beyond each column's longest word is shared (default 1 each): the column that
    carries the reading ("What happens") gets the most; 0 keeps a column at its longest word."""
    no_wrap: Tuple[int, ...] = ()
    """Short columns (a grade, a frequency) kept on one line whenever the table is drawn as a table."""
    max_widths: Tuple[Tuple[int, int], ...] = ()
    """(column, widest): a column held compact (source tags wrap one or two to a line)."""
    main: Optional[int] = None
    """The column that carries the reading: the table is drawn only when it gets MAIN_MIN characters
    (or its longest cell), else the table is stacked."""


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


GAP = 2
"""Characters between two columns (no edges): the terminal renderer draws exactly this."""
MAIN_MIN = 20
"""The fewest characters the main column gets in a table; narrower, the table is stacked."""
WRAPPED_MIN = 10
"""The fewest characters a column that wraps gets in a table (unless its longest cell is shorter)."""


def _cells(t: Table, i: int) -> List[str]:
    return [t.columns[i]] + [row[i] for row in t.rows if i < len(row)]


def column_widths(t: Table, width: int) -> Optional[List[int]]:
    """See ``_widths``; the ``no_wrap`` columns wrap after all when the table fits no other way."""
    return _widths(t, width, set(t.no_wrap)) or (_widths(t, width, set()) if t.no_wrap else None)


def _widths(t: Table, width: int, no_wrap: Set[int]) -> Optional[List[int]]:
    """Each column's width for drawing ``t`` as a table in ``width`` characters, or None when it
    cannot be drawn without breaking a word (or squeezing a column unreadably).

    Every column starts at its longest word (words are never split); ``no_wrap`` columns get their
    longest cell; the room left is shared by ``weights`` (water-filling: a column stops at its
    longest cell or its ``max_widths`` cap and its share goes to the others).
    """
    n = len(t.columns)
    if not n:
        return None
    room = width - GAP * (n - 1)
    longest = [max((len(c) for c in _cells(t, i)), default=0) for i in range(n)]
    word = [max((len(w) for c in _cells(t, i) for w in c.split()), default=0) for i in range(n)]
    caps = dict(t.max_widths)
    top = [max(word[i], min(longest[i], caps.get(i, longest[i]))) for i in range(n)]
    widths = [top[i] if i in no_wrap else word[i] for i in range(n)]
    if sum(widths) > room:
        return None
    weights = [t.weights[i] if i < len(t.weights) else 1 for i in range(n)]
    spare = room - sum(widths)
    while spare > 0:
        open_ = [i for i in range(n) if widths[i] < top[i] and weights[i] > 0]
        if not open_:
            open_ = [i for i in range(n) if widths[i] < top[i]]
        if not open_:
            break
        total = sum(weights[i] for i in open_) or len(open_)
        given = 0
        for i in open_:
            share = max(1, spare * (weights[i] or 1) // total) if given < spare else 0
            share = min(share, top[i] - widths[i], spare - given)
            widths[i] += share
            given += share
        spare -= given
        if not given:
            break
    for i in range(n):
        if i in no_wrap or widths[i] >= longest[i]:
            continue
        if widths[i] < min(longest[i], MAIN_MIN if i == t.main else WRAPPED_MIN):
            return None
    return widths


def wrapped(text: str, width: int) -> List[str]:
    """``text`` wrapped on words only (a longer word stays whole)."""
    import textwrap

    return textwrap.wrap(text, width=max(width, 1), break_long_words=False, break_on_hyphens=False) or [""]


def table_height(t: Table, widths: Sequence[int]) -> int:
    """Lines the table takes drawn with ``widths``: title, header, rule, rows."""
    def height(row: Sequence[str]) -> int:
        return max((len(wrapped(c, w)) for c, w in zip(row, widths, strict=False)), default=1)

    return (1 if t.title else 0) + height(t.columns) + 1 + sum(height(r) for r in t.rows)


def stacked_height(t: Table, width: int) -> int:
    """Lines the table takes stacked: a title line per row, a line per field, wrapped."""
    lines = 1 if t.title else 0
    for title, fields in stacked_rows(t):
        lines += len(wrapped(title, width - 2))
        lines += sum(len(wrapped(f"{name}: {cell}" if name else cell, width - 4)) for name, cell in fields)
    return lines


def layout(t: Table, width: int) -> Optional[List[int]]:
    """Column widths when ``t`` reads well as a table at ``width``, else None (stack it).

    A table reads well when no word is split, the main column has room, and it takes no more
    lines than the same rows stacked (one field per line): a table that wraps every row into a
    tall narrow column is worse than the stacked layout, and one that fits is better.
    """
    widths = column_widths(t, width)
    if widths is None:
        return None
    return widths if table_height(t, widths) <= stacked_height(t, width) else None


def stacked(t: Table, width: int) -> bool:
    """Whether to show the table as one record per row (a field per line, wrapped on words)."""
    return layout(t, width) is None


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
