"""Rich output for a terminal. Every string is wrapped in ``Text``: nothing is read as markup."""

from __future__ import annotations

import os
from typing import IO, Optional, Sequence, Union

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table as RichTable
from rich.text import Text

from baclofen_cli.render.blocks import Bars, Block, Heading, Para, Spacer, Table, layout, sources_text, stacked_rows
from baclofen_cli.render.plain import safe_block
from baclofen_cli.render.safe import columns

STYLES = {
    "contraindicated": "bold white on red",
    "major": "bold red",
    "moderate": "bold yellow",
    "minor": "cyan",
    "not-checked": "bold magenta",
    "ok": "green",
    "note": "italic",
    "dim": "dim",
    "warning": "yellow",
}


def make_console(stderr: bool = False, file: Optional[IO[str]] = None, force_terminal: Optional[bool] = None,
                 width: Optional[int] = None) -> Console:
    """A console that reads no markup; ``COLUMNS`` and ``LINES`` are clamped (Rich would trust any number)."""
    width = width or _number(os.environ.get("COLUMNS"))
    height = _number(os.environ.get("LINES"))
    return Console(stderr=stderr, file=file, force_terminal=force_terminal, markup=False, emoji=False,
                   highlight=False, soft_wrap=False, width=width, height=height)


def _number(value: Optional[str]) -> Optional[int]:
    """A clamped size from the environment, or None to let Rich ask the terminal."""
    if value is None or not value.strip().lstrip("-").isdigit():
        return None
    return columns(value)


def render(document: Sequence[Block], console: Optional[Console] = None) -> None:
    console = console or make_console()
    for block in map(safe_block, document):
        if isinstance(block, Heading):
            style = STYLES.get(block.style or "", "bold underline" if block.level == 1 else "bold")
            console.print()  # headings open a new block on screen
            console.print(Text(block.text, style=style))
        elif isinstance(block, Para):
            room = console.width - 2 * block.indent - (2 if block.bullet else 0)
            if any(len(word) > room for word in block.text.split()):
                # a word longer than the line (a link): never folded mid-word; the terminal wraps it, so it
                # stays one word to copy or click
                prefix = "  " * block.indent + ("• " if block.bullet else "")
                console.print(Text.assemble(prefix, _para(block)), soft_wrap=True)
                continue
            console.print(Padding(_bulleted(block, console), (0, 0, 0, 2 * block.indent), expand=False))
        elif isinstance(block, Table):
            widths = layout(block, console.width)
            if widths is None:
                _stacked(block, console)
            else:
                console.print(_table(block, widths))
        elif isinstance(block, Bars):
            console.print(_bars(block, console.width))
        elif isinstance(block, Spacer):
            console.print()


def _bulleted(p: Para, console: Optional[Console] = None) -> Union[Text, RichTable]:
    """A bullet hangs to the left of its text, so wrapped lines stay aligned under the text."""
    width = console.width - 2 * p.indent - (2 if p.bullet else 0) if console is not None else None
    if not p.bullet:
        return _para(p, console, width)
    grid = RichTable.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(Text("•", style=STYLES.get(p.style or "", "")), _para(p, console, width))
    return grid


def _para(p: Para, console: Optional[Console] = None, width: Optional[int] = None) -> Text:
    text = Text(style=STYLES.get(p.style or "", ""))
    if p.label:
        text.append(p.label + ": ", style="bold")
    text.append(p.text)
    if p.sources:
        text.append(_tags(p.sources, text, console, width), style="dim")
    return text


def _tags(sources: Sequence[str], text: Text, console: Optional[Console], width: Optional[int]) -> str:
    """``  [us-label 5.1; uk-smpc 4.4]``, never broken inside one tag: a tag that does not fit goes to the next line."""
    if console is None or width is None or width < 20:
        return f"  [{sources_text(sources)}]"
    column = text.wrap(console, width)[-1].cell_len if text.plain else 0  # where the text ends
    pieces = [f"[{s};" if i == 0 else f"{s};" for i, s in enumerate(sources)]
    pieces[-1] = pieces[-1][:-1] + "]"
    tail, sep = "", "  "
    for piece in pieces:
        if column and column + len(sep) + len(piece) > width:
            tail, column, sep = tail + "\n", 0, ""
        tail += sep + piece
        column += len(sep) + len(piece)
        sep = " "
    return tail


def _table(t: Table, widths: Sequence[int]) -> RichTable:
    """The table with the widths ``blocks.layout`` chose: each at least its longest word (wrap on words only)."""
    table = RichTable(title=Text(t.title, style="bold") if t.title else None, box=box.SIMPLE_HEAD,
                      show_lines=False, expand=False, title_justify="left", show_edge=False, pad_edge=False,
                      padding=(0, 1, 0, 0))  # columns GAP (2) apart: a space and the (blank) divider
    for column, width in zip(t.columns, widths, strict=False):
        table.add_column(Text(column), width=width)
    for i, row in enumerate(t.rows):
        style = t.row_styles[i] if i < len(t.row_styles) else None
        table.add_row(*(Text(cell) for cell in row), style=STYLES.get(style or "", None))
    return table


def _stacked(t: Table, console: Console) -> None:
    """A narrow terminal: one record per row, each field on its own line, wrapped on words."""
    if t.title:
        console.print(Text(t.title, style="bold"))
    for i, (title, fields) in enumerate(stacked_rows(t)):
        style = t.row_styles[i] if i < len(t.row_styles) else None
        console.print(_bulleted(Para(title, style=style, bullet=True)))
        for name, cell in fields:
            label = (f"{name}: ", "bold") if name else ""
            console.print(Padding(Text.assemble(label, cell), (0, 0, 0, 4), expand=False))


def _bars(bars: Bars, width: int = 100) -> RichTable:
    table = RichTable.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column()
    for label, value, caption in bars.steps:
        share = value / bars.maximum
        room = max(10, min(24, width - max(len(s[0]) for s in bars.steps) - 16))  # in proportion when narrow
        bar = Text("█" * max(1, round(room * share)), style="red" if share > 1 else "green")
        bar.append(f" {value:g} {bars.unit}")
        table.add_row(Text(label, style="bold"), Text.assemble(bar, "  ", caption))
    return table
