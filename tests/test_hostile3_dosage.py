"""Hostile review round 3: a baclofen daily dose is shown and checked only when every baclofen
line or resource is read fully and without doubt; otherwise it is "not read" and no partial total
is printed or used. Reviewer inputs are in tests/data/fhir/hostile3-*.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from test_installed import run as run_installed

FHIR = Path(__file__).parent / "data" / "fhir"


def ids(data: Dict[str, Any]) -> List[str]:
    return [f["id"] for f in data["findings"]]


def fhir_json(run: Any, name: str) -> tuple[int, Dict[str, Any]]:
    code, data = run.json("check", "--fhir", str(FHIR / name))
    return code, data


# -- N1: an amount with no frequency of its own before "+", "and", "&", "plus", ";" -------------------

@pytest.mark.parametrize("line", [
    "baclofen 40 mg + 20 mg tid", "baclofen 10 mg and 20 mg tid", "baclofen 10 mg and 10 mg three times daily",
    "baclofen 10 mg & 20 mg tid", "baclofen 10 mg plus 20 mg tid", "baclofen 10 mg; 20 mg tid",
])
def test_amount_without_its_own_frequency_is_not_read(run: Any, line: str) -> None:
    code, data = run.json("check", "--with", line)
    assert data["daily_dose_mg"] is None
    assert data["unrecognized"] == [line] and code == 3


def test_amounts_each_with_a_frequency_still_add_up(run: Any) -> None:
    code, data = run.json("check", "--with", "baclofen 30 mg tid and 30 mg qhs")
    assert data["daily_dose_mg"] == 120


def test_the_one_strength_then_a_tablet_count_is_still_read(run: Any) -> None:
    code, data = run.json("check", "--with", "baclofen 10 mg; 1 tab tid")
    assert data["daily_dose_mg"] == 30 and code == 0


def test_screen_reads_the_dose_the_same_way(run: Any, tmp_path: Path) -> None:
    table = tmp_path / "p.csv"
    table.write_text("id,medications,conditions\np1,baclofen 40 mg + 20 mg tid,\n", encoding="utf-8")
    result = run("screen", str(table), "--out", "-", "--out-format", "jsonl")
    row = json.loads(result.stdout.splitlines()[0])
    assert row["fully_checked"] is False and result.exit_code in (3, 4)


# -- J2: Roman numeral tablet counts; no partial total when a line is not read ---------------------

def test_roman_numeral_tablet_count_is_read(run: Any) -> None:
    code, data = run.json("check", "--with", "baclofen 10 mg tabs ii po tid", "--with", "baclofen 40 mg daily")
    assert data["daily_dose_mg"] == 100
    assert not data["unrecognized"]
    more = [f for f in data["findings"] if f["id"] == "baclofen-more-than-one"][0]
    assert "their total (100 mg a day)" in more["advice"]


def test_a_baclofen_line_not_fully_read_leaves_no_total(run: Any) -> None:
    code, data = run.json("check", "--with", "baclofen 10 mg tab v tid", "--with", "baclofen 40 mg daily")
    assert data["daily_dose_mg"] is None and code == 4
    more = [f for f in data["findings"] if f["id"] == "baclofen-more-than-one"][0]
    assert "used their total" not in more["advice"] and "not all read" in more["advice"]
    result = run("check", "--with", "baclofen 10 mg tab v tid", "--with", "baclofen 40 mg daily")
    assert "Daily dose:" not in result.stdout and "70" not in result.stdout


# -- N3: a decimal comma ------------------------------------------------------------------------------

def test_decimal_comma_strength_is_read_as_decimal(run: Any) -> None:
    code, data = fhir_json(run, "hostile3-v2.json")  # 7,5 mg tablets, 4 tablets 4 times a day
    assert data["daily_dose_mg"] == 120
    assert "baclofen-dose-above-max" in ids(data) or code == 1


def test_decimal_comma_in_a_line_is_read_or_not_read_never_smaller(run: Any) -> None:
    from baclofen_cli.lines import daily_mg

    assert daily_mg("baclofen 7,5 mg 4 tabs qid") == 120
    code, data = run.json("check", "--with", "baclofen 7,5 mg 4 tabs qid")  # the comma splits the item first
    assert data["daily_dose_mg"] is None and code == 3


def test_a_comma_that_may_be_a_thousands_separator_is_not_read(run: Any) -> None:
    from baclofen_cli.lines import daily_mg

    assert daily_mg("baclofen 1,500 mg daily") is None
    assert daily_mg("baclofen 7, 5 mg qid") is None


# -- N2 and m7: resources ---------------------------------------------------------------------------

def test_two_resources_with_the_same_text_are_not_counted_once(run: Any) -> None:
    code, data = fhir_json(run, "hostile3-v1.json")  # two MedicationStatements, 50 mg a day each
    assert data["daily_dose_mg"] is None and code == 3
    assert "2 resources name it" in json.dumps(data["inputs"])


def test_two_resources_with_the_same_dosage_text_only_are_not_counted_once(run: Any, tmp_path: Path) -> None:
    one = {"resourceType": "MedicationStatement", "status": "active",
           "medicationCodeableConcept": {"text": "baclofen 50 mg daily"}}
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                "entry": [{"resource": one}, {"resource": one}]}), encoding="utf-8")
    code, data = run.json("check", "--fhir", str(path))
    assert data["daily_dose_mg"] is None and code == 3


def test_bulk_export_with_two_identical_orders_is_not_clean(run: Any, tmp_path: Path) -> None:
    line = json.dumps(json.loads((FHIR / "hostile3-v1.json").read_text())["entry"][0]["resource"]
                      | {"resourceType": "MedicationRequest", "intent": "order",
                         "subject": {"reference": "Patient/p1"}})
    folder = tmp_path / "bulk"
    folder.mkdir()
    (folder / "MedicationRequest.ndjson").write_text(line + "\n" + line + "\n", encoding="utf-8")
    result = run("screen", str(folder), "--out", "-", "--out-format", "jsonl")
    row = json.loads(result.stdout.splitlines()[0])
    assert row["fully_checked"] is False and result.exit_code in (3, 4)


def test_two_names_of_one_resource_are_one_line(run: Any) -> None:
    code, data = fhir_json(run, "hostile3-m7-two-names.json")  # text and coding display, 10 mg tid
    assert "baclofen-more-than-one" not in ids(data)
    assert data["daily_dose_mg"] == 30 and code == 0


# -- N4: intrathecal route and injection form -------------------------------------------------------

def test_intrathecal_route_makes_intrathecal_baclofen(run: Any) -> None:
    code, data = fhir_json(run, "hostile3-v3.json")
    assert data["daily_dose_mg"] is None
    assert "baclofen-intrathecal" in ids(data) and code == 1


def test_injection_form_through_medication_reference(run: Any, tmp_path: Path) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:m1", "resource": {"resourceType": "Medication", "id": "m1",
                                                 "code": {"text": "baclofen 500 mcg/mL"},
                                                 "form": {"text": "solution for injection"}}},
        {"resource": {"resourceType": "MedicationStatement", "status": "active",
                      "medicationReference": {"reference": "urn:uuid:m1"}}}]}
    path = tmp_path / "f.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    code, data = run.json("check", "--fhir", str(path))
    assert "baclofen-intrathecal" in ids(data) and data["daily_dose_mg"] is None


def test_route_coded_it(run: Any, tmp_path: Path) -> None:
    res = json.loads((FHIR / "hostile3-v3.json").read_text())
    res["dosage"][0]["route"] = {"coding": [{"system": "http://snomed.info/sct", "code": "72607000"}]}
    path = tmp_path / "f.json"
    path.write_text(json.dumps(res), encoding="utf-8")
    code, data = run.json("check", "--fhir", str(path))
    assert "baclofen-intrathecal" in ids(data) and data["daily_dose_mg"] is None


# -- N5: R5 asNeeded / asNeededFor ------------------------------------------------------------------

def test_r5_as_needed_true_is_not_checked(run: Any) -> None:
    code, data = fhir_json(run, "hostile3-v4.json")
    assert data["daily_dose_mg"] is None and code == 3
    assert "as needed" in json.dumps(data["inputs"])


def test_r5_as_needed_for_is_not_checked(run: Any, tmp_path: Path) -> None:
    res = json.loads((FHIR / "hostile3-v4.json").read_text())
    del res["dosage"][0]["asNeeded"]
    res["dosage"][0]["asNeededFor"] = [{"text": "spasm"}]
    path = tmp_path / "f.json"
    path.write_text(json.dumps(res), encoding="utf-8")
    code, data = run.json("check", "--fhir", str(path))
    assert data["daily_dose_mg"] is None and code == 3


# -- J1: structured dose against its own text and timing --------------------------------------------

def test_structured_dose_disagreeing_with_timing_code_and_text_is_not_read(run: Any) -> None:
    code, data = fhir_json(run, "hostile3-v5.json")
    assert data["daily_dose_mg"] is None and code == 3


@pytest.mark.parametrize("change", [
    {"timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}}},  # text alone disagrees
    {"text": None},  # timing.code alone disagrees
    {"text": None, "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"},
                              "event": ["2026-01-01T08:00:00Z", "2026-01-01T20:00:00Z"]}},
    {"text": None, "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d",
                                         "timeOfDay": ["08:00:00", "14:00:00", "20:00:00"]}}},
])
def test_each_disagreement_alone_is_not_read(run: Any, tmp_path: Path, change: Dict[str, Any]) -> None:
    res = json.loads((FHIR / "hostile3-v5.json").read_text())
    for key, value in change.items():
        if value is None:
            del res["dosage"][0][key]
        else:
            res["dosage"][0][key] = value
    path = tmp_path / "f.json"
    path.write_text(json.dumps(res), encoding="utf-8")
    code, data = run.json("check", "--fhir", str(path))
    assert data["daily_dose_mg"] is None and code == 3


def test_structured_dose_agreeing_with_text_and_code_is_read(run: Any, tmp_path: Path) -> None:
    res = json.loads((FHIR / "hostile3-v5.json").read_text())
    res["dosage"][0]["timing"]["repeat"]["frequency"] = 4
    res["dosage"][0]["doseAndRate"][0]["doseQuantity"]["value"] = 40
    path = tmp_path / "f.json"
    path.write_text(json.dumps(res), encoding="utf-8")
    code, data = run.json("check", "--fhir", str(path))
    assert data["daily_dose_mg"] == 160


# -- J5: hypertensive kidney disease with stage 5 CKD or ESRD ---------------------------------------

@pytest.mark.parametrize("code", ["I12.0", "I13.2"])
def test_icd_hypertensive_ckd_stage_5_is_kidney_failure(run: Any, code: str) -> None:
    status, data = run.json("check", "--history", code, "--daily-dose", "20")
    assert "kidney-failure" in ids(data) and "kidney-disease" not in ids(data)


def test_icd_hypertensive_ckd_unstaged_stays_kidney_disease(run: Any) -> None:
    status, data = run.json("check", "--history", "I12.9", "--daily-dose", "20")
    assert "kidney-disease" in ids(data) and "kidney-failure" not in ids(data)


# -- m6: negated condition words --------------------------------------------------------------------

@pytest.mark.parametrize("line, present, absent", [
    ("CKD stage 4 not on dialysis", "ckd-stage-4", "kidney-failure"),
    ("Depression without psychosis", "depressive-manic", "psychosis"),
    ("Gout, without epilepsy", None, "seizure-disorders"),
])
def test_negated_condition_is_not_added(run: Any, line: str, present: str | None, absent: str) -> None:
    code, data = run.json("check", "--history", line)
    assert absent not in ids(data)
    if present:
        assert present in ids(data)
    item = data["inputs"][0]
    assert any("read as not present" in w for w in item["unaccounted"]) and code in (3, 4)


def test_history_file_line_continued_by_without(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "h.txt"
    path.write_text("Gout\nwithout epilepsy\n", encoding="utf-8")
    code, data = run.json("check", "--history-file", str(path))
    assert "seizure-disorders" not in ids(data) and code in (3, 4)


# -- installed script -------------------------------------------------------------------------------

def test_installed_amount_without_frequency_and_roman_count(tmp_path: Path) -> None:
    proc = run_installed(["check", "--with", "baclofen 40 mg + 20 mg tid", "--with", "baclofen 10 mg tabs ii po tid"],
                         tmp_path)
    out = proc.stdout.decode()
    assert proc.returncode in (3, 4) and "Daily dose:" not in out and "60" not in out.split("NOT CHECKED")[0]
    proc = run_installed(["check", "--fhir", str(FHIR / "hostile3-v1.json")], tmp_path)
    assert proc.returncode == 3 and "Daily dose:" not in proc.stdout.decode()


def test_text_in_its_own_words_agreeing_with_the_structured_dose_is_read(run: Any, tmp_path: Path) -> None:
    res = json.loads((FHIR / "hostile3-v5.json").read_text())
    res["dosage"][0]["text"] = "take 10 mg by mouth three times a day"
    res["dosage"][0]["timing"] = {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"},
                                  "code": {"coding": [{"code": "TID"}], "text": "three times daily"}}
    path = tmp_path / "f.json"
    path.write_text(json.dumps(res), encoding="utf-8")
    code, data = run.json("check", "--fhir", str(path))
    assert data["daily_dose_mg"] == 30 and code == 0
