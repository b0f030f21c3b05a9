"""The floor: the smallest Typer program doing the same visible work as ``baclo check``.

One command with --with/--history list options that prints a two-row Rich table,
or JSON with --json. ``benchmarks/startup.py`` measures baclo against it.
"""

from __future__ import annotations

import json as json_module
from typing import List

import typer

app = typer.Typer()


@app.command()
def check(
    with_: List[str] = typer.Option([], "--with"),
    history: List[str] = typer.Option([], "--history"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    if json:
        print(json_module.dumps({"with": with_, "history": history}))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("kind", "items")
    table.add_row("with", ", ".join(with_))
    table.add_row("history", ", ".join(history))
    Console().print(table)


if __name__ == "__main__":
    app()
