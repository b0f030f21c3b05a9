"""Independent clinical review round D (reviews-round2/clinical-4.md): HIGH 1, 2, 3, 4, 8, MEDIUM 9, 11, 12,
LOW 13, 17, 18, in professional and patient wording."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

import pytest

from baclofen_cli.cli import app

AUDIENCES = ("professional", "patient")


def cli(run: Any, *args: str, audience: str = "professional") -> Tuple[int, Dict[str, Any]]:
    code, data = run.json("check", *args, "--audience", audience)
    return int(code), data


def fhir(run: Any, resources: List[Dict[str, Any]], *extra: str) -> Tuple[int, Dict[str, Any]]:
    payload = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}
    result = run.runner.invoke(app, ["check", "--fhir", "-", "--json", *extra], input=json.dumps(payload))
    assert result.stdout.startswith("{"), result.output
    return result.exit_code, json.loads(result.stdout)


def sev(data: Dict[str, Any]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for f in data["findings"]:  # the strictest finding of an id
        if f["id"] not in out or f["severity"] in ("contraindicated", "major"):
            out[f["id"]] = f["severity"]
    return out


def text(data: Dict[str, Any]) -> str:
    return json.dumps(data["findings"])


def egfr(value: float) -> Dict[str, Any]:
    return {"resourceType": "Observation", "id": "k1", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "33914-3"}]},
            "valueQuantity": {"value": value, "unit": "mL/min/1.73m2"}}


def request(ident: str, dose: float, frequency: int = 3, maximum: float | None = None) -> Dict[str, Any]:
    dosage: Dict[str, Any] = {"timing": {"repeat": {"frequency": frequency, "period": 1, "periodUnit": "d"}},
                              "doseAndRate": [{"doseQuantity": {"value": dose, "unit": "mg"}}]}
    if maximum is not None:
        dosage["maxDosePerPeriod"] = {"numerator": {"value": maximum, "unit": "mg"},
                                      "denominator": {"value": 1, "unit": "d"}}
    return {"resourceType": "MedicationRequest", "id": ident, "status": "active", "intent": "order",
            "medicationCodeableConcept": {"text": "baclofen 10 mg tablet"}, "dosageInstruction": [dosage]}


# -- HIGH 1: a measured value below 15 is the end-stage band; a dose never lowers the kidney caution --

@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("option", ["--egfr", "--crcl"])
def test_measured_below_15_is_end_stage_and_stays_major(run: Any, option: str, audience: str) -> None:
    for dose in ("20", "5"):
        code, data = cli(run, option, "8", "--daily-dose", dose, "--fail-on", "major", audience=audience)
        assert code == 1, (dose, data["findings"])
        assert sev(data)["renal-end-stage"] == "major"
        assert "moderate" not in sev(data).values()


def test_fhir_egfr_10_with_5_mg_tid_is_major(run: Any) -> None:
    code, data = fhir(run, [egfr(10), request("a", 5)], "--fail-on", "major")
    assert code == 1 and sev(data)["renal-end-stage"] == "major", data["findings"]


@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_dose_within_the_band_keeps_the_major_kidney_caution(run: Any, audience: str) -> None:
    code, data = cli(run, "--egfr", "40", "--daily-dose", "20", "--fail-on", "major", audience=audience)
    assert code == 1
    majors = [f for f in data["findings"] if f["id"] == "renal-moderate" and f["severity"] == "major"]
    assert majors and majors[0]["kind"] == "caution"


# -- HIGH 8 and MEDIUM 11: CKD 3a at its worst case; stage 5D is dialysis ---------------------------

@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("condition", ["CKD 3a", "N18.31", "ckd stage 3a"])
def test_ckd_3a_is_graded_by_the_30_49_band(run: Any, condition: str, audience: str) -> None:
    code, data = cli(run, "--history", condition, "--daily-dose", "50", audience=audience)
    assert sev(data)["renal-moderate"] == "major", data["findings"]
    assert "renal-mild" not in sev(data)


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("condition", ["CKD stage 5D", "ckd 5d", "CKD G5D"])
def test_ckd_5d_is_dialysis(run: Any, condition: str, audience: str) -> None:
    code, data = cli(run, "--history", condition, "--daily-dose", "20", audience=audience)
    assert code == 1 and not data["unrecognized"], data
    assert sev(data)["dose-kidney-failure"] == "major"


# -- HIGH 2: an order's allowed maximum graded against the kidney band -------------------------------

@pytest.mark.parametrize("audience", AUDIENCES)
def test_order_maximum_above_the_kidney_band_is_major(run: Any, audience: str) -> None:
    code, data = fhir(run, [egfr(40), request("a", 10, maximum=60)], "--audience", audience)
    assert sev(data)["dose-order-kidney"] == "major", data["findings"]
    assert "60 mg" in text(data)


def test_order_maximum_above_a_staged_condition(run: Any) -> None:
    cond = {"resourceType": "Condition", "id": "c1", "code": {"text": "CKD stage 4"}}
    code, data = fhir(run, [cond, request("a", 5, maximum=40)])
    assert sev(data)["dose-order-kidney"] == "major", data["findings"]


def test_order_maximum_within_the_kidney_band_adds_nothing(run: Any) -> None:
    code, data = fhir(run, [egfr(40), request("a", 10, maximum=30)])
    assert "dose-order-kidney" not in sev(data)


# -- HIGH 3: duplicate baclofen lines --------------------------------------------------------------

@pytest.mark.parametrize("audience", AUDIENCES)
def test_two_identical_text_lines_are_summed_and_flagged(run: Any, audience: str) -> None:
    code, data = cli(run, "--with", "baclofen 10 mg tid, baclofen 10 mg tid", audience=audience)
    assert code == 1 and data["daily_dose_mg"] == 60
    assert sev(data)["baclofen-more-than-one"] == "moderate"


def test_two_fhir_requests_for_the_same_baclofen_are_never_clear(run: Any) -> None:
    code, data = fhir(run, [request("a", 20), request("b", 20)])
    assert code != 0 and (data["unrecognized"] or "baclofen-more-than-one" in sev(data)), data


# -- HIGH 4: children's maximum by age (UK SmPC 4.2) -----------------------------------------------

@pytest.mark.parametrize("audience", AUDIENCES)
def test_child_under_8_above_40_mg_is_major(run: Any, audience: str) -> None:
    code, data = cli(run, "--history", "age 5", "--daily-dose", "60", "--fail-on", "moderate", audience=audience)
    assert code == 1 and sev(data)["dose-child-under-8"] == "major"
    assert "uk-smpc 4.2" in text(data)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_child_8_to_17(run: Any, audience: str) -> None:
    _, data = cli(run, "--history", "age 12", "--daily-dose", "60", audience=audience)
    assert "dose-child-8-to-17" not in sev(data)
    _, data = cli(run, "--history", "age 12", "--daily-dose", "70", audience=audience)
    assert sev(data)["dose-child-8-to-17"] == "major"


def test_child_without_an_age_is_graded_against_40_and_says_it_depends_on_age(run: Any) -> None:
    _, data = cli(run, "--history", "child", "--daily-dose", "50")
    found = [f for f in data["findings"] if f["id"] == "dose-children"]
    assert found and found[0]["severity"] == "major" and "depends on age" in found[0]["effect"]


def test_birth_date_gives_the_child_maximum(run: Any) -> None:
    import datetime
    born = f"{datetime.date.today().year - 6}-01-01"
    code, data = fhir(run, [{"resourceType": "Patient", "id": "p1", "birthDate": born}], "--daily-dose", "60")
    assert sev(data)["dose-child-under-8"] == "major", data["findings"]


# -- MEDIUM 9: patient wording: an upper limit, not a usual dose ------------------------------------

def test_patient_wording_says_upper_limit(run: Any) -> None:
    _, data = cli(run, "--egfr", "25", "--daily-dose", "20", audience="patient")
    said = text(data)
    assert "upper limit" in said and "usually used" not in said


# -- MEDIUM 12, LOW 13, 17, 18 ----------------------------------------------------------------------

@pytest.mark.parametrize("audience", AUDIENCES)
def test_past_peptic_ulcer_is_minor(run: Any, audience: str) -> None:
    _, data = cli(run, "--history", "history of peptic ulcer", audience=audience)
    assert sev(data) == {"peptic-ulcer-history": "minor"}


@pytest.mark.parametrize("audience", AUDIENCES)
def test_dehydration_with_a_sedating_medicine_is_moderate_not_major(run: Any, audience: str) -> None:
    _, data = cli(run, "--history", "dehydration", "--with", "gabapentin", audience=audience)
    assert "major" not in sev(data).values(), data["findings"]
    assert sev(data)["sedating-with-dehydration"] == "moderate"
    _, data = cli(run, "--history", "dehydration", "--with", "ibuprofen", audience=audience)
    assert sev(data)["kidney-drug-with-dehydration"] == "moderate"


def test_kidney_disease_with_a_sedating_medicine_is_still_major(run: Any) -> None:
    _, data = cli(run, "--history", "CKD stage 4", "--with", "gabapentin")
    assert sev(data)["sedating-with-kidney-disease"] == "major"


def test_diphenoxylate_is_moderate(run: Any) -> None:
    _, data = cli(run, "--with", "Lomotil")
    # round G: diphenoxylate has its own wording, so its finding has its own id
    assert sev(data)["antidiarrhoeal-opioids-diphenoxylate"] == "moderate"


@pytest.mark.parametrize("name", ["mirabegron", "Myrbetriq", "vibegron"])
def test_beta3_agonists_are_minor_not_no_known(run: Any, name: str) -> None:
    code, data = cli(run, "--with", name)
    assert code == 1 and sev(data) == {"beta3-agonists": "minor"}
