"""The document model shared by the plain-text and Rich renderers.

All text in blocks is literal: it is never parsed as markup by either renderer.
"""


from typing import NamedTuple, Optional, Sequence, Tuple, Union


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
