"""Population screening: every row of a patient file checked, streamed in constant memory.

Rows come from CSV, TSV or JSON Lines. Each row ends in exactly one status:
``flagged`` (with its findings), ``clean``, ``not-fully-checked`` (some item not
recognized; the rest is still checked) or ``malformed`` (kept, with its row
number and the reason). Patients on the same regimen are common, so a row's
verdict is remembered by its exact cells and reused (a bounded memo).
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from typing import IO, Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from baclofen_cli.check import CheckResult, Finding, check, exit_status
from baclofen_cli.knowledge.model import GRADE_RANK, GRADES, Knowledge
from baclofen_cli.resolve import HISTORY, WITH, Resolver

FLAGGED = "flagged"
CLEAN = "clean"
NOT_FULLY_CHECKED = "not-fully-checked"
MALFORMED = "malformed"
_MEMO_LIMIT = 200_000
_MAX_CELL = 100_000


class ScreenError(Exception):
    """The input or output as a whole cannot be used (no usable header, unknown output type)."""


class Columns(NamedTuple):
    id: str = "id"
    medications: str = "medications"
    conditions: str = "conditions"
    daily_dose: str = "daily_dose_mg"


class RawRow(NamedTuple):
    """One input row as read, before any checking: cells are kept as given."""

    number: int
    """1-based position among the data rows (the header is not counted)."""
    id: str
    medications: Any
    conditions: Any
    daily_dose: Any
    error: Optional[str] = None
    """Set when the row itself cannot be read (bad JSON, more fields than the header)."""


class Verdict(NamedTuple):
    """What a row's cells come to. Rows with the same cells share one Verdict object."""

    status: str
    result: Optional[CheckResult]
    error: Optional[str] = None


class RowOutcome(NamedTuple):
    row: RawRow
    verdict: Verdict

    @property
    def status(self) -> str:
        return self.verdict.status

    @property
    def result(self) -> Optional[CheckResult]:
        return self.verdict.result

    @property
    def error(self) -> Optional[str]:
        return self.verdict.error


def split_cell(cell: str) -> Tuple[str, ...]:
    """Items in a cell are separated by ';' or '|'."""
    if not cell:
        return ()
    return tuple(p.strip() for p in cell.replace("|", ";").split(";") if p.strip())


def format_for(path: str, explicit: Optional[str]) -> str:
    if explicit:
        return explicit
    lower = path.lower()
    for ext, fmt in ((".tsv", "tsv"), (".tab", "tsv"), (".jsonl", "jsonl"), (".ndjson", "jsonl"), (".csv", "csv")):
        if lower.endswith(ext):
            return fmt
    return "csv"


def _dose(value: Any) -> Tuple[Optional[float], Optional[str]]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, f"daily dose {value!r} is not a number"
    try:
        dose = float(value)
    except (TypeError, ValueError):
        return None, f"daily dose {str(value)[:40]!r} is not a number"
    if not (dose > 0 and math.isfinite(dose)):
        return None, f"daily dose {str(value)[:40]!r} is not a positive number of mg"
    return dose, None


def _items(value: Any, what: str) -> Tuple[Tuple[str, ...], Optional[str]]:
    if value is None:
        return (), None
    if isinstance(value, str):
        if len(value) > _MAX_CELL:
            return (), f"the {what} cell is over {_MAX_CELL:,} characters"
        return split_cell(value), None
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip()), None
    return (), f"{what} must be text or a list of text"


def _json_cell(value: Any) -> Any:
    """A JSON value as a hashable cell: lists of text become tuples; other containers are refused."""
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ValueError("a list may hold only text")
    if isinstance(value, dict):
        raise ValueError("an object is not a list of items")
    return value


Cells = Tuple[int, str, Any, Any, Any, Optional[str]]
"""A row as a plain tuple in ``RawRow`` field order (cheaper to make than the NamedTuple)."""


def read_rows(stream: IO[str], fmt: str, columns: Columns) -> Iterator[Cells]:
    """Rows one at a time, cells as given; a row that cannot be read comes with ``error`` set."""
    if fmt == "jsonl":
        return _jsonl_rows(stream, columns)
    return _delimited_rows(stream, "\t" if fmt == "tsv" else ",", fmt, columns)


def _jsonl_rows(stream: IO[str], columns: Columns) -> Iterator[Cells]:
    number = 0
    for line in stream:
        if not line.strip():
            continue
        number += 1
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            yield RawRow(number, "", None, None, None, f"not valid JSON ({e.msg}, column {e.colno})")
            continue
        except RecursionError:
            yield RawRow(number, "", None, None, None, "JSON nested too deeply")
            continue
        if not isinstance(record, dict):
            yield RawRow(number, "", None, None, None, "the line is not a JSON object")
            continue
        ident = record.get(columns.id)
        ident = "" if ident is None else str(ident)
        try:
            cells = [_json_cell(record.get(name)) for name in (columns.medications, columns.conditions, columns.daily_dose)]
        except ValueError as e:
            yield RawRow(number, ident, None, None, None, str(e))
            continue
        yield RawRow(number, ident, *cells)


