"""Read one patient's ``Record`` from FHIR R4 JSON: a Bundle (nested at any depth) or a single resource.

What is read, from every resource at any depth (Bundle entries, Bundles inside
Bundles, ``contained`` resources, ``Parameters.parameter`` and its ``part`` at any depth):

* medicines: MedicationStatement, MedicationRequest, MedicationDispense,
  MedicationAdministration (their ``medication[x]``, inline, contained or another
  entry of the file, with the referenced Medication's ingredients), a
  Medication that no other resource refers to, and a MedicationKnowledge's code;
* conditions: Condition (its text, every coding's display, and every ICD-10-CM
  code, read as ``ICD-10-CM N18.3``, with its display as an item of its own: a
  display that names something else is checked too); an AllergyIntolerance naming
  baclofen becomes the condition ``baclofen allergy`` (the hypersensitivity
  contraindication); any other allergy that names its substance is carried in
  ``Record.allergies`` and looked up when checked (``api.with_allergies_looked_up``):
  only a known medicine other than baclofen is skipped, anything else is not checked;
* List and Composition: their entries are references; one to a resource of the file
  is read there, one that is not in the file (or a narrative-only section) is not
  checked. A ``resourceType`` that is not a FHIR type (wrong case, spaces) is not
  checked, with the reason; a text holding a lone surrogate is not checked, shown escaped;
* kidney function: an eGFR or creatinine-clearance Observation (by LOINC code or
  by its text), also as a component of a panel, becomes ``Record.renal``; a value above
  ``MAX_KIDNEY_FUNCTION`` (200 mL/min, as ``--egfr``) is not graded, it is not checked;
* what says the list may be incomplete makes the record not fully checked: an
  OperationOutcome (a resource, or a batch/transaction ``entry.response.outcome``) with an
  issue that is not harmless information (``outcome_issues``), an entry whose
  ``response.status`` says what it asked for was not returned (4xx, 5xx) or that returned no resource,
  an entry with nothing in it, and a searchset that is one page of a larger result (a ``next`` link, a
  ``last`` link that is not ``self``, or a ``total`` above its matches). A ``link``, ``relation`` or ``total``
  of the wrong JSON type is not read, and so is not fully checked either.

Every name a resource gives (its text and each coding's display) is its own item:
if any of them names something that interacts, it is flagged, so a coding naming
codeine is never hidden behind the text "Tylenol". The same name given twice (in
one resource or several) is one item. A coding with a code and no display cannot
be read (baclo reads names, not RxNorm or SNOMED CT codes; ICD-10-CM codes are the
exception) and is carried in ``Record.unreadable`` with the code shown, so it is
reported as not checked.

Statuses that mean "not current" are carried in ``Record.skipped`` with the reason,
never dropped silently (``NOT_CURRENT``, below). Statuses that leave any doubt are
checked: a MedicationRequest that is ``completed`` has been fulfilled and the
medicine may well still be taken; a MedicationAdministration that is ``completed``
or ``stopped`` gave at least part of the dose; a Condition that is in
``remission``, ``unconfirmed``, ``provisional`` or ``differential`` is checked. A Condition
whose clinical status is ``resolved`` or ``inactive`` is read as a history (``history of
Peptic ulcer``, its origin labelled with the status): a past ulcer or past seizures still matter.
A Patient's birthDate gives the age on the date of the run (65 and over: older age;
under 18: a child). Resources of other types (an Encounter, other Observations) are counted
in one skipped line. A file with resources of more than one patient is refused:
one record is one patient (``baclo screen`` is for many).
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from baclofen_cli._records import NamedTuple
from baclofen_cli.errors import EXIT_USAGE, BacloError
from baclofen_cli.inputs import JsonKeyTwice, JsonNotANumber, no_constant, unique_keys
from baclofen_cli.record import INPUT_KIND, MAX_KIDNEY_FUNCTION, Allergy, Dosage, Record, RenalFunction, Skipped, Unreadable

HISTORY_KIND = "history"
"""``Unreadable.kind`` for what stood for a condition, an allergy or a kidney-function measurement."""

MAX_BYTES = 50 * 1024 * 1024
MAX_RESOURCES = 1_000_000

ICD10_SYSTEMS = ("http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10")
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
SYSTEM_NAMES = {
    RXNORM: "RxNorm",
    "http://snomed.info/sct": "SNOMED CT",
    "http://hl7.org/fhir/sid/ndc": "NDC",
    LOINC: "LOINC",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
    "http://hl7.org/fhir/sid/icd-10": "ICD-10",
    "http://www.whocc.no/atc": "ATC",
    "http://fdasis.nlm.nih.gov": "UNII",
    "http://hl7.org/fhir/sid/cvx": "CVX",
}

BUNDLE_ENTRY_KEYS = frozenset({"fullUrl", "resource", "search", "request", "response", "link", "id", "extension",
                               "modifierExtension"})
"""The elements of Bundle.entry in FHIR R4; any other key is reported as not read."""

MEDICATION_USES = ("MedicationStatement", "MedicationRequest", "MedicationDispense", "MedicationAdministration")
"""Resources that say a patient takes, was prescribed, was given or was handed a medicine."""

NOT_CURRENT: Dict[str, Dict[str, str]] = {
    "MedicationStatement": {"stopped": "", "completed": "no longer taken", "not-taken": "",
                            "entered-in-error": ""},
    "MedicationRequest": {"stopped": "", "cancelled": "", "entered-in-error": ""},
    "MedicationDispense": {"stopped": "", "cancelled": "", "declined": "", "entered-in-error": ""},
    "MedicationAdministration": {"not-done": "not given", "entered-in-error": ""},
    "Medication": {"entered-in-error": ""},
    "Observation": {"cancelled": "", "entered-in-error": ""},
}
"""Per resource type, the ``status`` values that mean "not current" (with a word of explanation if needed)."""

CLINICAL_NOT_CURRENT = frozenset({"inactive", "resolved"})
VERIFICATION_NOT_CURRENT = frozenset({"refuted", "entered-in-error"})
"""Condition and AllergyIntolerance: ``clinicalStatus`` and ``verificationStatus`` codes that are not current.
A verification status skips either; a clinical status skips an allergy, and makes a Condition a history."""

EGFR_LOINC = frozenset({
    "33914-3", "48642-3", "48643-1", "62238-1", "98979-8", "69405-9", "88293-6", "88294-4", "77147-7",
    # GFR predicted per 1.73 m2 by other equations and reporting groups (hostile round 6, clinical round H)
    "50044-7", "50384-7", "70969-1", "94677-2", "98980-6", "50210-4",
})
LOINC_SYSTEMS = frozenset({LOINC, LOINC + "/", "https://loinc.org", "https://loinc.org/", "loinc.org",
                           "urn:oid:2.16.840.1.113883.6.1", None})
"""LOINC as systems write it: the canonical URI, with a trailing slash or https, and its OID."""
CRCL_LOINC = frozenset({"2164-2"})
_EGFR_WORDS = re.compile(r"\begfr\b|glomerular filtration", re.IGNORECASE)
_CRCL_WORDS = re.compile(r"creatinine (?:renal )?clearance|\bcrcl\b", re.IGNORECASE)

BACLOFEN_RXNORM = "1292"
BACLOFEN_NAMES = re.compile(r"\b(?:baclofen|lioresal|gablofen|ozobax|lyvispah|fleqsuvy|kemstro)\b", re.IGNORECASE)
"""An allergy naming any of these (or RxNorm 1292, the baclofen ingredient) is an allergy to baclofen."""
BACLOFEN_ALLERGY = "baclofen allergy"

_SNOMED_TAG = re.compile(
    r"\s*\((?:disorder|finding|situation|substance|product|medicinal product|medicinal product form|"
    r"clinical drug|real clinical drug|morphologic abnormality|observable entity|procedure)\)\s*$",
    re.IGNORECASE,
)


class FhirError(BacloError):
    """The file is not FHIR JSON baclo can read at all (exit status 2)."""

    exit_code = EXIT_USAGE


# ---------------------------------------------------------------- reading the file


def read_fhir(path: str, text: Optional[str] = None) -> Record:
    """Read a FHIR JSON file (``-`` is standard input), or ``text`` already read, into one ``Record``.

    Raises ``FhirError`` when the file cannot be read, is not UTF-8 JSON, has a
    duplicate key or a non-finite number, is not a FHIR resource, or holds
    resources of more than one patient.
    """
    shown = "standard input" if path == "-" else path
    if text is None:
        raw = _read_bytes(path, shown)
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise FhirError(f"{shown} is not UTF-8 text (bad byte at line {line}, offset {e.start})") from None
    elif text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = json.loads(text, object_pairs_hook=unique_keys, parse_constant=no_constant)
    except json.JSONDecodeError as e:
        raise FhirError(f"{shown} is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    except JsonKeyTwice as e:
        raise FhirError(f"{shown} is not valid FHIR JSON: the key {e.key!r} appears twice in one object "
                        "(which one counts is not defined)") from None
    except JsonNotANumber as e:
        raise FhirError(f"{shown} is not valid FHIR JSON: {e} is not a JSON number") from None
    except RecursionError:
        raise FhirError(f"{shown} is nested too deeply") from None
    except ValueError as e:  # an integer too long to convert, for one
        raise FhirError(f"{shown} is not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise FhirError(f"{shown} is not a FHIR resource: the JSON is {_json_type(data)}, "
                        "not an object with a resourceType")
    if not isinstance(data.get("resourceType"), str) or not data["resourceType"]:
        raise FhirError(f"{shown} is not a FHIR resource (no resourceType)")
    return record_from_resources([data])


def _read_bytes(path: str, shown: str) -> bytes:
    try:
        if path == "-":
            stream = getattr(sys.stdin, "buffer", None)
            if stream is None:
                raise FhirError("standard input is not available")
            raw = stream.read(MAX_BYTES + 1)
            if isinstance(raw, str):  # a text-only stdin (embedding code): same checks from here on
                raw = raw.encode("utf-8", "surrogateescape")
        else:
            with open(path, "rb") as f:
                raw = f.read(MAX_BYTES + 1)
    except FhirError:
        raise
    except IsADirectoryError:
        raise FhirError(f"cannot read {shown}: it is a directory") from None
    except OSError as e:
        raise FhirError(f"cannot read {shown}: {e.strerror or e}") from None
    if len(raw) > MAX_BYTES:
        raise FhirError(f"{shown} is over the limit of {MAX_BYTES:,} bytes")
    return bytes(raw)


def _json_type(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "true or false", type(None): "null"}.get(
        type(value), "a number")


# ---------------------------------------------------------------- from resources to a record


_STATUS = re.compile(r"\s*([1-5]\d\d)\b")
"""An HTTP status code at the start of ``Bundle.entry.response.status`` (``403``, ``201 Created``)."""


_OTHER_PAGE = {"next": "the next page", "previous": "a previous page", "prev": "a previous page"}
"""Bundle link relations that point to another page of the same search."""


_RESPONSE_BUNDLES = frozenset({"batch-response", "transaction-response"})


def _deleting(entry: Dict[str, Any]) -> bool:
    """A history or transaction entry that records a DELETE: it has no resource to return."""
    request = entry.get("request")
    return isinstance(request, dict) and isinstance(request.get("method"), str) \
        and request["method"].strip().upper() == "DELETE"


def _url(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _search_mode(entry: Dict[str, Any]) -> Optional[str]:
    search = entry.get("search")
    mode = search.get("mode") if isinstance(search, dict) else None
    return mode if isinstance(mode, str) else None


class _Found(NamedTuple):
    resource: Dict[str, Any]
    where: str
    owner: Optional[Dict[str, Any]]
    """The resource that contains this one (``contained``), if any."""


def record_from_resources(resources: Iterable[Dict[str, Any]], patient_id: Optional[str] = None) -> Record:
    """Build one patient's ``Record`` from FHIR resources (dicts; Bundles are opened at any depth).

    With ``patient_id``, every resource that names a patient must name this one;
    without it, the patient is taken from the Patient resource or the subjects.
    Raises ``FhirError`` when resources of more than one patient are given.
    """
    return _Reader(resources, patient_id).record()


class _Reader:
    def __init__(self, resources: Iterable[Any], patient_id: Optional[str]) -> None:
        self.expected_patient = patient_id
        self.found: List[_Found] = []
        self.problems: List[Unreadable] = []
        self.by_reference: Dict[str, Dict[str, Any]] = {}
        self._walk(resources)

    # -- walking
    def _walk(self, resources: Iterable[Any]) -> None:
        stack: List[Tuple[Any, str, Optional[Dict[str, Any]]]] = []
        for n, res in enumerate(resources, 1):
            stack.append((res, f"resource {n}", None))
        stack.reverse()
        while stack:
            res, at, owner = stack.pop()
            if len(self.found) >= MAX_RESOURCES:
                raise FhirError(f"more than {MAX_RESOURCES:,} resources in one record")
            if not isinstance(res, dict) or not isinstance(res.get("resourceType"), str) or not res["resourceType"]:
                what = "an object with no resourceType" if isinstance(res, dict) else _json_type(res)
                self.problems.append(Unreadable(at, _preview(res), f"not a FHIR resource ({what})"))
                continue
            kind = res["resourceType"]
            if not _RESOURCE_TYPE.fullmatch(kind):
                # " MedicationStatement", "medicationstatement": not a FHIR type (they are case-sensitive),
                # and possibly a medicine list: never counted among "other resources"
                meant = _KNOWN_TYPES.get("".join(kind.split()).lower())
                hint = f" (FHIR resource types are case-sensitive and have no spaces: {meant}?)" if meant else ""
                self.problems.append(Unreadable(at, f"resourceType {_preview(kind)}",
                                                f"not a FHIR resource type{hint}: not read"))
                continue
            ident = res.get("id")
            if owner is not None:
                where = at
            else:
                where = f"{kind}/{ident}" if isinstance(ident, str) and ident else f"{kind} ({at})"
            self.found.append(_Found(res, where, owner))
            if owner is None and isinstance(ident, str):
                self.by_reference.setdefault(f"{kind}/{ident}", res)
            children: List[Tuple[Any, str, Optional[Dict[str, Any]]]] = []
            if kind == "Bundle":
                entries = res.get("entry")
                if entries is not None and not isinstance(entries, list):
                    self.problems.append(Unreadable(where, _preview(entries), "Bundle.entry is not a list"))
                    entries = []
                for i, entry in enumerate(entries or [], 1):
                    if not isinstance(entry, dict):
                        self.problems.append(Unreadable(f"{where} entry {i}", _preview(entry),
                                                        "a Bundle entry that is not an object"))
                        continue
                    for key in entry:
                        if key not in BUNDLE_ENTRY_KEYS:
                            self.problems.append(Unreadable(
                                f"{where} entry {i}", f"{key}: {_preview(entry[key])}",
                                f"{key!r} is not a Bundle entry element in FHIR R4 (a resource's elements go "
                                "inside entry.resource): not read"))
                    inner = entry.get("resource")
                    self._empty_entry(res, entry, f"{where} entry {i}")
                    if self._response(entry, f"{where} entry {i}", children):
                        inner = None  # an OperationOutcome saying why the entry failed: read with its status
                    if inner is None:
                        continue  # an entry with no resource (a deleted resource, a failed or empty response)
                    if isinstance(inner, dict) and isinstance(entry.get("fullUrl"), str):
                        self.by_reference.setdefault(entry["fullUrl"], inner)
                    children.append((inner, f"{where} entry {i}", None))
                self._paged(res, where, entries or [])
            elif kind == "Parameters":
                children.extend(_parameter_resources(res.get("parameter"), f"{where} parameter"))
            contained = res.get("contained")
            if contained is not None and not isinstance(contained, list):
                self.problems.append(Unreadable(where, _preview(contained), "contained is not a list"))
            for i, inner in enumerate(_list(contained), 1):
                local = inner.get("id") if isinstance(inner, dict) else None
                children.append((inner, f"{where}#{local}" if isinstance(local, str) and local
                                 else f"{where} contained {i}", res))
            stack.extend(reversed(children))

    def _empty_entry(self, bundle: Dict[str, Any], entry: Dict[str, Any], at: str) -> None:
        """An entry that holds nothing baclo can account for (hostile round 8, NEW-3): no resource, no request
        and no response (``{}``), or an entry of a batch or transaction response with no ``response``. What
        it stood for is not in the file, so the list may be incomplete."""
        if entry.get("resource") is not None:
            return
        if entry.get("response") is None and (bundle.get("type") in _RESPONSE_BUNDLES
                                              or entry.get("request") is None):
            self.problems.append(Unreadable(
                at, _preview(entry),
                "a Bundle entry with no resource and no response: what it stood for is not in the file, so this "
                "list may be incomplete", INPUT_KIND))

    def _response(self, entry: Dict[str, Any], at: str, children: List[Tuple[Any, str, Optional[Dict[str, Any]]]]) -> bool:
        """A batch or transaction response's ``entry.response`` (hostile round 7, C4). A status of 400 or more
        (or a 3xx with no resource: not modified, or elsewhere) means what the entry asked for is not in the
        file: not fully checked, with the status and the text of its
        OperationOutcome (``response.outcome``, or the entry's resource when that is one; True then: the
        resource is read here). Any other ``response.outcome`` is read like any OperationOutcome."""
        response = entry.get("response")
        if response is None:
            return False
        if not isinstance(response, dict):
            self.problems.append(Unreadable(at, f"response: {_preview(response)}",
                                            "Bundle.entry.response is not an object: not read", INPUT_KIND))
            return False
        status = response.get("status")
        outcome = response.get("outcome")
        match = _STATUS.match(status) if isinstance(status, str) else None
        if match is None and (status is not None or entry.get("resource") is None):
            # no status beside a resource: the resource is read; a status that is not one, or none with
            # nothing returned: whether what the entry asked for was returned is not known
            self.problems.append(Unreadable(
                at, f"response status {_preview(status)}",
                "a response whose status is not an HTTP status code: whether it succeeded is not known, so this "
                "list may be incomplete", INPUT_KIND))
        elif match is not None and (int(match.group(1)) >= 400
                                    or (int(match.group(1)) >= 300 and entry.get("resource") is None)):
            # 4xx, 5xx: failed; 3xx with nothing returned: not modified or elsewhere, so not in this file either
            inner = entry.get("resource")
            said_by = [o for o in (outcome, inner) if isinstance(o, dict) and o.get("resourceType") == "OperationOutcome"]
            texts = [issue.shown for o in said_by for issue in outcome_issues(o)]
            said = "; ".join(texts[:3]) + (f"; and {len(texts) - 3} more" if len(texts) > 3 else "")
            self.problems.append(Unreadable(
                at, f"response {_preview(status, 60)}" + (f": {said}" if said else ""),
                "the sender did not return what this entry asked for, so this list may be incomplete: "
                "not everything was checked", INPUT_KIND))
            return isinstance(inner, dict) and any(o is inner for o in said_by)
        elif match is not None and entry.get("resource") is None and match.group(1) != "204" \
                and not _deleting(entry):
            # 1xx or 2xx with nothing returned ({"status": "200"} alone): what the entry asked for, or what it
            # wrote, is not in the file (hostile round 8, NEW-3); 204 No Content and a DELETE have nothing to return
            self.problems.append(Unreadable(
                at, f"response {_preview(status, 60)} with no resource",
                "the response holds no resource: what this entry asked for is not in the file, so this list may be "
                "incomplete", INPUT_KIND))
        if outcome is not None:
            children.append((outcome, f"{at} response.outcome", None))
        return False

    def _paged(self, bundle: Dict[str, Any], where: str, entries: List[Any]) -> None:
        """A searchset or history Bundle that is one page of a larger result (hostile round 7, C6): a link
        ``next`` (or ``previous``: not the first page), or a ``total`` above the matches in the file, means
        resources were left out."""
        pages: Dict[str, str] = {}
        links = bundle.get("link")
        if links is not None and not isinstance(links, list):
            self._unread_paging(where, f"link: {_preview(links)}", "Bundle.link is not a list")
        urls: Dict[str, Any] = {}
        for n, link in enumerate(_list(links), 1):
            if not isinstance(link, dict):
                self._unread_paging(where, f"link {n}: {_preview(link)}", "a Bundle link that is not an object")
                continue
            relation = link.get("relation")
            if not isinstance(relation, str):
                self._unread_paging(where, f"link {n}: {_preview(link)}", "a Bundle link whose relation is not text")
                continue
            urls.setdefault(relation.strip().lower(), link.get("url"))
            what = _OTHER_PAGE.get(relation.strip().lower())
            if what is not None and what not in pages:
                pages[what] = f"a link to {what} ({_preview(link.get('url'), 120)})"
        for end in ("first", "last"):
            # the first or last page is another one than this (hostile rounds 8 and 9): or, with no self link,
            # not known to be this one
            if end in urls and _url(urls[end]) != _url(urls.get("self")):
                pages.setdefault(f"the {end} page", f"a link to the {end} page ({_preview(urls[end], 120)}) that is "
                                                    f"not this page's self link ({_preview(urls.get('self'), 120)})")
        said = list(pages.values())
        total = bundle.get("total")
        if total is not None and (not isinstance(total, int) or isinstance(total, bool) or total < 0):
            self._unread_paging(where, f"total: {_preview(json.dumps(total))}", "Bundle.total is not a whole number")
        elif bundle.get("type") in ("searchset", "history") and isinstance(total, int):
            matches = sum(1 for e in entries if isinstance(e, dict) and e.get("resource") is not None
                          and _search_mode(e) in (None, "match"))
            if total > matches:
                said.append(f"total {total:,}, {matches:,} in this file")
        if said:
            self.problems.append(Unreadable(
                where, f"one page of a larger result: {'; '.join(said)}",
                "only this page was read: the other pages may hold this patient's medicines, so this list may be "
                "incomplete", INPUT_KIND))

    def _unread_paging(self, where: str, text: str, what: str) -> None:
        self.problems.append(Unreadable(
            where, text, f"{what}: whether this is one page of a larger result is not known, so this list may be "
            "incomplete", INPUT_KIND))

    # -- references
    def resolve(self, reference: Any, owner: Dict[str, Any], container: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
        if not isinstance(reference, str) or not reference:
            return None
        if reference.startswith("#"):
            for holder in (owner, container):
                for inner in _list(holder.get("contained") if holder else None):
                    if isinstance(inner, dict) and inner.get("id") == reference[1:]:
                        return inner
            return None
        if reference in self.by_reference:
            return self.by_reference[reference]
        parts = reference.split("/_history/")[0].rstrip("/").split("/")
        if len(parts) >= 2:
            return self.by_reference.get(f"{parts[-2]}/{parts[-1]}")
        return None

    # -- the record
    def record(self) -> Record:
        meds = _Items()
        conditions = _Items()
        renal: List[RenalFunction] = []
        allergies: List[Allergy] = []
        dosages: List[Dosage] = []
        unreadable = list(self.problems)
        skipped: List[Skipped] = []
        referenced: Set[int] = set()
        others: Dict[str, int] = {}
        patients = _Patients(self)
        for found in self.found:
            res = found.resource
            kind = res["resourceType"]
            if kind in MEDICATION_USES:
                patients.subject(found, res.get("subject"))
                names, codes, problems = self._medication_names(found, referenced)
                reason = _status_reason(res, kind)
                if reason is None and res.get("doNotPerform") is True:
                    reason = "an order not to give it (doNotPerform)"
                if reason is None and res.get("taken") in ("n", "N"):
                    reason = "not taken"
                if reason is not None:
                    skipped.append(Skipped(found.where, _describe(names, codes), reason))
                    continue
                route = _route(res)
                if route is not None:  # intrathecal baclofen is another product: read with its route
                    names = [f"{n} {route}" if route not in n.lower() else n for n in names]
                meds.extend(names, found.where)
                unreadable.extend(problems)
                unreadable.extend(Unreadable(found.where, c, _CODED_ONLY_MED) for c in codes)
                if not names and not codes and not problems:
                    unreadable.append(Unreadable(found.where, "no medication named", "the resource names no medication"))
                dosage = _dosage(res, found.where, names) if names else None
                if dosage is None and names:  # no dosage: still one resource (two of them are two lines)
                    dosage = Dosage(found.where, tuple(dict.fromkeys(names)),
                                    once=res["resourceType"] == "MedicationAdministration")
                if dosage is not None:
                    dosages.append(dosage)
            elif kind == "Condition":
                patients.subject(found, res.get("subject"))
                names, codes, problem = _concept(res.get("code"), "code", condition=True)
                reason = _clinical_reason(res)
                where = found.where
                if reason is not None and reason.startswith("clinical status"):
                    # resolved or inactive: still a history (a past ulcer, past seizures), read as one
                    names, where = [_as_history(n) for n in names], f"{found.where}, {reason}"
                elif reason is not None:
                    skipped.append(Skipped(found.where, _describe(names, codes), reason))
                    continue
                conditions.extend(names, where)
                if problem:
                    unreadable.append(Unreadable(found.where, problem[0], problem[1], HISTORY_KIND))
                unreadable.extend(Unreadable(found.where, c, _CODED_ONLY_CONDITION, HISTORY_KIND) for c in codes)
                if not names and not codes and not problem:
                    unreadable.append(Unreadable(found.where, "no condition named", "the resource names no condition",
                                                  HISTORY_KIND))
            elif kind == "AllergyIntolerance":
                patients.subject(found, res.get("patient"))
                self._allergy(found, conditions, unreadable, skipped, allergies)
            elif kind == "Observation":
                patients.subject(found, res.get("subject"))
                if not self._observation(found, renal, unreadable, skipped):
                    others[kind] = others.get(kind, 0) + 1
            elif kind == "Patient":
                patients.patient(found)
                _age(found, conditions, unreadable, skipped)
            elif kind in ("List", "Composition"):
                patients.subject(found, res.get("subject"))
                unreadable.extend(self._listed(found))
            elif kind == "MedicationKnowledge":  # a medicine described: read it as a medicine named
                names, codes, problem = _concept(res.get("code"), "code")
                meds.extend(names, found.where)
                if problem:
                    unreadable.append(Unreadable(found.where, problem[0], problem[1]))
                unreadable.extend(Unreadable(found.where, c, _CODED_ONLY_MED) for c in codes)
                if not names and not codes and not problem:
                    unreadable.append(Unreadable(found.where, "no medication named", "the resource names no medication"))
            elif kind == "OperationOutcome":
                _outcome(found, unreadable, skipped)
            elif kind not in ("Bundle", "Medication", "Parameters"):
                others[kind] = others.get(kind, 0) + 1
        for found in self.found:  # a Medication no other resource refers to is still a medicine
            res = found.resource
            if res["resourceType"] != "Medication" or id(res) in referenced:
                continue
            names, codes, problems = self._medication_of(res, found.where, found.owner)
            reason = _status_reason(res, "Medication")
            if reason is not None:
                skipped.append(Skipped(found.where, _describe(names, codes), reason))
                continue
            meds.extend(names, found.where)
            unreadable.extend(problems)
            unreadable.extend(Unreadable(found.where, c, _CODED_ONLY_MED) for c in codes)
            if not names and not codes and not problems:
                unreadable.append(Unreadable(found.where, "no medication named", "the resource names no medication"))
        if others:
            count = sum(others.values())
            kinds = ", ".join(f"{k} {n}" if n > 1 else k for k, n in sorted(others.items()))
            skipped.append(Skipped("other resources", f"{count} ({kinds})",
                                   "baclo reads medicines, conditions, allergies, eGFR and creatinine clearance"))
        return _without_lone_surrogates(Record(
            medications=meds.values(), conditions=conditions.values(), renal=tuple(renal),
            patient_id=patients.chosen(), unreadable=tuple(unreadable), skipped=tuple(skipped),
            allergies=tuple(allergies), origins=tuple(meds.origins + conditions.origins), dosages=tuple(dosages)))

    def _listed(self, found: _Found) -> List[Unreadable]:
        """A List's entries or a Composition's section entries: each must be a resource of the file
        (then it is read there); one that is not, or a section with only narrative, is not checked."""
        res = found.resource
        problems: List[Unreadable] = []
        refs: List[Tuple[Any, str]] = []
        if res["resourceType"] == "List":
            for i, entry in enumerate(_list(res.get("entry")), 1):
                item = entry.get("item") if isinstance(entry, dict) else entry
                refs.append((item, f"{found.where} entry {i}"))
        else:
            stack = [(s, f"{found.where} section {i}") for i, s in enumerate(_list(res.get("section")), 1)]
            while stack:
                section, at = stack.pop()
                if not isinstance(section, dict):
                    problems.append(Unreadable(at, _preview(section), "a Composition section that is not an object"))
                    continue
                entries = _list(section.get("entry"))
                refs.extend((item, f"{at} entry {i}") for i, item in enumerate(entries, 1))
                subsections = _list(section.get("section"))
                stack.extend((s, f"{at}.{i}") for i, s in enumerate(subsections, 1))
                text = section.get("text")
                if not entries and not subsections and isinstance(text, dict) and text.get("div"):
                    title = section.get("title")
                    problems.append(Unreadable(at, _preview(title if isinstance(title, str) and title else text["div"]),
                                               "a section given only as narrative text: baclo does not read it"))
        for item, at in refs:
            if not isinstance(item, dict):
                problems.append(Unreadable(at, _preview(item), "an entry that is not a reference"))
                continue
            target = self.resolve(item.get("reference"), res, found.owner)
            if target is None:
                display = item.get("display")
                shown = display if isinstance(display, str) and display.strip() else _preview(item.get("reference"))
                problems.append(Unreadable(at, shown or "(nothing named)",
                                           "it refers to a resource that is not in the file: not read"))
        return problems

    def _medication_names(self, found: _Found, referenced: Set[int]) -> Tuple[List[str], List[str], List[Unreadable]]:
        res = found.resource
        names: List[str] = []
        codes: List[str] = []
        problems: List[Unreadable] = []
        concept = res.get("medicationCodeableConcept")
        reference = res.get("medicationReference")
        medication = res.get("medication")  # R5 CodeableReference, seen in the wild
        if isinstance(medication, dict):
            concept = concept if concept is not None else medication.get("concept")
            reference = reference if reference is not None else medication.get("reference")
        if concept is not None:
            n, c, problem = _concept(concept, "medicationCodeableConcept")
            names += n
            codes += c
            if problem:
                problems.append(Unreadable(found.where, problem[0], problem[1]))
        if reference is not None:
            if not isinstance(reference, dict):
                problems.append(Unreadable(found.where, _preview(reference), "medicationReference is not an object"))
            else:
                target = self.resolve(reference.get("reference"), res, found.owner)
                if target is not None and target.get("resourceType") == "Medication":
                    referenced.add(id(target))
                    n, c, p = self._medication_of(target, found.where, res)
                    names += n
                    codes += c
                    problems += p
                display = reference.get("display")
                if isinstance(display, str) and display.strip():
                    names.append(display.strip())
                elif target is None:
                    problems.append(Unreadable(found.where, _preview(reference.get("reference")),
                                               "the medication it refers to is not in the file"))
        return names, codes, problems

    def _medication_of(self, med: Dict[str, Any], where: str,
                       owner: Optional[Dict[str, Any]]) -> Tuple[List[str], List[str], List[Unreadable]]:
        """A Medication's names: its code, then each ingredient (inline or referenced)."""
        names, codes, problem = _concept(med.get("code"), "Medication.code")
        problems = [Unreadable(where, problem[0], problem[1])] if problem else []
        form = _injected(med.get("form"))
        if form is not None:  # an injection or intrathecal form: never oral baclofen
            names = [f"{n} {form}" if form not in n.lower() else n for n in names]
        ingredients = med.get("ingredient")
        if ingredients is not None and not isinstance(ingredients, list):
            problems.append(Unreadable(where, _preview(ingredients), "Medication.ingredient is not a list"))
        for ingredient in _list(ingredients):
            if not isinstance(ingredient, dict):  # never dropped in silence: it might be the interacting one
                problems.append(Unreadable(where, _preview(ingredient), "Medication.ingredient entry is not an object"))
                continue
            if ingredient.get("itemCodeableConcept") is not None:
                n, c, problem = _concept(ingredient["itemCodeableConcept"], "ingredient.itemCodeableConcept")
                names += n
                codes += c
                if problem:
                    problems.append(Unreadable(where, problem[0], problem[1]))
            item = ingredient.get("itemReference")
            if isinstance(item, dict):
                target = self.resolve(item.get("reference"), med, owner)
                if target is not None and target is not med:
                    n, c, problem = _concept(target.get("code"), "ingredient")
                    names += n
                    codes += c
                display = item.get("display")
                if isinstance(display, str) and display.strip():
                    names.append(display.strip())
                elif target is None:
                    problems.append(Unreadable(where, _preview(item.get("reference")),
                                               "an ingredient it refers to is not in the file"))
        return names, codes, problems

    def _allergy(self, found: _Found, conditions: _Items, unreadable: List[Unreadable],
                 skipped: List[Skipped], allergies: List[Allergy]) -> None:
        res = found.resource
        names, codes, problem = _concept(res.get("code"), "code")
        raw_codes: List[Tuple[Any, Any]] = _raw_codes(res.get("code"))
        for reaction in _list(res.get("reaction")):
            if isinstance(reaction, dict) and reaction.get("substance") is not None:
                n, c, _ = _concept(reaction["substance"], "reaction.substance")
                names += n
                codes += c
                raw_codes += _raw_codes(reaction["substance"])
        is_baclofen = any(BACLOFEN_NAMES.search(n) for n in names) or any(
            system == RXNORM and code == BACLOFEN_RXNORM for system, code in raw_codes)
        described = _describe(names, codes)
        reason = _clinical_reason(res)
        if reason is not None:
            skipped.append(Skipped(found.where, f"allergy: {described}", reason))
        elif is_baclofen:
            conditions.extend([BACLOFEN_ALLERGY], found.where)
        elif codes or problem or not names:
            # a substance baclo cannot read might be baclofen: never assume it is not
            shown = "; ".join(codes) or (problem[0] if problem else "no substance named")
            unreadable.append(Unreadable(found.where, f"allergy: {shown}",
                                         "cannot tell whether this allergy is to baclofen", HISTORY_KIND))
        else:
            # "other than baclofen" only once every name is a medicine baclo knows (api.check_record)
            allergies.append(Allergy(found.where, tuple(dict.fromkeys(names))))

    def _observation(self, found: _Found, renal: List[RenalFunction], unreadable: List[Unreadable],
                     skipped: List[Skipped]) -> bool:
        """Read an eGFR or creatinine clearance (also from components); False if it is neither."""
        res = found.resource
        parts: List[Tuple[Any, Dict[str, Any], str]] = [(res.get("code"), res, found.where)]
        for i, component in enumerate(_list(res.get("component")), 1):
            if isinstance(component, dict):
                parts.append((component.get("code"), component, f"{found.where} component {i}"))
        read_any = False
        for code, holder, where in parts:
            measure = _renal_measure(code)
            if measure is None:
                continue
            read_any = True
            label = "eGFR" if measure == "egfr" else "creatinine clearance"
            reason = _status_reason(res, "Observation")
            if reason is not None:
                skipped.append(Skipped(where, label, reason))
                continue
            value, comparator, problem = _renal_value(holder)
            if problem is not None:
                if holder.get("dataAbsentReason") is not None and problem == "no value":
                    skipped.append(Skipped(where, label, "no value (dataAbsentReason)"))
                else:
                    unreadable.append(Unreadable(where, label, problem, HISTORY_KIND))
                continue
            assert value is not None
            when = res.get("effectiveDateTime") or res.get("issued")
            source = f"{where}, {when}" if isinstance(when, str) and when else where
            renal.append(RenalFunction(measure, value, source, comparator))
        return read_any


