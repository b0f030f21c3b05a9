"""Plain text: no escape codes, no box drawing, one paragraph per line (grep-friendly)."""

from __future__ import annotations

import textwrap
from typing import IO, List, Sequence

from baclofen_cli.render.blocks import Bars, Block, Heading, Para, Spacer, Table, sources_text, stacked_rows
from baclofen_cli.render.safe import visible


def render(document: Sequence[Block], out: IO[str], width: int = 100) -> None:
    out.write("\n".join(lines(document, width)) + "\n")


def lines(document: Sequence[Block], width: int = 100) -> List[str]:
    width = max(width, 20)
    result: List[str] = []
    for block in map(safe_block, document):
        if isinstance(block, Heading):
            if result and result[-1] != "":
                result.append("")
            text = block.text
            result.append(text)
            result.append(("=" if block.level == 1 else "-") * min(len(text), width))
        elif isinstance(block, Para):
            result.append(_para(block))
        elif isinstance(block, Table):
            result.extend(_table(block, width))
        elif isinstance(block, Bars):
            result.extend(_bars(block, width))
        elif isinstance(block, Spacer):
            result.append("")
    return result


def safe_block(block: Block) -> Block:
    """The block with every text in it made visible (see ``render.safe``): no raw control characters."""
    if isinstance(block, Heading):
        return block._replace(text=visible(block.text))
    if isinstance(block, Para):
        return block._replace(text=visible(block.text), label=visible(block.label) if block.label else block.label,
                              sources=tuple(visible(s) for s in block.sources))
    if isinstance(block, Table):
        return block._replace(columns=tuple(visible(c) for c in block.columns),
                              rows=tuple(tuple(visible(c) for c in row) for row in block.rows),
                              title=visible(block.title) if block.title else block.title)
    if isinstance(block, Bars):
        return block._replace(steps=tuple((visible(label), value, visible(caption))
                                          for label, value, caption in block.steps))
    return block


def _para(p: Para) -> str:
    text = p.text
    if p.label:
        text = f"{p.label}: {text}"
    if p.sources:
        text = f"{text} [{sources_text(p.sources)}]"
    prefix = "  " * p.indent + ("- " if p.bullet else "")
    return prefix + text


def _table(t: Table, width: int) -> List[str]:
    out: List[str] = []
    if t.title:
        out.append(t.title)
    widths = [len(c) for c in t.columns]
    for row in t.rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    if sum(widths) + 2 * (len(widths) - 1) <= width:  # one line per row: aligned
        def aligned(cells: Sequence[str]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()

        out.append(aligned(t.columns))
        out.append("  ".join("-" * w for w in widths))
        out.extend(aligned(row) for row in t.rows)
    else:
        # too wide to align: one record per row, one field per line, wrapped on words
        for title, fields in stacked_rows(t):
            out.extend(_wrap(f"* {title}", width, "  "))
            for name, cell in fields:
                out.extend(_wrap(f"  {name}: {cell}" if name else f"  {cell}", width, "    "))
    return out


def _bars(bars: Bars, width: int) -> List[str]:
    label_w = max(len(s[0]) for s in bars.steps)
    # at least 10 characters of bar, so the lengths stay in proportion on a narrow screen (new-user round 4)
    bar_room = max(width - label_w - 30, 10)
    out = []
    for label, value, caption in bars.steps:
        bar = "#" * max(1, round(bar_room * value / bars.maximum))
        line = f"{label.ljust(label_w)}  {bar} {value:g} {bars.unit}"
        if caption and len(line) + 2 + len(caption) > width:  # the caption on its own line rather than past the edge
            out.append(line)
            out.extend(" " * (label_w + 2) + c for c in _wrap(caption, max(width - label_w - 2, 20), ""))
        else:
            out.append(f"{line}  {caption}".rstrip())
    return out


def _wrap(text: str, width: int, indent: str) -> List[str]:
    """Wrap on words only: a word longer than the line stays whole rather than being split."""
    return textwrap.wrap(text, width=width, subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False) or [text]
