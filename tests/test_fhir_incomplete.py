"""Hostile round 7 (C4-C7, M1): FHIR input that says the list may be incomplete is never a clean answer.

A batch or transaction response entry that failed or carries an OperationOutcome, an OperationOutcome issue whose
code says data was withheld (whatever its severity), a searchset that is one page of a larger result, a Bulk
export's error file, and a kidney value no one measures (900 mL/min) each leave the record not fully checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from test_installed import run as run_installed

from baclofen_cli.cli import app
from baclofen_cli.inputs.fhir import ISSUE_HARMLESS, ISSUE_WITHHELD

AMOXICILLIN = {"resourceType": "MedicationStatement", "status": "active",
               "medicationCodeableConcept": {"text": "amoxicillin 500 mg"}}

R4_ISSUE_TYPES = (
    "invalid", "structure", "required", "value", "invariant", "security", "login", "unknown", "expired",
    "forbidden", "suppressed", "processing", "not-supported", "duplicate", "multiple-matches", "not-found",
    "deleted", "too-long", "code-invalid", "extension", "too-costly", "business-rule", "conflict", "transient",
    "lock-error", "no-store", "exception", "timeout", "incomplete", "throttled", "informational")
"""Every code of the FHIR R4 IssueType value set (http://hl7.org/fhir/R4/valueset-issue-type.html)."""


def bundle(entries: List[Dict[str, Any]], kind: str = "searchset", **extra: Any) -> Dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, **extra, "entry": entries}


def check(run: Any, payload: Dict[str, Any], *more: str) -> Any:
    result = run.runner.invoke(app, ["check", "--fhir", "-", "--json", *more], input=json.dumps(payload))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def brief(run: Any, payload: Dict[str, Any]) -> Any:
    result = run.runner.invoke(app, ["check", "--fhir", "-", "--brief"], input=json.dumps(payload))
    return result.exit_code, result.stdout


# ---------------------------------------------------------------- C4: batch and transaction responses

BATCH_403 = bundle([
    {"resource": AMOXICILLIN, "response": {"status": "200"}},
    {"response": {"status": "403", "outcome": {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "forbidden", "diagnostics": "MedicationRequest search withheld"}]}}},
], "batch-response")


def test_c4_a_failed_batch_entry_with_its_outcome_is_not_fully_checked(run: Any) -> None:
    code, out = brief(run, BATCH_403)
    assert code == 3, out
    assert "response 403" in out and "MedicationRequest search withheld" in out
    assert "may be incomplete" in out
    assert "No findings: every item recognized" not in out


@pytest.mark.parametrize("status", ["500 Internal Server Error", "404", "429 Too Many Requests", "304 Not Modified"])
def test_c4_a_failed_entry_with_no_resource_says_its_status(run: Any, status: str) -> None:
    code, data = check(run, bundle([{"resource": AMOXICILLIN}, {"response": {"status": status}}], "batch-response"))
    assert code == 3, data
    assert any(f"response {status}" in u for u in data["unrecognized"]), data["unrecognized"]


def test_c4_an_outcome_as_the_failed_entry_s_resource_is_said_once_with_the_status(run: Any) -> None:
    payload = bundle([{"resource": AMOXICILLIN, "response": {"status": "200 OK"}},
                      {"resource": {"resourceType": "OperationOutcome", "issue": [
                          {"severity": "error", "code": "not-found", "diagnostics": "Medication/7 is gone"}]},
                       "response": {"status": "404 Not Found"}}], "transaction-response")
    code, data = check(run, payload)
    assert code == 3, data
    said = [u for u in data["unrecognized"] if "Medication/7 is gone" in u]
    assert len(said) == 1 and "response 404 Not Found" in said[0], data["unrecognized"]


