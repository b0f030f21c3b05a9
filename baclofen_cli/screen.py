"""Population screening: every row of a patient file checked, in bounded memory.

Rows come from ``inputs.table`` (CSV, TSV, JSON Lines) as ``Record`` values and are
checked by ``api.check_record``, like every other way in. Each row ends in exactly one
status:

* ``flagged``: at least one finding (``fully_checked`` says whether some item was also
  not recognized; such a row counts as flagged AND not checked);
* ``clean``: every item recognized and nothing found;
* ``not-fully-checked``: nothing found, but some item was not recognized or not readable;
* ``nothing-to-check``: the row names no medicine, condition or dose (never clean);
* ``malformed``: the row could not be read (kept, with its line number and the reason).

Rows with the same content share one verdict through a memo with a fixed ceiling, and
item resolutions are bounded the same way, so memory does not grow with the file.
"""

from __future__ import annotations

import csv
import heapq
import io
import json
import os
import re
import tempfile
from array import array
from collections import Counter
from typing import IO, Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from baclofen_cli._records import NamedTuple
from baclofen_cli.api import check_record
from baclofen_cli.check import CheckResult, Finding, status_code
from baclofen_cli.inputs import InputError, InputRow
from baclofen_cli.inputs.table import Columns, format_for, split_cell  # noqa: F401 - re-exported
from baclofen_cli.knowledge.model import GRADE_RANK, GRADES, Knowledge
from baclofen_cli.render.safe import json_safe, visible
from baclofen_cli.resolve import Resolver

FLAGGED = "flagged"
CLEAN = "clean"
NOT_FULLY_CHECKED = "not-fully-checked"
NOTHING_TO_CHECK = "nothing-to-check"
MALFORMED = "malformed"
STATUSES = (FLAGGED, CLEAN, NOT_FULLY_CHECKED, NOTHING_TO_CHECK, MALFORMED)

VERDICT_MEMO_LIMIT = 10_000
"""Distinct row contents whose verdict is remembered; the memo starts afresh when full."""
RESOLUTION_MEMO_LIMIT = 50_000
"""Distinct item texts whose resolution is remembered (the resolver starts afresh when full)."""
MEMO_TEXT_LIMIT = 1_000
"""A row whose items hold more characters than this is checked without the memos (bounded memory)."""
KEPT_TEXT = 200
"""Characters of an item or id kept in the summary's counters."""


class ScreenError(InputError):
    """The input or output as a whole cannot be used (exit 2)."""


class WorkerFailed(ScreenError):
    """A ``--jobs`` worker process stopped unexpectedly: the run is incomplete (exit 70)."""


class RawRow(NamedTuple):
    """Where a row came from: its line in the file and its patient id."""

    number: int
    id: str


class Verdict:
    """What a row's content comes to. Rows with the same content share one Verdict object."""

    __slots__ = ("status", "result", "error", "fully_checked", "_json")

    def __init__(self, status: str, result: Optional[CheckResult], error: Optional[str] = None) -> None:
        self.status = status
        self.result = result
        self.error = error
        self.fully_checked = status in (FLAGGED, CLEAN) and not (result and result.unrecognized)
        self._json: Optional[str] = None

    def json_tail(self) -> str:
        """The shared part of every output record with this verdict, serialized once."""
        if self._json is None:
            result = self.result
            self._json = json.dumps({
                "status": self.status,
                "fully_checked": self.fully_checked,
                "highest_severity": result.highest_severity if result else None,
                "findings": [_finding_brief(f) for f in result.findings] if result else [],
                "unrecognized": list(result.unrecognized) if result else [],
                "error": self.error,
            })[1:]  # ASCII only (\u escapes): lossless whatever the encoding of standard output
        return self._json


class RowOutcome(NamedTuple):
    row: RawRow
    verdict: Verdict
    notes: Tuple[str, ...] = ()

    @property
    def status(self) -> str:
        return self.verdict.status

    @property
    def result(self) -> Optional[CheckResult]:
        return self.verdict.result

    @property
    def error(self) -> Optional[str]:
        return self.verdict.error


