"""The third clinical review (reviews-round2/clinical-3.md): the HIGH fixes through the CLI in both
wordings, and the cheap MEDIUM and LOW ones."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

AUDIENCES = ("professional", "patient")


def _check(run: Any, *args: str, audience: str = "professional") -> Tuple[int, Dict[str, Any]]:
    code, data = run.json("check", *args, "--audience", audience)
    return code, data


def _sev(data: Dict[str, Any]) -> Dict[str, str]:
    return {f["id"]: f["severity"] for f in data["findings"]}


def _finding(data: Dict[str, Any], fid: str) -> Dict[str, Any]:
    return next(f for f in data["findings"] if f["id"] == fid)


def _status(data: Dict[str, Any]) -> List[str]:
    return [i["status"] for i in data["inputs"]]


# ---------------------------------------------------------------- 1. a lower --daily-dose never hides a high list


@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_lower_daily_dose_does_not_hide_an_above_maximum_list(run: Any, audience: str) -> None:
    code, data = _check(run, "--daily-dose", "60", "--with", "baclofen 30 mg tid", "--fail-on", "moderate",
                        audience=audience)
    assert code == 1
    sev = _sev(data)
    assert sev["dose-maximum"] == "major"
    assert sev["dose-disagreement"] == "minor"  # the disagreement is still shown
    assert "90 mg" in _finding(data, "dose-maximum")["effect"]
    assert "higher" in _finding(data, "dose-disagreement")["effect"]
    assert data["daily_dose_mg"] == 90


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_kidney_band_grades_the_higher_of_the_two_doses(run: Any, audience: str) -> None:
    _, data = _check(run, "--daily-dose", "20", "--with", "baclofen 20 mg tid", "--egfr", "25", audience=audience)
    renal = _finding(data, "renal-severe")
    assert "60" in renal["title"]


@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_higher_daily_dose_is_still_the_one_graded(run: Any, audience: str) -> None:
    _, data = _check(run, "--daily-dose", "90", "--with", "baclofen 10 mg tid", audience=audience)
    assert _sev(data)["dose-maximum"] == "major"
    assert data["daily_dose_mg"] == 90


# ---------------------------------------------------------------- 2. kidney transplant and dehydration are kidney conditions


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("history", ["kidney transplant", "Z94.0"])
def test_a_kidney_transplant_fires_the_kidney_rules(run: Any, history: str, audience: str) -> None:
    _, data = _check(run, "--with", "tacrolimus", "--history", history, audience=audience)
    assert _sev(data)["kidney-drug-with-kidney-disease"] == "major"
    _, data = _check(run, "--with", "gabapentin", "--history", history, audience=audience)
    assert _sev(data)["sedating-with-kidney-disease"] == "major"


@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_kidney_transplant_without_egfr_asks_for_kidney_function_before_the_dose(run: Any, audience: str) -> None:
    _, data = _check(run, "--history", "kidney transplant", "--daily-dose", "80", audience=audience)
    dose = _finding(data, "dose-kidney-transplant")
    assert dose["severity"] == "moderate"  # graded as the kidney-disease caution's dose wording is
    assert "80 mg" in dose["effect"]
    if audience == "professional":
        assert "--egfr" in dose["effect"]


def test_a_kidney_transplant_with_egfr_is_graded_by_the_band(run: Any) -> None:
    _, data = _check(run, "--history", "kidney transplant", "--daily-dose", "50", "--egfr", "40")
    assert "dose-kidney-transplant" not in _sev(data)
    assert _sev(data)["renal-moderate"] == "major"


@pytest.mark.parametrize("audience", AUDIENCES)
def test_dehydration_fires_the_kidney_rule(run: Any, audience: str) -> None:
    _, data = _check(run, "--with", "ibuprofen", "--history", "dehydration", audience=audience)
    # round D 13: dehydration has its own moderate rule (it is itself a minor, short-lived caution)
    assert _sev(data)["kidney-drug-with-dehydration"] == "moderate"


# ---------------------------------------------------------------- 3. Canadian codeine products keep their codeine

CODEINE_PRODUCTS = ["Robaxisal C1/4", "Robaxisal C1/2", "Robaxisal C 1/4", "Robaxisal-C 1/2", "AC&C", "222 tablets",
                    "222s", "Tecnal C1/4", "Tecnal C1/2", "Empracet", "Empracet-30", "Fiorinal C 1/4",
                    "Fiorinal-C 1/4", "Fiorinal C 1/2", "Fiorinal-C1/2"]


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("name", CODEINE_PRODUCTS)
def test_canadian_codeine_products_give_the_major_opioid_finding(run: Any, name: str, audience: str) -> None:
    code, data = _check(run, "--with", name, audience=audience)
    assert code == 1, data["unrecognized"]
    assert _sev(data)["opioids"] == "major"
    assert data["unrecognized"] == []


def test_ac_and_c_and_222s_split_from_a_list_without_joining_a_number(run: Any) -> None:
    _, data = _check(run, "--with", "AC&C, 222s, vitamin D 1,222 units")
    assert [i["text"] for i in data["inputs"]] == ["AC&C", "222s", "vitamin D 1,222 units"]
    _, data = _check(run, "--with", "vitamin D 1,222 units")
    assert "opioids" not in _sev(data)
    code, data = _check(run, "--with", "222")  # a bare number is never read as a codeine product
    assert code == 3 and data["unrecognized"] == ["222"]


# ------------------------------------------------ 4. a past ulcer is the history caution, not the contraindication

PAST_ULCERS = ["history of duodenal ulcer", "h/o PUD", "h/o peptic ulcer", "past peptic ulcer", "previous peptic ulcer",
               "healed duodenal ulcer", "prior gastric ulcer", "resolved stomach ulcer", "remote PUD", "H/O: PUD",
               "hx of gastric ulcer"]


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("text", PAST_ULCERS)
def test_a_past_ulcer_is_the_history_caution(run: Any, text: str, audience: str) -> None:
    code, data = _check(run, "--history", text, audience=audience)
    sev = _sev(data)
    assert "active-peptic-ulcer" not in sev
    assert sev["peptic-ulcer-history"] == "minor"  # round D 12: a UK SmPC 4.4 caution
    assert data["unrecognized"] == [] and code == 1
    assert "must not" not in " ".join(f["effect"] for f in data["findings"])


@pytest.mark.parametrize("text", ["peptic ulcer", "PUD", "active PUD", "duodenal ulcer"])
def test_a_current_ulcer_is_still_the_contraindication(run: Any, text: str) -> None:
    _, data = _check(run, "--history", text)
    assert _sev(data)["active-peptic-ulcer"] == "contraindicated"


# ---------------------------------------------------------------- 5. the ulcer-history patient wording does not overstate


def test_the_ulcer_history_patient_wording_asks_for_care(run: Any) -> None:
    _, data = _check(run, "--history", "history of peptic ulcer", audience="patient")
    effect = _finding(data, "peptic-ulcer-history")["effect"]
    assert "asks for care" in effect and "warn against" not in effect


# ---------------------------------------------------------------- 8. eye, skin and vaginal forms stay below the rules


@pytest.mark.parametrize("name", ["Lumify", "brimonidine eye drops", "progesterone vaginal gel", "Crinone",
                                  "gentamicin eye drops", "gentamicin cream", "tobramycin eye drops", "Tobrex"])
def test_little_systemic_exposure_does_not_raise_a_major_combination(run: Any, name: str) -> None:
    for history in ("CKD", "COPD"):
        code, data = _check(run, "--with", name, "--history", history)
        assert not any(f["kind"] == "combination" for f in data["findings"]), (name, history)
        assert data["unrecognized"] == []
        assert [i["status"] for i in data["inputs"]][0] == "flagged"  # still shown, at minor


@pytest.mark.parametrize("name", ["gentamicin", "tobramycin", "progesterone"])
def test_the_systemic_forms_still_raise_the_kidney_rules(run: Any, name: str) -> None:
    _, data = _check(run, "--with", name, "--history", "CKD")
    assert any(f["kind"] == "combination" and f["severity"] == "major" for f in data["findings"])


# ---------------------------------------------------------------- 9. a treated diabetic is not a glucose combination


@pytest.mark.parametrize("name", ["metformin", "insulin", "glipizide"])
def test_a_diabetes_medicine_with_diabetes_stays_minor(run: Any, name: str) -> None:
    _, data = _check(run, "--with", name, "--history", "diabetes")
    assert _sev(data) == {"antidiabetics": "minor", "diabetes": "minor"}


def test_a_steroid_with_diabetes_is_still_the_glucose_combination(run: Any) -> None:
    _, data = _check(run, "--with", "prednisone", "--history", "diabetes")
    assert _sev(data)["glucose-drug-with-diabetes"] == "moderate"


# ---------------------------------------------------------------- 10. kidney bands grade against their reduced maximum


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("args, band, grade", [
    (("--egfr", "45", "--daily-dose", "5"), "renal-moderate", "moderate"),
    (("--egfr", "40", "--daily-dose", "45"), "renal-moderate", "major"),
    (("--egfr", "29", "--daily-dose", "5"), "renal-severe", "moderate"),
    (("--egfr", "25", "--daily-dose", "30"), "renal-severe", "major"),
    (("--history", "CKD stage 4", "--daily-dose", "10"), "renal-severe", "moderate"),
    (("--egfr", "60", "--daily-dose", "30"), "renal-mild", "minor"),
    (("--egfr", "60", "--daily-dose", "60"), "renal-mild", "moderate"),
    (("--egfr", "40",), "renal-moderate", "major"),
])
def test_kidney_bands_grade_the_dose_against_the_reduced_maximum(run: Any, args: Tuple[str, ...], band: str,
                                                                 grade: str, audience: str) -> None:
    _, data = _check(run, *args, audience=audience)
    assert _sev(data)[band] == grade


# ---------------------------------------------------------------- 11. dopamine agonists lower blood pressure and confuse


@pytest.mark.parametrize("name", ["pramipexole", "Requip"])
def test_dopamine_agonists_carry_blood_pressure_and_confusion(run: Any, name: str) -> None:
    _, data = _check(run, "--with", name, "--with", "lisinopril")
    assert _sev(data)["blood-pressure-lowering-together"] == "moderate"
    _, data = _check(run, "--with", name, "--history", "dementia")
    assert "confusion-drug-with-psychiatric-history" in _sev(data)


# ---------------------------------------------------------------- 14, 15. regional ingredients and a broad alias


@pytest.mark.parametrize("name, present, absent", [
    ("Mersyndol Day Strength", "opioids", "opioid-with-depressant"),
    ("Solpadeine Headache", "other-cns-active", "opioids"),
    ("Nurofen Cold & Flu", "kidney-function", "opioids"),
])
def test_regional_products_have_their_own_ingredients(run: Any, name: str, present: str, absent: str) -> None:
    _, data = _check(run, "--with", name)
    assert present in _sev(data) and absent not in _sev(data)
    assert data["unrecognized"] == []


def test_a_bare_collapse_is_not_read_as_fainting(run: Any) -> None:
    code, data = _check(run, "--history", "collapse")
    assert code == 3 and data["unrecognized"] == ["collapse"]


# ---------------------------------------------------------------- 18. the pain FAQ names the labelled pain


def test_the_pain_faq_says_spasm_pain_is_labelled_and_chronic_pain_off_label(run: Any) -> None:
    result = run("faq")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Pain is not a labelled use" not in text
    assert "flexor spasms" in text and "off-label" in text


# ---------------------------------------------------------------- 13. one tablet is not two blood pressure medicines


@pytest.mark.parametrize("name", ["Stalevo", "Combigan"])
def test_a_single_product_does_not_count_as_two_blood_pressure_medicines(run: Any, name: str) -> None:
    _, data = _check(run, "--with", name)
    assert "blood-pressure-lowering-together" not in _sev(data)


def test_stalevo_with_another_blood_pressure_medicine_still_combines(run: Any) -> None:
    _, data = _check(run, "--with", "Stalevo", "--with", "lisinopril")
    assert _sev(data)["blood-pressure-lowering-together"] == "moderate"


# ---------------------------------------------------------------- 19. phenibut acts as baclofen does


def test_phenibut_is_graded_as_a_second_gaba_b_agonist(run: Any) -> None:
    _, data = _check(run, "--with", "phenibut")
    assert _sev(data)["other-sedating"] == "major"
