"""An OperationOutcome inside a FHIR input (new-user round 3, L4): a searchset that says some resources were
withheld ("not authorized for some resources") means the list may be incomplete, so it is never a clean answer."""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest
from test_installed import run as run_installed

from baclofen_cli.cli import app


def searchset(*issues: Dict[str, Any]) -> Dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [
        {"resource": {"resourceType": "MedicationStatement", "id": "m1", "status": "active",
                      "medicationCodeableConcept": {"text": "omeprazole 20 mg capsule"}}},
        {"resource": {"resourceType": "OperationOutcome", "issue": list(issues)}, "search": {"mode": "outcome"}},
    ]}


def check_json(run: Any, payload: Dict[str, Any]) -> Any:
    result = run.runner.invoke(app, ["check", "--fhir", "-", "--json"], input=json.dumps(payload))
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("issue", [
    {"severity": "warning", "code": "suppressed", "diagnostics": "not authorized for some resources"},
    {"severity": "error", "code": "processing", "details": {"text": "search timed out: partial results"}},
    {"code": "incomplete"},
    {},
])
def test_a_warning_or_error_outcome_leaves_the_list_not_fully_checked(run: Any, issue: Dict[str, Any]) -> None:
    code, data = check_json(run, searchset(issue))
    assert code == 3, data
    texts = json.dumps(data)
    assert "may be incomplete" in texts
    said = issue.get("diagnostics") or issue.get("details", {}).get("text") or issue.get("code") or "no text given"
    assert said in texts


def test_an_information_outcome_is_listed_and_does_not_stop_a_clear_answer(run: Any) -> None:
    code, data = check_json(run, searchset({"severity": "information", "diagnostics": "3 results"}))
    assert code == 0, data
    assert "3 results" in json.dumps(data)
    assert "may be incomplete" not in json.dumps(data)


def test_the_installed_script_says_the_list_may_be_incomplete(tmp_path: Any) -> None:
    path = tmp_path / "search.json"
    path.write_text(json.dumps(searchset({"severity": "warning", "diagnostics": "not authorized for some resources"})))
    result = run_installed(["check", "--fhir", str(path)], tmp_path)
    out = result.stdout.decode()
    assert result.returncode == 3, out + result.stderr.decode()
    assert "not authorized for some resources" in out
    assert "may be incomplete" in out


def test_the_skipped_heading_does_not_call_every_skip_not_current(run: Any) -> None:
    """Clinical round H: an adult age or another resource type is not "not current"; each says its reason."""
    payload = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p", "birthDate": "1980-01-01"}},
        {"resource": {"resourceType": "Encounter", "id": "e"}},
        {"resource": {"resourceType": "MedicationStatement", "id": "m", "status": "active",
                      "medicationCodeableConcept": {"text": "omeprazole 20 mg capsule"}}}]}
    result = run.runner.invoke(app, ["check", "--fhir", "-"], input=json.dumps(payload))
    assert result.exit_code == 0, result.stdout
    assert "Skipped (2): not checked, each with its reason" in result.stdout
    assert "not current" not in result.stdout