def test_c4_a_successful_entry_s_outcome_is_read_like_any_operation_outcome(run: Any) -> None:
    warned = bundle([{"resource": AMOXICILLIN, "response": {"status": "200", "outcome": {
        "resourceType": "OperationOutcome", "issue": [{"severity": "warning", "code": "processing",
                                                       "diagnostics": "some results were dropped"}]}}}],
        "batch-response")
    code, data = check(run, warned)
    assert code == 3, data
    assert any("some results were dropped" in u for u in data["unrecognized"])
    noted = bundle([{"resource": AMOXICILLIN, "response": {"status": "201 Created", "outcome": {
        "resourceType": "OperationOutcome", "issue": [{"severity": "information", "code": "informational",
                                                       "diagnostics": "stored"}]}}}], "transaction-response")
    code, data = check(run, noted)
    assert code == 0, data
    assert "stored" in json.dumps(data["skipped"])


def test_c4_successful_entries_stay_clean(run: Any) -> None:
    payload = bundle([{"resource": AMOXICILLIN, "response": {"status": "200 OK"}},
                      {"response": {"status": "204 No Content"}}], "batch-response")
    assert check(run, payload)[0] == 0


def test_c4_a_status_that_is_not_one_is_not_fully_checked(run: Any) -> None:
    payload = bundle([{"resource": AMOXICILLIN}, {"response": {"status": "forbidden"}}], "batch-response")
    code, data = check(run, payload)
    assert code == 3, data
    assert any("response status" in u for u in data["unrecognized"])


def test_c4_the_installed_script_reads_the_reviewer_s_batch_response(tmp_path: Path) -> None:
    result = run_installed(["check", "--fhir", "-", "--brief"], tmp_path, stdin=json.dumps(BATCH_403).encode())
    out = result.stdout.decode()
    assert result.returncode == 3, out + result.stderr.decode()
    assert "MedicationRequest search withheld" in out


# ---------------------------------------------------------------- C5: issue codes that say data was withheld


def outcome_search(issue: Dict[str, Any]) -> Dict[str, Any]:
    return bundle([{"resource": AMOXICILLIN},
                   {"resource": {"resourceType": "OperationOutcome", "issue": [issue]}, "search": {"mode": "outcome"}}])


def test_c5_every_r4_issue_type_is_decided() -> None:
    assert set(R4_ISSUE_TYPES) <= set(ISSUE_WITHHELD) | ISSUE_HARMLESS
    assert not set(ISSUE_WITHHELD) & ISSUE_HARMLESS
    assert {"suppressed", "incomplete", "too-costly", "throttled", "forbidden", "security", "login", "unknown",
            "not-found", "timeout", "too-long", "exception", "processing"} <= set(ISSUE_WITHHELD)


@pytest.mark.parametrize("code", sorted(ISSUE_WITHHELD))
def test_c5_an_information_issue_saying_data_was_withheld_is_not_fully_checked(run: Any, code: str) -> None:
    status, data = check(run, outcome_search({"severity": "information", "code": code,
                                              "details": {"text": "Some resources were not returned"}}))
    assert status == 3, data
    said = [u for u in data["unrecognized"] if "Some resources were not returned" in u]
    assert said and f"information, {code}" in said[0]


@pytest.mark.parametrize("code", ["informational", "invalid", "business-rule", None])
def test_c5_an_information_issue_with_a_harmless_code_stays_listed(run: Any, code: Optional[str]) -> None:
    issue = {"severity": "information", "diagnostics": "3 results", **({"code": code} if code else {})}
    status, data = check(run, outcome_search(issue))
    assert status == 0, data
    assert "3 results" in json.dumps(data["skipped"])


def test_c5_an_issue_code_baclo_does_not_know_is_not_taken_as_harmless(run: Any) -> None:
    status, data = check(run, outcome_search({"severity": "information", "code": "partial-page", "diagnostics": "x"}))
    assert status == 3, data
    assert any("partial-page" in u for u in data["unrecognized"])


def test_c5_the_reviewer_s_suppressed_information_outcome(run: Any) -> None:
    code, out = brief(run, bundle([{"resource": AMOXICILLIN}, {"resource": {"resourceType": "OperationOutcome", "issue": [
        {"severity": "information", "code": "suppressed", "details": {"text": "Some resources were not returned"}}]},
        "search": {"mode": "outcome"}}]))
    assert code == 3, out
    assert "Some resources were not returned" in out and "withheld" in out


# ---------------------------------------------------------------- C6: one page of a larger search

