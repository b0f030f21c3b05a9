"""Hostile review round 7 (line reader): C1, C2, C3, M2 and N2, each with the reviewer's command and its variants."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any, List

import pytest
from test_installed import run as run_installed

FORMS = ["Eye drops", "Inhaler", "Patch", "Nasal spray", "Spray", "Drops", "Cream", "Suppository", "Nebulizer",
         "Lozenges", "Shots", "Drinks", "Gummies", "Oil", "Tincture", "Injection", "then Inhaler", "also Patch",
         "plus Eye drops"]
TABLE = "Medication\tSig\nbaclofen 10 MG tablet\tTake 1 tablet 3 times daily\n"


def _check(run: Any, *args: str) -> Any:
    result = run("check", *args, "--json")
    return result.exit_code, json.loads(result.stdout)


def _texts(data: Any) -> List[str]:
    return [i["text"] for i in data["inputs"]]


def _file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "list.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


# ---------------------------------------------------------------- C1: form words are never a field


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("heading", [TABLE, "Medication\nSig\nbaclofen 10 MG tablet\nTake 1 tablet 3 times daily\n",
                                     "baclofen 10 mg tid\n"])
def test_a_line_of_form_words_stays_an_item_of_its_own(run: Any, tmp_path: Path, heading: str, form: str) -> None:
    code, data = _check(run, "--with-file", _file(tmp_path, heading + form + "\n"))
    assert form in _texts(data), _texts(data)
    assert not any(t.startswith("baclofen") and form in t for t in _texts(data))
    assert code == 3
    [item] = [i for i in data["inputs"] if i["text"] == form]
    assert item["status"] == "not-checked"
    assert "intrathecal" not in json.dumps(data["findings"]).lower()  # "Injection" never re-reads the tablet line


@pytest.mark.parametrize("line", ["Take 1 tablet by mouth daily.", "90 tablet", "30", "Refill", "2 refills",
                                  "Start date: 2026-01-01", "Disp: 90 tablet"])
def test_a_real_field_still_goes_with_the_medicine_above(run: Any, tmp_path: Path, line: str) -> None:
    code, data = _check(run, "--with-file", _file(tmp_path, TABLE + line + "\n"))
    assert len(data["inputs"]) == 1 and data["inputs"][0]["text"].endswith(line)


@pytest.mark.parametrize("line", ["1 Inhaler", "2 Eye drops", "Inhaler twice daily", "Use nasal spray twice daily"])
def test_a_quantity_or_sig_of_another_form_is_not_a_field_of_a_tablet(run: Any, tmp_path: Path, line: str) -> None:
    code, data = _check(run, "--with-file", _file(tmp_path, TABLE + line + "\n"))
    assert line in _texts(data) and code == 3


def test_a_quantity_in_the_form_of_the_line_above_is_its_field(run: Any, tmp_path: Path) -> None:
    table = "Medication\tSig\nalbuterol inhaler\tInhale 2 puffs twice daily\n1 Inhaler\n"
    code, data = _check(run, "--with-file", _file(tmp_path, table))
    assert _texts(data) == ["albuterol inhaler, Sig: Inhale 2 puffs twice daily, 1 Inhaler"]


@pytest.mark.parametrize("value", ["amoxicillin, Gummies", "amoxicillin, Oil", "amoxicillin, Tincture",
                                   "amoxicillin 500 mg, Patch", "amoxicillin 500 mg, Eye drops",
                                   "amoxicillin 500 mg, Shots", "amoxicillin 500 mg, then Inhaler",
                                   "baclofen 10 mg tid, Eye drops", "baclofen 10 mg tid, Injection"])
def test_a_comma_piece_of_form_words_is_an_item_of_its_own(run: Any, value: str) -> None:
    code, data = _check(run, "-w", value)
    first, piece = value.split(", ", 1)
    assert _texts(data) == [first, piece] and code == 3
    assert "intrathecal" not in json.dumps(data["findings"]).lower()


@pytest.mark.parametrize("value", ["amoxicillin 500 mg, 1 tab three times daily", "amoxicillin 500 mg, by mouth",
                                   "baclofen 10 mg, two tablets three times daily"])
def test_a_comma_piece_of_dose_words_still_continues(run: Any, value: str) -> None:
    code, data = _check(run, "-w", value)
    assert _texts(data) == [value]


def test_c1_reviewer_command_through_the_installed_script(tmp_path: Path) -> None:
    for form in ("Eye drops", "Injection", "then Inhaler"):
        proc = run_installed(["check", "--with-file", "-", "--brief"], tmp_path, stdin=(TABLE + form + "\n").encode())
        assert proc.returncode == 3, proc.stdout
        assert b"No findings: only baclofen" not in proc.stdout and b"Intrathecal" not in proc.stdout
    proc = run_installed(["check", "-w", "amoxicillin, Gummies", "--brief"], tmp_path)
    assert proc.returncode == 3 and b"Gummies" in proc.stdout


# ---------------------------------------------------------------- C2: a Qty/Disp figure before dose words is the dose


@pytest.mark.parametrize("value, total", [
    ("baclofen 20 mg tablet, qty 2 tablets three times daily", 120),
    ("baclofen 20 mg, take quantity 2 tablets 4 times daily", 160),
    ("baclofen 20 mg tab: disp 2 tabs qid", 160),
    ("baclofen 20 mg tid, qty 2 tablets qid", None),
    ("baclofen 10 mg tablet, disp 2 tablets, three times daily", None),
    ("baclofen 20 mg, refill 2 tablets three times daily", 120),
    # a supply field of its own is still never a dose
    ("baclofen 10 mg tid, Disp: 90 tablet", 30), ("baclofen 10 mg tid Disp: 90 tablet Refills: 2", 30),
    ("baclofen 20 mg tid, Qty: 90 tablet(s), Refills: 0", 60), ("baclofen 20 mg tid, 3 refills", 60)])
def test_a_supply_figure_is_removed_only_as_a_field_of_its_own(run: Any, value: str, total: Any) -> None:
    code, data = _check(run, "-w", value)
    assert data["daily_dose_mg"] == total, data["inputs"]
    if total is None:
        assert code in (3, 4)
    assert data["daily_dose_mg"] is None or data["daily_dose_mg"] >= 30


def test_c2_in_a_screening_cell(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text('id,medications,conditions\n1,"baclofen 20 mg tablet, qty 2 tablets three times daily",\n',
                      encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run("screen", str(source), "--out", str(out))
    [row] = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["status"] != "clean"


def test_c2_reviewer_command_through_the_installed_script(tmp_path: Path) -> None:
    proc = run_installed(["check", "-w", "baclofen 20 mg tablet, qty 2 tablets three times daily", "--brief"],
                         tmp_path)
    assert proc.returncode == 1 and b"120 mg" in proc.stdout


# ---------------------------------------------------------------- C3: a cell gets a label only when it fits


VERTICAL = "Medication\nSig\nDispense\nRefill\n"


@pytest.mark.parametrize("rows", [
    "baclofen 20 MG tablet\nTake 1 tablet\n2 at night\n2\n",
    "baclofen 20 MG tablet\nTake 1 tablet\n1 tablet at night\n2\n",
    "baclofen 20 MG tablet\tTake 1 tablet\t2 at night\t2\n"])
def test_a_cell_that_does_not_fit_its_column_leaves_the_dose_unread(run: Any, tmp_path: Path, rows: str) -> None:
    heading = VERTICAL if "\t" not in rows else "Medication\tSig\tDispense\tRefill\n"
    code, data = _check(run, "--with-file", _file(tmp_path, heading + rows), "--egfr", "40")
    assert data["daily_dose_mg"] is None and code == 4
    assert not any("Dispense:" in t for t in _texts(data))
    assert "within the reduced maximum" not in json.dumps(data)


def test_a_vertical_row_that_fits_is_labelled_and_read(run: Any, tmp_path: Path) -> None:
    rows = "baclofen 20 MG tablet\nTake 1 tablet 3 times daily\n90 tablet\n2\n"
    code, data = _check(run, "--with-file", _file(tmp_path, VERTICAL + rows))
    assert _texts(data) == ["baclofen 20 MG tablet, Sig: Take 1 tablet 3 times daily, Dispense: 90 tablet, Refill: 2"]
    assert data["daily_dose_mg"] == 60


def test_c3_reviewer_command_through_the_installed_script(tmp_path: Path) -> None:
    stdin = (VERTICAL + "baclofen 20 MG tablet\nTake 1 tablet\n2 at night\n2\n").encode()
    proc = run_installed(["check", "--with-file", "-", "--egfr", "40"], tmp_path, stdin=stdin)
    assert proc.returncode == 4
    assert b"Daily dose: 20 mg" not in proc.stdout and b"within the reduced maximum" not in proc.stdout


# ---------------------------------------------------------------- M2: a bare year never makes an ulcer history


# clinical round I: "(2015)" and "in 2015" are a year alone too
@pytest.mark.parametrize("text", ["peptic ulcer, 2019", "Peptic ulcer 2019", "peptic ulcer 2015", "PUD, 2012",
                                  "PUD (2015)", "peptic ulcer in 2015"])
def test_a_bare_year_after_an_ulcer_keeps_the_contraindication_and_is_not_read(run: Any, text: str) -> None:
    code, data = _check(run, "-H", text, "--fail-on", "major")
    assert {f["id"] for f in data["findings"]} == {"active-peptic-ulcer"}
    assert code == 4 and any("a year alone" in u for i in data["inputs"] for u in i["unaccounted"])


def test_a_bare_year_in_a_history_file_line(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "h.txt"
    path.write_text("Peptic ulcer\t2019\n", encoding="utf-8")
    code, data = _check(run, "--history-file", str(path))
    assert {f["id"] for f in data["findings"]} == {"active-peptic-ulcer"} and code == 4


@pytest.mark.parametrize("text", ["peptic ulcer, diagnosed 2019", "peptic ulcer, Start date: 2019-01-01"])
def test_a_diagnosis_or_start_date_stays_the_contraindication(run: Any, text: str) -> None:
    code, data = _check(run, "-H", text)
    assert {f["id"] for f in data["findings"]} == {"active-peptic-ulcer"}


# clinical round I: a year alone, in brackets or after "in" as bare, no longer makes an ulcer history (it stays the
# contraindication, the year not read: tests/test_clinical_round_i.py); these keep a history word with the year
@pytest.mark.parametrize("text", ["h/o PUD (2015)", "hx peptic ulcer in 2015", "previous peptic ulcer, 2019",
                                  "healed gastric ulcer"])
def test_the_tested_history_rules_are_kept(run: Any, text: str) -> None:
    code, data = _check(run, "-H", text)
    assert {f["id"] for f in data["findings"]} == {"peptic-ulcer-history"} and code == 1


def test_a_year_this_year_stays_the_contraindication(run: Any) -> None:
    year = datetime.date.today().year
    code, data = _check(run, "-H", f"peptic ulcer, {year}")
    assert {f["id"] for f in data["findings"]} == {"active-peptic-ulcer"}


@pytest.mark.parametrize("text", ["duodenal ulcer; prev H pylori", "duodenal ulcer; previous H. pylori infection"])
def test_a_qualifier_in_another_clause_is_not_the_ulcers(run: Any, text: str) -> None:
    code, data = _check(run, "-H", text)
    assert "active-peptic-ulcer" in {f["id"] for f in data["findings"]}
    assert "peptic-ulcer-history" not in {f["id"] for f in data["findings"]}


def test_m2_reviewer_command_through_the_installed_script(tmp_path: Path) -> None:
    proc = run_installed(["check", "-H", "peptic ulcer, 2019", "--fail-on", "major"], tmp_path)
    assert proc.returncode == 4 and b"CONTRAINDICATED" in proc.stdout


# ---------------------------------------------------------------- N2: the refused value as typed; -0 is 0


@pytest.mark.parametrize("flag", ["--egfr", "--crcl"])
@pytest.mark.parametrize("value, shown", [("200.0001", "200.0001"), ("250", "250"), ("-0.5", "-0.5")])
def test_a_refused_kidney_value_is_shown_in_full(run: Any, flag: str, value: str, shown: str) -> None:
    result = run("check", "-w", "amoxicillin", f"{flag}={value}")
    assert result.exit_code == 2 and f"not {shown}" in result.stderr and "not 200\n" not in result.stderr


def test_minus_zero_is_zero(run: Any) -> None:
    result = run("check", "-w", "amoxicillin", "--egfr=-0")
    assert "eGFR 0 mL/min" in result.stdout and "-0" not in result.stdout
