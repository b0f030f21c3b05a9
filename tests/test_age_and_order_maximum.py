"""Age from Patient.birthDate and from --history phrases, and a FHIR order's maxDosePerPeriod checked
against the maximum (clinical review round 2, clinical-3 MEDIUM 6 and 7)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from test_installed import run as run_installed

from baclofen_cli.cli import app

DATA = Path(__file__).parent / "data"


def check(run: Any, payload: Any, *extra: str) -> tuple[int, Dict[str, Any]]:
    result = run.runner.invoke(app, ["check", "--fhir", "-", "--json", *extra],
                               input=payload if isinstance(payload, str) else json.dumps(payload))
    assert result.stdout.startswith("{"), result.output
    return result.exit_code, json.loads(result.stdout)


def ids(data: Dict[str, Any]) -> List[str]:
    return [f["id"] for f in data["findings"]]


def not_checked(data: Dict[str, Any]) -> str:
    return json.dumps([(i["text"], i["hint"]) for i in data["inputs"] if i["status"] == "not-checked"])


def patient(birth: Any, *more: Dict[str, Any]) -> Dict[str, Any]:
    res: Dict[str, Any] = {"resourceType": "Patient", "id": "p1"}
    if birth is not None:
        res["birthDate"] = birth
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"resource": r} for r in (res, *more)]}


# -- age: Patient.birthDate -------------------------------------------------------------------

def test_reviewer_bundle_born_1938_with_diphenhydramine(run: Any) -> None:
    code, data = check(run, (DATA / "fhir_patient_1938_diphenhydramine.json").read_text(encoding="utf-8"))
    assert code == 1
    assert "older-age" in ids(data)
    assert "confusion-drug-in-older-age" in ids(data)
    age = [i for i in data["inputs"] if i["text"].startswith("age ")]
    assert age and "birthDate 1938-04-02" in age[0]["from"] and "age on" in age[0]["from"]


def test_reviewer_bundle_through_the_installed_script(tmp_path: Path) -> None:
    proc = run_installed(["check", "--fhir", str(DATA / "fhir_patient_1938_diphenhydramine.json")], tmp_path,
                         env={"BACLO_CACHE_DIR": str(tmp_path / "c")})
    out = proc.stdout.decode()
    assert proc.returncode == 1, out + proc.stderr.decode()
    assert "Older age (65 and over)" in out and "Medicine that can cause confusion, in an older person" in out


def test_a_child_is_the_children_caution(run: Any) -> None:
    born = datetime.date.today().year - 9
    code, data = check(run, patient(f"{born}-01-01"))
    assert code == 1 and "child-8-to-17" in ids(data)  # round D: the age picks its UK maximum


def test_a_year_alone_decides_only_when_unambiguous(run: Any) -> None:
    today = datetime.date.today()
    code, data = check(run, patient("1938"))
    assert "older-age" in ids(data)
    code, data = check(run, patient(str(today.year - 65)))  # 64 or 65 this year: not known
    assert code == 3 and "older-age" not in ids(data)
    assert "give the full date" in not_checked(data)


def test_an_adult_age_is_skipped_with_its_reason_and_no_caution(run: Any) -> None:
    born = datetime.date.today().year - 40
    code, data = check(run, patient(f"{born}-06-15", {"resourceType": "Condition", "code": {"text": "gout"},
                                                      "subject": {"reference": "Patient/p1"}}))
    assert code == 0
    assert "older-age" not in ids(data) and "children" not in ids(data)
    assert any("18 to 64" in s["reason"] for s in data["skipped"]), data["skipped"]


@pytest.mark.parametrize("birth", ["1938-13-01", "38", "1938/04/02", 1938, "2999-01-01"])
def test_an_unreadable_birth_date_is_not_checked(run: Any, birth: Any) -> None:
    code, data = check(run, patient(birth))
    assert code == 3
    assert "birthDate" in not_checked(data)


def test_no_birth_date_is_fine(run: Any) -> None:
    code, data = check(run, patient(None, {"resourceType": "Condition", "code": {"text": "gout"},
                                            "subject": {"reference": "Patient/p1"}}))
    assert code == 0 and "older-age" not in ids(data)


# -- age: typed in --history --------------------------------------------------------------------

@pytest.mark.parametrize("text", ["age 80", "aged 80", "80 yo", "80 y/o", "80 year old", "80-year-old", "83F",
                                  "83 M", "frailty", "frail elderly", "R54"])
def test_older_age_phrases(run: Any, text: str) -> None:
    code, data = run.json("check", "--history", text)
    assert "older-age" in ids(data), data
    assert not data["unrecognized"]


def test_older_age_phrase_with_diphenhydramine_is_the_combination(run: Any) -> None:
    code, data = run.json("check", "--with", "diphenhydramine", "--history", "83F")
    assert "confusion-drug-in-older-age" in ids(data)


def test_child_and_adult_age_phrases(run: Any) -> None:
    assert "child-8-to-17" in ids(run.json("check", "--history", "aged 12")[1])
    code, data = run.json("check", "--history", "age 40")
    assert code == 3 and not {"older-age", "children", "child-8-to-17", "child-under-8"} & set(ids(data))


def test_age_phrase_through_the_installed_script(tmp_path: Path) -> None:
    proc = run_installed(["check", "--with", "diphenhydramine", "--history", "80 y/o"], tmp_path,
                         env={"BACLO_CACHE_DIR": str(tmp_path / "c")})
    out = proc.stdout.decode()
    assert proc.returncode == 1, out + proc.stderr.decode()
    assert "Older age (65 and over)" in out


# -- maxDosePerPeriod ---------------------------------------------------------------------------

def order(maximum: Any, dose: float = 10, frequency: int = 3) -> Dict[str, Any]:
    res = json.loads((DATA / "fhir_baclofen_order_max_120.json").read_text(encoding="utf-8"))
    entry = res["dosageInstruction"][0]
    entry["doseAndRate"][0]["doseQuantity"]["value"] = dose
    entry["timing"]["repeat"]["frequency"] = frequency
    entry["maxDosePerPeriod"] = maximum
    return res


def ratio(value: Any, unit: str, per: float = 1, period: str = "d") -> Dict[str, Any]:
    return {"numerator": {"value": value, "unit": unit}, "denominator": {"value": per, "unit": period}}


def test_reviewer_order_10_mg_tid_max_120_mg_a_day(run: Any) -> None:
    code, data = check(run, (DATA / "fhir_baclofen_order_max_120.json").read_text(encoding="utf-8"))
    assert code == 1
    assert data["daily_dose_mg"] == 30
    found = [f for f in data["findings"] if f["id"] == "dose-order-maximum"]
    assert found and found[0]["severity"] == "major"
    assert "allowed maximum" in found[0]["effect"] and "120 mg" in found[0]["effect"]


def test_reviewer_order_through_the_installed_script(tmp_path: Path) -> None:
    proc = run_installed(["check", "--fhir", str(DATA / "fhir_baclofen_order_max_120.json")], tmp_path,
                         env={"BACLO_CACHE_DIR": str(tmp_path / "c")})
    out = proc.stdout.decode()
    assert proc.returncode == 1, out + proc.stderr.decode()
    assert "allowed maximum" in out and "120 mg" in out


@pytest.mark.parametrize("maximum", [ratio(40, "mg", 8, "h"), ratio(12, "tablet"), [ratio(120, "mg")],
                                     ratio(0.12, "g")])
def test_other_ways_to_state_120_mg_a_day(run: Any, maximum: Any) -> None:
    code, data = check(run, order(maximum))
    assert "dose-order-maximum" in ids(data), data["findings"]


def test_a_maximum_within_the_limit_adds_nothing(run: Any) -> None:
    code, data = check(run, order(ratio(60, "mg")))
    assert code == 0 and "dose-order-maximum" not in ids(data)


@pytest.mark.parametrize("maximum", ["lots", ratio(500, "mg", 1, "wk"), ratio(12, "puff"), ratio("x", "mg"),
                                     {"numerator": {"value": 120, "unit": "mg"}}])
def test_a_maximum_not_read_leaves_the_dose_not_checked(run: Any, maximum: Any) -> None:
    code, data = check(run, order(maximum))
    assert code == 3
    assert "maxDosePerPeriod" in not_checked(data)


def test_an_explicit_daily_dose_still_wins_and_the_order_maximum_is_still_shown(run: Any) -> None:
    code, data = check(run, order(ratio(120, "mg")), "--daily-dose", "40")
    assert data["daily_dose_mg"] == 40
    assert "dose-disagreement" in ids(data) and "dose-order-maximum" in ids(data)


def test_a_maximum_on_another_medicine_is_not_used(run: Any) -> None:
    res = order(ratio(4000, "mg"))
    res["medicationCodeableConcept"] = {"text": "paracetamol 500 mg tablet"}
    code, data = check(run, res)
    assert "dose-order-maximum" not in ids(data)
