"""Clinical review round I, findings 1 and 3 (reviews-round2/clinical-9.md): a past year alone never makes an ulcer
history; a past pregnancy is never read as a pregnancy now, nor cleared; ICD-10-CM puerperium and lactation codes."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Dict, List

import pytest
from test_installed import run as run_installed

THIS_YEAR = datetime.date.today().year
YEAR_ALONE = "a year alone: whether the ulcer healed was not read"
PAST_PREGNANCY = "a past pregnancy or pregnancy disorder: not read as a pregnancy now, and not checked"


def _check(run: Any, text: str) -> Any:
    code, data = run.json("check", "-H", text)
    [item] = data["inputs"]
    ids: Dict[str, str] = {f["id"]: f["severity"] for f in data["findings"]}
    return code, ids, item


def _notes(item: Any) -> List[str]:
    return list(item["unaccounted"])


# ---------------------------------------------------------------- finding 1: a past year alone, in any form


@pytest.mark.parametrize("text", ["gastric ulcer (2025)", "peptic ulcer in 2025", "PUD (2025)", "PUD in 2019",
                                  "peptic ulcer 2025", "peptic ulcer, 2025", "PUD 2019", "peptic ulcer (Oct 2025)",
                                  "duodenal ulcer (March 2019)", "peptic ulcer from 2019", "bleeding ulcer (2012)"])
def test_a_past_year_alone_keeps_the_contraindication_and_is_not_read(run: Any, text: str) -> None:
    code, ids, item = _check(run, text)
    assert ids == {"active-peptic-ulcer": "contraindicated"}, (text, item)
    assert any(YEAR_ALONE in note for note in _notes(item)), item
    assert item["status"] != "checked" and code == 4


@pytest.mark.parametrize("form", ["({y})", "in {y}", "dx {y}", ", {y}", "{y}"])
def test_this_year_stays_the_contraindication_and_is_read(run: Any, form: str) -> None:
    text = "peptic ulcer " + form.format(y=THIS_YEAR)
    code, ids, item = _check(run, text.replace(" ,", ","))
    assert ids == {"active-peptic-ulcer": "contraindicated"} and _notes(item) == [] and code == 1, item


@pytest.mark.parametrize("text", ["peptic ulcer since 2019", "active peptic ulcer since 2015"])
def test_since_a_year_is_present_now(run: Any, text: str) -> None:
    code, ids, item = _check(run, text)
    assert ids == {"active-peptic-ulcer": "contraindicated"} and _notes(item) == [] and code == 1


@pytest.mark.parametrize("text", ["previous peptic ulcer, 2019", "h/o PUD (2015)", "history of PUD in 2019",
                                  "healed gastric ulcer (2019)", "prior duodenal ulcer (Oct 2025)", "hx PUD 2012",
                                  "old peptic ulcer in 2015", "resolved gastric ulcer, 2019", "past PUD (2019)"])
def test_a_history_word_with_a_year_is_history(run: Any, text: str) -> None:
    code, ids, item = _check(run, text)
    assert ids == {"peptic-ulcer-history": "minor"} and _notes(item) == [] and code == 1, item


def test_finding_1_through_the_installed_script(tmp_path: Path) -> None:
    proc = run_installed(["check", "-H", "PUD (2025)"], tmp_path)
    out = proc.stdout.decode()
    assert proc.returncode == 4 and "CONTRAINDICATED" in out and YEAR_ALONE in out and "History of" not in out


# ---------------------------------------------------------------- finding 3: past pregnancy wording


@pytest.mark.parametrize("text", ["previous pregnancy", "prior pregnancy", "pregnancy 2019", "history of pre-eclampsia",
                                  "pre-eclampsia 2019", "pre-eclampsia (2019)", "hyperemesis gravidarum 2018",
                                  "hx eclampsia", "pregnancy in 2019", "antenatal 2019", "eclampsia, 2018",
                                  "pregnant 10 years ago", "prev pregnancy", "past pregnancy", "h/o pre-eclampsia"])
def test_a_past_pregnancy_is_not_a_pregnancy_now_and_not_checked(run: Any, text: str) -> None:
    code, ids, item = _check(run, text)
    assert ids == {} and item["status"] == "not-checked" and code == 3, item
    assert PAST_PREGNANCY in " ".join(_notes(item))


@pytest.mark.parametrize("text", ["h/o gestational diabetes", "gestational diabetes 2018",
                                  "previous gestational diabetes", "history of gestational diabetes"])
def test_past_gestational_diabetes_is_not_a_pregnancy_and_not_fully_checked(run: Any, text: str) -> None:
    # the diabetes word is read as "history of diabetes" is (diabetes, minor); "gestational" is left not read
    code, ids, item = _check(run, text)
    assert ids == {"diabetes": "minor"} and code == 4, item
    assert any(n.startswith("gestational (a past pregnancy") for n in _notes(item)), item


@pytest.mark.parametrize("text", ["pregnant", "pregnancy", "32 weeks pregnant", "third trimester", "pre-eclampsia",
                                  "gestational diabetes", "pregnant with h/o pre-eclampsia",
                                  "pregnant; previous pre-eclampsia", f"pregnancy {THIS_YEAR}", "antenatal"])
def test_a_current_pregnancy_stays_a_pregnancy(run: Any, text: str) -> None:
    code, ids, item = _check(run, text)
    assert ids.get("pregnancy") == "moderate" and _notes(item) == [] and code == 1, item


@pytest.mark.parametrize("text", [f"pre-eclampsia {THIS_YEAR - 1}", f"history of pre-eclampsia ({THIS_YEAR})",
                                  "previous pregnancy 1 month ago"])
def test_a_past_word_with_a_time_that_may_be_now_keeps_the_pregnancy_not_fully_read(run: Any, text: str) -> None:
    code, ids, item = _check(run, text)
    assert ids == {"pregnancy": "moderate"} and code == 4, item
    assert any("whether it is over was not read" in n for n in _notes(item))


def test_finding_3_through_the_installed_script(tmp_path: Path) -> None:
    proc = run_installed(["check", "-H", "previous pregnancy"], tmp_path)
    out = proc.stdout.decode()
    assert proc.returncode == 3 and "NOT CHECKED" in out and "not read as a pregnancy now" in out
    assert "MODERATE" not in out and "fetal" not in out.lower()


# ---------------------------------------------------------------- finding 3: ICD-10-CM O85-O92


@pytest.mark.parametrize("code", ["O85", "O86.4", "O87.1", "O88.211", "O89.09", "O90.89", "O91.02", "O91.12",
                                  "O91.22", "O92.02", "O92.12", "O92.20", "O92.29", "O92.3", "O92.5"])
def test_puerperium_codes_are_neither_pregnancy_nor_breastfeeding(run: Any, code: str) -> None:
    status, ids, item = _check(run, code)
    assert ids == {} and item["status"] == "not-checked" and status == 3, item


@pytest.mark.parametrize("code", ["O91.03", "O91.13", "O91.23", "O92.03", "O92.13", "O92.4", "O92.6", "O92.70",
                                  "O92.79"])
def test_lactation_codes_are_breastfeeding(run: Any, code: str) -> None:
    status, ids, item = _check(run, code)
    assert ids == {"breastfeeding": "minor"} and status == 1, item


@pytest.mark.parametrize("code", ["O91.011", "O91.119", "O91.212", "O92.013", "O92.111", "O80", "O09.90", "O99.89",
                                  "O14.13", "O93", "Z34.00"])
def test_pregnancy_codes_stay_pregnancy(run: Any, code: str) -> None:
    status, ids, item = _check(run, code)
    assert ids == {"pregnancy": "moderate"} and status == 1, item


def test_o24_is_still_pregnancy_and_diabetes(run: Any) -> None:
    status, ids, item = _check(run, "O24.410")
    assert ids == {"pregnancy": "moderate", "diabetes": "minor"}


def test_mastitis_with_lactation_through_the_installed_script(tmp_path: Path) -> None:
    proc = run_installed(["check", "-H", "O91.23", "--json"], tmp_path)
    assert proc.returncode == 1 and b'"breastfeeding"' in proc.stdout and b'"pregnancy"' not in proc.stdout


# ---------------------------------------------------------------- a code with a time beside it


@pytest.mark.parametrize("text", ["K25.9 (2019)", "K26.9 in 2019", "K25.9 2019"])
def test_an_ulcer_code_with_a_past_year_is_not_fully_read(run: Any, text: str) -> None:
    code, ids, item = _check(run, text)
    assert ids == {"active-peptic-ulcer": "contraindicated"} and code == 4, item
    assert any(YEAR_ALONE in n for n in _notes(item))


@pytest.mark.parametrize("text", ["h/o O14.90", "O14.90 (2019)", "previous O21.0"])
def test_a_pregnancy_code_with_a_past_word_or_year_is_not_fully_read(run: Any, text: str) -> None:
    code, ids, item = _check(run, text)
    assert ids == {"pregnancy": "moderate"} and code == 4, item
    assert any("whether it is over was not read" in n for n in _notes(item))


@pytest.mark.parametrize("text", ["K25.9", f"K25.9 ({THIS_YEAR})", "O14.90", f"O14.90 ({THIS_YEAR})"])
def test_a_code_alone_or_this_year_is_fully_read(run: Any, text: str) -> None:
    code, ids, item = _check(run, text)
    assert _notes(item) == [] and code == 1, item
