"""New-user trial, round 2: a dose column under another name never passes silently; list files hold one item a line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.mark.parametrize("column", ["Daily Dose", "Baclofen dose (mg/day)", "dosage"])
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