DOSAGE_FIELDS = {"MedicationStatement": "dosage", "MedicationRequest": "dosageInstruction",
                 "MedicationDispense": "dosageInstruction", "MedicationAdministration": "dosage"}
_MASS_UNITS = {"mg": 1.0, "milligram": 1.0, "milligrams": 1.0, "g": 1000.0, "gram": 1000.0, "grams": 1000.0,
               "mcg": 0.001, "ug": 0.001, "µg": 0.001, "microgram": 0.001, "micrograms": 0.001}
_TABLET_UNITS = frozenset({"tablet", "tablets", "tab", "tabs", "{tbl}", "{tablet}", "{tablets}", "tbl"})
_PERIOD_HOURS = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0}
_TIMING_CODES = {"QD": 1, "BID": 2, "TID": 3, "QID": 4, "AM": 1, "PM": 1}
_STRENGTH = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*(mg|milligrams?)\b(\s*/)?", re.IGNORECASE)
_TIMING_CODE_PER_DAY = {**_TIMING_CODES, "Q4H": 6, "Q6H": 4, "Q8H": 3, "Q12H": 2, "Q3H": 8, "Q2H": 12, "Q1H": 24}
_INTRATHECAL_CODES = frozenset({"72607000", "IT", "ITHECINJ", "ITHECINSTIL"})
"""SNOMED CT intrathecal route, HL7 v3 intrathecal route codes."""


