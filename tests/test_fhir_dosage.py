"""FHIR dosage of a baclofen resource read into the daily dose (hostile review round 2, C-5), and
unknown keys at Bundle entry level reported (m-3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from test_installed import run as run_installed

from baclofen_cli.cli import app

REVIEW_C5 = ('{"resourceType":"MedicationStatement","status":"active","medicationCodeableConcept":'
             '{"text":"baclofen 20 MG tablet"},"dosage":[{"text":"Take 2 tablets by mouth 4 times daily",'
             '"timing":{"repeat":{"frequency":4,"period":1,"periodUnit":"d"}},"doseAndRate":'
             '[{"doseQuantity":{"value":40,"unit":"mg"}}]}]}')


def structured(value: float, unit: str, frequency: int = 1, period: float = 1, period_unit: str = "d",
               frequencyMax: int | None = None, **extra: Any) -> Dict[str, Any]:
    repeat: Dict[str, Any] = {"frequency": frequency, "period": period, "periodUnit": period_unit}
    if frequencyMax is not None:
        repeat["frequencyMax"] = frequencyMax
    entry: Dict[str, Any] = {"timing": {"repeat": repeat},
                             "doseAndRate": [{"doseQuantity": {"value": value, "unit": unit}}]}
    entry.update(extra)
    return entry


def resource(dosage: List[Any], name: str = "baclofen 20 MG tablet", kind: str = "MedicationStatement",
             ident: str = "m1") -> Dict[str, Any]:
    field = "dosage" if kind in ("MedicationStatement", "MedicationAdministration") else "dosageInstruction"
    res: Dict[str, Any] = {"resourceType": kind, "id": ident, "status": "active",
                           "medicationCodeableConcept": {"text": name}}
    res[field] = dosage
    return res


def bundle(*resources: Dict[str, Any]) -> Dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


def check(run: Any, payload: Any, *extra: str) -> tuple[int, Dict[str, Any]]:
    result = run.runner.invoke(app, ["check", "--fhir", "-", "--json", *extra],
                               input=payload if isinstance(payload, str) else json.dumps(payload))
    assert result.stdout.startswith("{"), result.output
    return result.exit_code, json.loads(result.stdout)


def dose_ids(data: Dict[str, Any]) -> List[str]:
    return [f["id"] for f in data["findings"] if f["kind"] == "dose"]


def not_checked(data: Dict[str, Any]) -> str:
    """The items not checked, each with its reason."""
    return json.dumps([(i["text"], i["hint"]) for i in data["inputs"] if i["status"] == "not-checked"])


def test_reviewer_example_160_mg_a_day_is_above_the_maximum(run: Any) -> None:
    code, data = check(run, REVIEW_C5)
    assert code == 1
    assert data["daily_dose_mg"] == 160
    assert "dose-maximum" in dose_ids(data)
    assert data["highest_severity"] == "major"


def test_reviewer_example_through_the_installed_script(tmp_path: Path) -> None:
    path = tmp_path / "fb2.json"
    path.write_text(REVIEW_C5, encoding="utf-8")
    proc = run_installed(["check", "--fhir", str(path)], tmp_path, env={"BACLO_CACHE_DIR": str(tmp_path / "c")})
    out = proc.stdout.decode()
    assert proc.returncode == 1, out + proc.stderr.decode()
    assert "160 mg" in out and "above the labelled maximum" in out


@pytest.mark.parametrize(("dosage", "mg"), [
    ([structured(1, "tablet", 3)], 60),                                   # tablet count x strength from the name
    ([structured(2, "{tbl}", 4)], 160),
    ([structured(0.02, "g", 3)], 60),
    ([structured(20000, "mcg", 3)], 60),
    ([structured(20, "mg", 1, 8, "h")], 60),                             # every 8 hours
    ([structured(10, "mg", 1, 6, "h")], 40),
    ([structured(20, "mg", 2), structured(20, "mg", 1)], 60),            # two concurrent entries summed
    ([{"text": "Take 2 tablets by mouth 4 times daily"}], 160),          # text only: read with the name
])
def test_dosage_read_into_the_daily_dose(run: Any, dosage: List[Any], mg: float) -> None:
    code, data = check(run, resource(dosage))
    assert data["daily_dose_mg"] == mg
    assert not data["unrecognized"]
    assert code == (1 if mg > 80 else 0)


@pytest.mark.parametrize(("dosage", "why"), [
    ([structured(20, "mg", 3, frequencyMax=4)], "frequencyMax"),
    ([structured(20, "mg", 3, asNeededBoolean=True)], "as needed"),
    ([{**structured(20, "mg", 3), "doseAndRate": [{"doseRange": {"low": {"value": 10, "unit": "mg"},
                                                                   "high": {"value": 20, "unit": "mg"}}}]}],
     "range"),
    ([structured(20, "mg", 3, 1, "wk")], "longer than a day"),
    ([structured(20, "mg", 1, 5, "h")], "evenly"),
    ([structured(5, "mL", 3)], "mL"),
    ([{"doseAndRate": [{"doseQuantity": {"value": 20, "unit": "mg"}}]}], "no timing"),
    ([structured(20, "mg", 3), structured(20, "mg", 3, frequencyMax=4)], "frequencyMax"),   # one unread: no sum
    ([{**structured(10, "mg", 3), "sequence": 1}, {**structured(20, "mg", 3), "sequence": 2}], "sequence"),
    ([{"text": "as directed"}], "as directed"),
])
def test_dosage_not_read_is_not_checked_never_clear(run: Any, dosage: List[Any], why: str) -> None:
    code, data = check(run, resource(dosage))
    assert code == 3, data
    assert data["daily_dose_mg"] is None
    shown = not_checked(data)
    assert "dosage not read" in shown or "dose" in shown
    assert why in shown


def test_tablet_count_with_two_strengths_in_the_names_is_not_read(run: Any) -> None:
    res = resource([structured(1, "tablet", 3)])
    res["medicationCodeableConcept"]["coding"] = [{"display": "baclofen 10 MG Oral Tablet"}]
    code, data = check(run, res)
    assert code in (3, 4) and data["daily_dose_mg"] is None
    assert "strength" in not_checked(data)


def test_a_lower_daily_dose_does_not_hide_the_resources_higher_total(run: Any) -> None:
    # clinical review C 1: where the two disagree, the higher figure is graded and the disagreement shown
    code, data = check(run, REVIEW_C5, "--daily-dose", "60")
    assert data["daily_dose_mg"] == 160
    assert "dose-disagreement" in dose_ids(data)
    assert "dose-maximum" in dose_ids(data)


def test_two_names_of_one_resource_count_its_dose_once(run: Any) -> None:
    res = resource([structured(20, "mg", 3)])
    res["medicationCodeableConcept"]["coding"] = [{"display": "Baclofen 20 MG Oral Tablet"}]
    code, data = check(run, res)
    assert data["daily_dose_mg"] == 60, data  # not 120
    assert not data["unrecognized"]


def test_same_regimen_in_request_and_statement_is_not_doubled(run: Any) -> None:
    code, data = check(run, bundle(resource([structured(20, "mg", 3)]),
                                   resource([structured(20, "mg", 3)], kind="MedicationRequest", ident="r1")))
    assert data["daily_dose_mg"] == 60 and code == 0


def test_resources_disagreeing_on_the_dose_are_not_checked(run: Any) -> None:
    code, data = check(run, bundle(resource([structured(20, "mg", 3)]),
                                   resource([structured(20, "mg", 4)], kind="MedicationRequest", ident="r1")))
    assert code == 3 and data["daily_dose_mg"] is None
    assert "different daily doses" in not_checked(data)


def test_an_administration_alone_gives_no_daily_dose(run: Any) -> None:
    res = resource([], kind="MedicationAdministration")
    res["dosage"] = {"dose": {"value": 20, "unit": "mg"}}
    code, data = check(run, res)
    assert code == 3 and "not a daily dose" in not_checked(data)


def test_dosage_of_another_medicine_is_not_used(run: Any) -> None:
    code, data = check(run, resource([structured(5, "mg", 3, asNeededBoolean=True)], name="amlodipine"))
    assert data["daily_dose_mg"] is None
    assert "dosage not read" not in not_checked(data)


def test_stopped_baclofen_dosage_is_not_used(run: Any) -> None:
    res = resource([structured(40, "mg", 4)])
    res["status"] = "stopped"
    code, data = check(run, bundle(res, resource([structured(10, "mg", 3)], ident="m2")))
    assert data["daily_dose_mg"] == 30


def entry_code(run: Any, entry: Dict[str, Any]) -> tuple[int, Dict[str, Any]]:
    payload = {"resourceType": "Bundle", "type": "collection",
               "entry": [{"resource": {"resourceType": "MedicationStatement", "status": "active",
                                       "medicationCodeableConcept": {"text": "acetaminophen"}}, **entry}]}
    return check(run, payload)


@pytest.mark.parametrize("key", ["dosage", "medication", "Resource", "note"])
def test_unknown_key_at_bundle_entry_level_is_not_checked(run: Any, key: str) -> None:
    code, data = entry_code(run, {key: [{"text": "baclofen 40 mg qid"}]})
    assert code == 3
    assert key in not_checked(data)


def test_known_bundle_entry_keys_are_quiet(run: Any) -> None:
    code, data = entry_code(run, {"fullUrl": "urn:uuid:1", "search": {"mode": "match"}, "request": {},
                                  "response": {}, "link": [], "id": "e1", "extension": []})
    assert code == 0, data


