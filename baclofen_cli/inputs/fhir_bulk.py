"""A FHIR Bulk Data export (a directory of NDJSON files) read as one screening row per patient.

The export is read twice and never held in memory. The first pass reads every
line of every file whose name ends ``.ndjson`` (any case) in the directory and its
subdirectories once, and records, in an SQLite index in a temporary directory, which
patient each resource is about and where the line is (file, byte offset, length). The
second pass walks the index patient by patient, in the order patients were first met,
reads back just that patient's lines and makes one ``Record`` of them
(``inputs.fhir.record_from_resources``, which decides what each resource type says,
as for ``baclo check --fhir``).

A resource is about ``Patient/<id>`` when it is that Patient, or its ``subject`` or
``patient`` reference is ``Patient/<id>`` (relative, or an absolute URL ending in
``/Patient/<id>``); a Bundle is about the one patient its resources name. Any other
reference (``urn:uuid:...``, ``Group/...``, ``patient/p1``) is not attributed.

Nothing is dropped and nothing read is doubted silently: every line is counted. A line
that cannot be read (not JSON, a key given twice, over ``MAX_LINE`` bytes, not a FHIR
resource) or a resource of a type baclo reads that names no patient could be about any
patient: it is reported with its file and line number (``Accounting.problems``), and
every patient's record carries an unreadable item saying so, so no patient is clean or
fully checked. The same holds for files that are not read (not ``.ndjson``, compressed,
not a regular file: a device, a pipe, a link to one). Resources that are never about a
patient (an Organization, a Medication catalogue) are counted and listed. A patient
whose resources cannot be made into a record is a malformed row with the reason. An OperationOutcome of
the export (its ``error/`` files) that reports a problem or withheld data makes every patient not fully checked,
with its text (``Accounting.outcomes``); one with only harmless information is counted and listed.
Rows come out as ``inputs.InputRow`` values, like the rows of a table.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import tempfile
from collections import Counter
from typing import IO, Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from baclofen_cli._records import NamedTuple
from baclofen_cli.errors import BacloError
from baclofen_cli.inputs import InputError, InputRow, JsonKeyTwice, JsonNotANumber, no_constant, unique_keys
from baclofen_cli.record import INPUT_KIND, Record, Unreadable
from baclofen_cli.render.safe import visible

NOT_ABOUT_A_PATIENT = frozenset({
    "Organization", "Practitioner", "PractitionerRole", "Location", "Group", "Device", "Endpoint",
    "HealthcareService", "Medication", "MedicationKnowledge", "Substance", "OperationOutcome"})
"""Resource types that are not about one patient: one that names no patient is counted and listed, and
doubts nothing (a request that refers to a Medication not in its own line is not checked for its patient).
An OperationOutcome is about the export whatever ``subject`` or ``patient`` it carries (R4 gives it neither): one
that reports a problem or withheld data (``inputs.fhir.outcome_issues``: an export error file,
``error/OperationOutcome.ndjson``) makes every patient not fully checked, and it is never a patient row."""
MAX_OUTCOMES_KEPT = 20
"""OperationOutcomes reporting a problem whose text is kept (all are counted)."""
PATIENT_FIELDS = ("subject", "patient")
MAX_LINE = 16 * 1024 * 1024
"""Bytes in one line; a longer line is not read (counted, reported), and never held in memory whole."""
MAX_PROBLEMS_KEPT = 1000
MAX_NOT_READ_KEPT = 1000
_BATCH = 5000
_SKIP_CHUNK = 1 << 20
_PATIENT_REF = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://\S*/)?Patient/([^/\s]+)(?:/_history/[^/\s]+)?")
_ID = re.compile(r"[^/\s]+")

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
        self.not_read: List[Tuple[str, str]] = []
        """(file, why): files in the directory that are not read (not .ndjson, compressed, not a regular
        file, a directory that cannot be listed). They make every patient not fully checked."""
        self.not_read_count = 0
        self.lines = 0
        self.by_type: Counter[str] = Counter()
        self.not_about_patient: Counter[str] = Counter()
        """Resources of types that are never about one patient (``NOT_ABOUT_A_PATIENT``) naming none."""
        self.patients = 0
        self.unreadable = 0
        """Lines not read or not attributed to a patient: they make every patient not fully checked."""
        self.problems: List[Problem] = []
        """The first ``MAX_PROBLEMS_KEPT`` unreadable lines (all are counted in ``unreadable``)."""
        self.outcomes = 0
        """OperationOutcomes of the export that report a problem or withheld data (an export's error file):
        they make every patient not fully checked."""
        self.outcome_texts: List[Problem] = []
        """The first ``MAX_OUTCOMES_KEPT`` of them: file, line and what the outcome says."""

    def problem(self, file: str, line: int, reason: str) -> None:
        self.unreadable += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(Problem(file, line, reason))

    def outcome(self, file: str, line: int, said: str) -> None:
        self.outcomes += 1
        if len(self.outcome_texts) < MAX_OUTCOMES_KEPT:
            self.outcome_texts.append(Problem(file, line, said))

    def skip_file(self, name: str, why: str) -> None:
        self.not_read_count += 1
        if len(self.not_read) < MAX_NOT_READ_KEPT:
            self.not_read.append((name, why))

    @property
    def doubtful(self) -> bool:
        """Something in the export was not read and could be about any patient."""
        return bool(self.unreadable or self.not_read_count or self.outcomes)

    def doubts(self) -> Tuple[Unreadable, ...]:
        """What every patient's record carries when something in the export was not read."""
        out: List[Unreadable] = []
        if self.not_read_count:
            n = self.not_read_count
            names = ", ".join(visible(name) for name, _ in self.not_read[:3]) + (" ..." if n > 3 else "")
            out.append(Unreadable("the export", f"{n:,} file{'s' if n != 1 else ''} not read ({names})",
                                  "files of the export that were not read may hold this patient's medicines"))
        if self.outcomes:
            n = self.outcomes
            first = self.outcome_texts[0]
            more = f" (and {n - 1:,} more OperationOutcome{'s' if n != 2 else ''} reporting a problem)" if n > 1 else ""
            out.append(Unreadable(f"the export, {visible(first.file)} line {first.line}", visible(first.reason) + more,
                                  "the export reports a problem or withheld data, so this patient's list may be "
                                  "incomplete: not everything was checked", INPUT_KIND))
        if self.unreadable:
            n = self.unreadable
            out.append(Unreadable("the export", f"{n:,} line{'s' if n != 1 else ''} not read or not attributed",
                                  "lines of the export that could not be read or attributed to a patient may be "
                                  "about this patient"))
        return tuple(out)

    def lines_text(self) -> List[str]:
        """The accounting in a few lines of text, for standard error (names and reasons escaped)."""
        types = ", ".join(f"{visible(t)} {n:,}" for t, n in sorted(self.by_type.items())) or "none"
        out = [f"FHIR Bulk export: {len(self.files)} NDJSON file{'s' if len(self.files) != 1 else ''}, "
               f"{self.lines:,} line{'s' if self.lines != 1 else ''}; resources: {types}; "
               f"{self.patients:,} patient{'s' if self.patients != 1 else ''}"]
        if self.not_about_patient:
            other = ", ".join(f"{t} {n:,}" for t, n in sorted(self.not_about_patient.items()))
            out.append(f"resources not about one patient, counted and not read: {other}")
        if self.not_read_count:
            out.append(f"{self.not_read_count:,} file{'s' if self.not_read_count != 1 else ''} not read, so "
                       "no patient is fully checked:")
            out.extend(f"  {visible(name)}: {why}" for name, why in self.not_read[:20])
            if self.not_read_count > 20:
                out.append(f"  ... and {self.not_read_count - 20:,} more")
        if self.outcomes:
            many = self.outcomes != 1
            out.append(f"{self.outcomes:,} OperationOutcome{'s' if many else ''} of the export report{'' if many else 's'} "
                       "a problem or withheld data, so no patient is fully checked:")
            out.extend(f"  {visible(p.file)}, line {p.line}: {visible(p.reason)}" for p in self.outcome_texts)
            if self.outcomes > len(self.outcome_texts):
                out.append(f"  ... and {self.outcomes - len(self.outcome_texts):,} more")
        if self.unreadable:
            out.append(f"{self.unreadable:,} line{'s' if self.unreadable != 1 else ''} not read or not attributed "
                       "to a patient, so no patient is fully checked:")
            out.extend(f"  {visible(p.file)}, line {p.line}: {visible(p.reason)}" for p in self.problems[:20])
            if self.unreadable > 20:
                out.append(f"  ... and {self.unreadable - 20:,} more")
        return out


def is_export(path: str) -> bool:
    return os.path.isdir(path)


def _ndjson_files(directory: str, accounting: Accounting) -> List[str]:
    """Every ``*.ndjson`` regular file under ``directory`` (relative paths); everything else is listed."""
    if not os.access(directory, os.R_OK | os.X_OK):
        raise BulkError(f"cannot read the directory {directory}: permission denied")
    files = []

    def unlisted(error: OSError) -> None:
        where = os.path.relpath(error.filename, directory) if error.filename else directory
        if where == ".":
            raise BulkError(f"cannot read the directory {directory}: {error.strerror or error}")
        accounting.skip_file(where + "/", f"a directory that cannot be read ({error.strerror or error})")

    for top, dirs, names in os.walk(directory, onerror=unlisted):
        dirs.sort()
        for name in list(dirs):
            if os.path.islink(os.path.join(top, name)):  # never followed (a loop, or outside the export)
                accounting.skip_file(os.path.relpath(os.path.join(top, name), directory) + "/",
                                     "a link to a directory: not followed")
                dirs.remove(name)
        for name in sorted(names):
            path = os.path.join(top, name)
            rel = os.path.relpath(path, directory)
            if not name.lower().endswith(".ndjson"):
                accounting.skip_file(rel, "not an .ndjson file (compressed and other files are not read)")
                continue
            try:
                mode = os.stat(path).st_mode
            except OSError as e:
                accounting.skip_file(rel, f"cannot be read ({e.strerror or e})")
                continue
            if not stat.S_ISREG(mode):
                accounting.skip_file(rel, "not a regular file (a device, pipe or socket, or a link to one)")
                continue
            files.append(rel)
    if not files:
        raise BulkError(f"{directory} holds no .ndjson files: a FHIR Bulk Data export has one or more per resource type")
    # Patient files first, so patients are numbered in the export's own patient order
    files.sort(key=lambda n: (0 if "patient" in os.path.basename(n).lower() else 1, n))
    return files


def _open_regular(path: str) -> Tuple[IO[bytes], os.stat_result]:
    """A regular file opened for reading; never blocks on a pipe or reads a device (``OSError`` if not)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(0, "not a regular file")
        return os.fdopen(fd, "rb"), st
    except BaseException:
        os.close(fd)
        raise


def _lines(f: IO[bytes]) -> Iterator[Tuple[int, int, Optional[bytes], int]]:
    """(line number, offset, bytes or None when over ``MAX_LINE``, length): never more than
    ``MAX_LINE`` bytes in memory, whatever the file holds."""
    offset = 0
    number = 0
    limit = MAX_LINE
    while True:
        raw = f.readline(limit + 1)
        if not raw:
            return
        number += 1
        start = offset
        offset += len(raw)
        if len(raw) > limit:
            while not raw.endswith(b"\n"):
                raw = f.readline(_SKIP_CHUNK)
                if not raw:
                    break
                offset += len(raw)
            yield number, start, None, offset - start
            continue
        yield number, start, raw, len(raw)


def patient_reference(ref: Any) -> Optional[str]:
    """``Patient/<id>`` for a reference that is ``Patient/<id>`` (relative, or absolute ending in it)."""
    if not isinstance(ref, dict) or not isinstance(ref.get("reference"), str):
        return None
    found = _PATIENT_REF.fullmatch(ref["reference"].strip())
    return f"Patient/{found.group(1)}" if found else None


def _patient_of(resource: Dict[str, Any]) -> Tuple[Optional[str], str]:
    """(``Patient/<id>`` the resource is about, or None with the reason)."""
    kind = resource.get("resourceType")
    if kind == "Patient":
        ident = resource.get("id")
        if isinstance(ident, str) and _ID.fullmatch(ident):
            return f"Patient/{ident}", ""
        return None, "a Patient with no id (or one with a space or /)"
    if kind == "Bundle":
        return _bundle_patient(resource)
    for field in PATIENT_FIELDS:
        value = resource.get(field)
        if value is None:
            continue
        ref = patient_reference(value)
        if ref is not None:
            return ref, ""
        if isinstance(value, dict) and value.get("reference") is None:
            return None, f"a {kind} whose {field} has no reference (an identifier alone): not attributed to a patient"
        shown = value.get("reference") if isinstance(value, dict) else value
        return None, (f"a {kind} whose {field} ({_short(shown)}) is not a Patient/<id> reference: "
                      "not attributed to a patient")
    return None, f"a {kind} that names no patient (no subject or patient reference)"


def _bundle_patient(bundle: Dict[str, Any]) -> Tuple[Optional[str], str]:
    """The one patient a Bundle's resources (at any depth) are about."""
    full: Dict[str, Any] = {}
    found: List[str] = []
    stack: List[Any] = [bundle]
    seen = 0
    while stack:
        res = stack.pop()
        seen += 1
        if not isinstance(res, dict) or seen > 1_000_000:
            continue
        for entry in res.get("entry") or () if res.get("resourceType") == "Bundle" else ():
            if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
                if isinstance(entry.get("fullUrl"), str):
                    full[entry["fullUrl"]] = entry["resource"]
                stack.append(entry["resource"])
        contained = res.get("contained")
        if isinstance(contained, list):
            stack.extend(contained)
        if res.get("resourceType") == "Patient" and res is not bundle:
            ident = res.get("id")
            if isinstance(ident, str) and _ID.fullmatch(ident):
                found.append(f"Patient/{ident}")
        for field in PATIENT_FIELDS:
            value = res.get(field)
            if value is None or res.get("resourceType") == "Bundle":
                continue
            target = full.get(value["reference"]) if isinstance(value, dict) and isinstance(
                value.get("reference"), str) else None
            ref = patient_reference(value)
            if ref is None and isinstance(target, dict) and target.get("resourceType") == "Patient":
                ident = target.get("id")
                ref = f"Patient/{ident}" if isinstance(ident, str) and _ID.fullmatch(ident) else None
            if ref is None and isinstance(value, dict) and isinstance(value.get("reference"), str) \
                    and value["reference"].startswith("#"):
                continue  # a contained resource: about the patient of its container
            if ref is None:
                shown = value.get("reference") if isinstance(value, dict) else value
                return None, f"a Bundle holding a reference ({_short(shown)}) that is not Patient/<id>"
            found.append(ref)
            break
    patients = sorted(set(found))
    if len(patients) == 1:
        return patients[0], ""
    if not patients:
        return None, "a Bundle whose resources name no patient"
    return None, f"a Bundle with resources of more than one patient ({', '.join(patients[:3])})"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)[:80]
    return repr(text[:80])