def _route(res: Dict[str, Any]) -> Optional[str]:
    """An injection or intrathecal route any of the resource's dosages gives."""
    value = res.get(DOSAGE_FIELDS[res["resourceType"]])
    for entry in (value if isinstance(value, list) else [value]):
        if isinstance(entry, dict):
            route = _injected(entry.get("route"))
            if route is not None:
                return route
    return None


_INTRATHECAL_TEXT = re.compile(
    r"(?:intrathecal(?:ly)?|it|ith|intrathecal (?:route|use|injection|infusion|pump|administration))")
_INJECTION_TEXT = re.compile(
    r"(?:(?:intravenous(?:ly)?|iv|intramuscular(?:ly)?|im|subcutaneous(?:ly)?|sc|sq|parenteral)"
    r"(?: route| use| injection| infusion| administration)?|injection|infusion|injection solution|"
    r"solution for (?:injection|infusion))")
_ROUTE_WORDS = re.compile(r"\b(?:intrathecal\w*|inject\w*|infus\w*|parenteral|intravenous\w*|intramuscular\w*|"
                          r"subcutaneous\w*|iv|im|ith)\b")


def _injected(concept: Any) -> Optional[str]:
    """The word an injection or intrathecal route or form adds to a medicine's name, if any.

    Only a route code, or a text that is nothing but a route ("Intrathecal", "IV injection"), decides. A text
    that mentions such a route among other words ("Oral - swallow it whole", "Oral. Not for injection") is
    "route unclear": the words are added to the name, so the line is not fully read and its dose not checked,
    never silently taken as oral or as a pump.
    """
    if not isinstance(concept, dict):
        return None
    codings = [c for c in _list(concept.get("coding")) if isinstance(c, dict)]
    if {str(c.get("code")).strip().upper() for c in codings} & _INTRATHECAL_CODES:
        return "intrathecal"
    found: Optional[str] = None
    for said in [concept.get("text")] + [c.get("display") for c in codings]:
        if not isinstance(said, str) or not said.strip():
            continue
        plain = " ".join(re.sub(r"[^a-z0-9]+", " ", said.lower()).split())
        if _INTRATHECAL_TEXT.fullmatch(plain):
            return "intrathecal"
        if _INJECTION_TEXT.fullmatch(plain):
            found = "injection"
        elif _ROUTE_WORDS.search(plain) and found is None:
            found = "route unclear"
    return found


