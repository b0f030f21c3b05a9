"""A long page through a pager, as git does: ``BACLO_PAGER``, else ``PAGER``, else ``less``.

The CLI asks for it only when standard output is a terminal and ``--no-pager`` is not given.
``LESS=FRX`` (unless set) makes less quit at once when the page fits on one screen, keep
colours, and leave the text on screen after it ends.
"""

from __future__ import annotations

import io
import os
import shlex
import subprocess
from typing import Any, Optional


def pager_command(environ: Optional[Any] = None) -> Optional[str]:
    """The pager to use, or None for none (an empty value or ``cat`` turns paging off)."""
    env = os.environ if environ is None else environ
    for name in ("BACLO_PAGER", "PAGER"):
        if name in env:
            value = str(env[name]).strip()
            return None if value in ("", "cat") else value
    return "less"


def screen_lines() -> int:
    """The terminal's height (``LINES`` first, as Rich reads it), or 24."""
    lines = os.environ.get("LINES", "").strip()
    if lines.isdigit() and 0 < int(lines) < 10_000:
        return int(lines)
    try:
        return os.get_terminal_size().lines or 24
    except OSError:
        return 24


def page_through(document: Any, options: Any, out: Any = None) -> bool:
    """Send the drawn document to the pager; False (nothing written) when the pager cannot start.

    A page that fits on the screen is written to ``out`` as it is: no pager for a few lines."""
    try:
        argv = shlex.split(options.pager)
    except ValueError:
        return False
    if not argv:
        return False
    if options.plain:
        from baclofen_cli.render import plain

        text = "\n".join(plain.lines(document, options.width)) + "\n"
    else:
        from baclofen_cli.render import terminal

        buffer = io.StringIO()
        console = terminal.make_console()
        width = console.width
        console = terminal.make_console(file=buffer, force_terminal=True, width=width)
        terminal.render(document, console)
        text = buffer.getvalue()
    if out is not None and text.count("\n") < screen_lines():
        out.write(text)
        return True
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env, encoding="utf-8", errors="replace")
    except OSError:
        return False
    interrupted = False
    try:
        proc.communicate(text)
    except BrokenPipeError:
        proc.wait()
    except KeyboardInterrupt:
        interrupted = True
        proc.wait()
    if not interrupted and proc.returncode:  # a failure status, or killed by a signal (negative)
        # a pager that fails (BACLO_PAGER=false, a broken script) may have shown nothing: never lose the page
        import sys

        sys.stderr.write(f"baclo: the pager {options.pager!r} ended with status {proc.returncode}"
                         f"{' (killed by a signal)' if proc.returncode < 0 else ''}; "
                         "printing the page directly (--no-pager or BACLO_PAGER=cat skips the pager)\n")
        return False
    return True
