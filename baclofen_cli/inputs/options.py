"""The ``--with``, ``--history`` and ``--daily-dose`` options of ``baclo check`` as one ``Record``.

A value of several lines (``--with "$(cat list.txt)"``) is one item a line, as ``--with-file`` reads
it; in a value of one line commas separate items, except inside a number (``vitamin D3 1,000
units``) or inside brackets (``lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet``). A value that is itself an
option (``--with --json``) is a usage error: the option was given no value.
"""

from __future__ import annotations

from typing import Iterable, Iterator, List, Optional, Sequence

from baclofen_cli.inputs import InputError, InputRow, parse_daily_dose
from baclofen_cli.record import Record


def _clean(text: str) -> str:
    """Arguments that were not valid UTF-8 arrive with surrogate escapes; show them as U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def split_values(values: Iterable[str], option: str) -> List[str]:
    """Every item of every value, trimmed; empty pieces are dropped."""
    from baclofen_cli.lines import split_value  # pure text: the same split as ``baclo check`` makes

    items: List[str] = []
    for value in values:
        value = _clean(value)
        if value.startswith("--") and " " not in value.strip():
            raise InputError(f"{option} was given no value (it took {value!r}, which is an option). "
                             f"Example: {option} oxycodone")
        items.extend(split_value(value, "history" if option == "--history" else "with"))
    return items


class OptionsAdapter:
    """``--with/--history/--daily-dose`` as one ``InputRow``."""

    source = "the command line"

    def __init__(self, with_: Sequence[str] = (), history: Sequence[str] = (),
                 daily_dose: Optional[str] = None, patient_id: Optional[str] = None) -> None:
        self.record = record_from_options(with_, history, daily_dose, patient_id)

    def rows(self) -> Iterator[InputRow]:
        yield InputRow(1, self.record)


def record_from_options(with_: Sequence[str] = (), history: Sequence[str] = (),
                        daily_dose: Optional[str] = None, patient_id: Optional[str] = None) -> Record:
    """The options as a ``Record``; ``InputError`` (exit 2) for a value that cannot be used."""
    dose = None
    if daily_dose is not None:
        try:
            dose = parse_daily_dose(_clean(daily_dose))
        except ValueError as e:
            raise InputError(f"--daily-dose: {e}") from None
    return Record(medications=tuple(split_values(with_, "--with")),
                  conditions=tuple(split_values(history, "--history")),
                  daily_dose_mg=dose, patient_id=patient_id)
