"""FHIR R4 output: a Bundle of DetectedIssue resources, one per finding.

Severity maps contraindicated and major to ``high``, moderate to ``moderate`` and
minor to ``low``. Each issue names the user's items it implicates as contained
Medication and Condition resources; items that were not recognized, and inputs
skipped as not current, are reported in an OperationOutcome in the same Bundle,
so nothing the user gave is lost.

Identity: every entry's ``fullUrl`` is a ``urn:uuid:`` (a version-5 UUID of what
the entry is about, so the same input gives the same output and two different
resources never share one). The patient is a Patient entry in every bundle that
has one (clean and malformed screening rows included): its ``identifier`` carries
the id exactly as given (system ``PATIENT_ID_SYSTEM``), and its ``id`` is that id
when it is a valid FHIR id; issues refer to it by its ``fullUrl``, a UUID of the
exact id, so two different ids never collide. A screening row's bundle names its
row in ``Bundle.identifier`` (system ``ROW_SYSTEM``).
"""

from __future__ import annotations

import re
import uuid
from hashlib import sha1
from typing import IO, Any, Callable, Dict, List, Optional, Tuple

from baclofen_cli.check import NOT_CHECKED, CheckResult, Finding
from baclofen_cli.knowledge.model import Knowledge
from baclofen_cli.render import pages
from baclofen_cli.render.safe import json_safe, json_text

SEVERITY = {"contraindicated": "high", "major": "high", "moderate": "moderate", "minor": "low"}
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
_ISSUE_CODES = {
    "interaction": ("DRG", "Drug Interaction Alert"),
    "combination": ("DRG", "Drug Interaction Alert"),
    "caution": ("COND", "Condition Alert"),
    "dose-maximum": ("DOSEH", "High Dose Alert"),
    "dose": ("DOSECOND", "dosage-condition alert"),
}
BACLOFEN_RXNORM = "1292"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
PATIENT_ID_SYSTEM = "https://baclo.invalid/fhir/patient-id"
"""The identifier system of a patient id exactly as the input gave it."""
ROW_SYSTEM = "https://baclo.invalid/fhir/screen-row"
"""The identifier system of a screening row: its line number in the input file."""
SOURCES_EXTENSION = "https://baclo.invalid/fhir/StructureDefinition/sources"
NAMESPACE = uuid.UUID("4d7c6b0e-5a0f-5b8e-9a35-62a3c0f1b0a7")
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
KIND_WORDS = {"with": "medicine", "history": "condition"}


_NAMESPACE_BYTES = NAMESPACE.bytes


def _urn(*parts: str) -> str:
    """``urn:uuid:`` and the version-5 UUID of the parts (joined by U+001F), as ``uuid.uuid5`` makes it:
    the SHA-1 of namespace and name, its first 16 bytes with the version (5) and variant (RFC 4122) bits
    set, written 8-4-4-4-12 (without building a UUID object: a row's bundle makes several)."""
    name = _NAMESPACE_BYTES + bytes(chr(31).join(parts), "utf-8")
    value = int.from_bytes(sha1(name, usedforsecurity=False).digest()[:16], "big")  # an identity, not security
    value = (value & ~(0xc000 << 48) | 0x8000 << 48) & ~(0xf000 << 64) | 5 << 76
    h = f"{value:032x}"
    return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _issue_code(f: Finding) -> Dict[str, Any]:
    code, display = _ISSUE_CODES["dose-maximum" if f.id in ("dose-maximum", "dose-order-maximum") else f.kind]
    return {"coding": [{"system": ACT_CODE, "code": code, "display": display}], "text": f.kind}


class _Patient:
    """The patient entry of a bundle and how its resources refer to it."""

    def __init__(self, patient_id: Optional[str], row: Optional[int] = None) -> None:
        self.entry: Optional[Dict[str, Any]] = None
        self.reference: Optional[Dict[str, Any]] = None
        self.key = patient_id if patient_id else (f"row {row}" if row is not None else "")
        if patient_id is None and row is None:
            return
        resource: Dict[str, Any] = {"resourceType": "Patient"}
        if patient_id:
            if FHIR_ID.fullmatch(patient_id):
                resource["id"] = patient_id
            resource["identifier"] = [{"system": PATIENT_ID_SYSTEM, "value": patient_id}]
            full_url = _urn("patient", patient_id)
        else:  # a screening row without an id: a patient of its own, named by the row
            full_url = _urn("patient of row", str(row))
        self.entry = {"fullUrl": full_url, "resource": resource}
        self.reference = {"reference": full_url}
        if patient_id:
            self.reference["identifier"] = {"system": PATIENT_ID_SYSTEM, "value": patient_id}

    def subject(self) -> Dict[str, Any]:
        return dict(self.reference) if self.reference else {"display": "the patient being checked"}


