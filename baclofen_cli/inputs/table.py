"""Screening files: every record of a CSV, TSV or JSON Lines file as one ``InputRow``.

Promises (each tested in tests/test_hostile_table.py):

* The columns baclo reads are found by name compared without case, surrounding space
  or a byte-order mark, or the run stops (``InputError``, exit 2) before any row is read,
  naming what is missing. A column baclo reads that appears twice, or under two of its
  accepted names, is an error too.
* Every record of the file comes out once, in order, numbered with the file's own line
  number. A record that cannot be read (broken quoting, a field or line that is too
  long, a carriage return on its own, a NUL byte, the wrong number of fields) is a
  malformed row; it never swallows or merges the rows after it. A quoted field may span
  lines only when the whole record closes its quotes at a field boundary with the header's
  number of fields; otherwise every physical line is read again as a record of its own. A
  record kept over lines one of which would also be a full row on its own is never clean
  (an ``Unreadable`` part names the line).
* A column not read whose name looks like medicines or conditions stops the run unless
  ``--ignore-column`` names it. A JSON Lines key given twice makes the record malformed; a
  non-empty key not read makes it "not fully checked".
* Text that is not valid in the file's encoding is never replaced: the items it touches
  become "not checked" (``Unreadable``), with the bytes shown.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections import deque
from typing import IO, Any, Deque, Dict, Iterator, List, Optional, Sequence, Tuple

from baclofen_cli._records import NamedTuple
from baclofen_cli.inputs import InputError, InputRow, JsonKeyTwice, parse_daily_dose, unique_keys
from baclofen_cli.record import Record, Unreadable

MAX_CELL = 100_000
"""Characters in one cell; a longer cell makes its row malformed."""
MAX_LINE = 1_000_000
"""Characters in one physical line; a longer line is skipped (bounded memory) and reported."""
MAX_SPAN = 20
"""Physical lines one quoted field may span."""

FIELDS = ("id", "medications", "conditions", "daily_dose")
DEFAULT_NAMES: Dict[str, Tuple[str, ...]] = {
    "id": ("id", "patient_id", "mrn"),
    "medications": ("medications", "medication"),
    "conditions": ("conditions", "condition", "problem_list", "problems", "diagnoses"),
    "daily_dose": ("daily_dose_mg", "daily_dose"),
}
NONE = "-"
"""Given as a column name (``--conditions-column -``): the file has no such column."""
_OPTION = {"id": "--id-column", "medications": "--medications-column", "conditions": "--conditions-column",
           "daily_dose": "--dose-column"}


def normalize_name(name: str) -> str:
    """A column or key name as compared: no byte-order mark, no surrounding space, no case, and
    spaces or hyphens inside it read as underscores ("Patient ID", "Daily-Dose mg": patient_id, daily_dose_mg)."""
    return "_".join(name.replace("\ufeff", "").casefold().replace("-", " ").split())


def split_cell(cell: str) -> Tuple[str, ...]:
    """Items in a cell are separated by ';', '|' or a line break (a quoted cell spanning lines)."""
    if not cell:
        return ()
    return tuple(p.strip() for p in cell.replace("|", ";").replace("\n", ";").split(";") if p.strip())


def format_for(path: str, explicit: Optional[str]) -> str:
    if explicit:
        return explicit
    lower = path.lower()
    for ext, fmt in ((".tsv", "tsv"), (".tab", "tsv"), (".jsonl", "jsonl"), (".ndjson", "jsonl"), (".csv", "csv")):
        if lower.endswith(ext):
            return fmt
    return "csv"


def _visible(text: str) -> str:
    """Undecodable bytes (surrogate escapes) shown as \\xNN; the rest as is."""
    return text.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace") if not text.isascii() \
        else text


def _readable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


class Columns(NamedTuple):
    """The names asked for (``None``: the default names; ``-``: the file has none)."""

    id: Optional[str] = None
    medications: Optional[str] = None
    conditions: Optional[str] = None
    daily_dose: Optional[str] = None
    ignore: Tuple[str, ...] = ()
    """Columns (or JSON Lines keys) the user says hold nothing to check (``--ignore-column``)."""

    def wanted(self, field: str) -> Tuple[str, ...]:
        given = getattr(self, field)
        if given is None:
            return DEFAULT_NAMES[field]
        if given.strip() == NONE:
            return ()
        return (given,)

    def required(self, field: str) -> bool:
        """The id, medications and conditions columns are needed unless the user says the file has none."""
        return field != "daily_dose" and bool(self.wanted(field))


_CLINICAL = ("med", "drug", "rx", "condition", "diagnos", "problem", "allerg", "comorbid", "prescri")
_CLINICAL_INSIDE = ("medic", "drug", "condition", "diagnos", "prescri", "allerg", "comorbid", "dose", "dosage")


_CLINICAL_WORDS = ("med", "drug", "rx", "condition", "diagnos", "problem", "allerg", "comorbid", "prescri", "histor",
                   "icd", "egfr", "gfr", "crcl", "creatinine", "renal", "kidney", "opioid", "sedativ", "benzo",
                   "pharm", "therap", "snomed", "rxnorm", "ndc", "dose", "dosage")
_CLINICAL_TOKENS = frozenset(("dx", "hx", "pmh", "rx", "age", "meds", "ckd", "esrd", "dob"))


def _looks_clinical(name: str) -> bool:
    """A column name that may hold medicines, conditions, a dose or what grades them (``Medications_2``,
    ``Home Meds``, ``Active Problems``, ``Dx Codes``, ``ICD10``, ``eGFR``, ``Age``): such a column is never
    passed over in silence (hostile round 6)."""
    norm = normalize_name(name)
    if norm.startswith(_CLINICAL) or any(w in norm for w in _CLINICAL_INSIDE) or norm in ("dx", "rx"):
        return True
    tokens = [t for t in re.split(r"[^a-z0-9]+", norm) if t]
    return any(t in _CLINICAL_TOKENS or t.startswith(_CLINICAL_WORDS) for t in tokens)


def _problem(names: Sequence[str], field: str) -> str:
    looked = " or ".join(repr(n) for n in names)
    return f"{field} (looked for {looked}; name it with {_OPTION[field]}" + (
        ")" if field == "id" else f", or give {_OPTION[field]} - if the file has none)")


def map_columns(header: Sequence[str], columns: Columns, where: str = "the header") -> Dict[str, int]:
    """Field -> column index. ``InputError`` when a needed column is missing, duplicated or ambiguous."""
    positions: Dict[str, List[int]] = {}
    for i, name in enumerate(header):
        positions.setdefault(normalize_name(name), []).append(i)
    found: Dict[str, int] = {}
    missing: List[str] = []
    for field in FIELDS:
        names = columns.wanted(field)
        present = [(n, positions[normalize_name(n)]) for n in names if normalize_name(n) in positions]
        if not present:
            if columns.required(field):
                missing.append(_problem(names, field))
            continue
        if len(present) > 1:
            raise InputError(f"{where} has two columns that could be the {field}: "
                             f"{', '.join(repr(header[p[0]]) for _, p in present)}; name one with {_OPTION[field]}")
        name, at = present[0]
        if len(at) > 1:
            raise InputError(f"{where} has the column {header[at[0]].strip()!r} {len(at)} times "
                             f"(columns {', '.join(str(i + 1) for i in at)}); baclo cannot tell which to read")
        found[field] = at[0]
    if missing:
        shown = ", ".join(repr(h) for h in header) or "empty"
        raise InputError(f"{where} ({shown}) has no column for {'; and none for '.join(missing)}. "
                         "No row was read.")
    read_twice = [(f, g) for f in found for g in found if f < g and found[f] == found[g]]
    if read_twice:
        f, g = read_twice[0]
        raise InputError(f"{where}: the column {header[found[f]].strip()!r} would be read both as the {f} and as "
                         f"the {g}; name each with its own column ({_OPTION[f]}, {_OPTION[g]})")
    if "medications" not in found and "conditions" not in found:
        raise InputError("neither a medications nor a conditions column is read: nothing to check")
    return found


class _Lines:
    """Physical lines of a text stream, each ending in '\\n', with pushback and a record of problems.

    A line that cannot be handed to the CSV parser (too long, a NUL byte, a carriage
    return on its own) is replaced by an empty line and its problem noted in ``bad``.
    """

    def __init__(self, stream: IO[str], check_cr: bool = True) -> None:
        self.stream = stream
        self.number = 0
        self.pending: Deque[Tuple[int, str]] = deque()
        self.taken: List[Tuple[int, str]] = []
        self.bad: Dict[int, str] = {}
        self.undecodable: set[int] = set()
        self.check_cr = check_cr

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.pending:
            number, line = self.pending.popleft()
        else:
            number, line = self._read()
        self.taken.append((number, line))
        if len(self.taken) > MAX_SPAN:
            raise _Runaway
        return line

    def _read(self) -> Tuple[int, str]:
        line = self.stream.readline(MAX_LINE)
        if not line:
            raise StopIteration
        self.number += 1
        number = self.number
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
        if number == 1 and line.startswith(("\udcff\udcfe", "\udcfe\udcff")):
            self.bad[number] = "the file starts with a UTF-16 byte-order mark; give --encoding utf-16"
            return number, "\n"
        if not line.endswith("\n"):
            if len(line) >= MAX_LINE and number == 1:  # a header this long: stop now, read nothing more
                self.bad[number] = f"the line is over {MAX_LINE:,} characters"
                return number, "\n"
            if len(line) >= MAX_LINE:
                while True:  # skip the rest of the line without holding it
                    rest = self.stream.readline(MAX_LINE)
                    if not rest or rest.endswith("\n"):
                        break
                self.bad[number] = f"the line is over {MAX_LINE:,} characters"
                return number, "\n"
            line += "\n"
        elif line.endswith("\r\n"):
            line = line[:-2] + "\n"
        if not line.isascii():
            if not _readable(line):
                self.undecodable.add(number)
        if "\x00" in line:
            self.bad[number] = "the line contains a NUL byte"
            return number, "\n"
        if self.check_cr and "\r" in line:
            self.bad[number] = "the line contains a carriage return on its own (a damaged line break)"
            return number, "\n"
        return number, line

    def push_back(self, lines: Sequence[Tuple[int, str]]) -> None:
        self.pending.extendleft(reversed(lines))


_ID_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:#/-]{0,63}")


def _shape(ident: str) -> str:
    """``P12`` -> ``A9``: letters and digits as runs of their kind, other characters as they are."""
    return re.sub(r"[0-9]+", "9", re.sub(r"[A-Za-z]+", "A", ident))


class _Runaway(Exception):
    """A quoted field ran over MAX_SPAN lines."""


def open_text(binary: IO[bytes], encoding: str) -> IO[str]:
    """The stream decoded without replacing anything: undecodable bytes become surrogate escapes."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError, TypeError):
        raise InputError(f"--encoding: unknown encoding {encoding!r}") from None
    if not getattr(info, "_is_text_encoding", True):  # base64, rot13, zlib...: not a text encoding
        raise InputError(f"--encoding {encoding!r} is not a usable text encoding (such as utf-8 or cp1252)")
    return io.TextIOWrapper(binary, encoding=encoding, errors="surrogateescape", newline="\n")