class Screener:
    """Checks rows against one Knowledge and counts them into a Summary."""

    def __init__(self, knowledge: Knowledge, audience: str = "professional", suggest: bool = False) -> None:
        self.knowledge = knowledge
        self.audience = audience
        self.suggest = suggest
        self.resolver = Resolver(knowledge, suggest=suggest)
        self._memo: Dict[Any, Verdict] = {}

    def verdict(self, row: InputRow) -> Verdict:
        """The verdict for one row (from the memo when a row with the same content was seen)."""
        if row.error is not None:
            return Verdict(MALFORMED, None, row.error)
        record = self._with_unread_cells(row) if row.unread_cells else row.record
        key = record._replace(patient_id=None)
        found = self._memo.get(key)
        if found is None:
            if sum(map(len, key.medications)) + sum(map(len, key.conditions)) > MEMO_TEXT_LIMIT:
                return self._new_verdict(key, Resolver(self.knowledge, suggest=self.suggest))
            found = self._new_verdict(key)
            if len(self._memo) >= VERDICT_MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = found
        return found

    def _with_unread_cells(self, row: InputRow) -> Any:
        """The record, with each item of a column baclo does not read that names a medicine or a condition
        ("OTC: diphenhydramine 50 mg") added as not checked: the row is never clean past it (hostile round 6)."""
        from baclofen_cli.record import Unreadable
        from baclofen_cli.resolve import HISTORY, WITH

        found = []
        for column, text in row.unread_cells:
            for item in split_cell(text):
                for kind in (WITH, HISTORY):
                    if self.resolver.resolve(item, kind).recognized:
                        found.append(Unreadable(f"column {column.strip()!r}, not read", item,
                                                f"the column {column.strip()!r} is not read, but it names a "
                                                "medicine or condition: name the column to read it", kind))
                        break
        if not found:
            return row.record
        return row.record._replace(unreadable=row.record.unreadable + tuple(found))

    def _new_verdict(self, record: Any, resolver: Optional[Resolver] = None) -> Verdict:
        if record.empty:
            return Verdict(NOTHING_TO_CHECK, None, "the row names no medication, condition or dose")
        if resolver is None:
            if len(self.resolver._memo) >= RESOLUTION_MEMO_LIMIT:  # bounded: start afresh
                self.resolver = Resolver(self.knowledge, suggest=self.suggest)
            resolver = self.resolver
        result = check_record(self.knowledge, record, audience=self.audience, resolver=resolver)
        if result.findings:
            return Verdict(FLAGGED, result)
        return Verdict(NOT_FULLY_CHECKED if result.unrecognized else CLEAN, result)

    def run(self, rows: Iterable[InputRow], summary: Summary, *,
            each: Optional[Callable[[RowOutcome], None]] = None, keep_flagged: int = 0) -> List[RowOutcome]:
        """Screen every row into ``summary``; call ``each`` per row if given; return flagged rows to show.

        The rows kept are the ``keep_flagged`` most severe (then earliest), whatever else the
        rows hold: a flagged row with an unrecognized item is among them.
        """
        heap: List[Tuple[int, int, RowOutcome]] = []
        for row in rows:
            verdict = self.verdict(row)
            ident = row.record.patient_id or ""
            outcome = RowOutcome(RawRow(row.number, ident), verdict, row.notes)
            summary.count(outcome)
            if each is not None:
                each(outcome)
            if keep_flagged and verdict.status == FLAGGED and verdict.result is not None:
                rank = GRADE_RANK[verdict.result.highest_severity or "minor"]
                entry = (rank, -row.number, outcome)
                if len(heap) < keep_flagged:
                    heapq.heappush(heap, entry)
                elif entry[:2] > heap[0][:2]:
                    heapq.heapreplace(heap, entry)
        return [o for _, _, o in sorted(heap, key=lambda e: (-e[0], -e[1]))]


