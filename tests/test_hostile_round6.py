"""Hostile input, round 6: findings that failed before their fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def _check(run: Any, *args: str) -> Any:
    result = run("check", *args, "--json")
    return result.exit_code, json.loads(result.stdout)


# CRITICAL 2: a dose fragment in an item of its own never lets the baclofen line before it be read as the total
@pytest.mark.parametrize("args", [["-w", "baclofen 20 mg qid\nplus 20 mg at night"],
                                  ["-w", "baclofen 20 mg qid", "-w", "20 mg at night"],
                                  ["-w", "baclofen 20 mg qid, top-up 20 mg at night"],
                                  ["-w", "baclofen 20 mg qid\nand 20 mg at night"]])
def test_a_dose_fragment_leaves_the_baclofen_total_unread(run: Any, args: list[str]) -> None:
    code, data = _check(run, *args)
    assert data["daily_dose_mg"] is None and code in (3, 4)
    assert any(i["status"] == "not-checked" and i["text"].startswith("baclofen") for i in data["inputs"])


def test_a_dose_fragment_in_a_screening_cell_leaves_the_row_not_fully_checked(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("id,medications,conditions\n1,baclofen 20 mg qid; 20 mg at night,\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("screen", str(source), "--out", str(out))
    [row] = [json.loads(line) for line in out.read_text().splitlines()]
    assert result.exit_code == 3 and row["status"] == "not-fully-checked"
    assert "baclofen 20 mg qid" in row["unrecognized"]


# CRITICAL 3 and MAJOR 4/5: several kidney values or stages, or a range: the worst is graded
@pytest.mark.parametrize("history, band", [("CKD stage 3, stage 5", "kidney-failure"), ("eGFR 10-40", "kidney-failure"),
                                           ("CrCl 10 to 40", "kidney-failure"),
                                           ("CKD stage 3a, stage 4 (severe)", "ckd-stage-4")])
def test_the_worst_kidney_value_stated_is_graded(run: Any, history: str, band: str) -> None:
    code, data = _check(run, "-w", "baclofen 5 mg tid", "-H", history)
    ids = {f["id"] for f in data["findings"]}
    assert band in ids, ids
    assert not any("30-49" in f["title"] or "50-80" in f["title"] for f in data["findings"])


# MAJOR 6: a negation before a comma never swallows a condition named after it
@pytest.mark.parametrize("history, caution", [("no seizures, and active peptic ulcer", "active-peptic-ulcer"),
                                              ("denies alcohol use, and CKD stage 5", "kidney-failure")])
def test_a_negation_stays_in_its_own_clause(run: Any, history: str, caution: str) -> None:
    code, data = _check(run, "-H", history)
    assert caution in {f["id"] for f in data["findings"]} and code == 4


# MAJOR 7: a note in brackets is cut at its commas, so no medicine hides in it
def test_a_medicine_in_a_bracketed_note_is_read(run: Any) -> None:
    code, data = _check(run, "-w", "metformin (held, on diazepam)", "-w", "oxycodone 5 mg qid")
    assert {"benzodiazepines", "opioid-with-depressant"} <= {f["id"] for f in data["findings"]}
    code, data = _check(run, "-w", "lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet, [Roxicodone, Oxaydo] 5 mg")
    assert len(data["inputs"]) == 2


# MAJOR 9: a diagnosis date is when the ulcer was found, not that it healed
def test_a_diagnosis_date_keeps_the_ulcer_active(run: Any) -> None:
    code, data = _check(run, "-H", "peptic ulcer, diagnosed 2015")
    assert [f["id"] for f in data["findings"]] == ["active-peptic-ulcer"]


# MAJOR 8: an eGFR Observation coded by LOINC under its OID, a trailing-slash URI, or another eGFR code is read
@pytest.mark.parametrize("system, code", [("urn:oid:2.16.840.1.113883.6.1", "33914-3"), ("http://loinc.org/", "33914-3"),
                                          ("http://loinc.org", "50044-7"), ("http://loinc.org", "70969-1")])
def test_egfr_observations_coded_other_ways_are_read(run: Any, tmp_path: Path, system: str, code: str) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "MedicationStatement", "status": "active",
                      "medicationCodeableConcept": {"text": "baclofen 20 mg tid"}}},
        {"resource": {"resourceType": "Observation", "status": "final",
                      "code": {"coding": [{"system": system, "code": code}]},
                      "valueQuantity": {"value": 12, "unit": "mL/min/1.73m2"}}}]}
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    code_, data = _check(run, "--fhir", str(path))
    assert [r["value"] for r in data["renal"]] == [12]
    assert any("below 15" in f["title"] for f in data["findings"]) and code_ == 1


# final re-test 2: every stage named in one line counts; the worst is graded
@pytest.mark.parametrize("history", ["CKD stage 3 or 5", "CKD stage 3 and 5", "CKD 3-5", "CKD 3/5", "CKD stage 3 -> 5"])
def test_every_stage_named_counts(run: Any, history: str) -> None:
    code, data = _check(run, "-w", "baclofen 5 mg tid", "-H", history)
    assert "kidney-failure" in {f["id"] for f in data["findings"]}
    assert not any("30-49" in f["title"] for f in data["findings"])


# final re-test 3 and 4: a negation covers one clause; what the item goes on to name is read
@pytest.mark.parametrize("history", ["no seizures; active peptic ulcer", "no seizures but active peptic ulcer",
                                     "no seizures. Active peptic ulcer"])
def test_a_negated_clause_never_hides_the_next(run: Any, history: str) -> None:
    code, data = _check(run, "-H", history)
    assert "active-peptic-ulcer" in {f["id"] for f in data["findings"]} and code == 4


@pytest.mark.parametrize("line", ["metformin (held; on diazepam)", "metformin (held, on diazepam)"])
def test_a_held_medicine_never_hides_the_one_named_after_it(run: Any, line: str) -> None:
    code, data = _check(run, "-w", line, "-w", "oxycodone 5 mg qid")
    assert {"benzodiazepines", "opioid-with-depressant"} <= {f["id"] for f in data["findings"]}
    assert code == 4  # the held medicine's item stays not checked


def test_a_negation_alone_is_still_not_checked(run: Any) -> None:
    for args in (["-H", "no seizures"], ["-w", "stopped oxycodone"], ["-w", "oxycodone 5 mg (discontinued)"]):
        code, data = _check(run, *args)
        assert code == 3 and data["findings"] == []


# final re-test 1: a column under a name nobody foresaw ("OTC", "Supplements", "PRN") never passes a medicine over
@pytest.mark.parametrize("column", ["OTC", "Supplements", "PRN", "Sig", "Cr Cl", "Herbals"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_medicine_in_a_column_not_read_keeps_the_row_from_clean(run: Any, tmp_path: Path, column: str,
                                                                   jobs: str) -> None:
    source = tmp_path / "p.csv"
    source.write_text(f"id,medications,conditions,{column},Name\n1,baclofen 20 mg tid,gout,diphenhydramine 50 mg,Jo\n"
                      "2,paracetamol,,,Ann\n3,paracetamol,,nothing known here,Bo\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("screen", str(source), "--out", str(out), "--jobs", jobs, "--ignore-column", "Name")
    if result.exit_code == 2:  # a column whose name looks clinical stops the run: also never clean
        assert "would not be read" in result.stderr
        return
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert result.exit_code == 3
    assert [r["status"] for r in rows] == ["not-fully-checked", "clean", "clean"]
    assert any("diphenhydramine" in u for u in rows[0]["unrecognized"])
