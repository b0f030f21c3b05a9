"""Ordinary EHR and UK wording that was left not checked (new-user round 3 M3, L6, L8; final re-test; clinical
round H): each case as the user typed it, through the CLI."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from test_installed import run as installed


def _check(run: Any, *args: str) -> Any:
    result = run("check", *args, "--json")
    return result.exit_code, json.loads(result.stdout)


def _ids(data: Dict[str, Any]) -> Dict[str, str]:
    return {f["id"]: f["severity"] for f in data["findings"]}


def _statuses(data: Dict[str, Any]) -> List[str]:
    return [i["status"] for i in data["inputs"]]


# ---------------------------------------------------------------- 1. Epic "Max Daily Amount"


def test_a_max_daily_amount_is_read_as_an_instruction(run: Any) -> None:
    code, data = _check(run, "-w", "oxycodone 5 MG tablet, Take 1 tablet by mouth every 6 (six) hours as needed for "
                                    "pain. Max Daily Amount: 4 tablets")
    assert data["inputs"][0]["unaccounted"] == [] and _ids(data) == {"opioids": "major"}
    assert code == 1


@pytest.mark.parametrize("line", [
    "baclofen 10 MG tablet, Take 1 tablet by mouth 3 (three) times daily. Max Daily Amount: 6 tablets",
    "baclofen 10 mg tid, max daily dose: 30 mg",
])
def test_a_max_daily_amount_never_vouches_for_the_baclofen_total(run: Any, line: str) -> None:
    code, data = _check(run, "-w", line, "--egfr", "40")
    assert data["daily_dose_mg"] is None
    assert data["inputs"][0]["status"] == "not-checked" and data["inputs"][0]["unaccounted"] == []
    assert not any("within" in f.get("text", "") for f in data["findings"])
    assert code == 4
    # a total given is not compared with a line whose dose was not read: still not vouched for
    result = run("check", "-w", line, "--daily-dose", "60", "--brief")
    assert "could not be compared" in result.stdout and result.exit_code == 3


# ---------------------------------------------------------------- 2. an Epic Medication/Sig/Dispense/Refill paste

ONE_CELL_A_LINE = """Medication
Sig
Dispense
Refill
baclofen (LIORESAL) 10 MG tablet
Take 1 tablet (10 mg total) by mouth 3 (three) times daily.
90 tablet
2
lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet
Take 1 tablet by mouth daily.
30 tablet
0
oxycodone 5 MG tablet
Take 1 tablet by mouth every 6 (six) hours as needed for pain. Max Daily Amount: 4 tablets
20 tablet
0
"""
TABBED = ("Medication\tSig\tDispense\tRefill\n"
          "baclofen (LIORESAL) 10 MG tablet\tTake 1 tablet (10 mg total) by mouth 3 (three) times daily.\t90 tablet\t2\n"
          "lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet\tTake 1 tablet by mouth daily.\t30 tablet\t0\n"
          "oxycodone 5 MG tablet\tTake 1 tablet by mouth every 6 (six) hours as needed for pain.\t20 tablet\t0\n")


@pytest.mark.parametrize("paste", [ONE_CELL_A_LINE, TABBED])
def test_an_epic_medication_table_is_read_row_by_row(run: Any, tmp_path: Path, paste: str) -> None:
    path = tmp_path / "meds.txt"
    path.write_text(paste, encoding="utf-8")
    code, data = _check(run, "--with-file", str(path), "--egfr", "40")
    texts = [i["text"] for i in data["inputs"]]
    assert len(texts) == 3, texts  # one item a medicine: no heading, Sig, Dispense or Refill item of its own
    assert texts[0].startswith("baclofen (LIORESAL) 10 MG tablet, Sig: Take 1 tablet")
    assert texts[0].endswith("Dispense: 90 tablet, Refill: 2")
    assert all(i["unaccounted"] == [] for i in data["inputs"]), data["inputs"]
    assert _statuses(data) == ["baclofen", "flagged", "flagged"]
    assert data["daily_dose_mg"] == 30  # the dispensed 90 tablets and 2 refills are never a dose
    assert "opioids" in _ids(data) and len(_ids(data)) >= 3
    assert code == 1


def test_a_paste_never_loses_or_joins_a_medicine_line(run: Any, tmp_path: Path) -> None:
    # a medicine where a Sig is expected stays a medicine; a row with a cell missing is joined unlabelled
    path = tmp_path / "meds.txt"
    path.write_text("Medication\nSig\nDispense\nRefill\nbaclofen 10 MG tablet\noxycodone 5 mg\n90 tablet\n2\n",
                    encoding="utf-8")
    code, data = _check(run, "--with-file", str(path))
    texts = [i["text"] for i in data["inputs"]]
    assert texts == ["baclofen 10 MG tablet", "oxycodone 5 mg, 90 tablet, 2"]
    assert data["inputs"][1]["unaccounted"] == ["2"] and "opioids" in _ids(data)
    assert code == 4


def test_without_a_heading_a_dose_line_stays_its_own_item(run: Any, tmp_path: Path) -> None:
    # "and 20 mg at night" may be the rest of the baclofen line: never attached to the line above, so the total
    # stays unread (hostile round 6); a start date and a lone heading word are attached
    path = tmp_path / "meds.txt"
    path.write_text("baclofen 20 mg qid\nStart date: 2026-01-01\nmetformin 500 mg bid\nRefill\n20 mg at night\n",
                    encoding="utf-8")
    code, data = _check(run, "--with-file", str(path))
    texts = [i["text"] for i in data["inputs"]]
    assert texts == ["baclofen 20 mg qid, Start date: 2026-01-01", "metformin 500 mg bid, Refill", "20 mg at night"]
    assert data["daily_dose_mg"] is None and code in (3, 4)


def test_a_start_date_goes_with_its_item(run: Any) -> None:
    code, data = _check(run, "-w", "baclofen 10 mg tid\nStart date: 2026-01-01", "-H", "CVA, Start date: 2019-01-01")
    assert [i["text"] for i in data["inputs"]] == ["baclofen 10 mg tid, Start date: 2026-01-01",
                                                   "CVA, Start date: 2019-01-01"]
    assert data["daily_dose_mg"] == 30 and all(i["unaccounted"] == [] for i in data["inputs"])
    assert code == 1
    # on its own, a start date says nothing: not checked
    code, data = _check(run, "-w", "Start date: 2026-01-01")
    assert code == 3


# ---------------------------------------------------------------- 3. LEVOTHROID


def test_levothroid_is_levothyroxine(run: Any) -> None:
    code, data = _check(run, "-w", "levothyroxine (SYNTHROID, LEVOTHROID) 50 MCG tablet")
    assert data["inputs"][0]["status"] == "no-known-interaction" and code == 0


# ---------------------------------------------------------------- 4. history wording


@pytest.mark.parametrize("text", ["previous stroke", "Prev. CVA", "prior CVA", "Stroke 2019", "CVA (2019)", "hx CVA"])
def test_previous_and_a_year_are_history_qualifiers(run: Any, text: str) -> None:
    code, data = _check(run, "-H", text)
    assert _ids(data) == {"stroke": "moderate"} and data["inputs"][0]["unaccounted"] == []
    assert code == 1


# "peptic ulcer 2015" (a bare trailing year) left this list in hostile round 7 M2: a year alone is no proof the ulcer
# healed, so it stays the contraindication with the year not read (tests/test_hostile_round7_lines.py);
# clinical round I: a year alone, in brackets or after "in" as bare, no longer makes an ulcer history (it stays the
# contraindication, the year not read: tests/test_clinical_round_i.py); these keep a history word with the year
@pytest.mark.parametrize("text", ["previous peptic ulcer in 2015", "h/o PUD (2015)", "prev PUD", "previous peptic ulcer"])
def test_an_ulcer_in_an_earlier_year_is_history_as_the_year_rules_decided(run: Any, text: str) -> None:
    code, data = _check(run, "-H", text)
    assert _ids(data) == {"peptic-ulcer-history": "minor"} and code == 1


def test_an_ulcer_this_year_stays_the_contraindication_however_the_year_is_written(run: Any) -> None:
    year = datetime.date.today().year
    for text in (f"peptic ulcer {year}", f"peptic ulcer in {year}", f"previous peptic ulcer, {year}",
                 f"peptic ulcer ({year})", f"peptic ulcer, Start date: {year}-01-01"):
        code, data = _check(run, "-H", text)
        assert _ids(data) == {"active-peptic-ulcer": "contraindicated"}, (text, data["inputs"])


# ---------------------------------------------------------------- 5. cannabis forms, brain injury


@pytest.mark.parametrize("text, finding", [("CBD oil", "anticonvulsants"), ("THC gummies", "cannabis-and-sedating-herbs"),
                                           ("CBD gummies 25 mg nightly", "anticonvulsants")])
def test_cannabis_product_forms_are_read(run: Any, text: str, finding: str) -> None:
    code, data = _check(run, "-w", text)
    assert finding in _ids(data) and data["inputs"][0]["unaccounted"] == [] and code == 1


@pytest.mark.parametrize("text", ["ABI", "acquired brain injury"])
def test_acquired_brain_injury_is_spasticity_of_cerebral_origin(run: Any, text: str) -> None:
    code, data = _check(run, "-H", text)
    assert _ids(data) == {"cerebral-spasticity": "minor"} and code == 1


# ---------------------------------------------------------------- 6. ambiguous brands, unreviewed products


@pytest.mark.parametrize("name", ["Benylin"])
def test_a_brand_of_several_products_is_graded_as_cold_medicine_at_its_strictest(run: Any, name: str) -> None:
    result = run("check", "-w", name)
    assert result.exit_code == 1
    assert "MAJOR" in result.stdout and "could mean" in result.stdout and "Name the product" in result.stdout
    assert "Benadryl" not in result.stdout


def test_lemsip_is_graded_by_its_own_products_not_as_an_opioid(run: Any) -> None:
    """Clinical round I (M2): no Lemsip product contains an opioid; Lemsip Max All Day contains ibuprofen."""
    result = run("check", "-w", "Lemsip")
    assert result.exit_code == 1
    assert "MODERATE: Lemsip products" in run("check", "-w", "Lemsip", "--brief").stdout
    assert "Opioids" not in result.stdout and "ibuprofen" in result.stdout and "Name the product" in result.stdout
    whole = run("check", "-w", "Lemsip Max All Day Cold & Flu", "--brief")
    assert "(ibuprofen)" in whole.stdout and "NOT CHECKED" not in whole.stdout


def test_lemsip_cold_and_flu_is_read_as_its_contents(run: Any) -> None:
    code, data = _check(run, "-w", "Lemsip Cold & Flu Lemon")
    assert data["inputs"][0]["unaccounted"] == [] and "other-cns-active" in _ids(data)


# ---------------------------------------------------------------- 7. lab units, pregnancy


@pytest.mark.parametrize("text", ["creatinine 2.5 mg/dL", "serum creatinine 1.8 mg/dl", "Mg 1.2"])
def test_a_lab_unit_is_never_myasthenia_gravis(run: Any, text: str) -> None:
    code, data = _check(run, "-H", text)
    assert data["findings"] == [] and code == 3


@pytest.mark.parametrize("text, ids", [("gestational diabetes", {"pregnancy", "diabetes"}),
                                       ("pre-eclampsia", {"pregnancy"}), ("preeclampsia", {"pregnancy"}),
                                       ("hyperemesis gravidarum", {"pregnancy"}), ("third trimester", {"pregnancy"}),
                                       ("32 weeks pregnant", {"pregnancy"}), ("pregnant 32/40", {"pregnancy"}),
                                       ("pregnancy 32+4 weeks gestation", {"pregnancy"})])
def test_a_disorder_of_pregnancy_names_a_pregnancy(run: Any, text: str, ids: set) -> None:
    code, data = _check(run, "-H", text)
    assert set(_ids(data)) == ids and data["inputs"][0]["unaccounted"] == [] and code == 1


@pytest.mark.parametrize("text", ["postpartum", "history of gestational diabetes"])
def test_a_pregnancy_that_may_be_over_is_not_guessed(run: Any, text: str) -> None:
    code, data = _check(run, "-H", text)
    assert "pregnancy" not in _ids(data) and "breastfeeding" not in _ids(data)
    assert (data["inputs"][0]["status"] == "not-checked" or data["inputs"][0]["unaccounted"]) and code in (3, 4)


def test_weeks_are_read_only_with_a_pregnancy(run: Any) -> None:
    code, data = _check(run, "-H", "peptic ulcer 6 weeks")  # how long ago, or how long: not read
    assert data["inputs"][0]["unaccounted"] and code == 4


# ---------------------------------------------------------------- 8. info topics (L6)


def test_info_stopping_gathers_both_stopping_entries(run: Any) -> None:
    result = run("info", "stopping")
    assert result.exit_code == 0
    assert "Stopping suddenly" in result.stdout and "From dosing" in result.stdout
    assert "Titration" not in result.stdout  # not the whole Dosing section


def test_info_storage_suggests_no_look_alike(run: Any) -> None:
    result = run("info", "storage")
    assert result.exit_code != 0
    assert "Did you mean: dosing" not in result.output
    assert "dosing" in run("info", "dosign").output.lower()


# ---------------------------------------------------------------- 9. implausible kidney values (L8)


@pytest.mark.parametrize("flag, value", [("--egfr", "900"), ("--crcl", "201"), ("--egfr", "-1"), ("--crcl", "nan")])
def test_an_implausible_kidney_value_is_a_usage_error(run: Any, flag: str, value: str) -> None:
    result = run("check", "-w", "baclofen 10 mg tid", flag, value)
    assert result.exit_code == 2
    assert "from 0 to 200" in result.output and "Traceback" not in result.output


def test_the_highest_plausible_value_is_accepted(run: Any) -> None:
    result = run("check", "-w", "baclofen 10 mg tid", "--crcl", "200", "--brief")
    assert result.exit_code == 0


def test_installed_epic_paste_and_kidney_limit(tmp_path: Path) -> None:
    proc = installed(["check", "--with-file", "-", "--brief"], tmp_path, stdin=TABBED.encode())
    out = proc.stdout.decode()
    assert proc.returncode == 1, out
    assert "NOT CHECKED" not in out and "MAJOR: Opioids" in out
    proc = installed(["check", "--egfr", "900"], tmp_path)
    assert proc.returncode == 2 and b"from 0 to 200" in proc.stderr
