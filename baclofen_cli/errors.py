"""Errors that end a run with a message and a defined exit status (never a traceback)."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FLAGGED = 1
EXIT_USAGE = 2
EXIT_NOT_RECOGNIZED = 3
EXIT_INTERNAL = 70


class BacloError(Exception):
    """A problem to report to the user as one paragraph, then exit with ``exit_code``."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DataError(BacloError):
    """The knowledge file is missing, unreadable, malformed or invalid."""