def _dosage(res: Dict[str, Any], where: str, names: List[str]) -> Optional[Dosage]:
    """What the resource's dosage says about the daily dose (see ``Dosage``); None if it gives no dosage.
    A ``maxDosePerPeriod`` is read too (``Dosage.max_daily_mg``); one not read makes the dose not read."""
    dosage = _dosage_stated(res, where, names)
    if dosage is None or dosage.once:
        return dosage
    most: Optional[float] = None
    for entry in _list(res.get(DOSAGE_FIELDS[res["resourceType"]])):
        given = entry.get("maxDosePerPeriod") if isinstance(entry, dict) else None
        for ratio in (given if isinstance(given, list) else [] if given is None else [given]):  # R4 one, R5 a list
            mg, problem = _max_per_day(ratio, names)
            if problem is not None:
                if dosage.problem is not None:
                    return dosage
                return dosage._replace(daily_mg=None, text=None, problem=f"maxDosePerPeriod: {problem}")
            assert mg is not None
            most = mg if most is None else max(most, mg)
    return dosage._replace(max_daily_mg=most)


def _max_per_day(ratio: Any, names: List[str]) -> Tuple[Optional[float], Optional[str]]:
    """A ``maxDosePerPeriod`` Ratio as mg a day: an amount (mg or tablets of a known strength) per a
    period of up to one day (``120 mg / 1 d``, ``40 mg / 8 h`` -> 120), or why it cannot be."""
    if not isinstance(ratio, dict) or not isinstance(ratio.get("numerator"), dict) \
            or not isinstance(ratio.get("denominator"), dict):
        return None, f"{_preview(ratio)} is not a ratio with a numerator and a denominator"
    numerator, denominator = ratio["numerator"], ratio["denominator"]
    amount, period = numerator.get("value"), denominator.get("value")
    for value in (amount, period):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 < value < 1e6):
            return None, f"{_preview(value)} is not a positive number"
    if numerator.get("comparator") is not None or denominator.get("comparator") is not None:
        return None, "it has a comparator"
    units = {u.strip().lower() for u in (numerator.get("unit"), numerator.get("code"))
             if isinstance(u, str) and u.strip()}
    kinds = {_MASS_UNITS.get(u, "tablet" if u in _TABLET_UNITS else u) for u in units}
    kind = kinds.pop() if len(kinds) == 1 else None
    if isinstance(kind, float):
        mg = float(amount) * kind
    elif kind == "tablet":
        strengths = {float(m.group(1)) for n in names for m in _STRENGTH.finditer(n)}
        if len(strengths) != 1 or any(m.group(3) for n in names for m in _STRENGTH.finditer(n)):
            return None, f"{amount:g} {sorted(units)[0]}: the strength of one is not known for certain from the name"
        mg = float(amount) * strengths.pop()
    else:
        return None, f"unit {_preview(sorted(units) or '(none)')} is not mg, g, mcg or a tablet count"
    unit = next((u.strip() for u in (denominator.get("code"), denominator.get("unit"))
                 if isinstance(u, str) and u.strip() in _PERIOD_HOURS), None)
    if unit is None:
        return None, f"period unit {_preview(denominator.get('code') or denominator.get('unit'))} is not s, min, h or d"
    hours = float(period) * _PERIOD_HOURS[unit]
    if hours > 24:
        return None, "a period longer than a day (how much may fall on one day is not certain)"
    return mg * 24 / hours, None


