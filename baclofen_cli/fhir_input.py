"""Read the items to check from a FHIR R4 Bundle (or a single resource).

MedicationStatement and MedicationRequest give co-medications, by the text or
coding display of their medication (inline, contained, or another entry of the
bundle); Condition gives conditions, by text, coding display, or an ICD-10-CM
code. A resource that names nothing readable becomes an item of its own, which
the checker cannot recognize: it is listed as not checked, never dropped.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

MAX_BYTES = 50 * 1024 * 1024
ICD10_SYSTEMS = ("http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10")
MEDICATION_USES = ("MedicationStatement", "MedicationRequest")


class FhirError(Exception):
    """The file is not a FHIR resource baclo can read at all."""


class FhirItems(NamedTuple):
    medications: List[str]
    conditions: List[Tuple[str, ...]]
    """Per Condition, the ways it can be named, best first: its ICD-10-CM code, then its text."""


def _concept_text(concept: Any) -> Optional[str]:
    if not isinstance(concept, dict):
        return None
    text = concept.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and isinstance(coding.get("display"), str) and coding["display"].strip():
            return str(coding["display"]).strip()
    return None


def _icd10(concept: Any) -> Optional[str]:
    if not isinstance(concept, dict):
        return None
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and coding.get("system") in ICD10_SYSTEMS and isinstance(coding.get("code"), str):
            return f"ICD-10-CM {coding['code']}"
    return None


def _label(resource: Dict[str, Any]) -> str:
    ident = resource.get("id")
    return f"{resource.get('resourceType', 'resource')}/{ident}" if isinstance(ident, str) else str(resource.get("resourceType"))


def items_from_fhir(data: Any) -> FhirItems:
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise FhirError("not a FHIR resource (no resourceType)")
    resources: List[Dict[str, Any]] = []
    if data["resourceType"] == "Bundle":
        for entry in data.get("entry") or []:
            if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
                resources.append(entry["resource"])
    else:
        resources.append(data)
    by_reference: Dict[str, Dict[str, Any]] = {}
    for entry in (data.get("entry") or []) if data["resourceType"] == "Bundle" else []:
        if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
            res = entry["resource"]
            if isinstance(entry.get("fullUrl"), str):
                by_reference[entry["fullUrl"]] = res
            if isinstance(res.get("id"), str):
                by_reference[f"{res.get('resourceType')}/{res['id']}"] = res
    meds: List[str] = []
    conditions: List[Tuple[str, ...]] = []
    for res in resources:
        kind = res.get("resourceType")
        if kind in MEDICATION_USES:
            name = _concept_text(res.get("medicationCodeableConcept"))
            ref = res.get("medicationReference")
            if name is None and isinstance(ref, dict):
                name = _concept_text(_resolve_reference(res, ref.get("reference"), by_reference).get("code"))
                if name is None and isinstance(ref.get("display"), str) and ref["display"].strip():
                    name = ref["display"].strip()
            meds.append(name or f"{_label(res)} (no readable medication name)")
        elif kind == "Condition":
            code = res.get("code")
            names = tuple(n for n in (_icd10(code), _concept_text(code)) if n)
            conditions.append(names or (f"{_label(res)} (no readable condition name)",))
    return FhirItems(meds, conditions)


def _resolve_reference(owner: Dict[str, Any], reference: Any, by_reference: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    if not isinstance(reference, str):
        return {}
    if reference.startswith("#"):
        for contained in owner.get("contained") or []:
            if isinstance(contained, dict) and contained.get("id") == reference[1:]:
                return contained
        return {}
    return by_reference.get(reference, {})


def read_fhir_file(path: str, text: Optional[str] = None) -> FhirItems:
    """Parse a FHIR JSON file (or already-read text) into items; FhirError when it cannot be read."""
    if text is None:
        try:
            with open(path, "rb") as f:
                raw = f.read(MAX_BYTES + 1)
        except OSError as e:
            raise FhirError(f"cannot read {path}: {e.strerror or e}") from None
        if len(raw) > MAX_BYTES:
            raise FhirError(f"{path} is over the limit of {MAX_BYTES:,} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise FhirError(f"{path} is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise FhirError(f"{path} is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    except RecursionError:
        raise FhirError(f"{path} is nested too deeply") from None
    return items_from_fhir(data)
