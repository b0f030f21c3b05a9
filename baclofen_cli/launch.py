"""The ``baclo`` console script and ``python -m baclofen_cli``: Ctrl-C during start-up is handled too.

Importing Typer, Click and Rich takes most of a run's start-up; a Ctrl-C in that time
would otherwise print a Python traceback. The first thing done here (before any of
those imports) is to make SIGINT write ``baclo: interrupted`` and exit with status 130
at once; ``cli._run`` puts Python's own handler back as soon as it can turn
KeyboardInterrupt into the same message (so an interrupted ``screen`` still cleans up).
It uses the built-in ``_signal`` (``signal`` itself builds enums: a millisecond in which
a Ctrl-C would still reach Python's default handler). A SIGINT that is ignored
(``nohup``, a background job) stays ignored. Before this module runs, the interpreter
is still starting and a Ctrl-C ends it by the signal, silently (no traceback).
"""

import _signal  # type: ignore[import-not-found]  # no stub: the C module behind signal
import os


def interrupted_at_start(signum: int, frame: object) -> None:
    """SIGINT while baclo is still starting: one line, exit 130, no traceback."""
    try:
        os.write(2, b"baclo: interrupted\n")
    except OSError:
        pass
    os._exit(130)


def main() -> None:
    if _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
        _signal.signal(_signal.SIGINT, interrupted_at_start)
    from baclofen_cli.cli import main as run

    run()
