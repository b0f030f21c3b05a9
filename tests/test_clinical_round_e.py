"""Clinical review round E: a recent ulcer stays active; two baclofen lines in one item; a child's order maximum."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any, List

import pytest

THIS_YEAR = datetime.date.today().year


@pytest.mark.parametrize("text", [f"bleeding ulcer ({THIS_YEAR})", f"duodenal ulcer in {THIS_YEAR}",
                                  "peptic ulcer 2 months ago", f"PUD ({THIS_YEAR})", "bleeding ulcer 3 days ago",
                                  "peptic ulcer 1 week ago"])
@pytest.mark.parametrize("audience", ["professional", "patient"])
def test_a_recent_ulcer_stays_the_contraindication(run: Any, text: str, audience: str) -> None:
    _, payload = run.json("check", "-H", text, "--audience", audience)
    assert [f["id"] for f in payload["findings"]][:1] == ["active-peptic-ulcer"]
    assert payload["findings"][0]["severity"] == "contraindicated"


# clinical round I: a year alone, in brackets or after "in" as bare, no longer makes an ulcer history (it stays the
# contraindication, the year not read: tests/test_clinical_round_i.py); these keep a history word with the year
@pytest.mark.parametrize("text", ["h/o peptic ulcer 10 years ago", "h/o PUD (2015)", "history of bleeding ulcer",
                                  "previous peptic ulcer 6 months ago", f"old gastric ulcer ({THIS_YEAR - 3})"])
def test_a_clearly_past_ulcer_is_history(run: Any, text: str) -> None:
    _, payload = run.json("check", "-H", text)
    assert [f["id"] for f in payload["findings"]] == ["peptic-ulcer-history"]


@pytest.mark.parametrize("text", ["baclofen 10 mg tid; baclofen 10 mg tid", "baclofen 10 mg tid and baclofen 10 mg tid",
                                  "baclofen 10 mg tid & baclofen 10 mg tid", "baclofen 40 mg tid + Lioresal 40 mg"])
def test_two_baclofen_lines_in_one_item_are_never_one_dose(run: Any, text: str) -> None:
    code, payload = run.json("check", "-w", text)
    assert code != 0 and payload["daily_dose_mg"] is None


@pytest.mark.parametrize("text,dose", [("baclofen (LIORESAL) 10 MG tablet, 1 tab tid", 30),
                                       ("Baclofen 10 MG Oral Tablet [Lioresal], 1 tab tid", 30)])
def test_a_brand_in_brackets_is_the_same_line(run: Any, text: str, dose: int) -> None:
    _, payload = run.json("check", "-w", text)
    assert payload["daily_dose_mg"] == dose


def _child_order(tmp_path: Path, age: int, maximum: int) -> Path:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "k1", "birthDate": f"{THIS_YEAR - age - 1}-01-01"}},
        {"resource": {"resourceType": "MedicationRequest", "status": "active", "subject": {"reference": "Patient/k1"},
                      "medicationCodeableConcept": {"text": "baclofen 10 mg tablet"},
                      "dosageInstruction": [{
                          "timing": {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}},
                          "doseAndRate": [{"doseQuantity": {"value": 10, "unit": "mg"}}],
                          "maxDosePerPeriod": {"numerator": {"value": maximum, "unit": "mg"},
                                               "denominator": {"value": 1, "unit": "d"}}}]}}]}
    path = tmp_path / "child.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


@pytest.mark.parametrize("age,maximum,expected", [(5, 60, "dose-order-child-under-8"), (11, 80, "dose-order-child-8-to-17")])
def test_a_childs_order_maximum_above_the_age_limit_is_major(run: Any, tmp_path: Path, age: int, maximum: int,
                                                             expected: str) -> None:
    code, payload = run.json("check", "--fhir", str(_child_order(tmp_path, age, maximum)))
    assert code == 1 and ("major", expected) in [(f["severity"], f["id"]) for f in payload["findings"]]


def test_a_childs_order_maximum_within_the_limit_adds_nothing(run: Any, tmp_path: Path) -> None:
    _, payload = run.json("check", "--fhir", str(_child_order(tmp_path, 5, 30)))
    assert not any(f["id"].startswith("dose-order") for f in payload["findings"])


@pytest.mark.parametrize("text", [f"history of peptic ulcer ({THIS_YEAR})", f"hx PUD ({THIS_YEAR})",
                                  f"previous peptic ulcer ({THIS_YEAR})", f"history of duodenal ulcer in {THIS_YEAR}",
                                  "hx peptic ulcer 1 month ago", "past peptic ulcer 2 months ago",
                                  "peptic ulcer four weeks ago", "peptic ulcer 2/12 ago", "unhealed peptic ulcer (2024)"])
def test_a_history_word_never_outweighs_a_recent_time(run: Any, text: str) -> None:
    """Round F: 'history of' in front of a recent date is still possibly active: the contraindication."""
    _, payload = run.json("check", "-H", text)
    assert [f["id"] for f in payload["findings"]][:1] == ["active-peptic-ulcer"]


@pytest.mark.parametrize("text", ["baclofen 10 mg tid; baclofen 30 mg tid", "baclofen 10 mg tid and baclofen 30 mg tid",
                                  "baclofen 20 mg qid + Lioresal 20 mg qid"])
def test_a_given_daily_dose_never_vouches_for_two_joined_lines(run: Any, text: str) -> None:
    """Round F: --daily-dose 30 with two joined baclofen lines is not an all-clear."""
    code, payload = run.json("check", "-w", text, "--daily-dose", "30")
    assert code in (3, 4) and payload["inputs"][0]["status"] == "not-checked"


# Clinical round G: a --daily-dose never vouches for a baclofen line whose dose was not read, and the kidney
# band is then stated at its own grade, never "within the reduced maximum" of a figure the list may exceed
@pytest.mark.parametrize("line", ["baclofen 10 mg tid + baclofen 10 mg qhs", "baclofen 20 mg tid prn",
                                  "baclofen 10 mg tid and baclofen 20 mg bid"])
@pytest.mark.parametrize("renal", [["--egfr", "25"], ["--crcl", "8"], ["--egfr", "40"]])
def test_daily_dose_with_an_unread_line_never_reassures_on_kidney_function(run: Any, line: str,
                                                                          renal: List[str]) -> None:
    result = run("check", "-w", line, "--daily-dose", "20", *renal, "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 4
    assert [i["status"] for i in data["inputs"]] == ["not-checked"]
    renal_findings = [f for f in data["findings"] if f["id"].startswith("renal-")]
    assert renal_findings and all(f["severity"] == "major" for f in renal_findings)
    assert not any("within" in f["title"] or "within" in f["effect"] for f in data["findings"])


# Clinical round G: magnesium sulfate as orders are written is the injection; IV amiodarone lowers blood pressure
@pytest.mark.parametrize("line", ["magnesium sulfate 4 g over 20 min", "magnesium sulphate 20 mmol",
                                  "magnesium sulfate 50%", "magnesium sulfate in water", "magnesium sulfate",
                                  "MgSO4 2 g IV"])
def test_magnesium_sulfate_orders_are_the_injection(run: Any, line: str) -> None:
    data = json.loads(run("check", "-w", line, "--json").stdout)
    assert data["inputs"][0]["resolved"] == ["magnesium sulfate injection"]
    assert [f["severity"] for f in data["findings"]] == ["moderate"]


@pytest.mark.parametrize("line", ["amiodarone 150 mg IV", "amiodarone infusion", "Nexterone 150 mg/100 mL"])
def test_intravenous_amiodarone_is_flagged_for_blood_pressure(run: Any, line: str) -> None:
    data = json.loads(run("check", "-w", line, "--json").stdout)
    assert data["inputs"][0]["resolved"] == ["amiodarone injection"]
    assert data["findings"] and data["findings"][0]["id"] == "antihypertensives"


def test_oral_magnesium_and_amiodarone_stay_their_own_entries(run: Any) -> None:
    data = json.loads(run("check", "-w", "magnesium oxide 400 mg", "-w", "amiodarone 200 mg tab daily", "--json").stdout)
    assert [i["resolved"] for i in data["inputs"]] == [["magnesium"], ["amiodarone"]]
