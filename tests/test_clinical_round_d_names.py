"""The fourth clinical review (reviews-round2/clinical-4.md), names and line reading: findings 5, 6, 7,
10, 14 and 16, through the CLI."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest


def _check(run: Any, *args: str) -> Tuple[int, Dict[str, Any]]:
    code, data = run.json("check", *args)
    return code, data


def _ids(data: Dict[str, Any]) -> Dict[str, str]:
    return {f["id"]: f["severity"] for f in data["findings"]}


def _resolved(data: Dict[str, Any]) -> List[str]:
    return [r for i in data["inputs"] for r in i["resolved"]]


# ---------------------------------------------------------------- 5. codeine kept in fraction products


@pytest.mark.parametrize("text", [
    "Robaxisal C1/4 tablet", "Robaxisal C1/2 tablets", "Fiorinal C1/4 capsule", "Fiorinal C 1/2 capsules",
    "Fiorinal C", "Fiorinal-C", "Robaxisal C", "Tecnal C", "Tecnal C1/4 tablets", "Fiorinal-C 1/2 caps",
    "Fiorinal C1/2 1 cap po q4h prn", "Robaxisal C 1/4 2 tablets qid",
])
def test_codeine_is_kept_when_a_form_follows_or_the_fraction_is_missing(run: Any, text: str) -> None:
    code, data = _check(run, "--with", text, "--fail-on", "major")
    assert "codeine" in _resolved(data), data["inputs"]
    assert code != 0


def test_an_unknown_fraction_keeps_the_codeine_and_is_not_checked(run: Any) -> None:
    code, data = _check(run, "--with", "Fiorinal C1/8 tablet", "--fail-on", "major")
    assert "codeine" in _resolved(data)
    assert data["inputs"][0]["status"] != "clear"
    assert data["inputs"][0]["unaccounted"]


# ---------------------------------------------------------------- 6. parenteral magnesium sulfate


@pytest.mark.parametrize("text", [
    "magnesium sulfate IV", "magnesium sulphate infusion", "magnesium sulfate 4 g IV over 20 min",
    "magnesium sulfate 2 g in 50 mL infusion", "Magnesium sulphate injection", "IV magnesium sulfate",
    "magnesium sulfate 50% injection", "magnesium IV",
])
def test_parenteral_magnesium_sulfate_is_a_cns_depressant_not_the_supplement(run: Any, text: str) -> None:
    code, data = _check(run, "--with", text, "--fail-on", "moderate")
    assert code != 0
    assert "magnesium" not in _resolved(data), data["inputs"]
    finding = next(f for f in data["findings"] if f["severity"] == "moderate")
    assert "magnesium" in " ".join(finding["matched"]).lower()


def test_parenteral_magnesium_with_an_opioid_raises_the_combination(run: Any) -> None:
    _, data = _check(run, "--with", "magnesium sulfate IV", "--with", "morphine")
    assert any(f["kind"] != "interaction" or len(f["inputs"]) > 1 for f in data["findings"]), data["findings"]


def test_oral_magnesium_stays_the_supplement_and_mgso4_stays_ambiguous(run: Any) -> None:
    _, data = _check(run, "--with", "magnesium oxide 400 mg daily")
    assert _resolved(data) == ["magnesium"]
    code, data = _check(run, "--with", "MgSO4 4 g IV")
    assert data["inputs"][0]["status"] != "clear"
    assert code != 0


# ---------------------------------------------------------------- 7. a past ulcer is ulcer history


# clinical round I: a year alone, in brackets or after "in" as bare, no longer makes an ulcer history (it stays the
# contraindication, the year not read: tests/test_clinical_round_i.py); these keep a history word with the year
@pytest.mark.parametrize("text", [
    "history of bleeding ulcer", "old peptic ulcer 10 years ago", "h/o PUD (2015)", "previous gastric ulcer in 2015",
    "remote bleeding ulcer", "h/o perforated ulcer", "h/o PUD 2 yrs ago",
    "previous stomach ulcer many years ago", "remote bleeding duodenal ulcer (2012)",
])
def test_a_past_ulcer_is_the_history_caution_not_the_contraindication(run: Any, text: str) -> None:
    code, data = _check(run, "--history", text, "--fail-on", "major")
    ids = _ids(data)
    assert "active-peptic-ulcer" not in ids, data["inputs"]
    assert "peptic-ulcer-history" in ids
    assert code == 0


# "duodenal ulcer dx 2009": a diagnosis date says when it was found, not that it healed (hostile round 6)
@pytest.mark.parametrize("text", ["duodenal ulcer dx 2009", "peptic ulcer, diagnosed 2015",
                                  "bleeding ulcer", "active PUD", "perforated ulcer", "NSAID ulcer",
                                  "peptic ulcer, active since 2015", "active gastric ulcer", "current duodenal ulcer"])
def test_a_present_ulcer_stays_the_contraindication(run: Any, text: str) -> None:
    _, data = _check(run, "--history", text)
    assert _ids(data).get("active-peptic-ulcer") == "contraindicated", data["inputs"]


# ---------------------------------------------------------------- 10. SGLT2 inhibitors: blood pressure, kidney


@pytest.mark.parametrize("drug", ["dapagliflozin", "Jardiance", "Synjardy", "Invokana", "ertugliflozin", "Forxiga",
                                  "Xigduo", "Vokanamet", "Qtern"])
def test_sglt2_inhibitors_lower_blood_pressure_and_affect_the_kidney(run: Any, drug: str) -> None:
    _, data = _check(run, "--with", drug, "--with", "amlodipine")
    ids = _ids(data)
    assert "blood-pressure-lowering-together" in ids, ids
    assert ids["antidiabetics"] == "moderate"
    _, data = _check(run, "--with", drug, "--history", "CKD stage 3b")
    assert "kidney-drug-with-kidney-disease" in _ids(data), _ids(data)


def test_sglt2_inhibitors_stay_out_of_the_glucose_rule(run: Any) -> None:
    _, data = _check(run, "--with", "empagliflozin", "--history", "type 2 diabetes")
    assert "glucose-drug-with-diabetes" not in _ids(data)
    _, data = _check(run, "--with", "metformin", "--with", "amlodipine")
    assert _ids(data)["antidiabetics"] == "minor"
    assert "blood-pressure-lowering-together" not in _ids(data)


# ---------------------------------------------------------------- 14. vaginal progesterone


@pytest.mark.parametrize("text", ["progesterone 200 mg vaginal", "progesterone 100 mg PV bid", "progesterone vaginally nightly",
                                  "Endometrin 100 mg", "Cyclogest 400 mg pessary"])
def test_vaginal_progesterone_is_the_vaginal_entry(run: Any, text: str) -> None:
    _, data = _check(run, "--with", text)
    assert _resolved(data) == ["vaginal progesterone"], data["inputs"]
    assert _ids(data)["other-sedating"] == "minor"


def test_oral_progesterone_and_utrogestan_stay_the_oral_entry(run: Any) -> None:
    for text in ("progesterone 200 mg po qhs", "Utrogestan 100 mg"):
        _, data = _check(run, "--with", text)
        assert _resolved(data) == ["progesterone"], data["inputs"]


# ---------------------------------------------------------------- 16. names not recognized before


@pytest.mark.parametrize("text,ingredient", [
    ("ratio-Cotridin 10 mL qid", "codeine"), ("CoActifed", "codeine"), ("Novahistex DH 5 mL", "hydrocodone"),
    ("Durela 200 mg daily", "tramadol"), ("Probuphine", "buprenorphine"), ("Tuzistra XR 10 mL q12h", "codeine"),
    ("Tuxarin ER", "codeine"), ("DF118 Forte", "dihydrocodeine"), ("Syndol", "codeine"), ("Paramol", "dihydrocodeine"),
    ("Feminax Ultra", "naproxen"),
])
def test_more_opioid_and_regional_products_are_recognized(run: Any, text: str, ingredient: str) -> None:
    _, data = _check(run, "--with", text)
    assert ingredient in _resolved(data), data["inputs"]
    assert data["findings"]