def _delimited_rows(stream: IO[str], delimiter: str, fmt: str, columns: Columns) -> Iterator[Cells]:
    reader: Iterator[List[Any]] = csv.reader(stream, delimiter=delimiter)
    try:
        header = [h or "" for h in next(reader)]
    except StopIteration:
        header = []
    except csv.Error as e:
        raise ScreenError(f"the header cannot be read as {fmt.upper()} ({e})") from None
    missing = [] if columns.id in header else [repr(columns.id)]
    if columns.medications not in header and columns.conditions not in header:
        missing.append(f"{columns.medications!r} or {columns.conditions!r}")
    if missing:
        raise ScreenError(
            f"the header ({', '.join(header) or 'empty'}) has no column {' and no column '.join(missing)}; "
            "map columns with --id-column, --medications-column, --conditions-column, --dose-column"
        )
    width = len(header)
    at = {name: header.index(name) for name in columns if name in header}
    i_id = at[columns.id]
    i_med = at.get(columns.medications, width)
    i_cond = at.get(columns.conditions, width)
    i_dose = at.get(columns.daily_dose, width)
    pad = width in (i_med, i_cond, i_dose)  # an absent column reads as the None appended at index `width`
    number = 0
    while True:
        try:
            for cells in reader:
                number += 1
                n = len(cells)
                if n == width:  # the common case, kept short: this runs once per row
                    if pad:
                        cells.append(None)
                    # a plain tuple in RawRow's field order: the NamedTuple is built only for rows that need it
                    yield (number, cells[i_id], cells[i_med], cells[i_cond], cells[i_dose], None)
                elif n == 0:
                    number -= 1  # a blank line is not a row
                elif n > width:
                    yield (number, cells[i_id], None, None, None, f"{n} fields where the header has {width}")
                else:
                    cells.extend([None] * (width + 1 - n))
                    yield (number, cells[i_id] or "", cells[i_med], cells[i_cond], cells[i_dose], None)
            return
        except csv.Error as e:  # NUL bytes, oversized fields, broken quoting: note the row and go on
            number += 1
            yield (number, "", None, None, None, f"cannot be read as {fmt.upper()} ({e})")


class Screener:
    """Checks rows against one Knowledge and counts them into a Summary.

    Rows with the same cells share one verdict: the memo maps the cells to a slot
    ``[verdict, rows counted]`` (bounded; when full, its counts go to the summary
    and it starts afresh).
    """

    def __init__(self, knowledge: Knowledge, audience: str = "professional") -> None:
        self.knowledge = knowledge
        self.resolver = Resolver(knowledge)
        self.audience = audience
        self._memo: Dict[Tuple[Any, Any, Any], List[Any]] = {}
        self._summary: Optional[Summary] = None

    def verdict(self, cells: Cells) -> Verdict:
        """The verdict for one row's cells (from the memo when the same cells were seen)."""
        number, ident, medications, conditions, daily_dose, error = cells
        if error:
            return Verdict(MALFORMED, None, error)
        if not ident.strip():
            return _NO_ID
        slot = self._memo.get(cells[2:5]) or self._slot(cells[2:5])
        return slot[0]  # type: ignore[no-any-return]

    def _slot(self, key: Tuple[Any, Any, Any]) -> List[Any]:
        if len(self._memo) >= _MEMO_LIMIT:
            self._flush()
        verdict = self._new_verdict(*key)
        # [verdict, rows counted, malformed?, flagged?]: flags kept as plain values for the hot loop
        slot = self._memo[key] = [verdict, 0, verdict.status == MALFORMED, verdict.status == FLAGGED]
        return slot

    def _new_verdict(self, medications: Any, conditions: Any, daily_dose: Any) -> Verdict:
        meds, med_error = _items(medications, "medications")
        conds, cond_error = _items(conditions, "conditions")
        dose, dose_error = _dose(daily_dose)
        error = med_error or cond_error or dose_error
        if error:
            return Verdict(MALFORMED, None, error)
        resolutions = self.resolver.resolve_all(meds, WITH) + self.resolver.resolve_all(conds, HISTORY)
        result = check(self.knowledge, resolutions, dose, self.audience)
        code = exit_status(result)
        return Verdict(NOT_FULLY_CHECKED if code == 3 else FLAGGED if code == 1 else CLEAN, result)

    def run(self, rows: Iterator[Cells], summary: Summary, *,
            each: Optional[Callable[[RowOutcome], None]] = None, keep_flagged: int = 0) -> List[RowOutcome]:
        """Screen every row into ``summary``; call ``each`` per row if given; return the first flagged rows.

        This loop is the hot path of a million-row file: a row whose cells were seen
        before costs one dictionary look-up and one increment.
        """
        self._summary = summary
        memo = self._memo
        flagged: List[RowOutcome] = []
        try:
            for row in rows:
                slot = memo.get(row[2:5]) if row[1] and row[5] is None else None
                if slot is None:
                    if row[5] is None and row[1].strip():
                        slot = self._slot(row[2:5])
                    else:
                        verdict = self.verdict(row)
                        summary.count(verdict, row[0])
                        if each is not None:
                            each(RowOutcome(RawRow._make(row), verdict))
                        continue
                slot[1] += 1
                if slot[2]:  # malformed cells (a dose that is not a number): note the row
                    summary.note_malformed(row[0], slot[0].error or "")
                wanted = slot[3] and len(flagged) < keep_flagged
                if each is not None or wanted:
                    outcome = RowOutcome(RawRow._make(row), slot[0])
                    if each is not None:
                        each(outcome)
                    if wanted:
                        flagged.append(outcome)
        finally:  # counts reach the summary even when the run stops early (a closed pipe, --strict)
            self._flush()
        return flagged

    def _flush(self) -> None:
        if self._summary is not None:
            for verdict, n, _, _ in self._memo.values():
                self._summary.count(verdict, None, n)
        self._memo.clear()