class TableAdapter:
    """The rows of one CSV, TSV or JSON Lines file."""

    def __init__(self, stream: IO[str], source: str, fmt: str, columns: Columns = Columns(),
                 delimiter: Optional[str] = None, encoding: str = "utf-8") -> None:
        self.stream = stream
        self.source = source
        self.fmt = fmt
        self.columns = columns
        self.encoding = encoding
        self.delimiter = delimiter or ("\t" if fmt == "tsv" else ",")
        self.header: Tuple[str, ...] = ()
        self.not_read: Tuple[str, ...] = ()
        self._unread_at: Optional[Tuple[int, ...]] = None
        """Columns of the header that baclo does not read (reported in the summary)."""
        self.multiline_rows = 0
        self._mapping: Optional[Dict[str, int]] = None
        self._key_sets: Optional[Tuple[Dict[str, set[str]], set[str], set[str], List[str]]] = None
        if fmt != "jsonl" and len(self.delimiter) != 1:
            raise InputError(f"--delimiter must be one character, not {self.delimiter!r}")
        if fmt == "jsonl":  # a key read as two fields (--medications-column id)
            for f in FIELDS:
                for g in FIELDS:
                    both = {normalize_name(n) for n in columns.wanted(f)} & {normalize_name(n) for n in
                                                                            columns.wanted(g)}
                    if f < g and both:
                        raise InputError(f"the key {sorted(both)[0]!r} would be read both as the {f} and as the "
                                         f"{g}; name each with its own key ({_OPTION[f]}, {_OPTION[g]})")

    def rows(self) -> Iterator[InputRow]:
        if self.fmt == "jsonl":
            return self._jsonl()
        return self._delimited()

    # ------------------------------------------------------------ CSV / TSV

    def read_header(self) -> Dict[str, int]:
        """Read and check the header now, before any row (``InputError`` if it cannot be used)."""
        if self._mapping is None and self.fmt != "jsonl":
            self._lines = _Lines(self.stream)
            self._mapping = self._header()
        return self._mapping or {}

    def _header(self) -> Dict[str, int]:
        lines = self._lines
        while True:
            lines.taken.clear()
            try:
                line = next(lines)
            except StopIteration:
                raise InputError("the file is empty: there is no header line. No row was read.") from None
            number = lines.taken[0][0]
            if number in lines.bad:
                raise InputError(f"the header (line {number}) cannot be read: {lines.bad[number]}")
            if number in lines.undecodable:
                raise InputError(f"the header (line {number}) is not valid {self.encoding}: "
                                 f"{_visible(line.strip())[:200]!r}; choose the encoding with --encoding")
            if line.strip():
                break
        try:
            header = next(csv.reader([line], delimiter=self.delimiter, strict=True))
        except csv.Error as e:
            raise InputError(f"the header (line {number}) cannot be read as {self.fmt.upper()} ({e})") from None
        self.header = tuple(header)
        where = f"the header (line {number})"
        for sep, name in ((";", "';'"), ("\t", "tab (--format-in tsv)"), ("|", "'|'")):
            if len(header) == 1 and sep != self.delimiter and sep in header[0]:
                raise InputError(f"{where} is one column {header[0][:80]!r}: the file looks separated by {name}; "
                                 f"give --delimiter {name.split()[0]}" if sep != "\t" else
                                 f"{where} is one column {header[0][:80]!r}: the file looks tab-separated; "
                                 "give --format-in tsv")
        mapping = map_columns(header, self.columns, where)
        ignored = {normalize_name(n) for n in self.columns.ignore}
        names = {normalize_name(h) for h in header}
        unknown = [n for n in self.columns.ignore if normalize_name(n) not in names]
        if unknown:
            raise InputError(f"--ignore-column {unknown[0]!r}: {where} has no such column")
        read = [header[i] for i in mapping.values() if normalize_name(header[i]) in ignored]
        if read:
            raise InputError(f"--ignore-column {read[0].strip()!r}: baclo reads that column")
        self.not_read = tuple(h for i, h in enumerate(header) if i not in mapping.values())
        clinical = [h for h in self.not_read if _looks_clinical(h) and normalize_name(h) not in ignored]
        if clinical:
            shown = ", ".join(repr(_visible(h.strip())[:80]) for h in clinical[:5])
            raise InputError(f"{where} has column{'s' if len(clinical) > 1 else ''} {shown} that may hold "
                             "medicines, conditions or a dose but would not be read. Name the column to read with "
                             "--medications-column, --conditions-column or --dose-column, or give --ignore-column "
                             "NAME for each column that holds nothing to check. No row was read.")
        return mapping

    def _delimited(self) -> Iterator[InputRow]:
        mapping = self.read_header()
        lines = self._lines
        width = len(self.header)
        old_limit = csv.field_size_limit()
        csv.field_size_limit(MAX_CELL)
        try:
            reader = csv.reader(lines, delimiter=self.delimiter, strict=True)
            while True:
                lines.taken.clear()
                error: Optional[str] = None
                try:
                    cells: Optional[List[str]] = next(reader)
                except StopIteration:
                    if not lines.taken:
                        return
                    cells, error = None, "a quoted field is not closed before the end of the file"
                except csv.Error as e:
                    cells, error = None, f"cannot be read as {self.fmt.upper()} ({e})"
                except _Runaway:
                    cells, error = None, f"a quoted field is not closed within {MAX_SPAN} lines"
                taken = list(lines.taken)
                if not taken:  # the parser stopped before reading a line: nothing left
                    return
                first = taken[0][0]
                spans_bad = len(taken) > 1 and any(n in lines.bad for n, _ in taken)
                patients: List[Tuple[int, str]] = []
                if error is None and not spans_bad and len(taken) > 1 and cells is not None and len(cells) == width:
                    patients = self._patient_lines(taken, width, mapping)
                if error is not None or len(taken) > 1 and (spans_bad or cells is None or len(cells) != width
                                                            or patients):
                    if len(taken) > 1:  # the lines it took in are read again as rows of their own
                        lines.push_back(taken[1:])
                        error = "a quoted field is not closed on this line (a stray quote?)"
                        if patients:
                            error += "; " + ", ".join(f"line {n} starts the row of patient {_visible(i)!r}"
                                                      for n, i in patients)
                    reader = csv.reader(lines, delimiter=self.delimiter, strict=True)
                    yield self._malformed(first, error or "", self._id_of(taken[0][1], mapping))
                    continue
                bad = next((lines.bad[n] for n, _ in taken if n in lines.bad), None)
                if bad is not None:
                    yield self._malformed(first, bad, None)
                    continue
                assert cells is not None
                if not cells:
                    continue  # a blank line is not a row
                if len(cells) != width:
                    yield self._malformed(first, f"{len(cells)} fields where the header has {width}",
                                          self._id_of(taken[0][1], mapping))
                    continue
                notes: Tuple[str, ...] = ()
                doubt: Tuple[Unreadable, ...] = ()
                if len(taken) > 1:
                    self.multiline_rows += 1
                    notes = (f"a quoted field spans lines {first}-{taken[-1][0]}",)
                    alone = self._could_be_rows(taken, width)
                    if alone:
                        # Read as one record (the quoted field closes at a field boundary and the
                        # record has the header's width), but a line it took in would also be a
                        # row on its own: the row is never called clean.
                        shown = ", ".join(str(n) for n in alone)
                        notes += (f"line{'s' if len(alone) > 1 else ''} {shown} would also read as a row of "
                                  "its own; check the quoting",)
                        doubt = (Unreadable(f"lines {first}-{taken[-1][0]}", f"line {shown}",
                                            "a quoted field spans lines that could be rows of their own"),)
                undecodable = any(n in lines.undecodable for n, _ in taken)
                yield self._row(first, cells, mapping, undecodable, notes, doubt)
        finally:
            csv.field_size_limit(old_limit)

    def _id_of(self, line: str, mapping: Dict[str, int]) -> Optional[str]:
        """The patient id of a line that cannot be read as a row, when it can be made out (for the report)."""
        if "id" not in mapping:
            return None
        try:
            cells = next(csv.reader([line.split("\n")[0]], delimiter=self.delimiter), [])
        except csv.Error:
            return None
        ident = cells[mapping["id"]] if mapping["id"] < len(cells) else None
        return ident if ident and '"' not in ident and len(ident) <= 200 else None

    def _patient_lines(self, taken: Sequence[Tuple[int, str]], width: int,
                       mapping: Dict[str, int]) -> List[Tuple[int, str]]:
        """Lines a multi-line record took in that read as the row of another patient: an id-like
        cell in the id column (a code such as ``P2`` or ``MRN-0042``: no space or quote, and a digit
        or the same shape as the record's own id) with the header's width or a closing quote."""
        if "id" not in mapping:
            return []
        own = self._id_of(taken[0][1], mapping)
        found = []
        for number, line in taken[1:]:
            try:
                alone = next(csv.reader([line], delimiter=self.delimiter), [])
            except csv.Error:
                continue
            if mapping["id"] >= len(alone):
                continue
            ident = alone[mapping["id"]].strip()
            if not _ID_LIKE.fullmatch(ident) or ident == own:
                continue
            if not (any(c.isdigit() for c in ident) or (own is not None and _shape(ident) == _shape(own))):
                continue
            if len(alone) == width or '"' in line:
                found.append((number, ident))
        return found

    def _could_be_rows(self, taken: Sequence[Tuple[int, str]], width: int) -> List[int]:
        """The lines a multi-line record took in that would also read as rows of the header's width."""
        found = []
        for number, line in taken[1:]:
            try:
                alone = next(csv.reader([line], delimiter=self.delimiter, strict=True), [])
            except csv.Error:
                continue
            if len(alone) == width:
                found.append(number)
        return found

    def _malformed(self, number: int, error: str, ident: Optional[str]) -> InputRow:
        return InputRow(number, Record(patient_id=_visible(ident) if ident else ident), error)

    def _row(self, number: int, cells: Sequence[str], mapping: Dict[str, int], undecodable: bool,
             notes: Tuple[str, ...], doubt: Tuple[Unreadable, ...] = ()) -> InputRow:
        ident = cells[mapping["id"]] if "id" in mapping else ""
        values: Dict[str, Any] = {f: cells[i] for f, i in mapping.items() if f != "id"}
        row = self._record(number, ident, values, undecodable, notes, doubt)
        if self._unread_at is None:
            ignored = {normalize_name(n) for n in self.columns.ignore}
            self._unread_at = tuple(i for i, h in enumerate(self.header)
                                    if i not in mapping.values() and normalize_name(h) not in ignored)
        extra = tuple((self.header[i], cells[i][:MAX_CELL]) for i in self._unread_at
                      if i < len(cells) and cells[i].strip())
        return row._replace(unread_cells=extra) if extra and row.error is None else row

    def _record(self, number: int, ident: Any, values: Dict[str, Any], undecodable: bool,
                notes: Tuple[str, ...], doubt: Tuple[Unreadable, ...] = ()) -> InputRow:
        """One row's values (text or lists of text) as a ``Record``; malformed if a value cannot be used.

        ``doubt``: parts of the row that were not read (an unread key) or are in doubt; never clean."""
        ident = "" if ident is None else str(ident) if not isinstance(ident, str) else ident
        unreadable: List[Unreadable] = list(doubt)
        if undecodable and not _readable(ident):
            notes += (f"the patient id is not valid {self.encoding}",)
            ident = _visible(ident)
        if not ident.strip():
            notes += ("the patient id is empty",)
        items: Dict[str, Tuple[str, ...]] = {}
        for field in ("medications", "conditions"):
            value = values.get(field)
            if value is None:
                items[field] = ()
            elif isinstance(value, str):
                if len(value) > MAX_CELL:
                    return InputRow(number, Record(patient_id=ident), f"the {field} cell is over {MAX_CELL:,} characters",
                                    notes)
                items[field] = split_cell(value)
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                items[field] = tuple(v.strip() for v in value if v.strip())
            else:
                return InputRow(number, Record(patient_id=ident), f"{field} must be text or a list of text", notes)
            if undecodable:
                kept = []
                for item in items[field]:
                    if _readable(item):
                        kept.append(item)
                    else:
                        unreadable.append(Unreadable(f"line {number}, {field}", _visible(item),
                                                     f"not valid {self.encoding}; choose the encoding with --encoding"))
                items[field] = tuple(kept)
        dose = None
        raw_dose = values.get("daily_dose")
        if raw_dose is not None and not (isinstance(raw_dose, str) and not raw_dose.strip()):
            try:
                dose = parse_daily_dose(raw_dose if _readable(str(raw_dose)) else _visible(str(raw_dose)))
            except ValueError as e:
                return InputRow(number, Record(patient_id=ident), str(e), notes)
        record = Record(medications=items["medications"], conditions=items["conditions"], daily_dose_mg=dose,
                        patient_id=ident, unreadable=tuple(unreadable))
        return InputRow(number, record, None, notes)

    # ------------------------------------------------------------ JSON Lines

    def _jsonl(self) -> Iterator[InputRow]:
        lines = _Lines(self.stream, check_cr=False)
        while True:
            lines.taken.clear()
            try:
                line = next(lines)
            except StopIteration:
                return
            number = lines.taken[0][0]
            if number in lines.bad:
                yield self._malformed(number, lines.bad[number], None)
                continue
            body = line[:-1] if line.endswith("\n") else line
            if "\r" not in body:
                if body.strip():
                    yield self._json_record(number, body, number in lines.undecodable, ())
                continue
            # A carriage return on its own cannot be inside a JSON string: it separates records,
            # each read as a row of its own (never merged into one malformed row).
            note = ("records on this line are separated by a carriage return on its own",)
            for piece in body.split("\r"):
                if piece.strip():
                    yield self._json_record(number, piece, number in lines.undecodable, note)

    def _keys(self) -> Tuple[Dict[str, set[str]], set[str], set[str], List[str]]:
        """The JSON Lines keys read per field, all of them, those ignored, and the item keys (computed once)."""
        if self._key_sets is None:
            wanted = {f: {normalize_name(n) for n in self.columns.wanted(f)} for f in FIELDS}
            self._key_sets = (wanted, {n for f in FIELDS for n in wanted[f]},
                              {normalize_name(n) for n in self.columns.ignore},
                              sorted(n for f in ("medications", "conditions", "daily_dose") for n in wanted[f]))
        return self._key_sets

    def _json_record(self, number: int, line: str, undecodable: bool, notes: Tuple[str, ...]) -> InputRow:
        """One JSON Lines record as a row (malformed when it cannot be read)."""
        wanted, expected, ignored, item_keys = self._keys()
        try:
            obj = _DECODER.decode(line)
        except JsonKeyTwice as e:
            return self._malformed(number, f"the key {_visible(e.key)[:80]!r} is given twice", None)
        except json.JSONDecodeError as e:
            return self._malformed(number, f"not valid JSON ({e.msg}, column {e.colno})", None)
        except RecursionError:
            return self._malformed(number, "JSON nested too deeply", None)
        except ValueError as e:  # a number too long to convert (over 4300 digits)
            return self._malformed(number, f"a number cannot be read ({str(e)[:80]})", None)
        if not isinstance(obj, dict):
            return self._malformed(number, "the line is not a JSON object", None)
        keys: Dict[str, str] = {}
        for key in obj:
            norm = normalize_name(key)
            if norm in keys and norm in expected:
                # the id is still said when its own key is not in doubt (hostile round 7)
                ids = [k for k in obj if normalize_name(k) in wanted["id"]]
                own = obj[ids[0]] if len(ids) == 1 and normalize_name(ids[0]) != norm else None
                shown_id = str(own)[:200] if isinstance(own, (str, int)) and not isinstance(own, bool) else None
                return self._malformed(number, f"the keys {keys[norm]!r} and {key!r} are the same name", shown_id)
            keys[norm] = key
        values: Dict[str, Any] = {}
        ambiguous = None
        for field in FIELDS:
            present = [keys[n] for n in wanted[field] if n in keys]
            if len(present) > 1:
                ambiguous = f"the keys {present[0]!r} and {present[1]!r} could both be the {field}"
            elif present:
                values[field] = obj[present[0]]
        ident = values.pop("id", None)
        ident_text = None if ident is None or isinstance(ident, (dict, list)) else str(ident)[:200]
        unknown = sorted(keys[n] for n in keys if n not in expected and n not in ignored)
        missing = [f for f in ("medications", "conditions") if wanted[f] and f not in values]
        if ambiguous:
            return self._malformed(number, ambiguous, ident_text)
        if not values:
            found = ", ".join(repr(k) for k in obj) or "none"
            return self._malformed(number, f"none of the expected keys ({', '.join(item_keys)}); "
                                   f"keys found: {found}", ident_text)
        if missing and unknown:
            return self._malformed(number, f"unknown key{'s' if len(unknown) > 1 else ''} "
                                   f"{', '.join(repr(u) for u in unknown[:5])} and no "
                                   f"{' or '.join(missing)} key: name the key with "
                                   f"{_OPTION[missing[0]]}", ident_text)
        if ident is not None and not isinstance(ident, (str, int)) or isinstance(ident, bool):
            return self._malformed(number, "the patient id must be text or a whole number", None)
        unread = [k for k in unknown if obj[k] not in (None, "", [], {})]
        doubt: Tuple[Unreadable, ...] = ()
        if unread:
            shown = ", ".join(repr(_visible(k)[:80]) for k in unread[:5]) + (" ..." if len(unread) > 5 else "")
            notes += (f"key{'s' if len(unread) > 1 else ''} not read: {shown} (--ignore-column NAME if "
                      "it holds nothing to check)",)
            doubt = (Unreadable(f"line {number}", f"key{'s' if len(unread) > 1 else ''} {shown}",
                                "a key baclo does not read"),)
        return self._record(number, ident, values, undecodable, notes, doubt)


_DECODER = json.JSONDecoder(object_pairs_hook=unique_keys)
"""One decoder for every record (``json.loads`` with a hook would build one per call)."""