def _implicated(result: CheckResult, f: Finding, patient: _Patient) -> Tuple[List[Dict[str, Any]],
                                                                            List[Dict[str, Any]]]:
    """A DetectedIssue's contained resources (baclofen, then each item of the finding) and its implicated list."""
    kinds = {i.text: i.resolution.kind for i in result.items}
    contained: List[Dict[str, Any]] = [{
        "resourceType": "Medication", "id": "baclofen",
        "code": {"coding": [{"system": RXNORM, "code": BACLOFEN_RXNORM, "display": "baclofen"}], "text": "baclofen"},
    }]
    implicated = [{"reference": "#baclofen", "display": "baclofen"}]
    for n, text in enumerate(f.inputs, 1):
        local = f"item{n}"
        if kinds.get(text) == "history":
            contained.append({"resourceType": "Condition", "id": local, "code": {"text": text},
                              "subject": patient.subject()})
        else:
            contained.append({"resourceType": "Medication", "id": local, "code": {"text": text}})
        implicated.append({"reference": f"#{local}", "display": text})
    return contained, implicated


def _said(f: Finding) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """The parts of a DetectedIssue that only the finding decides: before and after ``implicated``."""
    return ({"status": "final", "code": _issue_code(f), "severity": SEVERITY[f.severity]},
            {"detail": f"{f.title} ({f.severity}): {f.effect}", "mitigation": [{"action": {"text": f.advice}}],
             "extension": [{"url": SOURCES_EXTENSION, "valueString": "; ".join(f.sources)}]})


def detected_issue(k: Knowledge, result: CheckResult, f: Finding, index: int,
                   patient: Optional[_Patient] = None) -> Dict[str, Any]:
    patient = patient or _Patient(None)
    contained, implicated = _implicated(result, f, patient)
    before, after = _said(f)
    issue: Dict[str, Any] = {"resourceType": "DetectedIssue", "contained": contained, **before,
                             "implicated": implicated, **after}
    if patient.reference:
        issue["patient"] = patient.subject()
    return issue


class _Json(str):
    """An entry already written as JSON (``bundle_line``)."""


_ENCODERS: Dict[bool, Callable[[Any], str]] = {}


def _dumps(value: Any, ascii: bool) -> str:
    """``json.dumps(value, ensure_ascii=ascii, separators=(",", ":"))``, with its encoder made once."""
    encode = _ENCODERS.get(ascii)
    if encode is None:
        import json

        encode = _ENCODERS[ascii] = json.JSONEncoder(ensure_ascii=ascii, separators=(",", ":")).encode
    return encode(value)


_SAID_JSON: Dict[Tuple[Any, ...], Tuple[str, str]] = {}
"""``_said`` of a finding as JSON members, by what it depends on (bounded: starts afresh when full)."""


def _said_json(f: Finding, ascii: bool) -> Tuple[str, str]:
    key = (f.kind, f.id, f.severity, f.title, f.effect, f.advice, f.sources, ascii)
    found = _SAID_JSON.get(key)
    if found is None:
        before, after = _said(f)
        found = (_dumps(before, ascii)[1:-1], _dumps(after, ascii)[1:-1])
        if len(_SAID_JSON) >= 4096:
            _SAID_JSON.clear()
        _SAID_JSON[key] = found
    return found


def _issue_json(result: CheckResult, f: Finding, patient: _Patient, full_url: str, ascii: bool) -> _Json:
    """The entry ``_entries`` makes for a finding, as the JSON ``json.dumps`` writes for it (same members,
    same order), with the members only the finding decides written once per finding."""
    contained, implicated = _implicated(result, f, patient)
    before, after = _said_json(f, ascii)
    text = (f'{{"fullUrl":{_dumps(full_url, ascii)},"resource":{{"resourceType":"DetectedIssue",'
            f'"contained":{_dumps(contained, ascii)},{before},"implicated":{_dumps(implicated, ascii)},{after}')
    if patient.reference:
        text += f',"patient":{_dumps(patient.subject(), ascii)}'
    return _Json(f'{text},"id":{_dumps(full_url[len("urn:uuid:"):], ascii)}}}}}')


