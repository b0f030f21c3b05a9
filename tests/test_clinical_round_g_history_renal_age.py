"""Clinical round G, MEDIUM 4, 5 and 10: resolved FHIR Conditions are a history, a "less than" kidney value
is graded at its worst case, and children's ages in common forms are read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

from baclofen_cli.inputs.fhir import record_from_resources
from baclofen_cli.lines import age_from_condition, renal_from_condition

DATA = Path(__file__).parent / "data" / "fhir"
RESOLVED = DATA / "round-g-resolved-conditions.json"
EGFR_LESS = DATA / "round-g-egfr-less-than.json"


def findings(run: Any, *args: str) -> Dict[str, Dict[str, Any]]:
    result = run("check", *args, "--json")
    assert result.exit_code in (0, 1, 3, 4), result.stderr
    return {f["id"]: f for f in json.loads(result.stdout)["findings"]}


# ---------------------------------------------------------------- MEDIUM 4: resolved or inactive Conditions

def test_resolved_ulcer_and_inactive_seizures_are_checked_as_a_history(run: Any) -> None:
    result = run("check", "--fhir", str(RESOLVED), "--json")
    data = json.loads(result.stdout)
    ids = {f["id"]: f["severity"] for f in data["findings"]}
    assert ids["peptic-ulcer-history"] == "minor"
    assert "active-peptic-ulcer" not in ids  # the ICD-10-CM code of a resolved ulcer is a history too
    assert ids["seizure-disorders"] == "moderate"
    origin = {i["text"]: i["from"] for i in data["inputs"]}
    assert origin["history of Peptic ulcer"] == "Condition/c-ulcer, clinical status resolved"
    assert origin["history of ICD-10-CM K27.9"] == "Condition/c-ulcer, clinical status resolved"
    assert origin["history of Seizure disorder"] == "Condition/c-seizure, clinical status inactive"
    # entered-in-error stays skipped, with its reason
    assert data["skipped"] == [{"where": "Condition/c-error", "text": "Schizophrenia",
                                "reason": "verification status entered-in-error"}]
    assert not any("schizophrenia" in i["text"].lower() for i in data["inputs"])
    assert result.exit_code == 1


def test_text_output_labels_the_history_as_resolved(run: Any) -> None:
    out = run("check", "--fhir", str(RESOLVED)).stdout
    assert "From: history of Seizure disorder (Epilepsy and seizure disorders)" in out
    assert "Caution: History of peptic ulcer" in out and "CONTRAINDICATED" not in out
    assert "Condition/c-error: Schizophrenia: verification status entered-in-error" in out


@pytest.mark.parametrize("text", ["Peptic ulcer", "history of peptic ulcer", "Hx PUD"])
def test_a_resolved_ulcer_is_never_the_contraindication(run: Any, tmp_path: Path, text: str) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
        "resourceType": "Condition", "clinicalStatus": {"coding": [{"code": "resolved"}]}, "code": {"text": text},
    }}]}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(bundle))
    ids = findings(run, "--fhir", str(path))
    assert ids["peptic-ulcer-history"]["severity"] == "minor" and "active-peptic-ulcer" not in ids


def test_an_active_ulcer_code_is_still_the_contraindication(run: Any) -> None:
    # only the resolved Condition's form is a history: a code typed or given as active is not changed
    assert "active-peptic-ulcer" in findings(run, "-H", "K27.9")
    record = record_from_resources([{"resourceType": "Condition", "code": {
        "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "K27.9"}]}}])
    assert record.conditions == ("ICD-10-CM K27.9",)


def test_bulk_export_reads_a_resolved_condition_as_the_single_file_does(run: Any, tmp_path: Path) -> None:
    bundle = json.loads(RESOLVED.read_text())
    export = tmp_path / "export"
    export.mkdir()
    by_type: Dict[str, List[str]] = {}
    for entry in bundle["entry"]:
        res = entry["resource"]
        by_type.setdefault(res["resourceType"], []).append(json.dumps(res))
    for kind, lines in by_type.items():
        (export / f"{kind}.ndjson").write_text("\n".join(lines) + "\n")
    out = tmp_path / "bulk.jsonl"
    run("screen", str(export), "--out", str(out), "--json")
    row = json.loads(out.read_text().splitlines()[0])
    single = json.loads(run("check", "--fhir", str(RESOLVED), "--json").stdout)
    assert sorted(f["id"] for f in row["findings"]) == sorted(f["id"] for f in single["findings"])
    assert "peptic-ulcer-history" in {f["id"] for f in row["findings"]}


# ---------------------------------------------------------------- MEDIUM 5: "less than" kidney values

@pytest.mark.parametrize("text", ["CrCl <30", "CrCl < 30", "CrCl less than 30", "crcl under 30", "CrCl below 30",
                                  "creatinine clearance of less than 30"])
def test_less_than_30_is_graded_below_15(run: Any, text: str) -> None:
    ids = findings(run, "-H", text, "--daily-dose", "20")
    band = ids["renal-end-stage"]
    assert band["severity"] == "major"
    assert "within the reduced maximum" not in band["effect"] and "above about 5 mg" in band["effect"]
    assert "creatinine clearance <30 mL/min" in " ".join(band["notes"])
    assert any("worst band it allows" in n for n in band["notes"])
    assert "renal-severe" not in ids


def test_less_than_note_in_patient_words(run: Any) -> None:
    out = run("check", "-H", "eGFR <30", "--daily-dose", "20", "--audience", "patient").stdout
    assert "given only as less than 30, so baclo checked the dose against the lowest level it could be" in out
    assert "worst band" not in out


@pytest.mark.parametrize("text,expected", [("eGFR <=15", "renal-end-stage"), ("eGFR <60", "renal-end-stage"),
                                           ("eGFR 25", "renal-severe"), ("CKD stage 4", "renal-severe")])
def test_limits_and_plain_values(run: Any, text: str, expected: str) -> None:
    ids = findings(run, "-H", text, "--daily-dose", "20")
    assert expected in ids
    assert not [i for i in ids if i.startswith("renal-") and i != expected]


def test_reading_the_comparator() -> None:
    for text, comparator in [("eGFR <30", "<"), ("eGFR <=15", "<="), ("eGFR \u2264 15", "<="), ("eGFR >60", ">"),
                             ("eGFR 25", None), ("eGFR less than 30", "<"), ("eGFR 15-29", None)]:
        renal = renal_from_condition(text)
        assert renal is not None and renal.comparator == comparator, text
    less = renal_from_condition("CrCl <30")
    assert less is not None and (less.value, less.graded, less.shown) == (30, 0, "creatinine clearance <30 mL/min")
    more = renal_from_condition("eGFR >60")
    assert more is not None and more.graded == 60  # ">": its lower bound, as a plain value


def test_fhir_less_than_observation_is_shown_with_its_comparator_and_graded_worst(run: Any) -> None:
    result = run("check", "--fhir", str(EGFR_LESS), "--daily-dose", "20")
    assert "eGFR <30 mL/min (Observation/egfr, 2026-11-01)" in result.stdout
    assert "within the reduced maximum" not in result.stdout
    data = json.loads(run("check", "--fhir", str(EGFR_LESS), "--daily-dose", "20", "--json").stdout)
    assert data["renal"] == [{"measure": "egfr", "value": 30, "source": "Observation/egfr, 2026-11-01",
                              "comparator": "<"}]
    assert {f["id"]: f["severity"] for f in data["findings"]}["renal-end-stage"] == "major"


def test_fhir_greater_than_is_graded_at_its_lower_bound(run: Any, tmp_path: Path) -> None:
    bundle = json.loads(EGFR_LESS.read_text())
    bundle["entry"][1]["resource"]["valueQuantity"].update(value=60, comparator=">")
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(bundle))
    data = json.loads(run("check", "--fhir", str(path), "--daily-dose", "60", "--json").stdout)
    assert "renal-mild" in {f["id"] for f in data["findings"]}  # 60 is in the 50-80 band
    assert data["renal"][0]["comparator"] == ">"


# ---------------------------------------------------------------- MEDIUM 10: children's ages

@pytest.mark.parametrize("text,years", [
    ("7 yrs", 7), ("6 mo", 0), ("18 months", 1), ("newborn", 0), ("neonate", 0), ("neonatal", 0), ("12 y", 12),
    ("16yrs", 16), ("age 18 months", 1), ("7yo", 7), ("7 y/o", 7), ("7-year-old", 7), ("6 months old", 0),
    ("9 years of age", 9), ("age 80", 80), ("83F", 83),
])
def test_ages_are_read(text: str, years: int) -> None:
    age = age_from_condition(text)
    assert age is not None and age[2] == years


@pytest.mark.parametrize("text", ["epilepsy 7 yrs", "PUD 10 years ago", "seizures since 6 months", "CKD 4",
                                  "history of neonatal seizures"])
def test_a_duration_is_not_an_age(text: str) -> None:
    assert age_from_condition(text) is None


@pytest.mark.parametrize("text", ["7 yrs", "6 mo", "18 months", "newborn", "neonate", "7yo", "7 y/o", "7-year-old",
                                  "age 18 months"])
def test_a_young_childs_dose_is_checked_against_the_under_8_maximum(run: Any, text: str) -> None:
    result = run("check", "-H", text, "--daily-dose", "60", "--json")
    ids = {f["id"]: f["severity"] for f in json.loads(result.stdout)["findings"]}
    assert ids["dose-child-under-8"] == "major"
    assert result.exit_code == 1


@pytest.mark.parametrize("text", ["12 y", "16yrs", "9 years of age"])
def test_an_older_childs_dose_is_checked_against_the_8_to_17_maximum(run: Any, text: str) -> None:
    ids = findings(run, "-H", text, "--daily-dose", "80")
    assert ids["dose-child-8-to-17"]["severity"] == "major"


@pytest.mark.parametrize("country", [["--country", "us"], []])
def test_us_or_no_country_adds_the_us_under_12_statement(run: Any, country: List[str]) -> None:
    ids = findings(run, "-H", "age 10", "--daily-dose", "80", *country)
    for fid in ("child-8-to-17", "dose-child-8-to-17"):
        assert any("not been established under 12" in n for n in ids[fid]["notes"]), fid
        assert "us-label 8.4" in ids[fid]["sources"]


def test_uk_names_only_the_uk_maximum(run: Any) -> None:
    ids = findings(run, "-H", "age 10", "--daily-dose", "80", "--country", "uk")
    assert not any("under 12" in n for n in ids["dose-child-8-to-17"]["notes"])
    assert "us-label 8.4" not in ids["dose-child-8-to-17"]["sources"]


def test_installed_script_reads_a_childs_age(tmp_path: Path) -> None:
    from test_installed import run as installed

    proc = installed(["check", "-H", "7 yrs", "--daily-dose", "60", "--brief"], tmp_path)
    assert proc.returncode == 1
    assert "Daily dose of 60 mg with child under 8 years" in proc.stdout.decode()
