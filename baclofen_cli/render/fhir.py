"""FHIR R4 output: a Bundle of DetectedIssue resources, one per finding.

Severity maps contraindicated and major to ``high``, moderate to ``moderate`` and
minor to ``low``. Each issue names the user's items it implicates as contained
Medication and Condition resources; items that were not recognized are reported
in an OperationOutcome in the same Bundle, so nothing the user gave is lost.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from baclofen_cli.check import NOT_CHECKED, CheckResult, Finding
from baclofen_cli.knowledge.model import Knowledge

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


def _issue_code(f: Finding) -> Dict[str, Any]:
    code, display = _ISSUE_CODES["dose-maximum" if f.id == "dose-maximum" else f.kind]
    return {"coding": [{"system": ACT_CODE, "code": code, "display": display}], "text": f.kind}


def detected_issue(k: Knowledge, result: CheckResult, f: Finding, index: int,
                   patient_id: Optional[str] = None) -> Dict[str, Any]:
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
                              "subject": _subject(patient_id)})
        else:
            contained.append({"resourceType": "Medication", "id": local, "code": {"text": text}})
        implicated.append({"reference": f"#{local}", "display": text})
    issue: Dict[str, Any] = {
        "resourceType": "DetectedIssue",
        "id": f"finding-{index}",
        "contained": contained,
        "status": "final",
        "code": _issue_code(f),
        "severity": SEVERITY[f.severity],
        "implicated": implicated,
        "detail": f"{f.title} ({f.severity}): {f.effect}",
        "mitigation": [{"action": {"text": f.advice}}],
        "extension": [{"url": "https://baclo.invalid/fhir/StructureDefinition/sources",
                       "valueString": "; ".join(f.sources)}],
    }
    if patient_id:
        issue["patient"] = {"reference": f"Patient/{patient_id}"}
    return issue


def _subject(patient_id: Optional[str]) -> Dict[str, str]:
    return {"reference": f"Patient/{patient_id}"} if patient_id else {"display": "the patient being checked"}


def bundle(k: Knowledge, result: CheckResult, patient_id: Optional[str] = None) -> Dict[str, Any]:
    entries: List[Dict[str, Any]] = [
        {"fullUrl": f"urn:uuid:baclo-finding-{i}", "resource": detected_issue(k, result, f, i, patient_id)}
        for i, f in enumerate(result.findings, 1)
    ]
    not_checked = [i for i in result.items if i.status == NOT_CHECKED]
    if not_checked:
        entries.append({"fullUrl": "urn:uuid:baclo-not-checked", "resource": {
            "resourceType": "OperationOutcome",
            "id": "not-checked",
            "issue": [{"severity": "warning", "code": "not-found",
                       "diagnostics": f"not recognized, so not checked: {i.text} (--{i.resolution.kind})"}
                      for i in not_checked],
        }})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def check_page(k: Knowledge, result: CheckResult) -> Dict[str, Any]:
    return bundle(k, result)


def bundle_line(k: Knowledge, outcome: Any) -> str:
    """One screened row as a single-line Bundle (malformed rows carry an OperationOutcome)."""
    patient_id = outcome.row.id or f"row-{outcome.row.number}"
    if outcome.result is None:
        payload: Dict[str, Any] = {"resourceType": "Bundle", "type": "collection", "entry": [{
            "fullUrl": f"urn:uuid:baclo-row-{outcome.row.number}",
            "resource": {"resourceType": "OperationOutcome", "id": f"row-{outcome.row.number}",
                         "issue": [{"severity": "error", "code": "structure",
                                    "diagnostics": f"row {outcome.row.number}: {outcome.error}"}]}}]}
    else:
        payload = bundle(k, outcome.result, _safe_id(patient_id))
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _safe_id(text: str) -> str:
    """FHIR ids are [A-Za-z0-9-.]{1,64}; anything else is replaced."""
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "-.") else "-" for c in text)[:64]
    return cleaned or "unknown"
