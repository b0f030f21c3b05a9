"""Hostile review round 2 (reviews-round2/hostile-2.md), round-1 findings only partly fixed:
C6 (a stray quote in a semicolon file took the next patient's line) and M8 (CSV records on an
ASCII standard output)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Dict, List

import pytest
from test_hostile_round2 import by_line, installed, out_records


def test_c6_semicolon_reviewers_example_gives_three_records_with_p2(run: Any, tmp_path: Path) -> None:
    content = b'id;medications;conditions\nP1;"Tylenol;\nP2;oxycodone";\nP3;oxycodone;\n'
    result, recs = out_records(run, tmp_path, content, "--delimiter", ";")
    assert [(r["line"], r["id"]) for r in recs] == [(2, "P1"), (3, "P2"), (4, "P3")]
    rows = by_line(recs)
    assert rows[2]["status"] == "malformed" and "line 3 starts the row of patient 'P2'" in rows[2]["error"]
    assert rows[3]["status"] == "flagged"  # P2's oxycodone is P2's, never P1's
    assert result.exit_code == 4


@pytest.mark.parametrize("content", [
    b'id,medications,conditions\nP1,"Tylenol,\nP2,oxycodone",\nP3,oxycodone,\n',          # comma file
    b'id;medications;conditions\nMRN-0001;"Tylenol;\nMRN-0002;oxycodone";x\nMRN-0003;oxycodone;\n',
    b'id;medications;conditions\nP1;"Tylenol;\nP2;oxycodone;\nP3;oxycodone";\n',          # two lines taken in
])
def test_c6_a_line_that_starts_another_patients_row_is_never_taken_in(run: Any, tmp_path: Path,
                                                                         content: bytes) -> None:
    delimiter = ";" if b";" in content.split(b"\n")[0] else ","
    result, recs = out_records(run, tmp_path, content, "--delimiter", delimiter)
    lines = content.decode().splitlines()[1:]
    assert [r["line"] for r in recs] == list(range(2, 2 + len(lines)))  # one record per physical line
    assert recs[0]["status"] == "malformed"
    assert all(r["id"] for r in recs[1:])
    assert result.exit_code in (3, 4)


def test_c6_ids_of_the_same_shape_without_digits(run: Any, tmp_path: Path) -> None:
    content = b'id,medications,conditions\nalice,"Tylenol\nbob,oxycodone",\ncarol,Tylenol,\n'
    result, recs = out_records(run, tmp_path, content)
    assert [r["id"] for r in recs] == ["alice", "bob", "carol"]


def test_c11_multiline_field_still_one_record_with_semicolons(run: Any, tmp_path: Path) -> None:
    content = b'id;medications;conditions\nP1;"oxycodone 5 mg; 1 tab\nTylenol 500 mg; 2 tabs";\nP2;Tylenol;\n'
    result, recs = out_records(run, tmp_path, content, "--delimiter", ";")
    assert [r["id"] for r in recs] == ["P1", "P2"]
    assert recs[0]["status"] == "flagged"
    assert any("spans lines 2-3" in n for n in recs[0]["notes"])


IDS = "id,medications,conditions\nJosé,oxycodone,\nJos€,Tylenol,\n"


def test_m8_csv_on_an_ascii_stdout_is_utf8_and_lossless(tmp_path: Path) -> None:
    source = tmp_path / "ids.csv"
    source.write_text(IDS, encoding="utf-8")
    proc = installed(tmp_path, "screen", str(source), "--out", "-", "--out-format", "csv", PYTHONIOENCODING="ascii")
    assert proc.returncode == 1, proc.stderr
    rows: List[Dict[str, Any]] = list(csv.DictReader(io.StringIO(proc.stdout.decode("utf-8"))))
    assert [r["id"] for r in rows] == ["José", "Jos€"]
    assert b"?" not in proc.stdout


def test_m8_csv_on_a_latin1_stdout_is_still_utf8(tmp_path: Path) -> None:
    source = tmp_path / "ids.csv"
    source.write_text(IDS, encoding="utf-8")
    proc = installed(tmp_path, "screen", str(source), "--out", "-", "--out-format", "csv",
                     PYTHONIOENCODING="latin-1")
    assert "Jos€" in proc.stdout.decode("utf-8") and "José" in proc.stdout.decode("utf-8")