def _entries(k: Knowledge, result: CheckResult, patient: _Patient, row: Optional[int],
             json_ascii: Optional[bool] = None) -> List[Any]:
    """The bundle's entries; with ``json_ascii`` (True or False: ``ensure_ascii``), each finding's entry is
    already JSON (``_Json``)."""
    where = "" if row is None else str(row)
    entries: List[Any] = []
    if patient.entry:
        entries.append(patient.entry)
    for i, f in enumerate(result.findings, 1):
        full_url = _urn("finding", patient.key, where, str(i), f.id, f.severity, *f.inputs)
        if json_ascii is not None:
            entries.append(_issue_json(result, f, patient, full_url, json_ascii))
            continue
        resource = detected_issue(k, result, f, i, patient)
        resource["id"] = full_url[len("urn:uuid:"):]
        entries.append({"fullUrl": full_url, "resource": resource})
    issues: List[Dict[str, Any]] = [
        {"severity": "warning", "code": "not-found",
         "diagnostics": f"not recognized, so not checked: {i.text} ({KIND_WORDS.get(i.resolution.kind, 'item')})"}
        for i in result.items if i.status == NOT_CHECKED]
    issues += [{"severity": "information", "code": "informational",
                "diagnostics": f"skipped, not checked: {s.where}: {s.text} ({s.reason})"} for s in result.skipped]
    if issues:
        full_url = _urn("outcome", patient.key, where, *(i["diagnostics"] for i in issues))
        entries.append({"fullUrl": full_url, "resource": {
            "resourceType": "OperationOutcome", "id": full_url[len("urn:uuid:"):], "issue": issues}})
    return entries


def _bundle(entries: List[Dict[str, Any]], row: Optional[int] = None) -> Dict[str, Any]:
    payload: Dict[str, Any] = {"resourceType": "Bundle", "type": "collection"}
    if row is not None:
        payload["identifier"] = {"system": ROW_SYSTEM, "value": str(row)}
    payload["entry"] = entries
    return payload


def bundle(k: Knowledge, result: CheckResult, patient_id: Optional[str] = None,
           row: Optional[int] = None) -> Dict[str, Any]:
    """The findings of one check as a Bundle (``patient_id`` exactly as given; ``row`` for a screening row)."""
    patient = _Patient(patient_id if patient_id is not None else result.patient_id, row)
    return _bundle(_entries(k, result, patient, row), row)


def _check_page(page: Any) -> Dict[str, Any]:
    return bundle(page.k, page.result)


PAGES: Dict[type, Callable[[Any], Dict[str, Any]]] = {pages.CheckPage: _check_page}
"""Page type -> its FHIR resource (the ``fhir`` format)."""


def write(page: Any, out: IO[str], options: Any = None) -> None:
    from baclofen_cli.render.json_out import dump  # the same JSON writing as --format json

    dump(PAGES[type(page)](page), out)


def row_bundle(k: Knowledge, number: int, patient_id: str, result: Optional[CheckResult],
               error: Optional[str] = None) -> Dict[str, Any]:
    """One screened row as a Bundle: its Patient and its findings, or an OperationOutcome if malformed."""
    if result is not None:
        return bundle(k, result, patient_id or None, number)
    patient = _Patient(patient_id or None, number)
    entries = [patient.entry] if patient.entry else []
    full_url = _urn("malformed", patient.key, str(number), error or "")
    entries.append({"fullUrl": full_url, "resource": {
        "resourceType": "OperationOutcome", "id": full_url[len("urn:uuid:"):],
        "issue": [{"severity": "error", "code": "structure",
                   "diagnostics": f"row {number}: {error or 'malformed'}; not checked"}]}})
    return _bundle(entries, number)


def bundle_line(k: Knowledge, outcome: Any, ascii: bool = False) -> str:
    """One screened row as a single-line Bundle (malformed rows carry an OperationOutcome);
    ``ascii`` for a stream that cannot carry every character (``safe.ascii_only``).

    The text is ``json_text(row_bundle(...))`` exactly; the entries of findings are written as JSON
    as they are made (``_issue_json``), and the Bundle around them as ``json.dumps`` would."""
    result = outcome.result
    if result is None:
        payload = row_bundle(k, outcome.row.number, outcome.row.id or "", result, outcome.error)
        return json_text(payload, ascii=ascii, separators=(",", ":"))
    number, given = outcome.row.number, outcome.row.id or None
    patient = _Patient(given if given is not None else result.patient_id, number)
    entries = _entries(k, result, patient, number, json_ascii=ascii)
    head = _dumps(_bundle([], number), ascii)  # "entry" is its last member: written "entry":[]}
    assert head.endswith('"entry":[]}')
    body = ",".join(e if isinstance(e, _Json) else _dumps(e, ascii) for e in entries)
    return json_safe(f"{head[:-3]}[{body}]}}")