def _dosage_stated(res: Dict[str, Any], where: str, names: List[str]) -> Optional[Dosage]:
    field = DOSAGE_FIELDS[res["resourceType"]]
    value = res.get(field)
    shown = tuple(dict.fromkeys(names))
    if value is None:
        return None
    if res["resourceType"] == "MedicationAdministration":
        if not isinstance(value, dict):
            return Dosage(where, shown, problem=f"{field} is not an object", once=True)
        return Dosage(where, shown, problem="one administration's dose, not a daily dose", once=True)
    if not isinstance(value, list):
        return Dosage(where, shown, problem=f"{field} is not a list")
    entries = [e for e in value if not (isinstance(e, dict) and not e)]
    if not entries:
        return None
    if any(not isinstance(e, dict) for e in entries):
        return Dosage(where, shown, problem=f"an entry of {field} is not an object")
    sequences = {e.get("sequence") for e in entries}
    if len(sequences) > 1:
        return Dosage(where, shown, problem=f"{field} gives steps in sequence (which one applies now is not known)")
    structured = [e for e in entries if e.get("doseAndRate") is not None or e.get("timing") is not None]
    if not structured:
        texts = [t.strip() for e in entries for t in (e.get("text"), e.get("patientInstruction"))
                 if isinstance(t, str) and t.strip()]
        if len(entries) == 1 and len(texts) == 1:
            return Dosage(where, shown, text=texts[0])
        return Dosage(where, shown, problem=f"{field} has no dose and timing baclo can read")
    total = 0.0
    for entry in entries:
        mg, problem = _entry_daily_mg(entry, names)
        if problem is not None:
            return Dosage(where, shown, problem=problem)
        assert mg is not None
        total += mg
    return Dosage(where, shown, daily_mg=total)


