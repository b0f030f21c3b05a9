"""Regression tests for the second hostile review of the line reader (C-1..C-4, C-6..C-9, M-1, m-2).

Every example the reviewer gave that baclo called clear, or read as a smaller dose, is here: it must now
be flagged with the right finding, or shown as not checked. Never exit 0 with a finding missing."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any, List, Set, Tuple

import pytest
from test_installed import run as run_installed

DATA = Path(__file__).parent / "data" / "lines"


def _check(run: Any, *args: str) -> Tuple[int, Any]:
    return run.json("check", *args)


def _findings(payload: Any) -> Set[str]:
    return {f["id"] for f in payload["findings"]}


def _statuses(payload: Any) -> List[str]:
    return [i["status"] for i in payload["inputs"]]


# -- C-1: a product number is bound to the name before quantity, count and "x" rules -------------

@pytest.mark.parametrize("line", [
    "Tylenol #3 tab PO q6h PRN pain", "Tylenol #3 tabs", "Tylenol No. 3 tablet", "Tylenol #4 caplets",
    "Tylenol-3 tablets", "Tylenol #3 x 20", "Tylenol #3 x 5 days", "Tylenol #1 tab", "Tylenol 3 tabs",
    "Tylenol w/ Codeine #3 tab", "Tylenol with codeine #1 tabs",
])
def test_numbered_product_keeps_its_opioid(run: Any, line: str) -> None:
    code, payload = _check(run, "--with", line)
    assert "opioids" in _findings(payload), line
    assert code in (1, 4)


def test_with_codeine_w_slash_is_fully_read(run: Any) -> None:
    _, payload = _check(run, "--with", "Tylenol w/ Codeine #3 tab")
    assert payload["inputs"][0]["unaccounted"] == []


# -- C-2: product suffixes and injection words anywhere in the line -----------------------------

@pytest.mark.parametrize("line", [
    "Tylenol ES PM", "Tylenol caplets PM", "Tylenol tab PM", "Tylenol PO PM", "Tylenol ER PM",
    "Tylenol Rapid Release PM", "Tylenol Extra Strength caplets PM", "Mapap ES PM", "Panadol tabs Night",
    "Tylenol ES, PM", "Advil caplets PM", "Aleve tab PM", "Motrin IB PM", "Excedrin caplets PM",
])
def test_pm_or_night_after_a_form_word_is_the_pm_product(run: Any, line: str) -> None:
    code, payload = _check(run, "--with", line)
    assert "sedating-antihistamines" in _findings(payload), line
    assert code in (1, 4)


@pytest.mark.parametrize("line", ["baclofen inj 2000 mcg/mL", "baclofen tab injection", "baclofen IT pump"])
def test_baclofen_with_injection_words_is_intrathecal(run: Any, line: str) -> None:
    code, payload = _check(run, "--with", line)
    assert "baclofen-intrathecal" in _findings(payload), line
    assert "baclofen (the medicine being checked)" not in payload["inputs"][0]["resolved"]
    assert code != 0


def test_pm_with_no_pm_product_is_not_checked(run: Any) -> None:
    code, payload = _check(run, "--with", "acetaminophen tab PM")
    assert _statuses(payload) == ["not-checked"] and "pm" in payload["inputs"][0]["unaccounted"]
    assert code == 3


def test_timing_words_stay_timing(run: Any) -> None:
    code, payload = _check(run, "--with", "Tylenol 500 mg at night")
    assert _statuses(payload) == ["no-known-interaction"] and code == 0


# -- C-3 / C-4: the baclofen daily dose, read whole or not at all -------------------------------

@pytest.mark.parametrize("line,mg", [
    ("baclofen (LIORESAL) 10 MG tablet, Take 3 tablets by mouth 3 (three) times daily", 90),
    ("baclofen 20 MG tablet, Take 1 tablet by mouth 4 (four) times daily", 80),
    ("baclofen 20 mg 5 times daily", 100), ("baclofen 25 mg 4x daily", 100),
    ("baclofen 30 mg  three  times daily", 90), ("baclofen 20 mg 1\u00bd tabs tid", 90),
    ("baclofen 20 mg q4h", 120), ("baclofen 20 mg every 4 hours", 120), ("baclofen 20 mg six times a day", 120),
    ("baclofen 0.03 g tid", 90), ("baclofen 30000 mcg tid", 90), ("baclofen 90 mg/day", 90),
    ("baclofen 90 mg per day", 90), ("baclofen 30 mg tid and 30 mg qhs", 120),
    ("baclofen 10 mg tab: 2 tabs po tid + 3 tabs qhs", 90), ("baclofen 30 mg \uff34\uff29\uff24", 90),
    ("Ozobax 5 mg/5 mL oral solution, 30 mL TID", 90), ("Fleqsuvy 5 mg/mL, take 20 mL three times daily", 300),
    ("baclofen 30 MG tablet, Take 1 tablet by mouth every 8 (eight) hours", 90),
])
def test_baclofen_line_dose_is_the_true_total(run: Any, line: str, mg: int) -> None:
    code, payload = _check(run, "--with", line)
    assert payload["daily_dose_mg"] == mg, line
    if mg > 80:
        assert "dose-maximum" in _findings(payload) and code in (1, 4)


@pytest.mark.parametrize("line", [
    "baclofen 30 mg TID PRN spasm", "baclofen 20 mg 1-2 tabs tid", "baclofen 40 mg BID-TID",
    "baclofen \uff34\uff29\uff24", "baclofen 10 mg in the morning and 20 mg at night", "baclofen 5 mg q5h",
    "baclofen 10 mg tid x 5 days then bid",
])
def test_baclofen_dose_not_totalled_is_not_checked(run: Any, line: str) -> None:
    code, payload = _check(run, "--with", line)
    assert payload["daily_dose_mg"] is None
    assert _statuses(payload) == ["not-checked"], line
    assert code == 3


def test_two_baclofen_lines_are_summed(run: Any) -> None:
    code, payload = _check(run, "--with", "baclofen 10 mg tid", "--with", "baclofen 20 mg q4h")
    assert payload["daily_dose_mg"] == 150 and code == 1


def test_one_unreadable_baclofen_line_gives_no_partial_total(run: Any) -> None:
    code, payload = _check(run, "--with", "baclofen 10 mg tid", "--with", "baclofen 20 mg 1-2 tabs tid")
    assert payload["daily_dose_mg"] is None
    assert "not-checked" in _statuses(payload) and code in (3, 4)


# -- C-6 / C-7: treatment and qualifier words name conditions; indications are checked ----------

@pytest.mark.parametrize("line,caution", [
    ("Gout on HD", "kidney-failure"), ("Gout on PD", "kidney-failure"), ("Gout on CAPD", "kidney-failure"),
    ("Gout, on HD", "kidney-failure"), ("Hypertension on HD", "kidney-failure"),
    ("Gout on home O2", "respiratory-disease"), ("Gout, on home oxygen", "respiratory-disease"),
    ("Gout on CPAP", "respiratory-disease"), ("Gout on BiPAP", "respiratory-disease"),
    ("Gout on NIPPV", "respiratory-disease"), ("Gout on insulin", "diabetes"),
    ("Gout status epilepticus", "seizure-disorders"), ("Osteoarthritis with hypoxia", "respiratory-disease"),
    ("Gout with hypercapnia", "respiratory-disease"), ("Gout with ascites", "liver-disease"),
])
def test_treatment_and_qualifier_words_name_their_condition(run: Any, line: str, caution: str) -> None:
    code, payload = _check(run, "--history", line, "--fail-on", "minor")
    assert caution in _findings(payload), line
    assert code == 1


@pytest.mark.parametrize("line,caution", [
    ("vitamin D for CKD stage 4", "ckd-stage-4"), ("Tylenol for CKD", "kidney-disease"),
    ("levetiracetam for epilepsy", "seizure-disorders"),
])
def test_a_condition_named_as_indication_is_checked(run: Any, line: str, caution: str) -> None:
    code, payload = _check(run, "--with", line)
    assert caution in _findings(payload) and code == 1


# -- C-8: ICD-10-CM children that add a condition map to both ----------------------------------

@pytest.mark.parametrize("code_text,extra", [
    ("E11.21", "kidney-disease"), ("E11.22", "kidney-disease"), ("E10.22", "kidney-disease"),
    ("E13.21", "kidney-disease"), ("O24.011", "pregnancy"), ("O24.419", "pregnancy"), ("K76.7", "kidney-disease"),
])
def test_icd10_child_keeps_the_severer_condition(run: Any, code_text: str, extra: str) -> None:
    code, payload = _check(run, "--history", code_text, "--fail-on", "moderate")
    assert extra in _findings(payload)
    assert code == 1


def test_icd10_kidney_stage_is_only_the_stage(run: Any) -> None:
    _, payload = _check(run, "--history", "N18.4")
    assert payload["inputs"][0]["resolved"] == ["ckd-stage-4"]


# -- C-9: "<N" is just below N ------------------------------------------------------------------

@pytest.mark.parametrize("line,band", [("eGFR <15", "kidney-failure"), ("eGFR < 30", "ckd-stage-4")])
def test_less_than_value_is_graded_below(run: Any, line: str, band: str) -> None:
    _, payload = _check(run, "--history", line, "--daily-dose", "30")
    assert band in _findings(payload) or any(band in f["id"] for f in payload["findings"]), payload["findings"]
    assert payload["inputs"][0]["resolved"] == [band]


# -- M-1: linear time, long items not read ------------------------------------------------------

def test_huge_digit_items_finish_fast(run: Any, tmp_path: Path) -> None:
    digits = "1" * 100_000 + "z"
    history = tmp_path / "l.txt"
    history.write_text(digits + "\n")
    start = time.perf_counter()
    code, payload = _check(run, "--history-file", str(history))
    assert code == 3 and _statuses(payload) == ["not-checked"]
    code, payload = _check(run, "--with", "baclofen " + digits)
    assert code == 3 and _statuses(payload) == ["not-checked"]
    assert time.perf_counter() - start < 2.0


def test_huge_cell_in_screen_is_fast_and_not_checked(tmp_path: Path) -> None:
    sheet = tmp_path / "big.csv"
    sheet.write_text("id,medications,conditions\nA,baclofen " + "1" * 40_000 + "z," + "2" * 40_000 + "\n")
    start = time.perf_counter()
    proc = run_installed(["screen", str(sheet), "--out", "-", "--out-format", "csv"], cwd=tmp_path)
    assert time.perf_counter() - start < 5.0
    rows = list(csv.DictReader(io.StringIO(proc.stdout.decode())))
    assert rows[0]["status"] == "not-fully-checked" and proc.returncode == 3


# -- m-2 ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("line,resolved", [("CKD G4A2", ["ckd-stage-4"]), ("eGFR 25 (2019)", ["ckd-stage-4"])])
def test_kdigo_and_year_in_brackets_are_accounted(run: Any, line: str, resolved: List[str]) -> None:
    _, payload = _check(run, "--history", line)
    assert payload["inputs"][0]["resolved"] == resolved and payload["inputs"][0]["unaccounted"] == []


def test_number_garbage_is_not_clear(run: Any) -> None:
    code, payload = _check(run, "--with", "baclofen " + "1/" * 50 + "%")
    assert _statuses(payload) == ["not-checked"] and code == 3


# -- the reviewer's one-file demonstration, through the installed script -------------------------

def test_screen_demonstration_every_row_flagged(tmp_path: Path) -> None:
    proc = run_installed(["screen", str(DATA / "hostile2_screen.csv"), "--out", "-", "--out-format", "csv"],
                         cwd=tmp_path)
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(proc.stdout.decode()))}
    assert proc.returncode == 1
    expected = {"A": "Opioids", "B": "Sedating antihistamines", "C": "Daily dose above", "D": "Daily dose above",
                "E": "Respiratory disease", "F": "Chronic kidney disease stage 4", "G": "Intrathecal baclofen"}
    for key, finding in expected.items():
        assert rows[key]["status"] == "flagged" and finding in rows[key]["findings"], rows[key]


@pytest.mark.parametrize("args,needle", [
    (["--with", "Tylenol #3 tab PO q6h PRN pain"], "Opioids"),
    (["--with", "Tylenol ES PM"], "antihistamines"),
    (["--history", "Gout on HD"], "idney failure"),
])
def test_installed_script_reads_the_lines(tmp_path: Path, args: List[str], needle: str) -> None:
    proc = run_installed(["check", *args], cwd=tmp_path)
    assert proc.returncode == 1 and needle in proc.stdout.decode(), proc.stdout.decode()


def test_numbered_product_listed_with_no_keeps_its_caffeine(run: Any) -> None:
    _, payload = _check(run, "--with", "Tylenol with codeine #1 tabs")
    assert {"opioids", "other-cns-active"} <= _findings(payload)