class _Ids:
    """Empty and duplicate patient ids, in bounded memory.

    A bitmap of id hashes finds candidates as rows stream by; the hashes (8 bytes a row)
    confirm them exactly at the end, so only real duplicates are reported.
    """

    BITS = 1 << 26

    def __init__(self) -> None:
        self.bitmap = bytearray(self.BITS // 8)
        self.hashes = array("q")
        self.candidates: Dict[int, Tuple[str, List[int]]] = {}
        self.empty = 0
        self.empty_lines: List[int] = []

    def add(self, ident: str, number: int) -> None:
        if not ident.strip():
            self.empty += 1
            if len(self.empty_lines) < 20:
                self.empty_lines.append(number)
            return
        h = hash(ident)
        self.hashes.append(h)
        bit = h % self.BITS
        byte, mask = bit >> 3, 1 << (bit & 7)
        if self.bitmap[byte] & mask:
            slot = self.candidates.get(h)
            if slot is None:
                if len(self.candidates) < 100_000:
                    self.candidates[h] = (ident[:KEPT_TEXT], [number])
            elif len(slot[1]) < 5:
                slot[1].append(number)
        else:
            self.bitmap[byte] |= mask

    def duplicates(self, top: int = 20) -> List[Dict[str, Any]]:
        if not self.candidates:
            return []
        counts: Counter[int] = Counter(h for h in self.hashes if h in self.candidates)
        found: List[Dict[str, Any]] = [{"id": ident, "rows": counts[h], "lines": lines}
                                       for h, (ident, lines) in self.candidates.items() if counts[h] > 1]
        found.sort(key=lambda d: int(d["lines"][0]))
        return found[:top]

    def duplicate_count(self) -> int:
        if not self.candidates:
            return 0
        counts: Counter[int] = Counter(h for h in self.hashes if h in self.candidates)
        return sum(1 for h in self.candidates if counts[h] > 1)


_DOSE_NUMBER = re.compile(r"\b\d+(?:\.\d+)? mg\b")


class Summary:
    """Running totals in bounded memory: counts per status, grade, finding and unrecognized item."""

    def __init__(self) -> None:
        self.rows = 0
        self.by_status: Counter[str] = Counter()
        self.by_grade: Counter[str] = Counter()
        self.flagged_not_fully_checked = 0
        self.findings: Counter[Tuple[str, str, str]] = Counter()
        self.unrecognized: Counter[str] = Counter()
        self.suggestions: Dict[str, Tuple[str, ...]] = {}
        """Spelling suggestions for unrecognized items (only with --suggest)."""
        self.malformed: List[Tuple[int, str]] = []
        self.ids = _Ids()
        self.multiline_rows = 0
        self.columns_not_read: Tuple[str, ...] = ()
        self._titles: Dict[Tuple[str, str], str] = {}
        self._dups: Optional[Tuple[int, List[Dict[str, Any]]]] = None

    def count(self, outcome: RowOutcome) -> None:
        verdict = outcome.verdict
        self.rows += 1
        self.by_status[verdict.status] += 1
        if verdict.status != MALFORMED or outcome.row.id:  # a row that cannot be read has no known id
            self.ids.add(outcome.row.id, outcome.row.number)
        if outcome.notes and any("spans lines" in n for n in outcome.notes):
            self.multiline_rows += 1
        if verdict.status == MALFORMED:
            self.note_malformed(outcome.row.number, verdict.error or "")
        result = verdict.result
        if result is None:
            return
        unrecognized = result.unrecognized
        if result.findings:
            self.by_grade[result.highest_severity or ""] += 1
            if unrecognized:
                self.flagged_not_fully_checked += 1
            for f in result.findings:
                key = (f.severity, f.id)
                if key not in self._titles:
                    self._titles[key] = _DOSE_NUMBER.sub("N mg", f.title) if f.kind == "dose" else f.title
                self.findings[(f.severity, f.id, self._titles[key])] += 1
        for text in unrecognized:
            text = text[:KEPT_TEXT]
            if len(self.unrecognized) < 10_000 or text in self.unrecognized:
                self.unrecognized[text] += 1
        if unrecognized and len(self.suggestions) < 10_000:
            for item in result.items:
                if item.resolution.suggestions and item.text[:KEPT_TEXT] not in self.suggestions:
                    self.suggestions[item.text[:KEPT_TEXT]] = item.resolution.suggestions

    def note_malformed(self, number: int, error: str) -> None:
        if len(self.malformed) < 1000:
            self.malformed.append((number, error))

    @property
    def not_checked_rows(self) -> int:
        """Rows with something not checked: not fully checked, nothing to check, malformed, flagged with unknowns."""
        return (self.by_status[NOT_FULLY_CHECKED] + self.by_status[NOTHING_TO_CHECK] + self.by_status[MALFORMED]
                + self.flagged_not_fully_checked)

    def exit_status(self, fail_on: str = "minor") -> int:
        threshold = GRADE_RANK[fail_on]
        flagged = any(n and GRADE_RANK[g] >= threshold for g, n in self.by_grade.items())
        return status_code(self.not_checked_rows > 0, flagged)

    def top_findings(self, top: int = 10) -> List[Tuple[str, str, str, int]]:
        """The ``top`` most frequent findings, plus every major or contraindicated one."""
        ranked = sorted(self.findings.items(), key=lambda kv: (-kv[1], -GRADE_RANK[kv[0][0]], kv[0][2]))
        serious = GRADE_RANK["major"]
        return [(s, i, t, n) for k, ((s, i, t), n) in enumerate(ranked) if k < top or GRADE_RANK[s] >= serious]

    def duplicates(self) -> Tuple[int, List[Dict[str, Any]]]:
        if self._dups is None:
            self._dups = (self.ids.duplicate_count(), self.ids.duplicates())
        return self._dups

    def as_dict(self, top: int = 10) -> Dict[str, Any]:
        dup_count, dups = self.duplicates()
        return {
            "rows": self.rows,
            "flagged": self.by_status[FLAGGED],
            "flagged_not_fully_checked": self.flagged_not_fully_checked,
            "clean": self.by_status[CLEAN],
            "not_fully_checked": self.by_status[NOT_FULLY_CHECKED],
            "nothing_to_check": self.by_status[NOTHING_TO_CHECK],
            "malformed": self.by_status[MALFORMED],
            "rows_with_something_not_checked": self.not_checked_rows,
            "flagged_by_highest_severity": {g: self.by_grade[g] for g in GRADES},
            "top_findings": [{"severity": s, "id": i, "title": t, "rows": n} for s, i, t, n in self.top_findings(top)],
            "top_unrecognized": [{"text": t, "rows": n, "suggestions": list(self.suggestions.get(t, ()))}
                                 for t, n in self.unrecognized.most_common(top)],
            "malformed_rows": [{"line": n, "error": e} for n, e in self.malformed[:top]],
            "empty_ids": {"rows": self.ids.empty, "lines": self.ids.empty_lines[:top]},
            "duplicate_ids": {"ids": dup_count, "first": dups[:top]},
            "rows_with_fields_spanning_lines": self.multiline_rows,
            "columns_not_read": list(self.columns_not_read),
        }


RECORD_FIELDS = ("line", "id", "status", "fully_checked", "highest_severity", "findings", "unrecognized", "error",
                 "notes")


def record(outcome: RowOutcome) -> Dict[str, Any]:
    """One output record per input row (for --out)."""
    rec: Dict[str, Any] = {"line": outcome.row.number, "id": outcome.row.id}
    rec.update(json.loads("{" + outcome.verdict.json_tail()))
    rec["notes"] = list(outcome.notes)
    return rec


def _finding_brief(f: Finding) -> Dict[str, Any]:
    return {"kind": f.kind, "id": f.id, "severity": f.severity, "title": f.title, "inputs": list(f.inputs)}


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_cells(rec: Dict[str, Any]) -> Sequence[Any]:
    findings = "; ".join(f"{f['severity']}: {f['title']}" for f in rec["findings"])
    cells = (rec["line"], rec["id"], rec["status"], "yes" if rec["fully_checked"] else "no",
             rec["highest_severity"] or "", findings, "; ".join(rec["unrecognized"]), rec["error"] or "",
             "; ".join(rec["notes"]))
    return [safe_cell(c) for c in cells]


def out_kind(path: str, explicit: Optional[str]) -> str:
    if explicit:
        return explicit
    lower = path.lower()
    if path == "-":
        return "jsonl"
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    raise ScreenError(f"--out {path!r}: the name must end in .csv or .jsonl (or give --out-format)")


def refuse_out(out: str, inputs: Sequence[Tuple[str, Optional[str]]], stdin_fd: Optional[int]) -> None:
    """``ScreenError`` (exit 2) when ``--out`` would write over one of the run's inputs or is not a file.

    ``inputs`` are (what, path) pairs: the input file, the knowledge file, the bundled knowledge
    file; ``stdin_fd`` is standard input's descriptor when the input is read from it.
    """
    import stat

    try:
        target: Optional[os.stat_result] = os.stat(out)
    except OSError:
        target = None  # a new path (or one that cannot be read: writing it will say why)
    for what, path in inputs:
        if path and (same_file(out, path)):
            raise ScreenError(f"--out {out} is {what}: baclo never writes over its input")
    if target is None:
        return
    if stdin_fd is not None:
        try:
            given = os.fstat(stdin_fd)
        except (OSError, ValueError):
            given = None
        if given is not None and stat.S_ISREG(given.st_mode) and os.path.samestat(given, target):
            raise ScreenError(f"--out {out} is the file given on standard input: baclo never writes over its input")
    if stat.S_ISDIR(target.st_mode):
        raise ScreenError(f"--out {out}: is a directory")
    if not stat.S_ISREG(target.st_mode):
        raise ScreenError(f"--out {out} is not a regular file (a pipe or device): give a file name, or - for "
                          "standard output")


def same_file(a: str, b: str) -> bool:
    """Whether two paths name the same file (real paths compared; also through links)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


class Writer:
    """Streams one record per row, in input order, to a file (or standard output for ``-``).

    A regular file is written to a temporary file beside it and renamed over it by
    ``commit``; ``abort`` removes the temporary file, so a failed or interrupted run
    leaves an existing file as it was.
    """

    def __init__(self, path: str, kind: Optional[str] = None, stdout: Optional[IO[str]] = None) -> None:
        self.path = path
        self.kind = out_kind(path, kind)
        self.temp: Optional[str] = None
        self.closed_by_reader = False
        self._utf8: Optional[io.TextIOWrapper] = None
        if path == "-":
            assert stdout is not None
            self.file: IO[str] = stdout
            buffer = getattr(stdout, "buffer", None)
            if out_kind(path, kind) == "csv" and buffer is not None:
                # CSV records go to standard output as UTF-8 whatever its encoding (PYTHONIOENCODING=ascii
                # would turn "José" into "Jos?"; CSV has no escapes): what CSV readers expect
                stdout.flush()
                self._utf8 = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=True)
                self.file = self._utf8
        else:
            if os.path.islink(path):  # write through a link: the file it names is replaced, not the link
                path = self.path = os.path.realpath(path)
            directory = os.path.dirname(os.path.abspath(path))
            if os.path.isfile(path) and not os.access(path, os.W_OK):
                raise ScreenError(f"cannot write {path}: the file is read-only")
            try:
                if os.path.exists(path) and not os.path.isfile(path):
                    raise ScreenError(f"--out {path} is not a regular file: give a file name, or - for standard "
                                      "output")
                fd, self.temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".part",
                                                 dir=directory)
                self.file = os.fdopen(fd, "w", encoding="utf-8", newline="")
            except OSError as e:
                raise ScreenError(f"cannot write {path}: {e.strerror or e}") from None
        self.csv = csv.writer(self.file) if self.kind == "csv" else None
        self.escape = path == "-" and _is_terminal(stdout)
        """CSV on a terminal: control characters from the input are shown escaped, never acted on."""
        self._put(self._header)

    def _release(self) -> None:
        """Let go of standard output's buffer (the UTF-8 layer over it must not close it)."""
        if self._utf8 is not None:
            try:
                self._utf8.flush()
            except (OSError, ValueError):
                pass
            try:
                self._utf8.detach()
            except (OSError, ValueError):
                pass
            self._utf8 = None

    def _header(self) -> None:
        if self.csv is not None:
            self.csv.writerow(RECORD_FIELDS)

    def _put(self, action: Callable[[], object]) -> None:
        if self.closed_by_reader:
            return
        try:
            action()
        except BrokenPipeError:
            if self.path != "-":
                raise
            self.closed_by_reader = True

    def write(self, outcome: RowOutcome) -> None:
        if self.csv is not None:
            writer = self.csv
            cells = csv_cells(record(outcome))
            if self.escape:
                cells = [visible(c) if isinstance(c, str) else c for c in cells]
            self._put(lambda: writer.writerow(cells))
        else:
            ident = outcome.row.id
            quoted = f'"{ident}"' if ident.isalnum() and ident.isascii() else json.dumps(ident)
            notes = json.dumps(list(outcome.notes)) if outcome.notes else "[]"
            line = json_safe(f'{{"line": {outcome.row.number}, "id": {quoted}, "notes": {notes}, '
                             f'{outcome.verdict.json_tail()}\n')

            self._put(lambda: self.file.write(line))

    def commit(self) -> None:
        """Finish: flush and, for a regular file, move the finished file into place."""
        if self.path == "-":
            self._put(self.file.flush)
            self._release()
            return
        self.file.close()
        if self.temp is not None:
            if os.path.exists(self.path):
                try:
                    os.chmod(self.temp, os.stat(self.path).st_mode & 0o7777)
                except OSError:
                    pass
            else:
                os.chmod(self.temp, 0o666 & ~_umask())
            os.replace(self.temp, self.path)
            self.temp = None

    def abort(self) -> None:
        """Stop without touching an existing file: the temporary file is removed."""
        if self.path == "-":
            self._release()
            return
        try:
            self.file.close()
        except OSError:
            pass
        if self.temp is not None:
            try:
                os.unlink(self.temp)
            except OSError:
                pass
            self.temp = None


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