PAGED = bundle([{"resource": AMOXICILLIN}], total=40,
               link=[{"relation": "next", "url": "https://x/MedicationStatement?page=2"}])


def test_c6_a_page_of_a_searchset_is_not_the_whole_list(run: Any) -> None:
    code, out = brief(run, PAGED)
    assert code == 3, out
    assert "one page of a larger result" in out and "page=2" in out and "total 40, 1 in this file" in out


def test_c6_a_next_link_alone_or_a_total_alone_is_enough(run: Any) -> None:
    linked = bundle([{"resource": AMOXICILLIN}], link=[{"relation": "self", "url": "https://x/a"},
                                                       {"relation": "next", "url": "https://x/b"}])
    assert check(run, linked)[0] == 3
    last_page = bundle([{"resource": AMOXICILLIN}], link=[{"relation": "previous", "url": "https://x/page1"}])
    code, data = check(run, last_page)
    assert code == 3 and any("a previous page" in u for u in data["unrecognized"]), data
    included = {"resource": {"resourceType": "Medication", "id": "m", "code": {"text": "amoxicillin"}},
                "search": {"mode": "include"}}
    counted = bundle([{"resource": AMOXICILLIN, "search": {"mode": "match"}}, included], total=2)
    code, data = check(run, counted)
    assert code == 3, data
    assert any("total 2, 1 in this file" in u for u in data["unrecognized"])


def test_c6_a_complete_searchset_stays_clean(run: Any) -> None:
    included = {"resource": {"resourceType": "Medication", "id": "m", "code": {"text": "amoxicillin"}},
                "search": {"mode": "include"}}
    whole = bundle([{"resource": AMOXICILLIN, "search": {"mode": "match"}}, included], total=1,
                   link=[{"relation": "self", "url": "https://x/a"}])
    assert check(run, whole)[0] == 0


# ---------------------------------------------------------------- M1: a kidney value no one measures


def egfr_bundle(value: float) -> Dict[str, Any]:
    return bundle([
        {"resource": {"resourceType": "Observation", "status": "final",
                      "code": {"coding": [{"system": "http://loinc.org", "code": "33914-3"}]},
                      "valueQuantity": {"value": value, "unit": "mL/min/1.73m2"}}},
        {"resource": {"resourceType": "MedicationStatement", "status": "active",
                      "medicationCodeableConcept": {"text": "baclofen 20 mg three times daily"}}}], "collection")


def test_m1_an_egfr_above_200_is_not_graded(run: Any) -> None:
    code, out = brief(run, egfr_bundle(900))
    assert code == 3, out
    assert "above 200 mL/min" in out
    assert "in no band" not in out and "eGFR 900 mL/min" not in out


def test_m1_an_egfr_of_200_is_graded_as_the_option_is(run: Any) -> None:
    code, data = check(run, egfr_bundle(200))
    assert code == 0, data
    assert data["unrecognized"] == []


# ---------------------------------------------------------------- C7: a Bulk export's error files

OUTCOME_ERROR = {"resourceType": "OperationOutcome", "issue": [
    {"severity": "error", "code": "exception", "diagnostics": "Failed to export MedicationRequest"}]}


def export(tmp_path: Path, *outcomes: Dict[str, Any], name: str = "error/OperationOutcome.ndjson") -> Path:
    root = tmp_path / "export"
    (root / "error").mkdir(parents=True)
    (root / "Patient.ndjson").write_text(
        '{"resourceType":"Patient","id":"p1","birthDate":"1980-01-01"}\n'
        '{"resourceType":"Patient","id":"p2","birthDate":"1980-01-01"}\n')
    (root / "MedicationStatement.ndjson").write_text("".join(
        json.dumps({**AMOXICILLIN, "subject": {"reference": f"Patient/{p}"}}) + "\n" for p in ("p1", "p2")))
    if outcomes:
        (root / name).write_text("".join(json.dumps(o) + "\n" for o in outcomes))
    return root


def screen(run: Any, root: Path) -> Any:
    result = run.runner.invoke(app, ["screen", str(root), "--out", "-"])
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, {r["id"]: r for r in rows}, result.output


