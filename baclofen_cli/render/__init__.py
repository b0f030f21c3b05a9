"""Output: one interface from typed pages to every format.

A command builds one page (``pages``: typed data, built once) and calls :func:`emit`. Each
format is a module with a ``PAGES`` table (page type -> renderer) and a ``write(page, out,
options)`` function: ``text`` is ``views`` (a document of ``blocks``, drawn by ``plain`` with no
escape codes, or by ``terminal`` with Rich), ``json`` is ``json_out`` and ``fhir`` is ``fhir``.
Only the module of the chosen format is imported. ``pages.FORMATS`` says which formats each
page has; anything else is :class:`UnsupportedFormat`, a usage error.
"""

from __future__ import annotations

from typing import IO, Any, Optional, Sequence

from baclofen_cli._records import NamedTuple

OVERVIEW_WARNINGS = 4
"""How many warnings ``baclo info`` shows: the first ones, as the file lists them by importance."""

FORMAT_MODULES = {
    "text": "baclofen_cli.render.views",
    "json": "baclofen_cli.render.json_out",
    "fhir": "baclofen_cli.render.fhir",
}


class UnsupportedFormat(Exception):
    """This page has no rendering in this format."""

    def __init__(self, fmt: str, supported: Sequence[str]) -> None:
        super().__init__(f"--format {fmt} is not available here; choose {' or '.join(supported)}")
        self.fmt = fmt
        self.supported = tuple(supported)


class TextOptions(NamedTuple):
    """How the ``text`` format draws: plain text (pipes, NO_COLOR) or Rich, at what width, through a pager."""

    plain: bool = True
    width: int = 100
    pager: Optional[str] = None
    """A pager command to send a long page through (a terminal only), or None."""


def supported(page: Any) -> Sequence[str]:
    from baclofen_cli.render.pages import FORMATS

    return FORMATS[type(page)]


def emit(page: Any, fmt: str, out: IO[str], options: TextOptions = TextOptions()) -> None:
    """Render ``page`` in ``fmt`` on ``out``; :class:`UnsupportedFormat` when it has no such rendering."""
    formats = supported(page)
    if fmt not in formats:
        raise UnsupportedFormat(fmt, formats)
    from importlib import import_module

    import_module(FORMAT_MODULES[fmt]).write(page, out, options)


def draw(document: Any, out: IO[str], options: TextOptions) -> None:
    """Draw a document as plain text or with Rich; through the pager when one is set."""
    if options.pager:
        from baclofen_cli.render.pager import page_through

        if page_through(document, options, out):
            return
    if options.plain:
        from baclofen_cli.render import plain

        plain.render(document, out, options.width)
    else:
        from baclofen_cli.render import terminal

        terminal.render(document)
