"""Input adapters: every way into baclo becomes a ``Record`` (see ``baclofen_cli.record``).

Each adapter lives in its own module behind one small interface:

* ``inputs.options``: the ``--with/--history/--daily-dose`` options of ``baclo check``;
* ``inputs.table``: the rows of a CSV, TSV or JSON Lines screening file;
* ``inputs.fhir``: FHIR resources and Bundles.

An adapter yields ``InputRow`` values: one per patient it was given, in order, each
with where it came from and a ``Record`` for ``baclofen_cli.api.check_record``. A row
that cannot be read at all still comes out, with ``error`` set (malformed): nothing is
dropped or merged. Modules here import only the standard library and ``record``.
"""

from __future__ import annotations

import math
import re
from typing import Any, Dict, Iterator, List, Optional, Protocol, Tuple

from baclofen_cli._records import NamedTuple
from baclofen_cli.errors import BacloError
from baclofen_cli.record import Record

__all__ = ["Adapter", "InputError", "InputRow", "parse_daily_dose"]


class InputError(BacloError):
    """The input as a whole cannot be used (a missing column, a file that cannot be read): exit 2."""


class InputRow(NamedTuple):
    """One patient as an adapter read it."""

    number: int
    """Where it starts: the file's own 1-based line number (or the position of a resource)."""
    record: Record
    """What to check. For a malformed row, whatever could be read (at least the patient id)."""
    error: Optional[str] = None
    """Set when the row cannot be read at all: it is reported as malformed, never checked as clean."""
    notes: Tuple[str, ...] = ()
    """Things worth telling that do not stop the check (an empty id, a field spanning lines)."""
    unread_cells: Tuple[Tuple[str, str], ...] = ()
    """(column, text) of non-empty cells in columns baclo does not read (and the user did not ignore):
    screening looks them up, so a column under a name nobody foresaw never passes a medicine over."""


class Adapter(Protocol):
    """What every input adapter offers."""

    source: str
    """A name for messages: a path, ``standard input``, ``--with``."""

    def rows(self) -> Iterator[InputRow]:
        """Every patient, in input order; the adapter may raise ``InputError`` before the first."""
        ...


_DOSE = re.compile(
    r"(?P<n>\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>mg|milligrams?|g|mcg|ug|µg)?\.?"
    r"\s*(?:(?:/|per|a|each)\s*(?:day|d|24\s*h(?:ours?)?))?",
    re.IGNORECASE,
)


def parse_daily_dose(value: Any) -> float:
    """A daily dose in mg from a number or text such as ``60``, ``60 mg``, ``60mg``, ``60 mg/day``.

    Raises ``ValueError`` with a message for anything else (another unit, not a positive number).
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"daily dose {value!r} is not a number of mg")
    if isinstance(value, (int, float)):
        dose = float(value)
    elif isinstance(value, str):
        text = value.strip()
        match = _DOSE.fullmatch(text)
        if match is None:
            raise ValueError(f"daily dose {text[:40]!r} is not a number of mg per day (such as 60 or 60 mg)")
        unit = (match.group("unit") or "mg").lower()
        if unit not in ("mg", "milligram", "milligrams"):
            raise ValueError(f"daily dose {text[:40]!r}: give it in mg (such as 60 mg)")
        dose = float(match.group("n"))
    else:
        raise ValueError("daily dose must be a number of mg")
    if not (dose > 0 and math.isfinite(dose)):
        raise ValueError(f"daily dose {str(value)[:40]!r} is not a positive number of mg")
    return dose


class JsonKeyTwice(ValueError):
    """A JSON object gives the same key twice: which value counts is not defined, so it is never guessed."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class JsonNotANumber(ValueError):
    """``NaN`` or ``Infinity``: not JSON, though Python's parser accepts them."""


def unique_keys(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    """``object_pairs_hook`` for every JSON input baclo reads: a key given twice is refused."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise JsonKeyTwice(key)
            seen.add(key)
    return obj


def no_constant(name: str) -> Any:
    """``parse_constant`` hook: NaN and Infinity are refused."""
    raise JsonNotANumber(name)
