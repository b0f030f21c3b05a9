"""New-user trial, round 2: a dose column under another name never passes silently; list files hold one item a line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.mark.parametrize("column", ["Dose (mg)", "Baclofen dose (mg/day)", "dosage"])
def test_a_dose_column_that_would_not_be_read_stops_the_run(run: Any, tmp_path: Path, column: str) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f'id,medications,conditions,"{column}"\nP1,acetaminophen,,95\n', encoding="utf-8")
    result = run("screen", str(path))
    assert result.exit_code == 2
    assert "--dose-column" in result.stderr and "No row was read" in result.stderr


def test_the_same_column_named_is_read_and_graded(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text('id,medications,conditions,Daily Dose\nP1,acetaminophen,,95\n', encoding="utf-8")
    result = run("screen", str(path), "--dose-column", "Daily Dose", "--out", "-", "--out-format", "jsonl")
    assert result.exit_code == 1
    assert '"dose-maximum"' in result.stdout


def test_a_list_file_keeps_each_line_whole(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("insulin glargine (LANTUS) 100 unit/mL injection, Inject 20 Units under the skin nightly.\n"
                    "\n"
                    "oxycodone 5 mg tab PO q6h PRN pain\n", encoding="utf-8")
    code, payload = run.json("check", "--with-file", str(path))
    texts = [i["text"] for i in payload["inputs"]]
    assert texts == ["insulin glargine (LANTUS) 100 unit/mL injection, Inject 20 Units under the skin nightly.",
                     "oxycodone 5 mg tab PO q6h PRN pain"]
    assert any(f["id"] == "opioids" for f in payload["findings"])


def test_a_history_file_keeps_icd_style_lines_whole(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "h.txt"
    path.write_text("Major depressive disorder, recurrent, moderate (HCC)\nCKD stage 4\n", encoding="utf-8")
    _, payload = run.json("check", "--history-file", str(path))
    assert [i["text"] for i in payload["inputs"]] == ["Major depressive disorder, recurrent, moderate (HCC)", "CKD stage 4"]


@pytest.mark.parametrize("line,expected", [
    ("baclofen 10 mg tablet, Take 1 tablet (10 mg total) by mouth 3 (three) times daily.", 30.0),
    ("baclofen 10 mg tablet, Take 2 tablets (20 mg total) by mouth 3 (three) times daily.", 60.0),
    ("baclofen 20 mg tablet, Take 0.5 tablets (10 mg total) by mouth 3 (three) times daily.", 30.0),
    # the bracket contradicts the tablets, or the dose is as needed: never a number
    ("baclofen 10 mg tablet, Take 2 tablets (10 mg total) by mouth 3 (three) times daily.", None),
    ("baclofen 10 mg tablet, Take 1 tablet (10 mg total) by mouth 4 (four) times daily as needed.", None),
    ("baclofen 10 mg tablet, Take 1 tablet (10 mg total) (5 mg total) by mouth 3 times daily.", None),
])
def test_the_epic_total_in_brackets_is_read_only_when_it_agrees(line: str, expected: Any) -> None:
    from baclofen_cli.lines import daily_mg

    assert daily_mg(line) == expected


def test_an_epic_baclofen_line_above_the_maximum_is_flagged(run: Any) -> None:
    code, payload = run.json("check", "--with", "baclofen (LIORESAL) 10 MG tablet, Take 3 tablets (30 mg total) "
                                                "by mouth 3 (three) times daily")
    assert code == 1 and payload["daily_dose_mg"] == 90
    assert any(f["id"] == "dose-maximum" for f in payload["findings"])


@pytest.mark.parametrize("text", ["insomnia", "Migraine", "low back pain", "constipation", "peripheral neuropathy",
                                  "fibromyalgia", "PTSD", "ADHD", "coronary artery disease", "vitamin D deficiency",
                                  "G47.00", "M54.50"])
def test_common_problem_list_entries_are_read(run: Any, text: str) -> None:
    code, payload = run.json("check", "--history", text)
    assert code == 0 and payload["inputs"][0]["status"] == "no-known-caution"


@pytest.mark.parametrize("text", ["BPH", "benign prostatic hyperplasia", "N40.1"])
def test_an_enlarged_prostate_meets_the_urinary_retention_caution(run: Any, text: str) -> None:
    code, payload = run.json("check", "--history", text)
    assert code == 1 and [f["id"] for f in payload["findings"]] == ["urinary-retention"]


def test_sleep_apnoea_codes_still_win_over_insomnia(run: Any) -> None:
    _, payload = run.json("check", "--history", "G47.33")
    assert [f["id"] for f in payload["findings"]] == ["respiratory-disease"]