def _entry_daily_mg(entry: Dict[str, Any], names: List[str]) -> Tuple[Optional[float], Optional[str]]:
    """One dosage entry's daily dose in mg, or why it cannot be known for certain."""
    if entry.get("asNeededBoolean") is True or entry.get("asNeededCodeableConcept") is not None or \
            entry.get("asNeeded") not in (None, False) or entry.get("asNeededFor") not in (None, []):
        return None, "taken as needed"  # R4 asNeeded[x], R5 asNeeded and asNeededFor
    dose_and_rate = entry.get("doseAndRate")
    if not isinstance(dose_and_rate, list) or len(dose_and_rate) != 1 or not isinstance(dose_and_rate[0], dict):
        return None, "no single doseAndRate"
    step = dose_and_rate[0]
    if step.get("doseRange") is not None:
        return None, "the dose is a range"
    if any(k.startswith("rate") for k in step):
        return None, "a rate, not a dose"
    quantity = step.get("doseQuantity")
    if not isinstance(quantity, dict):
        return None, "no doseQuantity"
    amount = quantity.get("value")
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not (0 < amount < 1e6):
        return None, f"dose value {_preview(amount)} is not a positive number"
    if quantity.get("comparator") is not None:
        return None, "the dose has a comparator"
    units = {u.strip().lower() for u in (quantity.get("unit"), quantity.get("code")) if isinstance(u, str) and u.strip()}
    kinds = {_MASS_UNITS.get(u, "tablet" if u in _TABLET_UNITS else u) for u in units}
    if len(kinds) != 1:
        return None, f"dose unit {_preview(sorted(units) or '(none)')} is not one clear unit"
    kind = kinds.pop()
    if isinstance(kind, float):
        dose = float(amount) * kind
    elif kind == "tablet":
        found = [m for n in names for m in _STRENGTH.finditer(n)]
        strengths = {float(m.group(1).replace(",", ".")) for m in found}
        per = [m for m in found if m.group(3) or re.search(r",\d{3}$", m.group(1))]  # 1,000 mg: not certain
        if len(strengths) != 1 or per:
            return None, f"{amount:g} {sorted(units)[0]}: the strength of one is not known for certain from the name"
        dose = float(amount) * strengths.pop()
    else:
        return None, f"dose unit {_preview(quantity.get('unit') or quantity.get('code'))} is not mg, g, mcg or a tablet count"
    per_day, problem = _doses_per_day(entry.get("timing"))
    if problem is not None:
        return None, problem
    assert per_day is not None
    problem = _text_disagrees(entry, names, dose, per_day)
    if problem is not None:
        return None, problem
    return dose * per_day, None


def _text_disagrees(entry: Dict[str, Any], names: List[str], dose: float, per_day: float) -> Optional[str]:
    """Why the entry's own text does not confirm its structured dose (a number or frequency in it that
    the line reader cannot read, or reads as another daily dose), or None."""
    from baclofen_cli.lines import daily_mg

    for field in ("text", "patientInstruction"):
        text = entry.get(field)
        if not isinstance(text, str) or not text.strip():
            continue
        stated = None
        for name in dict.fromkeys([""] + names):  # the text alone ("take 10 mg three times a day"), then with a name
            stated = daily_mg(f"{name} {text}".strip())
            if stated is not None:
                break
        if stated is None and re.search(r"\d|\b(?:once|twice|thrice|daily|times?|every|bid|tid|qid|q\d|"
                                         r"one|two|three|four|five|six|half|morning|night|bedtime)\b", text, re.I):
            return f"the dose in its {field} ({_preview(text)}) is not read, so the structured dose is not confirmed"
        if stated is not None and abs(stated - dose * per_day) > 1e-6:
            return (f"its {field} ({_preview(text)}) says {stated:g} mg a day, the structured dose "
                    f"{dose * per_day:g} mg")
    return None


def _doses_per_day(timing: Any) -> Tuple[Optional[float], Optional[str]]:
    if not isinstance(timing, dict):
        return None, "no timing"
    repeat = timing.get("repeat")
    if repeat is None:
        code = timing.get("code")
        codes = {str(c.get("code")).upper() for c in _list(code.get("coding")) if isinstance(c, dict)} \
            if isinstance(code, dict) else set()
        known = {_TIMING_CODES[c] for c in codes if c in _TIMING_CODES}
        if len(known) == 1 and len(codes) == 1:
            return float(known.pop()), None
        return None, "no timing.repeat"
    if not isinstance(repeat, dict):
        return None, "timing.repeat is not an object"
    if timing.get("event") not in (None, []):
        return None, "timing.event gives dates and times baclo does not read"
    code = timing.get("code")
    if code is not None:
        codes = {str(c.get("code")).upper() for c in _list(code.get("coding")) if isinstance(c, dict)} \
            if isinstance(code, dict) else {"?"}
        text = code.get("text") if isinstance(code, dict) else None
        if isinstance(text, str) and text.strip():
            codes.add(text.strip().upper())
        from baclofen_cli.lines import _FREQ_PER_DAY  # "twice daily" as timing.code.text

        coded = {_TIMING_CODE_PER_DAY.get(c, _FREQ_PER_DAY.get(" ".join(c.lower().split()))) for c in codes}
        if None in coded or len(coded) > 1:
            return None, f"timing.code {_preview(sorted(codes))} is not read"
        timing_code_per_day: Optional[int] = coded.pop()
    else:
        timing_code_per_day = None
    for key in ("frequencyMax", "periodMax", "dayOfWeek", "durationMax"):
        if repeat.get(key) is not None:
            return None, f"timing.repeat has {key}"
    frequency = repeat.get("frequency", 1)
    period, unit = repeat.get("period"), repeat.get("periodUnit")
    if isinstance(frequency, bool) or not isinstance(frequency, int) or frequency < 1:
        return None, f"frequency {_preview(frequency)} is not a whole number"
    if unit in ("wk", "mo", "a"):
        return None, "a period longer than a day (how much falls on one day is not certain)"
    if isinstance(period, bool) or not isinstance(period, (int, float)) or not period > 0 or unit not in _PERIOD_HOURS:
        return None, f"period {_preview(period)} {_preview(unit)} is not a period baclo reads"
    hours = float(period) * _PERIOD_HOURS[unit]
    if hours > 24:
        return None, "a period longer than a day (how much falls on one day is not certain)"
    per_day = frequency * 24 / hours
    if abs(per_day - round(per_day)) > 1e-9:
        return None, "the doses do not fall evenly into a day"
    for key in ("timeOfDay", "when"):
        times = repeat.get(key)
        if times is not None and (not isinstance(times, list) or (times and len(times) != per_day)):
            return None, f"timing.repeat.{key} does not match the frequency"
    if timing_code_per_day is not None and timing_code_per_day != round(per_day):
        return None, f"timing.code says {timing_code_per_day} a day, timing.repeat {round(per_day)}"
    return float(round(per_day)), None


_BIRTH_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


ISSUE_WITHHELD: Dict[str, str] = {
    # security: the requester may not see everything, so what was not shown is missing from the list
    "security": "a security problem", "login": "the user is not logged in", "unknown": "the user is not known",
    "expired": "the session or login expired", "forbidden": "access was refused",
    "suppressed": "some information was withheld",
    # processing: what was asked for was not (all) returned
    "processing": "the request was not fully processed", "not-supported": "part of the request is not supported",
    "multiple-matches": "several records matched where one was expected",
    "not-found": "something asked for or referred to was not found",
    "deleted": "something referred to was deleted", "too-long": "the content was too long",
    "too-costly": "the search was too costly to complete",
    # transient: the operation did not complete
    "transient": "a transient failure", "lock-error": "a lock error", "no-store": "storage was not available",
    "exception": "an unexpected error", "timeout": "the request timed out", "incomplete": "the result is incomplete",
    "throttled": "the request was throttled",
}
"""FHIR R4 IssueType codes (http://hl7.org/fhir/issue-type) that say data may have been withheld or left out:
an issue with one of these leaves the list not fully checked whatever its severity ("information" included).
Each of the security codes means the requester did not see everything; the processing codes here mean what was
asked for was not all returned (a search parameter not supported, a reference not found or deleted, content cut);
every transient code means the operation did not complete."""
ISSUE_HARMLESS = frozenset({
    "informational", "success",
    "invalid", "structure", "required", "value", "invariant", "code-invalid", "extension",
    "duplicate", "business-rule", "conflict",
})
"""IssueType codes that, at severity ``information`` only, say nothing is missing: ``informational`` (a note;
``success`` is the R5 code for the same), the content codes (``invalid``, ``structure``, ``required``, ``value``,
``invariant``, ``code-invalid``, ``extension``: a remark on the form of content that is itself in the file and read
as such), and the codes about a write (``duplicate``, ``business-rule``, ``conflict``: creating or updating, not
what a read returned). Any other code, or a code that is not an IssueType, is not known to be harmless."""


WITHHELD_WORDS = re.compile(
    r"\bwithh[eo]ld\w*|\bnot (?:returned|allowed|permitted|authori[sz]ed|included)\b|\bconsent\w*|\bredact\w*"
    r"|\bsuppress\w*|\bomitted\b|\btruncat\w*|\bincomplete\b|\bpartial\b",
    re.IGNORECASE)
"""Words in an information issue's text (``diagnostics``, ``details.text``) or in its ``details.coding`` (code and
display; ``_`` read as a space, so ``MSG_RESOURCE_NOT_ALLOWED`` is "not allowed") that say data was withheld or
left out (hostile round 8, MINOR-2): "withheld", "not returned", "not allowed", "not permitted", "not authorized",
"not included", "consent", "redacted", "suppressed", "omitted", "truncated", "incomplete", "partial". Such an issue
leaves the list not fully checked, whatever its code. Kept small on purpose: an issue code that is not harmless
already doubts the list (``ISSUE_HARMLESS``); these words catch the harmless codes used to say otherwise."""


def _withheld_said(issue: Dict[str, Any]) -> Optional[str]:
    """The first text of an issue that says data was withheld or left out (``WITHHELD_WORDS``), if any."""
    details = issue.get("details")
    details = details if isinstance(details, dict) else {}
    texts = [issue.get("diagnostics"), details.get("text")]
    for coding in _list(details.get("coding")):
        if isinstance(coding, dict):
            texts += [coding.get("code"), coding.get("display")]
    for text in texts:
        if isinstance(text, str) and WITHHELD_WORDS.search(text.replace("_", " ")):
            return text
    return None


