"""A FHIR Bulk Data export (a directory of NDJSON files) read as one screening row per patient.

The export is read twice and never held in memory. The first pass reads every
line of every ``*.ndjson`` file once and records, in an SQLite index in a
temporary directory, which patient each resource is about (``Patient/<id>``, from
a Patient's own id or another resource's ``subject`` / ``patient`` reference) and
where the line is (file, byte offset, length). The second pass walks the index
patient by patient, in the order patients were first met, reads back just that
patient's lines and makes one ``Record`` of them (``inputs.fhir.record_from_resources``).

Nothing is dropped: every line is counted by resource type, and a line that is
not a FHIR resource, or a resource that names no patient, is reported with its
file and line number (``Accounting.problems``). A patient whose resources cannot
be made into a record is a malformed row with the reason. Rows come out as
``inputs.InputRow`` values, like the rows of a table, and are screened the same way.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections import Counter
from typing import Any, Callable, Dict, Iterable, Iterator, List, NamedTuple, Optional, Tuple

from baclofen_cli.errors import BacloError
from baclofen_cli.inputs import InputError, InputRow
from baclofen_cli.record import Record

RESOURCE_TYPES = ("Patient", "MedicationRequest", "MedicationStatement", "MedicationDispense", "Condition",
                  "AllergyIntolerance", "Observation")
"""The resource types a Bulk Data export for screening holds; others are counted and not read."""
PATIENT_FIELDS = ("subject", "patient")
MAX_LINE = 16 * 1024 * 1024
MAX_PROBLEMS_KEPT = 1000
_BATCH = 5000

ToRecord = Callable[[Iterable[Dict[str, Any]], Optional[str]], Record]


class BulkError(InputError):
    """The directory as a whole cannot be read as a Bulk Data export (exit 2)."""


class Problem(NamedTuple):
    file: str
    line: int
    reason: str


class Accounting:
    """What the export held: lines per file, resources per type, patients, and every line not used."""

    def __init__(self) -> None:
        self.files: List[str] = []
        self.not_read: List[str] = []
        """Files in the directory that are not NDJSON (a manifest, compressed files): listed, not read."""
        self.lines = 0
        self.by_type: Counter[str] = Counter()
        self.other_types: Counter[str] = Counter()
        """Resources of types screening does not read (an Encounter...): counted, attached to no patient."""
        self.patients = 0
        self.unreadable = 0
        self.problems: List[Problem] = []
        """The first ``MAX_PROBLEMS_KEPT`` unreadable lines (all are counted in ``unreadable``)."""

    def problem(self, file: str, line: int, reason: str) -> None:
        self.unreadable += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(Problem(file, line, reason))

    def lines_text(self) -> List[str]:
        """The accounting in a few lines of text, for standard error."""
        types = ", ".join(f"{t} {n:,}" for t, n in sorted(self.by_type.items())) or "none"
        out = [f"FHIR Bulk export: {len(self.files)} NDJSON file{'s' if len(self.files) != 1 else ''}, "
               f"{self.lines:,} lines; resources: {types}; {self.patients:,} patients"]
        if self.other_types:
            other = ", ".join(f"{t} {n:,}" for t, n in sorted(self.other_types.items()))
            out.append(f"resources of other types, not read: {other}")
        if self.not_read:
            out.append(f"files not read (not .ndjson): {', '.join(self.not_read)}")
        if self.unreadable:
            out.append(f"{self.unreadable:,} line{'s' if self.unreadable != 1 else ''} not read, so not checked:")
            out.extend(f"  {p.file}, line {p.line}: {p.reason}" for p in self.problems[:20])
            if self.unreadable > 20:
                out.append(f"  ... and {self.unreadable - 20:,} more")
        return out


def is_export(path: str) -> bool:
    return os.path.isdir(path)


def _ndjson_files(directory: str, accounting: Accounting) -> List[str]:
    try:
        names = sorted(os.listdir(directory))
    except OSError as e:
        raise BulkError(f"cannot read the directory {directory}: {e.strerror or e}") from None
    files = []
    for name in names:
        if os.path.isdir(os.path.join(directory, name)):
            continue
        if name.lower().endswith(".ndjson"):
            files.append(name)
        else:
            accounting.not_read.append(name)
    if not files:
        raise BulkError(f"{directory} holds no .ndjson files: a FHIR Bulk Data export has one or more per resource type")
    # Patient files first, so patients are numbered in the export's own patient order
    files.sort(key=lambda n: (0 if "patient" in n.lower() else 1, n))
    return files


def _patient_of(resource: Dict[str, Any]) -> Optional[str]:
    """``Patient/<id>`` for the patient a resource is about (relative, absolute or ``Patient/`` references)."""
    if resource.get("resourceType") == "Patient":
        ident = resource.get("id")
        return f"Patient/{ident}" if isinstance(ident, str) and ident else None
    for field in PATIENT_FIELDS:
        ref = resource.get(field)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
            text = ref["reference"].strip()
            at = text.rfind("Patient/")
            if at >= 0 and text[at + 8:]:
                return "Patient/" + str(text[at + 8:].split("/_history/")[0])
            if text:
                return str(text)
    return None


class BulkExport:
    """An indexed export: ``rows()`` yields one ``InputRow`` per patient (its ``number`` counts patients
    in the order first met, Patient files first). Use as a context manager."""

    def __init__(self, directory: str, to_record: Optional[ToRecord] = None) -> None:
        self.directory = directory
        self.accounting = Accounting()
        self._tmp = tempfile.TemporaryDirectory(prefix="baclo-bulk-")
        self.db = sqlite3.connect(os.path.join(self._tmp.name, "index.sqlite"))
        try:
            self.db.executescript(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;"
                "CREATE TABLE patient (seq INTEGER PRIMARY KEY, ref TEXT UNIQUE NOT NULL);"
                "CREATE TABLE resource (pid INTEGER NOT NULL, file INTEGER NOT NULL, line INTEGER NOT NULL,"
                " offset INTEGER NOT NULL, length INTEGER NOT NULL);")
            self.files = _ndjson_files(directory, self.accounting)
            self.accounting.files = list(self.files)
            self.to_record: ToRecord = to_record or _default_to_record()
            self._index()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> BulkExport:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
        self._tmp.cleanup()

    def _index(self) -> None:
        acc = self.accounting
        patients: Dict[str, int] = {}
        batch: List[Tuple[int, int, int, int, int]] = []
        for file_no, name in enumerate(self.files):
            path = os.path.join(self.directory, name)
            try:
                f = open(path, "rb")  # noqa: SIM115 - closed below
            except OSError as e:
                raise BulkError(f"cannot read {path}: {e.strerror or e}") from None
            with f:
                offset = 0
                for line_no, raw in enumerate(f, 1):
                    start, offset = offset, offset + len(raw)
                    if not raw.strip():
                        continue
                    acc.lines += 1
                    resource, reason = _parse(raw)
                    if resource is None:
                        acc.problem(name, line_no, reason)
                        continue
                    kind = resource["resourceType"]
                    if kind not in RESOURCE_TYPES:
                        acc.other_types[kind] += 1
                        continue
                    acc.by_type[kind] += 1
                    ref = _patient_of(resource)
                    if ref is None:
                        acc.problem(name, line_no, f"a {kind} that names no patient (no subject or patient reference)")
                        continue
                    pid = patients.get(ref)
                    if pid is None:
                        pid = self._patient(ref)
                        if len(patients) < 100_000:  # a bounded cache of the index's patient numbers
                            patients[ref] = pid
                    batch.append((pid, file_no, line_no, start, len(raw)))
                    if len(batch) >= _BATCH:
                        self.db.executemany("INSERT INTO resource VALUES (?, ?, ?, ?, ?)", batch)
                        batch.clear()
        self.db.executemany("INSERT INTO resource VALUES (?, ?, ?, ?, ?)", batch)
        self.db.execute("CREATE INDEX by_patient ON resource (pid, file, line)")
        self.db.commit()
        acc.patients = self.db.execute("SELECT count(*) FROM patient").fetchone()[0]

    def _patient(self, ref: str) -> int:
        found = self.db.execute("SELECT seq FROM patient WHERE ref = ?", (ref,)).fetchone()
        if found is not None:
            return int(found[0])
        cursor = self.db.execute("INSERT INTO patient (ref) VALUES (?)", (ref,))
        return int(cursor.lastrowid or 0)

    def rows(self) -> Iterator[InputRow]:
        """Every patient, in the order first met, with a Record of all their resources."""
        handles = [open(os.path.join(self.directory, name), "rb") for name in self.files]  # noqa: SIM115
        try:
            query = ("SELECT p.seq, p.ref, r.file, r.offset, r.length FROM patient p "
                     "JOIN resource r ON r.pid = p.seq ORDER BY p.seq, r.file, r.line")
            current: Optional[Tuple[int, str]] = None
            resources: List[Dict[str, Any]] = []
            for seq, ref, file_no, offset, length in self.db.execute(query):
                if current is not None and seq != current[0]:
                    yield self._row(current, resources)
                    resources = []
                current = (seq, ref)
                f = handles[file_no]
                f.seek(offset)
                resource, reason = _parse(f.read(length))
                if resource is not None:
                    resources.append(resource)
                else:  # the file changed between the two passes: say so for this patient
                    resources.append({"resourceType": "OperationOutcome", "issue": [{"diagnostics": reason}]})
            if current is not None:
                yield self._row(current, resources)
        finally:
            for f in handles:
                f.close()

    def _row(self, current: Tuple[int, str], resources: List[Dict[str, Any]]) -> InputRow:
        seq, ref = current
        ident = ref[8:] if ref.startswith("Patient/") else ref
        try:
            record = self.to_record(resources, ident)
        except (BacloError, ValueError) as e:
            message = e.message if isinstance(e, BacloError) else str(e)
            return InputRow(seq, Record(patient_id=ident), f"{ref}: {message}")
        return InputRow(seq, record if record.patient_id == ident else record._replace(patient_id=ident))


def _parse(raw: bytes) -> Tuple[Optional[Dict[str, Any]], str]:
    if len(raw) > MAX_LINE:
        return None, f"line over {MAX_LINE:,} bytes"
    try:
        value = json.loads(raw)
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except json.JSONDecodeError as e:
        return None, f"not valid JSON ({e.msg}, column {e.colno})"
    except RecursionError:
        return None, "JSON nested too deeply"
    if not isinstance(value, dict):
        return None, "not a JSON object"
    kind = value.get("resourceType")
    if not isinstance(kind, str) or not kind:
        return None, "not a FHIR resource (no resourceType)"
    return value, ""


def _default_to_record() -> ToRecord:
    from importlib import import_module

    try:
        fhir = import_module("baclofen_cli.inputs.fhir")
    except ImportError:
        raise BulkError("this build of baclo cannot read FHIR resources (baclofen_cli.inputs.fhir is missing)") from None
    return fhir.record_from_resources  # type: ignore[no-any-return]
