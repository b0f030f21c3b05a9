"""Hostile round 8 (NEW-3, NEW-4, MINOR-2): FHIR completeness signals of the wrong JSON type, an export-wide
OperationOutcome carrying a subject, and an information outcome that says data was withheld each leave the record
not fully checked (exit 3), in ``check --fhir`` and in a Bulk export; the ordinary complete inputs stay clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from test_fhir_incomplete import AMOXICILLIN, OUTCOME_ERROR, bundle, check, export, screen
from test_installed import run as run_installed

ENTRY = {"resource": AMOXICILLIN}


def outcome(*issues: Dict[str, Any]) -> Dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": list(issues)}


def input_doubts(data: Dict[str, Any]) -> List[str]:
    """The input items (kind ``input``) not checked because the list may be incomplete: text and hint."""
    return [f"{i['text']} | {i['hint']}" for i in data["inputs"]
            if i["kind"] == "input" and i["status"] == "not-checked" and "may be incomplete" in (i["hint"] or "")]


# ---------------------------------------------------------------- NEW-3: wrong JSON types

SELF_P1 = {"relation": "self", "url": "https://x/MedicationStatement?page=1"}

NOT_READ = {
    "link an object (next)": bundle([ENTRY], link={"relation": "next", "url": "https://x/p2"}),
    "link an object (self)": bundle([ENTRY], link={"relation": "self", "url": "https://x/p1"}),
    "link member a string": bundle([ENTRY], link=["next"]),
    "link member null": bundle([ENTRY], link=[SELF_P1, None]),
    "relation a list": bundle([ENTRY], link=[{"relation": ["next"], "url": "https://x/p2"}]),
    "relation a number": bundle([ENTRY], link=[{"relation": 2, "url": "https://x/p2"}]),
    "total a string": bundle([ENTRY], total="40"),
    "total a float": bundle([ENTRY], total=40.0),
    "total a float equal to the matches": bundle([ENTRY], total=1.0),
    "total true": bundle([ENTRY], total=True),
    "total negative": bundle([ENTRY], total=-1),
    "last link not self": bundle([ENTRY], link=[SELF_P1, {"relation": "last",
                                                          "url": "https://x/MedicationStatement?page=4"}]),
    "last link, no self": bundle([ENTRY], link=[{"relation": "last", "url": "https://x/MedicationStatement?page=4"}]),
    "issue code a list": bundle([ENTRY, {"resource": outcome({"severity": "information", "code": ["suppressed"]})}]),
    "issue code a number": bundle([ENTRY, {"resource": outcome({"severity": "information", "code": 7})}]),
    "issue code empty": bundle([ENTRY, {"resource": outcome({"severity": "information", "code": ""})}]),
    "batch-response entry {}": bundle([{**ENTRY, "response": {"status": "200"}}, {}], "batch-response"),
    "batch-response entry, fullUrl only": bundle([{**ENTRY, "response": {"status": "200"}},
                                                  {"fullUrl": "urn:uuid:1"}], "batch-response"),
    "200 with no resource": bundle([{**ENTRY, "response": {"status": "200"}}, {"response": {"status": "200"}}],
                                   "batch-response"),
    "201 Created with no resource": bundle([{"response": {"status": "201 Created", "location": "x/1"}}, ENTRY],
                                           "transaction-response"),
    "searchset entry {}": bundle([ENTRY, {}]),
}


@pytest.mark.parametrize("payload", list(NOT_READ.values()), ids=list(NOT_READ))
def test_new3_a_completeness_signal_of_the_wrong_type_is_not_read(run: Any, payload: Dict[str, Any]) -> None:
    code, data = check(run, payload)
    assert code == 3, data
    assert data["summary"].startswith("No findings;") and "not checked" in data["summary"], data["summary"]
    assert input_doubts(data), data["inputs"]


def test_new3_the_doubt_says_what_was_not_read(run: Any) -> None:
    _, data = check(run, NOT_READ["total a string"])
    assert any('total: "40"' in u and "not a whole number" in u for u in input_doubts(data)), data
    _, data = check(run, NOT_READ["relation a list"])
    assert any("relation is not text" in u for u in input_doubts(data)), data
    _, data = check(run, NOT_READ["last link not self"])
    assert any("page=4" in u and "last page" in u for u in input_doubts(data)), data
    _, data = check(run, NOT_READ["issue code a list"])
    assert any('["suppressed"]' in u and "not a code" in u for u in input_doubts(data)), data
    _, data = check(run, NOT_READ["200 with no resource"])
    assert any("response 200 with no resource" in u for u in input_doubts(data)), data


CLEAN = {
    "collection without links": bundle([ENTRY], "collection"),
    "searchset without links or total": bundle([ENTRY]),
    "searchset total equal to its matches": bundle([ENTRY, {"resource": outcome(
        {"severity": "information", "code": "informational", "diagnostics": "1 result"}),
        "search": {"mode": "outcome"}}], total=1),
    "searchset total 1 with a self link": bundle([ENTRY], total=1, link=[SELF_P1]),
    "self link only": bundle([ENTRY], link=[SELF_P1]),
    "last link equal to self": bundle([ENTRY], link=[SELF_P1, {**SELF_P1, "relation": "last"},
                                                     {**SELF_P1, "relation": "first"}]),
    "batch-response 200 and 201 with resources": bundle([
        {**ENTRY, "response": {"status": "200 OK"}},
        {"resource": {**AMOXICILLIN, "id": "2"}, "response": {"status": "201 Created"}}], "batch-response"),
    "history entry of a delete": bundle([ENTRY, {"request": {"method": "DELETE", "url": "MedicationStatement/9"},
                                                 "response": {"status": "204"}}], "history"),
    "transaction DELETE request": bundle([ENTRY, {"request": {"method": "DELETE", "url": "Observation/9"}}],
                                         "transaction"),
}


@pytest.mark.parametrize("payload", list(CLEAN.values()), ids=list(CLEAN))
def test_new3_ordinary_complete_inputs_stay_clean(run: Any, payload: Dict[str, Any]) -> None:
    code, data = check(run, payload)
    assert code == 0, data
    assert data["unrecognized"] == [] and not input_doubts(data), data["inputs"]


def test_new3_the_installed_script_reads_the_reviewer_s_link_object(tmp_path: Path) -> None:
    payload = NOT_READ["link an object (next)"]
    result = run_installed(["check", "--fhir", "-", "--brief"], tmp_path, stdin=json.dumps(payload).encode())
    out = result.stdout.decode()
    assert result.returncode == 3, out + result.stderr.decode()
    assert "Bundle.link is not a list" in out and "may be incomplete" in out
    clean = run_installed(["check", "--fhir", "-", "--brief"], tmp_path,
                          stdin=json.dumps(CLEAN["collection without links"]).encode())
    assert clean.returncode == 0, clean.stdout.decode()


def test_new3_an_outcome_with_a_list_code_in_a_bulk_export_doubts_every_patient(run: Any, tmp_path: Path) -> None:
    root = export(tmp_path, outcome({"severity": "information", "code": ["suppressed"]}), name="OperationOutcome.ndjson")
    code, rows, out = screen(run, root)
    assert code == 3, out
    assert set(rows) == {"p1", "p2"} and all(r["fully_checked"] is False for r in rows.values()), rows


def test_new3_a_patient_s_paged_bundle_in_a_bulk_export_is_not_fully_checked(run: Any, tmp_path: Path) -> None:
    root = export(tmp_path)
    page = bundle([{"resource": {**AMOXICILLIN, "subject": {"reference": "Patient/p1"}}}],
                  link={"relation": "next", "url": "https://x/p2"})
    (root / "Bundle.ndjson").write_text(json.dumps(page) + "\n")
    code, rows, out = screen(run, root)
    assert code == 3, out
    assert rows["p1"]["fully_checked"] is False and rows["p2"]["status"] == "clean", rows


# ---------------------------------------------------------------- NEW-4: an export outcome with a subject


def test_new4_an_outcome_with_a_subject_is_export_wide_and_no_patient_row(run: Any, tmp_path: Path) -> None:
    with_subject = {**OUTCOME_ERROR, "subject": {"reference": "Patient/p3"}}
    code, rows, out = screen(run, export(tmp_path, with_subject, name="OperationOutcome.ndjson"))
    assert code == 3, out
    assert set(rows) == {"p1", "p2"}, rows  # no row for Patient/p3
    for row in rows.values():
        assert row["fully_checked"] is False
        assert any("Failed to export MedicationRequest" in u for u in row["unrecognized"]), row


def test_new4_an_outcome_naming_a_real_patient_doubts_the_others_too(run: Any, tmp_path: Path) -> None:
    with_patient = {**OUTCOME_ERROR, "patient": {"reference": "Patient/p1"}}
    code, rows, out = screen(run, export(tmp_path, with_patient, name="OperationOutcome.ndjson"))
    assert code == 3, out
    assert set(rows) == {"p1", "p2"} and all(r["fully_checked"] is False for r in rows.values()), rows


def test_new4_a_harmless_outcome_with_a_subject_is_counted_not_a_row(run: Any, tmp_path: Path) -> None:
    harmless = {**outcome({"severity": "information", "code": "informational", "diagnostics": "done"}),
                "subject": {"reference": "Patient/p3"}}
    code, rows, out = screen(run, export(tmp_path, harmless, name="OperationOutcome.ndjson"))
    assert code == 0, out
    assert set(rows) == {"p1", "p2"} and {r["status"] for r in rows.values()} == {"clean"}
    assert "OperationOutcome 1" in out


def test_new4_the_installed_script_on_the_reviewer_s_export(tmp_path: Path) -> None:
    root = tmp_path / "h8b"
    root.mkdir()
    (root / "Patient.ndjson").write_text('{"resourceType":"Patient","id":"p1"}\n')
    (root / "MedicationStatement.ndjson").write_text(json.dumps({**AMOXICILLIN, "subject": {"reference": "Patient/p1"}})
                                                     + "\n")
    (root / "OperationOutcome.ndjson").write_text(
        '{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}],'
        '"subject":{"reference":"Patient/p2"}}\n')
    result = run_installed(["screen", str(root), "--out", "-"], tmp_path)
    out = result.stdout.decode()
    assert result.returncode == 3, out + result.stderr.decode()
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [(r["id"], r["fully_checked"]) for r in rows] == [("p1", False)]


# ---------------------------------------------------------------- MINOR-2: information that says data was withheld

WITHHELD = {
    "consent diagnostics": {"severity": "information", "code": "informational",
                            "diagnostics": "Some results were withheld because of consent"},
    "details text": {"severity": "information", "code": "informational",
                     "details": {"text": "2 resources not returned"}},
    "MSG_RESOURCE_NOT_ALLOWED": {"severity": "information", "code": "informational", "details": {"coding": [
        {"system": "http://terminology.hl7.org/CodeSystem/operation-outcome", "code": "MSG_RESOURCE_NOT_ALLOWED"}]}},
    "coding display": {"severity": "information", "code": "informational", "details": {"coding": [
        {"code": "X1", "display": "Results redacted for this user"}]}},
    "a content code": {"severity": "information", "code": "value", "diagnostics": "Not allowed to view notes"},
}


@pytest.mark.parametrize("issue", list(WITHHELD.values()), ids=list(WITHHELD))
def test_minor2_an_information_issue_saying_data_was_withheld_is_not_fully_checked(run: Any,
                                                                                   issue: Dict[str, Any]) -> None:
    code, data = check(run, bundle([ENTRY, {"resource": outcome(issue)}]))
    assert code == 3, data
    assert any("withheld or left out" in u for u in input_doubts(data)), data


@pytest.mark.parametrize("said", ["3 results", "Search completed", "All resources returned",
                                  "Consistent with the index"])
def test_minor2_other_information_stays_listed(run: Any, said: str) -> None:
    code, data = check(run, bundle([ENTRY, {"resource": outcome(
        {"severity": "information", "code": "informational", "diagnostics": said})}]))
    assert code == 0, data
    assert data["unrecognized"] == [] and said in json.dumps(data)


def test_minor2_in_a_bulk_export_the_consent_outcome_doubts_every_patient(run: Any, tmp_path: Path) -> None:
    code, rows, out = screen(run, export(tmp_path, outcome(WITHHELD["consent diagnostics"]),
                                         name="OperationOutcome.ndjson"))
    assert code == 3, out
    assert all(r["fully_checked"] is False for r in rows.values())