class OutcomeIssue(NamedTuple):
    """One issue of an OperationOutcome, as shown: ``OperationOutcome (error, forbidden): ...``."""

    shown: str
    """``OperationOutcome (severity, code): text``."""
    doubt: Optional[str]
    """Why it makes the list not fully checked, or None (an information issue with a harmless code)."""


def outcome_issues(resource: Dict[str, Any]) -> List[OutcomeIssue]:
    """Each issue of an OperationOutcome: anything but an issue of severity ``information`` means the list may
    be incomplete; so does an issue whose code says data was withheld or left out (``ISSUE_WITHHELD``), is
    not known to be harmless (``ISSUE_HARMLESS``) or is not text (a list), whatever its severity, and an
    information issue whose text or details coding says data was withheld (``WITHHELD_WORDS``)."""
    issues = resource.get("issue")
    issues = issues if isinstance(issues, list) and issues else [None]
    out = []
    for issue in issues:
        issue = issue if isinstance(issue, dict) else {}
        severity = issue.get("severity")
        given = issue.get("code")
        code = given if isinstance(given, str) and given else None
        details = issue.get("details")
        said = issue.get("diagnostics")
        if not isinstance(said, str) or not said.strip():
            said = details.get("text") if isinstance(details, dict) else None
        if not isinstance(said, str) or not said.strip():
            said = f"issue code {code}" if code else "no text given"
        said = _preview(said, 200)
        shown = severity if isinstance(severity, str) and severity else "no severity"
        label = f"{shown}, {_preview(code, 40)}" if code else shown
        doubt: Optional[str] = None
        withheld = _withheld_said(issue) if severity == "information" else None
        if severity != "information":
            doubt = "the sender reports a problem, so this list may be incomplete: not everything was checked"
        elif given is not None and code is None:
            # ["suppressed"], 7, "": the code cannot be read, so neither can whether something was left out
            # (hostile round 8, NEW-3)
            label = f"{shown}, code {_preview(given, 40)}"
            doubt = ("the issue code is not a code (text), so whether data was left out is not known: this list may "
                     "be incomplete, not everything was checked")
        elif code in ISSUE_WITHHELD:
            doubt = (f"the sender says {ISSUE_WITHHELD[code]} (issue code {code}), so this list may be incomplete: "
                     "not everything was checked")
        elif code is not None and code not in ISSUE_HARMLESS:
            doubt = (f"the issue code {_preview(code, 40)} is not one baclo knows to be harmless, so this list may be "
                     "incomplete: not everything was checked")
        elif withheld is not None:
            doubt = (f"the sender says data was withheld or left out ({_preview(withheld, 80)}), so this list may be "
                     "incomplete: not everything was checked")
        out.append(OutcomeIssue(f"OperationOutcome ({label}): {said}", doubt))
    return out


def _outcome(found: _Found, unreadable: List[Unreadable], skipped: List[Skipped]) -> None:
    """An OperationOutcome in the input: a server saying what it could not return (a search that withheld
    resources, "not authorized for some resources") or a reader saying a resource was lost. Such an issue
    (``outcome_issues``) makes the record not fully checked; a harmless information issue is listed."""
    for issue in outcome_issues(found.resource):
        if issue.doubt is None:
            skipped.append(Skipped(found.where, issue.shown, "a message from the sender, not a medicine or condition"))
        else:
            unreadable.append(Unreadable(found.where, issue.shown, issue.doubt, INPUT_KIND))


def _age(found: _Found, conditions: _Items, unreadable: List[Unreadable], skipped: List[Skipped]) -> None:
    """Patient.birthDate on the date of the run: 65 and over is the condition older age, under 18 a child
    (read as ``age N`` by the condition reader); an adult age is skipped with that reason. A partial date
    (``1960``, ``1960-05``) decides only when every day it may stand for gives the same answer."""
    value = found.resource.get("birthDate")
    if value is None:
        return
    import datetime

    today = datetime.date.today()
    m = _BIRTH_DATE.fullmatch(value) if isinstance(value, str) else None
    try:
        if m is None:
            raise ValueError
        year, month, day = int(m.group(1)), m.group(2), m.group(3)
        first = datetime.date(year, int(month or 1), int(day or 1))
        if day:
            last = first
        elif month:
            last = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
        else:
            last = datetime.date(year, 12, 31)
    except ValueError:
        unreadable.append(Unreadable(found.where, f"birthDate {_preview(value)}", "not a date (YYYY, YYYY-MM or "
                                     "YYYY-MM-DD), so the patient's age is not known", HISTORY_KIND))
        return

    def years(born: datetime.date) -> int:
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    oldest, youngest = years(first), years(last)
    if youngest < 0:
        unreadable.append(Unreadable(found.where, f"birthDate {value}", f"after the date of the run ({today})",
                                     HISTORY_KIND))
        return
    bands = {"older" if a >= 65 else "child" if a < 18 else "adult" for a in (oldest, youngest)}
    shown = f"{oldest}" if oldest == youngest else f"{youngest} or {oldest}"
    if len(bands) > 1:
        unreadable.append(Unreadable(found.where, f"birthDate {value}", f"age {shown} on {today}: whether the "
                                     "age cautions apply is not known (give the full date)", HISTORY_KIND))
    elif bands == {"adult"}:
        skipped.append(Skipped(found.where, f"birthDate {value}", f"age {shown} on {today}: 18 to 64, no "
                               "age caution"))
    else:
        conditions.extend([f"age {youngest}"], f"{found.where} birthDate {value}, age on {today}")