def test_c7_an_export_error_file_makes_every_patient_not_fully_checked(run: Any, tmp_path: Path) -> None:
    code, rows, out = screen(run, export(tmp_path, OUTCOME_ERROR))
    assert code == 3, out
    assert set(rows) == {"p1", "p2"}
    for row in rows.values():
        assert row["status"] == "not-fully-checked" and row["fully_checked"] is False
        assert any("Failed to export MedicationRequest" in u and "error/OperationOutcome.ndjson" in u
                   for u in row["unrecognized"]), row
    assert "no patient is fully checked" in out


def test_c7_without_the_error_file_the_patients_are_clean(run: Any, tmp_path: Path) -> None:
    code, rows, out = screen(run, export(tmp_path))
    assert code == 0, out
    assert {r["status"] for r in rows.values()} == {"clean"}


@pytest.mark.parametrize("issue, doubted", [
    ({"severity": "information", "code": "informational", "diagnostics": "export finished"}, False),
    ({"severity": "information", "code": "incomplete", "diagnostics": "some resources left out"}, True),
    ({"severity": "warning", "code": "processing", "diagnostics": "slow"}, True),
])
def test_c7_only_a_harmless_information_outcome_leaves_patients_clean(run: Any, tmp_path: Path,
                                                                      issue: Dict[str, Any], doubted: bool) -> None:
    code, rows, out = screen(run, export(tmp_path, {"resourceType": "OperationOutcome", "issue": [issue]},
                                         name="OperationOutcome.ndjson"))
    assert code == (3 if doubted else 0), out
    assert all(r["fully_checked"] is not doubted for r in rows.values())
    if not doubted:
        assert "not about one patient, counted and not read: OperationOutcome 1" in out


def test_c7_many_outcomes_are_counted_and_a_bounded_number_kept(run: Any, tmp_path: Path) -> None:
    from baclofen_cli.inputs.fhir_bulk import MAX_OUTCOMES_KEPT, BulkExport

    many = [{"resourceType": "OperationOutcome", "issue": [{"severity": "error", "diagnostics": f"lost {i}"}]}
            for i in range(MAX_OUTCOMES_KEPT + 30)]
    with BulkExport(str(export(tmp_path, *many))) as bulk:
        acc = bulk.accounting
        assert acc.outcomes == MAX_OUTCOMES_KEPT + 30 and len(acc.outcome_texts) == MAX_OUTCOMES_KEPT
        doubts = acc.doubts()
        assert len(doubts) == 1 and "lost 0" in doubts[0].text and f"{MAX_OUTCOMES_KEPT + 29} more" in doubts[0].text
        assert "  ... and 30 more" in acc.lines_text()
        rows = list(bulk.rows())
    assert all(doubts[0] in row.record.unreadable for row in rows)


def test_c7_the_installed_script_on_the_reviewer_s_export(tmp_path: Path) -> None:
    root = export(tmp_path, OUTCOME_ERROR)
    result = run_installed(["screen", str(root), "--out", "-"], tmp_path)
    out = result.stdout.decode()
    assert result.returncode == 3, out + result.stderr.decode()
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [r["fully_checked"] for r in rows] == [False, False]
    assert "Failed to export MedicationRequest" in result.stderr.decode()


# ---------------------------------------------------------------- N5: a sender's message is not a medicine


def test_n5_an_operation_outcome_is_not_listed_among_the_medicines(run: Any) -> None:
    payload = bundle([{"resource": AMOXICILLIN}, {"resource": {"resourceType": "OperationOutcome", "issue": [
        {"severity": "warning", "diagnostics": "not authorized for some resources"}]}, "search": {"mode": "outcome"}}])
    result = run.runner.invoke(app, ["check", "--fhir", "-"], input=json.dumps(payload))
    assert result.exit_code == 3, result.stdout
    header = result.stdout.split("NOT CHECKED")[0]
    assert "Medicines: amoxicillin 500 mg" in header and "OperationOutcome" not in header
    assert "not authorized for some resources" in result.stdout.split("NOT CHECKED")[1]
    code, data = check(run, payload)
    assert [i["kind"] for i in data["inputs"] if "OperationOutcome" in i["text"]] == ["input"]
