"""Errors that end a run with a message and a defined exit status (never a traceback)."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FLAGGED = 1
EXIT_USAGE = 2
EXIT_NOT_RECOGNIZED = 3
"""Something was not checked (not recognized, unreadable, malformed) and nothing was flagged."""
EXIT_FLAGGED_AND_NOT_CHECKED = 4
"""Something was flagged AND something was not checked: a script sees both from the status alone."""
EXIT_OUTPUT = 74
"""Standard output or an output file could not be written (closed or full): BSD EX_IOERR."""
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70


class BacloError(Exception):
    """A problem to report to the user as one paragraph, then exit with ``exit_code``."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DataError(BacloError):
    """The knowledge file is missing, unreadable, malformed or invalid."""
