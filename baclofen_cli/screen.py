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
from typing import IO, Any, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from baclofen_cli.check import CheckResult, Finding, check, exit_status
from baclofen_cli.knowledge.model import GRADES, Knowledge
from baclofen_cli.resolve import HISTORY, WITH, Resolver

FORMATS = ("csv", "tsv", "jsonl")
FLAGGED = "flagged"
CLEAN = "clean"
NOT_FULLY_CHECKED = "not-fully-checked"
MALFORMED = "malformed"
STATUSES = (FLAGGED, CLEAN, NOT_FULLY_CHECKED, MALFORMED)
_MEMO_LIMIT = 200_000
_MAX_CELL = 100_000


class ScreenError(Exception):
    """The input or output as a whole cannot be used (no usable header, unknown output type)."""


class Columns(NamedTuple):
    id: str = "id"
    medications: str = "medications"
    conditions: str = "conditions"
    daily_dose: str = "daily_dose_mg"


class Row(NamedTuple):
    number: int
    """1-based position among the data rows (the header is not counted)."""
    id: str
    medications: Tuple[str, ...]
    conditions: Tuple[str, ...]
    daily_dose_mg: Optional[float]
    error: Optional[str] = None


class RowOutcome(NamedTuple):
    row: Row
    status: str
    result: Optional[CheckResult]
    """None for a malformed row."""

    @property
    def highest_severity(self) -> Optional[str]:
        return self.result.highest_severity if self.result else None


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
            return (), f"{what} cell is over {_MAX_CELL:,} characters"
        return split_cell(value), None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip()), None
    return (), f"{what} must be text or a list of text"


def _row(number: int, record: Dict[Any, Any], columns: Columns) -> Row:
    ident = record.get(columns.id)
    meds, med_error = _items(record.get(columns.medications), columns.medications)
    conds, cond_error = _items(record.get(columns.conditions), columns.conditions)
    dose, dose_error = _dose(record.get(columns.daily_dose))
    error = med_error or cond_error or dose_error
    if ident is None or (isinstance(ident, str) and not ident.strip()):
        error = f"no value in the {columns.id!r} column"
    if None in record:  # csv.DictReader puts surplus fields under None
        error = f"more fields than the header has ({len(record) - 1 + len(record[None])})"
    return Row(number, "" if ident is None else str(ident), meds, conds, dose, error)


def read_rows(stream: IO[str], fmt: str, columns: Columns) -> Iterator[Row]:
    """Rows one at a time; a row that cannot be read is yielded with ``error`` set."""
    if fmt == "jsonl":
        number = 0
        for line in stream:
            if not line.strip():
                continue
            number += 1
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                yield Row(number, "", (), (), None, f"not valid JSON ({e.msg}, column {e.colno})")
                continue
            except RecursionError:
                yield Row(number, "", (), (), None, "JSON nested too deeply")
                continue
            if not isinstance(record, dict):
                yield Row(number, "", (), (), None, "a line is not a JSON object")
                continue
            yield _row(number, record, columns)
        return
    reader = csv.DictReader(stream, delimiter="\t" if fmt == "tsv" else ",")
    header = list(reader.fieldnames or [])
    missing = [] if columns.id in header else [repr(columns.id)]
    if columns.medications not in header and columns.conditions not in header:
        missing.append(f"{columns.medications!r} or {columns.conditions!r}")
    if missing:
        raise ScreenError(
            f"the header ({', '.join(header) or 'empty'}) has no column {' and no column '.join(missing)}; "
            "map columns with --id-column, --medications-column, --conditions-column, --dose-column"
        )
    records = iter(reader)
    number = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except csv.Error as e:  # NUL bytes, oversized fields, broken quoting: keep going
            number += 1
            yield Row(number, "", (), (), None, f"cannot be read as {fmt.upper()} ({e})")
            continue
        number += 1
        yield _row(number, record, columns)


class Screener:
    """Checks rows against one Knowledge, remembering the verdict for rows with the same cells."""

    def __init__(self, knowledge: Knowledge, audience: str = "professional") -> None:
        self.knowledge = knowledge
        self.resolver = Resolver(knowledge)
        self.audience = audience
        self._memo: Dict[Tuple[Any, ...], Tuple[str, CheckResult]] = {}

    def screen(self, row: Row) -> RowOutcome:
        if row.error:
            return RowOutcome(row, MALFORMED, None)
        key = (row.medications, row.conditions, row.daily_dose_mg)
        found = self._memo.get(key)
        if found is None:
            resolutions = (self.resolver.resolve_all(row.medications, WITH)
                           + self.resolver.resolve_all(row.conditions, HISTORY))
            result = check(self.knowledge, resolutions, row.daily_dose_mg, self.audience)
            code = exit_status(result)
            status = NOT_FULLY_CHECKED if code == 3 else FLAGGED if code == 1 else CLEAN
            found = (status, result)
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = found
        return RowOutcome(row, found[0], found[1])

    def screen_all(self, rows: Iterator[Row]) -> Iterator[RowOutcome]:
        for row in rows:
            yield self.screen(row)


class Summary:
    """Running totals: constant memory whatever the number of rows."""

    def __init__(self) -> None:
        self.rows = 0
        self.by_status: Counter[str] = Counter()
        self.by_grade: Counter[str] = Counter()
        self.findings: Counter[Tuple[str, str]] = Counter()
        self.unrecognized: Counter[str] = Counter()
        self.malformed: List[Tuple[int, str]] = []
        self.flagged_at_or_above: Dict[str, int] = {g: 0 for g in GRADES}

    def add(self, outcome: RowOutcome) -> None:
        self.rows += 1
        self.by_status[outcome.status] += 1
        if outcome.status == MALFORMED:
            if len(self.malformed) < 1000:
                self.malformed.append((outcome.row.number, outcome.row.error or ""))
            return
        assert outcome.result is not None
        if outcome.result.highest_severity:
            self.by_grade[outcome.result.highest_severity] += 1
        for f in outcome.result.findings:
            self.findings[(f.severity, f.title)] += 1
        for text in outcome.result.unrecognized:
            if len(self.unrecognized) < 10_000 or text in self.unrecognized:
                self.unrecognized[text] += 1

    def exit_status(self, fail_on: str = "minor") -> int:
        if self.by_status[NOT_FULLY_CHECKED]:
            return 3
        from baclofen_cli.knowledge.model import GRADE_RANK

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
        "error": outcome.row.error,
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


def open_writer(path: str) -> Writer:
    return Writer(path)
