"""FHIR R4 in and out: every emitted resource validates with fhir.resources (R4B models)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from fhir.resources.R4B.bundle import Bundle

HERE = Path(__file__).parent
BUNDLE = HERE / "data" / "fhir" / "patient-bundle.json"


def validate(payload: Dict[str, Any]) -> Bundle:
    return Bundle.model_validate(payload)


def test_check_fhir_output_validates_and_maps_severity(run: Any) -> None:
    result = run("check", "--with", "Percocet, valium, xyzzy", "--history", "COPD", "--daily-dose", "100",
                 "--format", "fhir")
    assert result.exit_code == 4  # flagged and not checked
    payload = json.loads(result.stdout)
    bundle = validate(payload)
    issues = [e.resource for e in bundle.entry if e.resource.__resource_type__ == "DetectedIssue"]
    outcome = [e.resource for e in bundle.entry if e.resource.__resource_type__ == "OperationOutcome"]
    assert issues and outcome
    assert "xyzzy" in outcome[0].issue[0].diagnostics
    severities = {i.severity for i in issues}
    assert severities <= {"high", "moderate", "low"} and "high" in severities
    json_findings = json.loads(run("check", "--with", "Percocet, valium, xyzzy", "--history", "COPD",
                                   "--daily-dose", "100", "--json").stdout)["findings"]
    assert len(issues) == len(json_findings)
    expected = {"contraindicated": "high", "major": "high", "moderate": "moderate", "minor": "low"}
    assert [i.severity for i in issues] == [expected[f["severity"]] for f in json_findings]
    for issue, finding in zip(issues, json_findings):
        assert issue.mitigation[0].action.text == finding["advice"]
        kinds = {c.__resource_type__ for c in issue.contained}
        assert "Medication" in kinds
        if finding["kind"] == "caution":
            assert "Condition" in kinds


def _same_findings(a: Dict[str, Any], b: Dict[str, Any]) -> List[Any]:
    return [[(f["id"], f["severity"]) for f in a["findings"]], [(f["id"], f["severity"]) for f in b["findings"]]]


def test_fhir_bundle_checks_like_the_equivalent_options(run: Any) -> None:
    from_fhir = json.loads(run("check", "--fhir", str(BUNDLE), "--json").stdout)
    texts = [i["text"] for i in from_fhir["inputs"]]
    # an ICD-10-CM coding's display is checked beside its code (M7)
    assert texts == ["oxycodone", "Valium", "Tylenol", "ICD-10-CM N18.3", "Chronic kidney disease, stage 3",
                     "hypertension", "no condition named (Condition/c-3)"]
    by_options = json.loads(run("check", "--with", "oxycodone, Valium, Tylenol", "--history",
                                "N18.3, hypertension", "--json").stdout)
    first, second = _same_findings(from_fhir, by_options)
    assert first == second
    assert from_fhir["unrecognized"] == ["no condition named (Condition/c-3)"]
    assert from_fhir["skipped"] == [{"where": "other resources", "text": "1 (Observation)",
                                     "reason": "baclo reads medicines, conditions, allergies, eGFR and creatinine clearance"}]


def test_fhir_from_standard_input_and_single_resource(run: Any) -> None:
    resource = {"resourceType": "MedicationRequest", "status": "active", "intent": "order",
                "medicationCodeableConcept": {"coding": [{"display": "Gabapentin"}]},
                "subject": {"reference": "Patient/x"}}
    result = run.runner.invoke(__import__("baclofen_cli.cli", fromlist=["app"]).app,
                               ["check", "--fhir", "-", "--json"], input=json.dumps(resource))
    payload = json.loads(result.stdout)
    assert result.exit_code == 1
    assert payload["findings"][0]["id"] == "gabapentinoids"


@pytest.mark.parametrize("content,needle", [
    ("{not json", "not valid JSON"),
    ('{"hello": 1}', "not a FHIR resource"),
    ('{"resourceType": "Bundle", "entry": []}', "names no medication, condition or kidney function"),
])
def test_unreadable_fhir_input_exits_2(run: Any, tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(content)
    result = run("check", "--fhir", str(path))
    assert result.exit_code == 2
    assert needle in result.stderr


def test_screen_fhir_lines_validate(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    with source.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "medications", "conditions", "daily_dose_mg"])
        writer.writerows([["p 1", "Percocet;gabapentin", "CKD", "30"], ["p2", "atorvastatin", "", ""],
                          ["p3", "oxycodone", "", "lots"]])
    result = run("screen", str(source), "--format", "fhir")
    assert result.exit_code == 4  # p1 flagged, p3 malformed
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    bundles = [validate(json.loads(line)) for line in lines]
    assert len(bundles[0].entry) >= 4
    patient = bundles[0].entry[0]
    assert patient.resource.__resource_type__ == "Patient"
    assert patient.resource.identifier[0].value == "p 1"  # exactly as given; "p 1" is no FHIR id
    assert patient.resource.id is None
    assert bundles[0].entry[1].resource.patient.reference == patient.fullUrl
    assert [e.resource.__resource_type__ for e in bundles[1].entry] == ["Patient"]  # clean: still named
    assert bundles[1].entry[0].resource.id == "p2"
    assert [e.resource.__resource_type__ for e in bundles[2].entry] == ["Patient", "OperationOutcome"]
    rows = [int(b.identifier.value) for b in bundles]  # each bundle names its row
    assert rows == sorted(set(rows)) and len(rows) == 3