class _Patients:
    """Which patient the resources are about; more than one is an error."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.seen: Dict[str, str] = {}
        """Patient key -> where it was first named."""
        self.ids: Dict[str, str] = {}
        """Patient key -> the id to report."""

    def patient(self, found: _Found) -> None:
        ident = found.resource.get("id")
        if isinstance(ident, str) and ident:
            self._add(ident, ident, found.where)

    def subject(self, found: _Found, reference: Any) -> None:
        if not isinstance(reference, dict):
            return
        ref = reference.get("reference")
        if not isinstance(ref, str) or not ref or ref.startswith("#"):
            return
        target = self.reader.resolve(ref, found.resource, found.owner)
        if target is not None and target.get("resourceType") == "Patient" and isinstance(target.get("id"), str):
            self._add(target["id"], target["id"], found.where)
            return
        parts = ref.split("/_history/")[0].rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] == "Patient":
            self._add(parts[-1], parts[-1], found.where)
        elif len(parts) >= 2 and parts[-2] in ("Group", "Location", "Device"):
            return  # not a patient: nothing to compare
        else:
            self._add(ref, ref, found.where)

    def _add(self, key: str, shown: str, where: str) -> None:
        if self.reader.expected_patient is not None and key != self.reader.expected_patient:
            raise FhirError(f"{where} is about patient {key!r}, not {self.reader.expected_patient!r}: "
                            "one record is one patient")
        if key not in self.seen:
            self.seen[key] = where
            self.ids[key] = shown
        if len(self.seen) > 1:
            listed = ", ".join(f"{k!r} ({w})" for k, w in self.seen.items())
            raise FhirError(f"the file holds resources of more than one patient: {listed}. Check one patient "
                            "at a time (baclo screen reads many)")

    def chosen(self) -> Optional[str]:
        if self.reader.expected_patient is not None:
            return self.reader.expected_patient
        return next(iter(self.ids.values()), None)


class _Items:
    """Names in order, each once (compared without case or repeated spaces)."""

    def __init__(self) -> None:
        self._seen: Set[str] = set()
        self._values: List[str] = []
        self.origins: List[Tuple[str, str]] = []
        """(name, the resource it was first read from)."""

    def extend(self, names: Iterable[str], where: str = "") -> None:
        for name in names:
            key = " ".join(name.split()).casefold()
            if key and key not in self._seen:
                self._seen.add(key)
                self._values.append(name)
                if where:
                    self.origins.append((name, where))

    def values(self) -> Tuple[str, ...]:
        return tuple(self._values)


_CODED_ONLY_MED = "coded only: baclo reads medicine names, not codes (give a display or text)"
_CODED_ONLY_CONDITION = "coded only: baclo reads condition names and ICD-10-CM codes, not this code system"


def _concept(concept: Any, field: str, *, condition: bool = False) -> Tuple[List[str], List[str], Optional[Tuple[str, str]]]:
    """Names (text, every coding's display, ICD-10-CM codes for conditions), code-only codings, a problem."""
    if concept is None:
        return [], [], None
    if not isinstance(concept, dict):
        return [], [], (_preview(concept), f"{field} is not an object")
    names: List[str] = []
    codes: List[str] = []
    problem: Optional[Tuple[str, str]] = None
    text = concept.get("text")
    if isinstance(text, str) and text.strip():
        names.append(text.strip())
    elif text is not None and not isinstance(text, str):
        problem = (_preview(text), f"{field}.text is not a string")
    codings = concept.get("coding")
    if codings is not None and not isinstance(codings, list):
        return names, codes, (_preview(codings), f"{field}.coding is not a list")
    for coding in _list(codings):
        if not isinstance(coding, dict):
            problem = (_preview(coding), f"a coding of {field} is not an object")
            continue
        system, code, display = coding.get("system"), coding.get("code"), coding.get("display")
        if condition and system in ICD10_SYSTEMS and isinstance(code, str) and code.strip():
            names.append(f"ICD-10-CM {code.strip()}")  # read by its code, and by its display (below) as well:
            if isinstance(display, str) and display.strip():  # a display that names something else is checked
                names.append(display.strip())
            continue
        if isinstance(display, str) and display.strip():
            names.append(_SNOMED_TAG.sub("", display.strip()) or display.strip())
        elif isinstance(code, (str, int, float)) and not isinstance(code, bool) and str(code).strip():
            name = SYSTEM_NAMES.get(system, system) if isinstance(system, str) and system else "code"
            codes.append(f"{name} {str(code).strip()}")
        elif display is not None or code is not None:
            problem = (_preview(coding), f"a coding of {field} has a code or display that is not text")
    return names, codes, problem


def _parameter_resources(parameters: Any, at: str) -> List[Tuple[Any, str, None]]:
    """The resources of Parameters.parameter[], at any depth of ``part``."""
    found: List[Tuple[Any, str, None]] = []
    stack = [(p, f"{at} {i}") for i, p in enumerate(_list(parameters), 1)]
    stack.reverse()
    while stack:
        param, where = stack.pop()
        if not isinstance(param, dict):
            continue
        if param.get("resource") is not None:
            found.append((param["resource"], where, None))
        parts = [(p, f"{where} part {i}") for i, p in enumerate(_list(param.get("part")), 1)]
        stack.extend(reversed(parts))
    return found


_RESOURCE_TYPE = re.compile(r"[A-Z][A-Za-z]{1,63}")
_KNOWN_TYPES = {t.lower(): t for t in (
    *MEDICATION_USES, "Medication", "MedicationKnowledge", "Condition", "AllergyIntolerance", "Observation",
    "Patient", "Bundle", "Parameters", "List", "Composition")}


def _escape_surrogates(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def _without_lone_surrogates(record: Record) -> Record:
    """JSON text may hold a lone surrogate (``\\ud800``), which is no character at all: a name with one
    is not checked (shown escaped), and every other text is shown escaped."""
    texts = [*record.medications, *record.conditions, record.patient_id or "",
             *(t for u in record.unreadable for t in u), *(t for s in record.skipped for t in s),
             *(r.source for r in record.renal), *(n for a in record.allergies for n in (a.where, *a.names))]
    if not any(_has_surrogate(t) for t in texts):
        return record
    unreadable = [Unreadable(*map(_escape_surrogates, u)) for u in record.unreadable]
    reason = "it holds an invalid character (a lone UTF-16 surrogate, shown escaped)"
    kept: Dict[str, List[str]] = {"medications": [], "conditions": []}
    origins = dict(record.origins)
    for field, kind in (("medications", "with"), ("conditions", HISTORY_KIND)):
        for name in getattr(record, field):
            if _has_surrogate(name):
                where = _escape_surrogates(origins.get(name, "FHIR file"))
                unreadable.append(Unreadable(where, _escape_surrogates(name), reason, kind))
            else:
                kept[field].append(name)
    allergies = []
    for allergy in record.allergies:
        if any(_has_surrogate(n) for n in allergy.names):
            unreadable.append(Unreadable(_escape_surrogates(allergy.where),
                                         "allergy: " + "; ".join(map(_escape_surrogates, allergy.names)),
                                         reason + ": cannot tell whether this allergy is to baclofen", HISTORY_KIND))
        else:
            allergies.append(allergy._replace(where=_escape_surrogates(allergy.where)))
    return record._replace(
        medications=tuple(kept["medications"]), conditions=tuple(kept["conditions"]),
        patient_id=_escape_surrogates(record.patient_id) if record.patient_id is not None else None,
        unreadable=tuple(unreadable), skipped=tuple(Skipped(*map(_escape_surrogates, s)) for s in record.skipped),
        renal=tuple(r._replace(source=_escape_surrogates(r.source)) for r in record.renal),
        allergies=tuple(allergies),
        origins=tuple((n, _escape_surrogates(w)) for n, w in record.origins if not _has_surrogate(n)))


def _raw_codes(concept: Any) -> List[Tuple[Any, Any]]:
    if not isinstance(concept, dict):
        return []
    return [(c.get("system"), c.get("code")) for c in _list(concept.get("coding")) if isinstance(c, dict)]


def _status_reason(res: Dict[str, Any], kind: str) -> Optional[str]:
    status = res.get("status")
    if not isinstance(status, str):
        return None
    code = status.strip().lower()
    table = NOT_CURRENT.get(kind, {})
    if code not in table:
        return None
    return f"status {code}" + (f": {table[code]}" if table[code] else "")


def _status_codes(value: Any) -> Set[str]:
    """The codes of a status given as a CodeableConcept (R4) or a plain code (STU3)."""
    if isinstance(value, str):
        return {value.strip().lower()}
    if not isinstance(value, dict):
        return set()
    codes = {str(c.get("code")).strip().lower() for c in _list(value.get("coding"))
             if isinstance(c, dict) and isinstance(c.get("code"), str)}
    if not codes and isinstance(value.get("text"), str):
        codes.add(value["text"].strip().lower())
    return codes


_PAST_WORDS = re.compile(r"\s*(?:history|hx|h/o|past|previous|prior|resolved|healed|old|remote)\b", re.IGNORECASE)


def _as_history(name: str) -> str:
    """A resolved or inactive Condition's name as a history: ``history of Peptic ulcer`` (the line
    reader's history rules then apply: a past ulcer is the history-of-ulcer caution)."""
    return name if _PAST_WORDS.match(name) else f"history of {name}"


def _clinical_reason(res: Dict[str, Any]) -> Optional[str]:
    """Why a Condition or AllergyIntolerance is not current, or None (checked)."""
    verification = _status_codes(res.get("verificationStatus"))
    for code in sorted(verification):
        if code in VERIFICATION_NOT_CURRENT:
            return f"verification status {code}"
    clinical = _status_codes(res.get("clinicalStatus"))
    if clinical and clinical <= CLINICAL_NOT_CURRENT:
        return f"clinical status {sorted(clinical)[0]}"
    return None


def _renal_measure(code: Any) -> Optional[str]:
    if not isinstance(code, dict):
        return None
    for coding in _list(code.get("coding")):
        system = coding.get("system") if isinstance(coding, dict) else None
        if isinstance(coding, dict) and (system is None or (isinstance(system, str) and system in LOINC_SYSTEMS)):
            value = coding.get("code")
            if value in EGFR_LOINC:
                return "egfr"
            if value in CRCL_LOINC:
                return "crcl"
    texts = [code.get("text")] + [c.get("display") for c in _list(code.get("coding")) if isinstance(c, dict)]
    for text in texts:
        if isinstance(text, str):
            if _EGFR_WORDS.search(text):
                return "egfr"
            if _CRCL_WORDS.search(text):
                return "crcl"
    return None


_VALUE_TEXT = re.compile(r"\s*(<=|>=|<|>)?\s*(\d+(?:\.\d+)?)\s*(.*)")


def _renal_value(holder: Dict[str, Any]) -> Tuple[Optional[float], Optional[str], Optional[str]]:
    """The value in mL/min, its comparator (``<``: graded at the worst band it allows, see
    ``RenalFunction.graded``), or a reason it cannot be read."""
    quantity = holder.get("valueQuantity")
    comparator: Any = None
    unit: Any = None
    if isinstance(quantity, dict):
        value: Any = quantity.get("value")
        comparator = quantity.get("comparator")
        unit = quantity.get("unit") or quantity.get("code")
    elif quantity is not None:
        return None, None, "valueQuantity is not an object"
    elif isinstance(holder.get("valueString"), str):
        match = _VALUE_TEXT.fullmatch(holder["valueString"])
        if not match:
            return None, None, f"value {holder['valueString']!r} is not a number"
        comparator, value, unit = match.group(1), float(match.group(2)), match.group(3) or None
    elif "valueInteger" in holder:
        value = holder["valueInteger"]
    else:
        return None, None, "no value"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, None, f"value {_preview(value)} is not a number"
    number = float(value)
    if not math.isfinite(number) or number < 0:
        return None, None, f"value {number:g} is not a plausible kidney function"
    if number > MAX_KIDNEY_FUNCTION:  # as --egfr and --crcl: 900 is a typo for 90, never graded as normal
        return None, None, (f"value {number:g} is above {MAX_KIDNEY_FUNCTION} mL/min, not a plausible kidney "
                            "function (a typo?): not graded")
    if unit is not None:
        if not isinstance(unit, str) or not unit.replace(" ", "").lower().startswith("ml/min"):
            return None, None, f"unit {_preview(unit)} is not mL/min"
    if comparator not in (None, "<", "<=", ">", ">="):
        return None, None, f"comparator {_preview(comparator)} is not understood"
    return number, comparator, None


def _describe(names: List[str], codes: List[str]) -> str:
    return "; ".join(dict.fromkeys(names + codes)) or "(nothing named)"


def _list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else []


def _preview(value: Any, limit: int = 80) -> str:
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