_NO_ID = Verdict(MALFORMED, None, "the patient id is empty")


class Summary:
    """Running totals in constant memory: counts per status, grade, finding and unrecognized item."""

    def __init__(self) -> None:
        self.rows = 0
        self.by_status: Counter[str] = Counter()
        self.by_grade: Counter[str] = Counter()
        self.findings: Counter[Tuple[str, str]] = Counter()
        self.unrecognized: Counter[str] = Counter()
        self.malformed: List[Tuple[int, str]] = []

    def count(self, verdict: Verdict, number: Optional[int] = None, n: int = 1) -> None:
        """Add ``n`` rows with this verdict (``number`` is the row's, for a malformed row)."""
        if n == 0:
            return
        self.rows += n
        self.by_status[verdict.status] += n
        if verdict.status == MALFORMED and number is not None:
            self.note_malformed(number, verdict.error or "")
        result = verdict.result
        if result is None:
            return
        if result.findings:
            self.by_grade[result.highest_severity or ""] += n
        for f in result.findings:
            self.findings[(f.severity, f.title)] += n
        for text in result.unrecognized:
            if len(self.unrecognized) < 10_000 or text in self.unrecognized:
                self.unrecognized[text] += n

    def note_malformed(self, number: int, error: str) -> None:
        if len(self.malformed) < 1000:
            self.malformed.append((number, error))

    def exit_status(self, fail_on: str = "minor") -> int:
        if self.by_status[NOT_FULLY_CHECKED]:
            return 3
        threshold = GRADE_RANK[fail_on]
        if any(n and GRADE_RANK[g] >= threshold for g, n in self.by_grade.items()):
            return 1
        return 0

    def as_dict(self, top: int = 10) -> Dict[str, Any]:
        return {
            "rows": self.rows,
            "flagged": self.by_status[FLAGGED],
            "clean": self.by_status[CLEAN],
            "not_fully_checked": self.by_status[NOT_FULLY_CHECKED],
            "malformed": self.by_status[MALFORMED],
            "flagged_by_highest_severity": {g: self.by_grade[g] for g in GRADES},
            "top_findings": [{"severity": s, "title": t, "rows": n} for (s, t), n in self.findings.most_common(top)],
            "top_unrecognized": [{"text": t, "rows": n} for t, n in self.unrecognized.most_common(top)],
            "malformed_rows": [{"row": n, "error": e} for n, e in self.malformed[:top]],
        }


RECORD_FIELDS = ("row", "id", "status", "highest_severity", "findings", "unrecognized", "error")


def record(outcome: RowOutcome) -> Dict[str, Any]:
    """One output record per input row (for --out)."""
    result = outcome.result
    return {
        "row": outcome.row.number,
        "id": outcome.row.id,
        "status": outcome.status,
        "highest_severity": result.highest_severity if result else None,
        "findings": [_finding_brief(f) for f in result.findings] if result else [],
        "unrecognized": list(result.unrecognized) if result else [],
        "error": outcome.error,
    }


def _finding_brief(f: Finding) -> Dict[str, Any]:
    return {"kind": f.kind, "id": f.id, "severity": f.severity, "title": f.title, "inputs": list(f.inputs)}


def csv_cells(rec: Dict[str, Any]) -> Sequence[Any]:
    findings = "; ".join(f"{f['severity']}: {f['title']}" for f in rec["findings"])
    return (rec["row"], rec["id"], rec["status"], rec["highest_severity"] or "", findings,
            "; ".join(rec["unrecognized"]), rec["error"] or "")


class Writer:
    """Streams one record per row to a .csv or .jsonl file, in input order."""

    def __init__(self, path: str) -> None:
        lower = path.lower()
        if lower.endswith(".csv"):
            self.kind = "csv"
        elif lower.endswith((".jsonl", ".ndjson")):
            self.kind = "jsonl"
        else:
            raise ScreenError(f"--out {path!r}: the name must end in .csv or .jsonl")
        try:
            self.file = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed by close()
        except OSError as e:
            raise ScreenError(f"cannot write {path}: {e.strerror or e}") from None
        self.csv = csv.writer(self.file) if self.kind == "csv" else None
        if self.csv is not None:
            self.csv.writerow(RECORD_FIELDS)

    def write(self, outcome: RowOutcome) -> None:
        rec = record(outcome)
        if self.csv is not None:
            self.csv.writerow(csv_cells(rec))
        else:
            self.file.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.file.close()

