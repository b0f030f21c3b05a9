"""Hostile screening files and output targets: no patient is ever lost, merged or whitewashed.

Each test states one promise of issue 10/12 and checks it through the CLI: the exit status,
records out = records in (with the file's own line numbers), files left untouched, and
nothing shown as clean that was not checked.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any, Dict, List

import pytest
from conftest import ESC, MINI

from baclofen_cli.cli import app

DATA = Path(__file__).parent / "data" / "screen"
HEADER = b"id,medications,conditions,daily_dose_mg\n"


def screen(run: Any, *args: str, input: bytes | None = None) -> Any:
    if input is not None:
        return run.runner.invoke(app, ["--data", str(MINI), "screen", *args], input=input, catch_exceptions=False)
    return run("--data", str(MINI), "screen", *args)


def write(tmp_path: Path, content: bytes, name: str = "p.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def records(path: Path) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def screened(run: Any, tmp_path: Path, content: bytes, *args: str, name: str = "p.csv") -> Any:
    """Screen ``content``; return (result, output records)."""
    source = write(tmp_path, content, name)
    out = tmp_path / "out.jsonl"
    result = screen(run, str(source), "--out", str(out), *args)
    return result, (records(out) if out.exists() else None)


# ---------------------------------------------------------------- columns


@pytest.mark.parametrize("header,needle", [
    (b"id,meds,conditions\n", "no column for medications (looked for 'medications' or 'medication'"),
    (b"patient,medications,conditions\n", "no column for id"),
    (b"id,medications,dx_list\n", "no column for conditions"),
    (b"id,medications,medications,conditions\n", "column 'medications' 2 times"),
    (b"id,Medications, medications ,conditions\n", "column 'Medications' 2 times"),
    (b"id,medication,medications,conditions\n", "two columns that could be the medications"),
    (b"id,patient_id,medications,conditions\n", "two columns that could be the id"),
    (b"id;medications;conditions\n", "separated by ';'; give --delimiter ';'"),
    (b"", "the header (line 1) ('A', 'oxycodone', 'ckd') has no column for id"),
    (b"\n\n", "the header (line 3)"),
    (b"id,medications,cond\xe9itions\n", "not valid utf-8"),
    (b"id,medications,conditions\rA,oxycodone,\r", "carriage return"),
])
def test_a_header_baclo_cannot_use_stops_the_run_before_any_row(run: Any, tmp_path: Path, header: bytes,
                                                                 needle: str) -> None:
    out = write(tmp_path, b"kept\n", "out.jsonl")
    source = write(tmp_path, header + b"A,oxycodone,ckd\n")
    result = screen(run, str(source), "--out", str(out))
    assert result.exit_code == 2
    assert needle in result.stderr
    assert out.read_bytes() == b"kept\n"  # nothing written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "p.csv"]  # no temp file left


def test_header_names_ignore_case_surrounding_space_and_bom(run: Any, tmp_path: Path) -> None:
    result, recs = screened(run, tmp_path, (DATA / "excel-bom.csv").read_bytes())
    assert result.exit_code == 1
    assert [(r["line"], r["id"], r["status"]) for r in recs] == [(2, "A1", "flagged"), (3, "A2", "clean")]
    assert {f["id"] for f in recs[0]["findings"]} >= {"opioids", "kidney-disease"}


def test_columns_not_read_are_reported(run: Any, tmp_path: Path) -> None:
    # a column that may hold a dose is refused instead (test_newuser_inputs); other columns are listed
    source = write(tmp_path, b"id,medications,conditions,ward\nA,Tylenol,,4B\n")
    result = screen(run, str(source), "--json")
    summary = json.loads(result.stdout)["summary"]
    assert summary["columns_not_read"] == ["ward"]
    assert "columns not read: ward" in screen(run, str(source)).stdout


def test_a_file_without_conditions_is_screened_when_the_user_says_so(run: Any, tmp_path: Path) -> None:
    result, recs = screened(run, tmp_path, b"id,medications\nA,oxycodone\n", "--conditions-column", "-")
    assert result.exit_code == 1 and recs[0]["status"] == "flagged"


def test_semicolon_delimited_with_delimiter_option(run: Any, tmp_path: Path) -> None:
    result, recs = screened(run, tmp_path, (DATA / "semicolon.csv").read_bytes(), "--delimiter", ";")
    assert result.exit_code == 1
    assert [(r["id"], r["status"]) for r in recs] == [("S1", "flagged"), ("S2", "clean")]


def test_a_delimiter_of_several_characters_is_a_usage_error(run: Any, tmp_path: Path) -> None:
    result = screen(run, str(write(tmp_path, HEADER)), "--delimiter", ";;")
    assert result.exit_code == 2 and "--delimiter must be one character" in result.stderr


# ---------------------------------------------------------------- one record per record


def test_a_stray_quote_never_swallows_the_patients_after_it(run: Any, tmp_path: Path) -> None:
    result, recs = screened(run, tmp_path, (DATA / "stray-quote.csv").read_bytes())
    assert [(r["line"], r["id"], r["status"]) for r in recs] == [
        (2, "Q1", "malformed"), (3, "Q2", "flagged"), (4, "Q3", "flagged"), (5, "Q4", "malformed")]
    assert "stray quote" in recs[0]["error"]
    assert result.exit_code == 4


def test_a_real_multi_line_quoted_field_is_one_row_and_reported(run: Any, tmp_path: Path) -> None:
    result, recs = screened(run, tmp_path, (DATA / "multiline.csv").read_bytes(), "--json")
    assert [(r["line"], r["id"], r["status"]) for r in recs] == [(2, "M1", "flagged"), (4, "M2", "clean")]
    assert recs[0]["notes"] == ["a quoted field spans lines 2-3"]
    assert json.loads(result.stdout)["summary"]["rows_with_fields_spanning_lines"] == 1


def test_a_quote_left_open_for_many_lines_is_bounded(run: Any, tmp_path: Path) -> None:
    body = b'A,"oxycodone,\n' + b"".join(b"x%d\n" % i for i in range(40)) + b'B,oxycodone,"ckd"\n'
    result, recs = screened(run, tmp_path, b"id,medications,conditions\n" + body)
    assert len(recs) == 42 and recs[0]["status"] == "malformed"
    assert recs[-1]["id"] == "B" and recs[-1]["status"] == "flagged"
    assert [r["line"] for r in recs] == list(range(2, 44))


def test_an_over_long_field_is_one_malformed_row(run: Any, tmp_path: Path) -> None:
    content = HEADER + b"A,Tylenol,,\nB," + b"x" * 150_000 + b",,\nC,oxycodone,,\n"
    result, recs = screened(run, tmp_path, content)
    assert [(r["id"], r["status"]) for r in recs] == [("A", "clean"), ("", "malformed"), ("C", "flagged")]
    assert result.exit_code == 4


def test_an_over_long_line_is_skipped_in_bounded_memory_and_reported(run: Any, tmp_path: Path) -> None:
    content = HEADER + b"A,Tylenol,,\nB,\"" + b"x;" * 700_000 + b"\",,\nC,oxycodone,,\n"
    result, recs = screened(run, tmp_path, content)
    assert [r["line"] for r in recs] == [2, 3, 4]
    assert "over 1,000,000 characters" in recs[1]["error"]
    assert recs[2]["status"] == "flagged"


@pytest.mark.parametrize("damage", [b"oxy\rcodone", b"oxycodone\r;Valium", b"\r"])
def test_a_lone_carriage_return_makes_one_malformed_row_never_a_merged_one(run: Any, tmp_path: Path,
                                                                           damage: bytes) -> None:
    content = HEADER + b"A," + damage + b",,\nB,oxycodone,ckd,\n"
    result, recs = screened(run, tmp_path, content)
    assert [(r["line"], r["id"], r["status"]) for r in recs] == [(2, "", "malformed"), (3, "B", "flagged")]
    assert "carriage return" in recs[0]["error"]


def test_crlf_line_ends_are_ordinary(run: Any, tmp_path: Path) -> None:
    result, recs = screened(run, tmp_path, HEADER.replace(b"\n", b"\r\n") + b"A,Tylenol,,\r\nB,oxycodone,,\r\n")
    assert [r["status"] for r in recs] == ["clean", "flagged"]


def test_a_nul_byte_makes_its_row_malformed(run: Any, tmp_path: Path) -> None:
    result, recs = screened(run, tmp_path, HEADER + b"A,oxy\x00codone,,\nB,Tylenol,,\n")
    assert [(r["line"], r["status"]) for r in recs] == [(2, "malformed"), (3, "clean")]
    assert result.exit_code == 3


@pytest.mark.parametrize("row,needle", [
    (b"A,Tylenol,,,extra\n", "5 fields where the header has 4"),
    (b"A,Tylenol\n", "2 fields where the header has 4"),
    (b'A,"Tylenol"x,,\n', "cannot be read as CSV"),
])
def test_rows_of_the_wrong_shape_are_malformed_with_their_id(run: Any, tmp_path: Path, row: bytes,
                                                             needle: str) -> None:
    result, recs = screened(run, tmp_path, HEADER + row + b"B,Tylenol,,\n")
    assert recs[0]["status"] == "malformed" and needle in recs[0]["error"]
    assert recs[0]["id"] == "A" and recs[1]["status"] == "clean"
    assert result.exit_code == 3


def test_blank_lines_are_not_rows_but_line_numbers_stay_the_files(run: Any, tmp_path: Path) -> None:
    result, recs = screened(run, tmp_path, b"\n" + HEADER + b"\nA,Tylenol,,\n\n\nB,oxycodone,,\n")
    assert [(r["line"], r["id"]) for r in recs] == [(4, "A"), (7, "B")]


# ---------------------------------------------------------------- encoding


def test_invalid_utf8_is_never_replaced_the_item_is_not_checked(run: Any, tmp_path: Path) -> None:
    result, recs = screened(run, tmp_path, (DATA / "latin1.csv").read_bytes())
    assert result.exit_code == 4  # L2 flagged; L1 has an item that cannot be read
    assert recs[0]["status"] == "not-fully-checked"
    assert recs[0]["unrecognized"] == ["parac\\xe9tamol (line 2, medications)"]
    assert "\ufffd" not in json.dumps(recs, ensure_ascii=False)


def test_the_encoding_option_reads_a_latin1_file(run: Any, tmp_path: Path) -> None:
    result, recs = screened(run, tmp_path, (DATA / "latin1.csv").read_bytes(), "--encoding", "latin-1")
    assert [r["status"] for r in recs] == ["clean", "flagged"]
    assert result.exit_code == 1


def test_invalid_bytes_in_the_id_are_shown_escaped(run: Any, tmp_path: Path) -> None:
    result, recs = screened(run, tmp_path, HEADER + b"P\xff1,oxycodone,,\n")
    assert recs[0]["id"] == "P\\xff1" and recs[0]["status"] == "flagged"
    assert "the patient id is not valid utf-8" in recs[0]["notes"]


def test_an_unknown_encoding_is_a_usage_error(run: Any, tmp_path: Path) -> None:
    result = screen(run, str(write(tmp_path, HEADER)), "--encoding", "klingon")
    assert result.exit_code == 2 and "unknown encoding 'klingon'" in result.stderr


# ---------------------------------------------------------------- ids, empty rows, doses


def test_empty_and_duplicate_ids_are_reported_and_the_rows_still_checked(run: Any, tmp_path: Path) -> None:
    content = HEADER + b"A,Tylenol,,\n,oxycodone,,\nA,Valium,,\n  ,Tylenol,,\nA,Tylenol,,\n"
    source = write(tmp_path, content)
    result = screen(run, str(source), "--json")
    summary = json.loads(result.stdout)["summary"]
    assert summary["empty_ids"] == {"rows": 2, "lines": [3, 5]}
    assert summary["duplicate_ids"]["ids"] == 1
    assert summary["duplicate_ids"]["first"][0]["id"] == "A" and summary["duplicate_ids"]["first"][0]["rows"] == 3
    assert summary["flagged"] == 2  # the row with no id is flagged, not dropped
    text = screen(run, str(source)).stdout
    assert "2 rows with an empty patient id (lines 3, 5)" in text
    assert "1 patient id used by more than one row: 'A' in 3 rows (among them lines 4, 6)" in text


def test_duplicate_ids_are_exact_over_many_unique_ids() -> None:
    from baclofen_cli.screen import _Ids

    ids = _Ids()
    for i in range(200_000):
        ids.add(f"P{i}", i + 2)
    ids.add("P77", 999_999)
    assert ids.duplicate_count() == 1
    assert ids.duplicates()[0]["id"] == "P77"


def test_a_row_with_nothing_to_check_is_its_own_status_and_not_clean(run: Any, tmp_path: Path) -> None:
    result, recs = screened(run, tmp_path, HEADER + b"A,,,\nB,Tylenol,,\nC, ; | ,,\n")
    assert [r["status"] for r in recs] == ["nothing-to-check", "clean", "nothing-to-check"]
    assert result.exit_code == 3


@pytest.mark.parametrize("dose,status", [("60 mg", "clean"), ("60mg", "clean"), ("60 MG/day", "clean"),
                                         ("60", "clean"), ("200 mg", "flagged"), ("60 g", "malformed"),
                                         ("sixty", "malformed"), ("-5", "malformed"), ("1e999", "malformed")])
def test_dose_cells_may_carry_their_unit(run: Any, tmp_path: Path, dose: str, status: str) -> None:
    result, recs = screened(run, tmp_path, HEADER + f"A,Tylenol,,{dose}\n".encode())
    assert recs[0]["status"] == status


# ---------------------------------------------------------------- JSON Lines


@pytest.mark.parametrize("line,status,needle", [
    ({"id": "A7", "meds": ["oxycodone"]}, "malformed", "none of the expected keys"),
    ({"id": "A7", "medications": ["Tylenol"], "dx_list": ["ckd"]}, "malformed", "unknown key 'dx_list'"),
    ({"id": "A7", "medications": ["Tylenol"], "Medications": ["oxycodone"]}, "malformed", "same name"),
    ({"id": "A7", "medication": ["Tylenol"], "medications": ["oxycodone"]}, "malformed", "could both be"),
    ({"id": True, "medications": ["Tylenol"]}, "malformed", "patient id"),
    ({"id": "A7", "medications": {"a": 1}}, "malformed", "text or a list of text"),
    ({"id": "A7", "medications": [1, 2]}, "malformed", "text or a list of text"),
    ({"id": "A7", "medications": [], "conditions": []}, "nothing-to-check", ""),
    ({"id": "A7", " Medications ": ["oxycodone"], "CONDITIONS": "ckd"}, "flagged", ""),
    ({"\ufeffid": "A7", "medications": "oxycodone", "daily_dose_mg": "30 mg"}, "flagged", ""),
    ({"id": 7, "medications": ["Tylenol"], "daily_dose_mg": 60}, "clean", ""),
    ({"id": "A7", "medications": ["Tylenol"], "note": "kept"}, "malformed", "unknown key 'note' and no conditions"),
    ({"id": "A7", "medications": ["Tylenol"], "conditions": None, "note": "kept"}, "not-fully-checked", ""),
    ({"id": "A7", "medications": ["Tylenol"], "conditions": None, "note": ""}, "clean", ""),
])
def test_json_lines_records_with_the_wrong_keys_are_never_clean(run: Any, tmp_path: Path, line: Any, status: str,
                                                                 needle: str) -> None:
    result, recs = screened(run, tmp_path, json.dumps(line).encode() + b"\n", name="p.jsonl")
    assert recs[0]["status"] == status
    assert needle in (recs[0]["error"] or "")


def test_the_reviewers_wrong_key_file(run: Any, tmp_path: Path) -> None:
    result, recs = screened(run, tmp_path, (DATA / "wrong-key.jsonl").read_bytes(), name="p.jsonl")
    assert [r["status"] for r in recs] == ["malformed", "clean"]
    assert recs[0]["id"] == "A7"
    assert result.exit_code == 3


@pytest.mark.parametrize("line", [b"[1, 2]", b"{not json", b'"text"', b"null", b"[" * 100_000])
def test_json_lines_that_are_not_objects_are_malformed(run: Any, tmp_path: Path, line: bytes) -> None:
    result, recs = screened(run, tmp_path, line + b'\n{"id": "B", "medications": ["Tylenol"]}\n', name="p.jsonl")
    assert [r["status"] for r in recs] == ["malformed", "clean"]


def test_json_lines_with_invalid_utf8_are_not_checked(run: Any, tmp_path: Path) -> None:
    content = b'{"id": "A", "medications": ["parac\xe9tamol", "oxycodone"]}\n'
    result, recs = screened(run, tmp_path, content, name="p.jsonl")
    assert recs[0]["status"] == "flagged" and recs[0]["fully_checked"] is False
    assert result.exit_code == 4


# ---------------------------------------------------------------- output files


def test_out_is_never_the_input(run: Any, tmp_path: Path) -> None:
    source = write(tmp_path, HEADER + b"A,Tylenol,,\n", "p.jsonl.csv")
    before = source.read_bytes()
    for target in (str(source), str(tmp_path / "." / "p.jsonl.csv")):
        result = screen(run, str(source), "--out", target, "--out-format", "jsonl")
        assert result.exit_code == 2 and "is the input file" in result.stderr
    link = tmp_path / "link.csv"
    link.symlink_to(source)
    result = screen(run, str(source), "--out", str(link))
    assert result.exit_code == 2
    assert source.read_bytes() == before


def test_a_failed_run_leaves_an_existing_out_as_it_was(run: Any, tmp_path: Path) -> None:
    out = write(tmp_path, b"precious\n", "out.csv")
    source = write(tmp_path, HEADER + b"A,Tylenol,,\nB,Tylenol,,abc\n")
    result = screen(run, str(source), "--out", str(out), "--strict")
    assert result.exit_code == 2 and "line 3" in result.stderr
    assert out.read_bytes() == b"precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "p.csv"]


def test_a_finished_run_replaces_out_whole(run: Any, tmp_path: Path) -> None:
    out = write(tmp_path, b"old\n" * 1000, "out.csv")
    source = write(tmp_path, HEADER + b"A,Tylenol,,\n")
    assert screen(run, str(source), "--out", str(out)).exit_code == 0
    rows = list(csv.DictReader(out.open(newline="")))
    assert len(rows) == 1 and rows[0]["id"] == "A" and rows[0]["line"] == "2"


@pytest.mark.parametrize("ident", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"])
def test_csv_output_escapes_cells_a_spreadsheet_would_run(run: Any, tmp_path: Path, ident: str) -> None:
    source = tmp_path / "p.jsonl"
    source.write_text(json.dumps({"id": ident, "medications": ["=cmd|' /C calc'!A0"]}) + "\n")
    out = tmp_path / "out.csv"
    screen(run, str(source), "--out", str(out))
    row = next(csv.DictReader(out.open(newline="")))
    assert row["id"] == "'" + ident
    assert row["unrecognized"].startswith("'=cmd")


def test_out_dash_writes_records_to_stdout_and_the_summary_to_stderr(run: Any, tmp_path: Path) -> None:
    source = write(tmp_path, HEADER + b"A,Tylenol,,\nB,oxycodone,,\n")
    result = screen(run, str(source), "--out", "-", "--json")
    assert result.exit_code == 1
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["A", "B"]
    assert json.loads(result.stderr)["summary"]["rows"] == 2
    assert screen(run, str(source), "--out", "-", "--format", "fhir").exit_code == 2


def test_out_in_a_missing_directory_is_a_usage_error(run: Any, tmp_path: Path) -> None:
    source = write(tmp_path, HEADER + b"A,Tylenol,,\n")
    result = screen(run, str(source), "--out", str(tmp_path / "no" / "such" / "out.csv"))
    assert result.exit_code == 2 and "cannot write" in result.stderr


# ---------------------------------------------------------------- the summary tells the truth


HIDDEN = (HEADER + b"P1,Tylenol,,\nP2,oxycodone;xyzzy,ckd,\nP3,Valium,,\nP4,Valium;xyzzy,,\nP5,Tylenol,,\n")


def test_a_flagged_row_with_an_unknown_item_is_listed_with_its_id(run: Any, tmp_path: Path) -> None:
    source = write(tmp_path, HIDDEN)
    result = screen(run, str(source), "--json")
    assert result.exit_code == 4
    payload = json.loads(result.stdout)
    assert [r["id"] for r in payload["flagged_rows"]] == ["P2", "P3", "P4"]  # most severe first
    summary = payload["summary"]
    assert summary["flagged"] == 3 == sum(summary["flagged_by_highest_severity"].values())
    assert summary["flagged_not_fully_checked"] == 2
    text = screen(run, str(source)).stdout
    assert "P2" in text and "P4" in text
    assert "Flagged            3 (2 of them also with items not checked)" in text
    assert "Flagged rows by highest grade (3 rows)" in text


def test_counts_agree_and_one_row_is_singular(run: Any, tmp_path: Path) -> None:
    source = write(tmp_path, HEADER + b"P1,oxycodone,,\nP2,Valium,,\nP3,Valium,,\n")
    text = screen(run, str(source)).stdout
    assert "1 rows" not in text
    assert "1 row\n" in text and "2 rows" in text


def test_show_lists_the_most_severe_rows_first(run: Any, tmp_path: Path) -> None:
    content = HEADER + b"".join(b"V%d,Valium,,\n" % i for i in range(5)) + b"O1,oxycodone,ckd,\n"
    payload = json.loads(screen(run, str(write(tmp_path, content)), "--json", "--show", "2").stdout)
    assert [r["id"] for r in payload["flagged_rows"]] == ["O1", "V0"]


def test_the_chart_is_coloured_by_grade(run: Any, tmp_path: Path) -> None:
    source = write(tmp_path, HEADER + b"P1,oxycodone,,\nP2,Valium,,\n")
    result = run("--data", str(MINI), "screen", str(source), env={"FORCE_COLOR": "1", "COLUMNS": "100"})
    chart = result.stdout.split("Flagged rows by highest grade")[1].split("Most frequent")[0]
    major = next(line for line in chart.splitlines() if "major" in line)
    moderate = next(line for line in chart.splitlines() if "moderate" in line and "█" in line)
    assert ESC + "[1;31m" in major and ESC + "[1;33m" in moderate


def test_top_findings_keep_every_major_finding() -> None:
    from baclofen_cli.screen import Summary

    s = Summary()
    for i in range(15):
        s.findings[("minor", f"m{i}", f"Minor {i}")] += 100 - i
    s.findings[("major", "rare", "A rare major")] += 1
    top = s.top_findings(10)
    assert len(top) == 11 and top[-1][1] == "rare"


def test_suggestions_only_when_asked(run: Any, tmp_path: Path) -> None:
    source = write(tmp_path, HEADER + b"A,oxycodon,,\n")
    plain = json.loads(screen(run, str(source), "--json").stdout)["summary"]["top_unrecognized"]
    asked = json.loads(screen(run, str(source), "--json", "--suggest").stdout)["summary"]["top_unrecognized"]
    assert plain == [{"text": "oxycodon", "rows": 1, "suggestions": []}]
    assert asked[0]["suggestions"] and "oxycodone" in asked[0]["suggestions"][0].lower()


def test_memos_have_a_fixed_ceiling(knowledge: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from baclofen_cli import screen as screening
    from baclofen_cli.inputs import InputRow
    from baclofen_cli.record import Record

    monkeypatch.setattr(screening, "VERDICT_MEMO_LIMIT", 50)
    monkeypatch.setattr(screening, "RESOLUTION_MEMO_LIMIT", 80)
    screener = screening.Screener(knowledge)
    summary = screening.Summary()
    rows = (InputRow(i + 2, Record(medications=(f"unknown{i}", "oxycodone"), patient_id=f"P{i}")) for i in range(2000))
    screener.run(rows, summary)
    assert len(screener._memo) <= 50 and len(screener.resolver._memo) <= 80 + 2
    assert summary.rows == 2000 and summary.by_status["flagged"] == 2000
    assert summary.flagged_not_fully_checked == 2000


def test_records_out_equal_records_in_for_damaged_files(run: Any, tmp_path: Path) -> None:
    """Every damaged physical line is reported on its own line number; no line is lost or merged."""
    import random

    rng = random.Random(7)
    pieces = [b"oxycodone", b"Tylenol", b"Valium", b'"', b"\r", b"\x00", b"\xff", b",", b";", b"ckd", b"  "]
    lines = [b"P%d," % i + b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) + b",," for i in range(300)]
    result, recs = screened(run, tmp_path, HEADER + b"\n".join(lines) + b"\n")
    covered = set()
    for r in recs:
        span = next((n for n in r["notes"] if "spans lines" in n), None)
        if span:
            start, end = (int(x) for x in span.rsplit(" ", 1)[1].split("-"))
            covered.update(range(start, end + 1))
        else:
            covered.add(r["line"])
    assert covered == set(range(2, 302))
    assert [r["line"] for r in recs] == sorted(r["line"] for r in recs)
    assert result.exit_code in (3, 4)


# ---------------------------------------------------------------- check's options


@pytest.mark.parametrize("args,code,items", [
    (["--with", "oxycodone\nTylenol"], 1, ["oxycodone", "Tylenol"]),
    (["--with", "vitamin D3 1,000 units, Tylenol"], 3, ["vitamin D3 1,000 units", "Tylenol"]),
    (["--with", "Tylenol", "--daily-dose", "30 mg"], 0, ["Tylenol"]),
    (["--with", "Tylenol", "--daily-dose", "30mg"], 0, ["Tylenol"]),
])
def test_check_options_become_one_record(run: Any, args: List[str], code: int, items: List[str]) -> None:
    result = run("--data", str(MINI), "check", *args, "--json")
    assert result.exit_code == code
    assert [i["text"] for i in json.loads(result.stdout)["inputs"]] == items


def test_check_with_an_option_as_its_value_is_a_usage_error(run: Any) -> None:
    result = run("--data", str(MINI), "check", "--with", "--json")
    assert result.exit_code == 2 and "--with was given no value" in result.stderr


def test_check_daily_dose_in_another_unit_is_a_usage_error(run: Any) -> None:
    result = run("--data", str(MINI), "check", "--with", "Tylenol", "--daily-dose", "0.03 g")
    assert result.exit_code == 2 and "give it in mg" in result.stderr


def test_help_documents_the_row_statuses(run: Any) -> None:
    text = " ".join(run("screen", "--help").stdout.split())
    for needle in ("nothing-to-check", "not-fully-checked", "malformed", "4 flagged AND", "130 interrupted"):
        assert needle in text


__all__ = ["os"]


# ---------------------------------------------------------------- real processes: signals and pipes


def _installed(args: List[str], tmp_path: Path, **kw: Any) -> Any:
    import subprocess
    import sys

    baclo = Path(sys.executable).with_name("baclo")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BACLO_", "FORCE_COLOR", "NO_COLOR"))}
    env["BACLO_CACHE_DIR"] = str(tmp_path / "cache")
    return subprocess.Popen([str(baclo), "--data", str(MINI), *args], cwd=tmp_path, env=env, **kw)


def test_ctrl_c_says_what_happened_exits_130_and_leaves_out_as_it_was(tmp_path: Path) -> None:
    import signal
    import subprocess
    import time

    out = write(tmp_path, b"precious\n", "out.jsonl")
    proc = _installed(["screen", "-", "--format-in", "csv", "--out", str(out)], tmp_path,
                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None
    proc.stdin.write(HEADER + b"A,oxycodone,,\n" * 1000)
    proc.stdin.flush()
    deadline = time.time() + 20
    while time.time() < deadline and not any(p.name.endswith(".part") for p in tmp_path.iterdir()):
        time.sleep(0.05)  # the run has started writing its temporary file
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert b"interrupted after" in err and b"was left as it was" in err and b"Traceback" not in err
    assert out.read_bytes() == b"precious\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_a_reader_closing_stdout_early_never_shortens_out(tmp_path: Path) -> None:
    import subprocess

    source = write(tmp_path, HEADER + b"".join(b"P%d,oxycodone;Valium,ckd,30\n" % i for i in range(3000)))
    out = tmp_path / "out.jsonl"
    proc = _installed(["screen", str(source), "--format", "fhir", "--out", str(out)], tmp_path,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader goes away after one line
    proc.wait(timeout=60)
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert b"Traceback" not in err and err.count(b"\n") == 1 and b"incomplete" in err
    assert json.loads(first)["resourceType"] == "Bundle"
    assert proc.returncode == 74  # the records on standard output stopped early (C9)
    assert [r["line"] for r in records(out)] == list(range(2, 3002))


def test_out_through_a_symlink_replaces_the_file_it_names(run: Any, tmp_path: Path) -> None:
    target = write(tmp_path, b"old\n", "real.jsonl")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    source = write(tmp_path, HEADER + b"A,Tylenol,,\n")
    assert screen(run, str(source), "--out", str(link)).exit_code == 0
    assert link.is_symlink() and records(target)[0]["id"] == "A"


def test_a_read_only_out_is_refused_and_kept(run: Any, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write any file")
    out = write(tmp_path, b"keep\n", "out.jsonl")
    out.chmod(0o444)
    result = screen(run, str(write(tmp_path, HEADER + b"A,Tylenol,,\n")), "--out", str(out))
    assert result.exit_code == 2 and "read-only" in result.stderr
    assert out.read_bytes() == b"keep\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["--out", "/dev/full", "--out-format", "jsonl"], ["--format", "fhir"]])
def test_a_full_device_is_one_line_and_exit_74(tmp_path: Path, args: List[str]) -> None:
    import subprocess

    source = write(tmp_path, HEADER + b"A,oxycodone,,\n" * 5000)
    with open("/dev/full", "w") as full:
        proc = _installed(["screen", str(source), *args], tmp_path, stdout=full, stderr=subprocess.PIPE)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 74
    assert err.decode().count("\n") == 1 and "No space left on device" in err.decode()


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_refused_at_once(run: Any, device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    result = screen(run, device)
    assert result.exit_code == 2 and "is a device" in result.stderr


def test_an_endless_header_line_stops_at_once(run: Any, tmp_path: Path) -> None:
    source = write(tmp_path, b"x" * 3_000_000)
    result = screen(run, str(source))
    assert result.exit_code == 2 and "over 1,000,000 characters" in result.stderr


def test_huge_unique_items_do_not_fill_the_memos(knowledge: Any) -> None:
    from baclofen_cli import screen as screening
    from baclofen_cli.inputs import InputRow
    from baclofen_cli.record import Record

    screener = screening.Screener(knowledge)
    summary = screening.Summary()
    rows = (InputRow(i + 2, Record(medications=(f"{i}" + "x" * 50_000, "oxycodone"), patient_id=f"{i}" * 30_000))
            for i in range(200))
    screener.run(rows, summary)
    assert not screener._memo and len(screener.resolver._memo) == 0
    assert summary.rows == 200 and all(len(t) <= screening.KEPT_TEXT for t in summary.unrecognized)


def test_a_utf16_file_gets_a_hint_and_reads_with_the_encoding_option(run: Any, tmp_path: Path) -> None:
    source = write(tmp_path, "id,medications,conditions\nA,oxycodone,\n".encode("utf-16"))
    result = screen(run, str(source))
    assert result.exit_code == 2 and "--encoding utf-16" in result.stderr
    assert screen(run, str(source), "--encoding", "utf-16").exit_code == 1


def test_a_quoted_field_never_spans_a_damaged_line(run: Any, tmp_path: Path) -> None:
    content = b'id,medications,conditions\nA,"oxycodone\nx\x00y\nValium",ckd\nB,oxycodone,\n'
    result, recs = screened(run, tmp_path, content)
    assert [(r["line"], r["status"]) for r in recs] == [(2, "malformed"), (3, "malformed"), (4, "malformed"),
                                                        (5, "flagged")]
    assert "NUL" in recs[1]["error"]


def test_out_dev_stdout_is_the_same_as_out_dash(tmp_path: Path) -> None:
    import subprocess

    if not os.path.exists("/dev/stdout"):
        pytest.skip("no /dev/stdout")
    source = write(tmp_path, HEADER + b"A,Tylenol,,\nB,oxycodone,,\n")
    proc = _installed(["screen", str(source), "--out", "/dev/stdout", "--json"], tmp_path,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["A", "B"]
    assert json.loads(err)["summary"]["rows"] == 2


def test_jsonl_out_escapes_what_a_terminal_would_act_on(run: Any, tmp_path: Path) -> None:
    evil = "P\x9b2J\u202e\u2028\x7f"
    source = tmp_path / "p.jsonl"
    source.write_text(json.dumps({"id": evil, "medications": ["oxy\x1b[31mcodone" + evil]}) + "\n")
    result = screen(run, str(source), "--out", "-")
    for bad in ("\x1b", "\x9b", "\u202e", "\u2028", "\x7f"):
        assert bad not in result.stdout and bad not in result.stderr
    rec = json.loads(result.stdout.splitlines()[0])
    assert rec["id"] == evil  # the same value, escaped as JSON


def test_the_reviewers_hidden_patients_are_listed_with_the_real_knowledge(run: Any, tmp_path: Path) -> None:
    content = (b"id,medications,conditions,daily_dose_mg\n"
               b"Z1,zolpidem 10 mg,insomnia-ish thing,90 mg\n"
               b"O1,oxycodone;gabapentin;plugh,CKD,\n"
               b"C1,atorvastatin,,\n")
    source = write(tmp_path, content)
    payload = json.loads(run("screen", str(source), "--json").stdout)
    assert {r["id"] for r in payload["flagged_rows"]} == {"Z1", "O1"}
    summary = payload["summary"]
    assert summary["flagged"] == 2 == sum(summary["flagged_by_highest_severity"].values())
    assert summary["flagged_not_fully_checked"] == 2
    text = run("screen", str(source)).stdout
    assert "Z1" in text and "O1" in text
    assert run("screen", str(source)).exit_code == 4


def test_phrase_memo_is_bounded_and_answers_the_same_after_it_starts_afresh(monkeypatch: Any) -> None:
    """The line reader's phrase memo never grows past its ceiling, and clearing it changes no answer."""
    from baclofen_cli import resolve
    from baclofen_cli.knowledge import load_knowledge

    knowledge = load_knowledge()
    lines = [f"oxycodone {i} mg tablet, 1 tab PO q6h PRN pain" for i in range(1, 300)] + [
        "co-codamol 30/500 two tablets four times a day", "Tylenol No. 3 tab", "xyzzy 5 mg tid"]
    unbounded = [resolve.Resolver(knowledge, suggest=False).resolve(t, resolve.WITH) for t in lines]
    monkeypatch.setattr(resolve, "PHRASE_MEMO_LIMIT", 25)
    small = resolve.Resolver(knowledge, suggest=False)
    answers = [small.resolve(t, resolve.WITH) for t in lines]
    assert answers == unbounded
    memo = small._phrases[resolve.WITH].__closure__
    assert memo is not None
    sizes = [len(c.cell_contents) for c in memo if isinstance(c.cell_contents, dict) and c.cell_contents
             and all(isinstance(key, str) for key in c.cell_contents)]
    assert sizes and max(sizes) <= 25
    assert {t.ref for t in answers[-3].targets} == {"codeine", "acetaminophen"}
    assert not answers[-1].recognized