class BulkExport:
    """An indexed export: ``rows()`` yields one ``InputRow`` per patient (its ``number`` counts patients
    in the order first met, Patient files first). Use as a context manager."""

    def __init__(self, directory: str, to_record: Optional[ToRecord] = None) -> None:
        self.directory = directory
        self.accounting = Accounting()
        self._tmp = tempfile.TemporaryDirectory(prefix="baclo-bulk-")
        self.db = sqlite3.connect(os.path.join(self._tmp.name, "index.sqlite"))
        self._stats: List[Tuple[int, int]] = []
        try:
            self.db.executescript(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;"
                "CREATE TABLE patient (seq INTEGER PRIMARY KEY, ref TEXT UNIQUE NOT NULL);"
                "CREATE TABLE resource (pid INTEGER NOT NULL, file INTEGER NOT NULL, line INTEGER NOT NULL,"
                " offset INTEGER NOT NULL, length INTEGER NOT NULL);")
            self.files = _ndjson_files(directory, self.accounting)
            self.to_record: ToRecord = to_record or _default_to_record()
            self._index()
        except BaseException:
            self.close()
            raise

    @property
    def paths(self) -> List[str]:
        """The files read, as paths."""
        return [os.path.join(self.directory, name) for name in self.files]

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
        read: List[str] = []
        for name in self.files:
            path = os.path.join(self.directory, name)
            try:
                f, st = _open_regular(path)
            except OSError as e:
                acc.skip_file(name, f"cannot be read ({e.strerror or e})")
                continue
            file_no = len(read)
            read.append(name)
            self._stats.append((st.st_dev, st.st_ino))
            with f:
                for line_no, start, raw, length in _lines(f):
                    if raw is not None and not raw.strip():
                        continue
                    acc.lines += 1
                    resource, reason = _parse(raw)
                    if resource is None:
                        acc.problem(name, line_no, reason)
                        continue
                    kind = resource["resourceType"]
                    acc.by_type[kind] += 1
                    if kind == "OperationOutcome":
                        # about the export whatever subject it carries (R4 OperationOutcome has none): never a
                        # patient row of its own (hostile round 8, NEW-4)
                        self._outcome(resource, name, line_no)
                        continue
                    ref, why = _patient_of(resource)
                    if ref is None:
                        if kind in NOT_ABOUT_A_PATIENT and why.endswith("(no subject or patient reference)"):
                            acc.not_about_patient[kind] += 1
                        else:
                            acc.problem(name, line_no, why)
                        continue
                    pid = patients.get(ref)
                    if pid is None:
                        pid = self._patient(ref)
                        if len(patients) < 100_000:  # a bounded cache of the index's patient numbers
                            patients[ref] = pid
                    batch.append((pid, file_no, line_no, start, length))
                    if len(batch) >= _BATCH:
                        self.db.executemany("INSERT INTO resource VALUES (?, ?, ?, ?, ?)", batch)
                        batch.clear()
        self.files = read
        acc.files = list(read)
        self.db.executemany("INSERT INTO resource VALUES (?, ?, ?, ?, ?)", batch)
        self.db.execute("CREATE INDEX by_patient ON resource (pid, file, line)")
        self.db.commit()
        acc.patients = self.db.execute("SELECT count(*) FROM patient").fetchone()[0]

    def _outcome(self, resource: Dict[str, Any], name: str, line_no: int) -> None:
        """An OperationOutcome of the export (its error file): counted as not about one patient when every
        issue is harmless information; one reporting a problem or withheld data doubts every patient."""
        from baclofen_cli.inputs.fhir import outcome_issues

        issues = outcome_issues(resource)
        doubted = [i.shown for i in issues if i.doubt is not None]
        if not doubted:
            self.accounting.not_about_patient["OperationOutcome"] += 1
            return
        said = "; ".join(doubted[:3]) + (f"; and {len(doubted) - 3} more" if len(doubted) > 3 else "")
        self.accounting.outcome(name, line_no, said)

    def _patient(self, ref: str) -> int:
        found = self.db.execute("SELECT seq FROM patient WHERE ref = ?", (ref,)).fetchone()
        if found is not None:
            return int(found[0])
        cursor = self.db.execute("INSERT INTO patient (ref) VALUES (?)", (ref,))
        return int(cursor.lastrowid or 0)

    def _handle(self, handles: Dict[int, IO[bytes]], file_no: int) -> IO[bytes]:
        f = handles.get(file_no)
        if f is None:
            if len(handles) >= 64:  # a bounded number of open files, whatever the export holds
                for old in handles.values():
                    old.close()
                handles.clear()
            path = os.path.join(self.directory, self.files[file_no])
            try:
                f, st = _open_regular(path)
            except OSError as e:
                raise BulkError(f"cannot read {visible(path)} again: {e.strerror or e}") from None
            if (st.st_dev, st.st_ino) != self._stats[file_no]:
                f.close()
                raise BulkError(f"{visible(path)} was replaced while the export was being read")
            handles[file_no] = f
        return f

    def rows(self) -> Iterator[InputRow]:
        """Every patient, in the order first met, with a Record of all their resources."""
        handles: Dict[int, IO[bytes]] = {}
        doubts = self.accounting.doubts()
        try:
            query = ("SELECT p.seq, p.ref, r.file, r.offset, r.length FROM patient p "
                     "JOIN resource r ON r.pid = p.seq ORDER BY p.seq, r.file, r.line")
            current: Optional[Tuple[int, str]] = None
            resources: List[Dict[str, Any]] = []
            for seq, ref, file_no, offset, length in self.db.execute(query):
                if current is not None and seq != current[0]:
                    yield self._row(current, resources, doubts)
                    resources = []
                current = (seq, ref)
                f = self._handle(handles, file_no)
                f.seek(offset)
                resource, reason = _parse(f.read(length) if length <= MAX_LINE else None)
                if resource is not None:
                    resources.append(resource)
                else:  # the file changed between the two passes: say so for this patient
                    resources.append({"resourceType": "OperationOutcome", "issue": [{"diagnostics": reason}]})
            if current is not None:
                yield self._row(current, resources, doubts)
        finally:
            for f in handles.values():
                f.close()

    def _row(self, current: Tuple[int, str], resources: List[Dict[str, Any]],
             doubts: Tuple[Unreadable, ...] = ()) -> InputRow:
        seq, ref = current
        ident = ref[8:] if ref.startswith("Patient/") else ref
        try:
            record = self.to_record(resources, ident)
        except (BacloError, ValueError) as e:
            message = e.message if isinstance(e, BacloError) else str(e)
            return InputRow(seq, Record(patient_id=ident, unreadable=doubts), f"{visible(ref)}: {message}")
        if record.patient_id != ident:
            record = record._replace(patient_id=ident)
        if doubts:
            record = record._replace(unreadable=record.unreadable + doubts)
        return InputRow(seq, record)


_DECODER = json.JSONDecoder(object_pairs_hook=unique_keys, parse_constant=no_constant)
"""As ``inputs.fhir`` and ``inputs.table`` read JSON: a key given twice or NaN/Infinity is refused."""


def _parse(raw: Optional[bytes]) -> Tuple[Optional[Dict[str, Any]], str]:
    if raw is None or len(raw) > MAX_LINE:
        return None, f"line over {MAX_LINE:,} bytes"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        value = _DECODER.decode(text.strip())
    except JsonKeyTwice as e:
        return None, f"the key {visible(e.key)[:80]!r} is given twice in one object (which one counts is not defined)"
    except JsonNotANumber as e:
        return None, f"{e.args[0]} is not a JSON number"
    except json.JSONDecodeError as e:
        return None, f"not valid JSON ({e.msg}, column {e.colno})"
    except RecursionError:
        return None, "JSON nested too deeply"
    except ValueError as e:  # a number too long to convert
        return None, f"a number cannot be read ({str(e)[:80]})"
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
