"""baclo screen: every row accounted for, streaming formats, exit statuses, FHIR output."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, List

import pytest
from conftest import MINI

ROWS = [
    ("p1", "Percocet;valium", "ckd", "30"),
    ("p2", "Tylenol", "hypertension", ""),
    ("p3", "xyzzy|Tylenol", "", ""),
    ("p4", "oxycodone", "kidney", "abc"),
    ("", "Tylenol", "", ""),
    ("p6", "Percocet;valium", "ckd", "30"),
]


def write_csv(path: Path, rows: List[Any], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(["id", "medications", "conditions", "daily_dose_mg"])
        writer.writerows(rows)
    return path


def screen(run: Any, *args: str) -> Any:
    return run("--data", str(MINI), "screen", *args)


def test_every_row_gets_one_record_in_input_order(run: Any, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "patients.csv", ROWS)
    out = tmp_path / "results.jsonl"
    result = screen(run, str(source), "--out", str(out))
    assert result.exit_code == 4  # flagged rows, and p3 has an unrecognized item
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["line"] for r in records] == [2, 3, 4, 5, 6, 7]  # the file's own line numbers
    assert [r["status"] for r in records] == ["flagged", "clean", "not-fully-checked", "malformed", "clean", "flagged"]
    assert records[0]["highest_severity"] == "major"
    assert {f["id"] for f in records[0]["findings"]} >= {"opioids", "benzodiazepines", "kidney-disease",
                                                        "opioid-with-depressant", "dose-kidney-disease"}
    assert records[2]["unrecognized"] == ["xyzzy"]
    assert "not a number" in records[3]["error"]
    assert records[4]["notes"] == ["the patient id is empty"]
    assert records[5]["findings"] == records[0]["findings"]


def test_screen_flags_what_check_flags_for_the_same_items(run: Any, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "p.csv", [("a", "Percocet;valium", "ckd", "30")])
    out = tmp_path / "r.jsonl"
    screen(run, str(source), "--out", str(out))
    screened = json.loads(out.read_text())
    checked = json.loads(run("--data", str(MINI), "check", "--with", "Percocet,valium", "--history", "ckd",
                             "--daily-dose", "30", "--json").stdout)
    assert [(f["id"], f["severity"]) for f in screened["findings"]] == \
           [(f["id"], f["severity"]) for f in checked["findings"]]


def test_csv_output_and_tsv_input(run: Any, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "patients.tsv", ROWS[:2], delimiter="\t")
    out = tmp_path / "results.csv"
    result = screen(run, str(source), "--out", str(out))
    assert result.exit_code == 1
    rows = list(csv.DictReader(out.open(newline="")))
    assert [r["status"] for r in rows] == ["flagged", "clean"]
    assert "major: Opioids" in rows[0]["findings"]


def test_jsonl_input_with_lists_and_bad_lines(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "patients.jsonl"
    source.write_text("\n".join([
        json.dumps({"id": 1, "medications": ["Tylenol"], "conditions": []}),
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"id": "x", "medications": {"a": 1}}),
    ]) + "\n")
    out = tmp_path / "r.jsonl"
    result = screen(run, str(source), "--out", str(out), "--json")
    assert result.exit_code == 3  # malformed rows are not checked
    summary = json.loads(result.stdout)["summary"]
    assert summary["rows"] == 4 and summary["clean"] == 1 and summary["malformed"] == 3
    statuses = [json.loads(line)["status"] for line in out.read_text().splitlines()]
    assert statuses == ["clean", "malformed", "malformed", "malformed"]


def test_strict_stops_at_the_first_malformed_row(run: Any, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "p.csv", ROWS)
    result = screen(run, str(source), "--strict")
    assert result.exit_code == 2
    assert "line 5" in result.stderr and "--strict" in result.stderr


def test_standard_input_and_column_mapping(run: Any) -> None:
    data = "patient,meds\nq1,Tylenol\nq2,oxycodone\n"
    result = run.runner.invoke(__import__("baclofen_cli.cli", fromlist=["app"]).app,
                               ["--data", str(MINI), "screen", "-", "--id-column", "patient",
                                "--medications-column", "meds", "--conditions-column", "-", "--json"], input=data)
    assert result.exit_code == 1
    summary = json.loads(result.stdout)["summary"]
    assert (summary["rows"], summary["flagged"], summary["clean"]) == (2, 1, 1)


@pytest.mark.parametrize("content,needle", [
    ("name,stuff\na,b\n", "has no column for id (looked for 'id' or 'patient_id'"),
    ("", "the file is empty"),
])
def test_unusable_header_exits_2(run: Any, tmp_path: Path, content: str, needle: str) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(content)
    result = screen(run, str(source))
    assert result.exit_code == 2
    assert needle in result.stderr


def test_missing_file_and_bad_out_name(run: Any, tmp_path: Path) -> None:
    assert screen(run, str(tmp_path / "none.csv")).exit_code == 2
    source = write_csv(tmp_path / "p.csv", ROWS[:1])
    result = screen(run, str(source), "--out", str(tmp_path / "r.txt"))
    assert result.exit_code == 2 and "must end in .csv or .jsonl" in result.stderr


def test_nul_bytes_and_huge_fields_are_malformed_rows_not_crashes(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("id,medications,conditions\na,Tylenol,\nb,Tyl\x00enol,\nc," + "x" * 200_000 + ",\nd,Tylenol,\n")
    out = tmp_path / "r.jsonl"
    result = screen(run, str(source), "--out", str(out))
    statuses = [json.loads(line)["status"] for line in out.read_text().splitlines()]
    assert statuses[0] == "clean" and statuses[-1] == "clean"
    assert "malformed" in statuses
    assert result.exit_code in (0, 3)


def test_text_summary_lists_counts_and_flagged_rows(run: Any, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "p.csv", ROWS)
    result = screen(run, str(source))
    text = result.stdout
    for needle in ("Rows read", "Flagged", "Not fully checked", "Malformed", "Most frequent findings",
                   "line 5: daily dose 'abc' is not a number", "xyzzy"):
        assert needle in text
    assert "\x1b" not in text


def test_fhir_lines_one_bundle_per_row(run: Any, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "p.csv", ROWS)
    result = screen(run, str(source), "--format", "fhir")
    lines = result.stdout.splitlines()
    assert len(lines) == len(ROWS)
    bundles = [json.loads(line) for line in lines]
    assert all(b["resourceType"] == "Bundle" for b in bundles)
    assert [e["resource"]["resourceType"] for e in bundles[3]["entry"]] == ["Patient", "OperationOutcome"]


@pytest.mark.parametrize("header", [
    ["Patient ID", "Medications", "Problem List", "Daily Dose"],
    ["MRN", "medication", "Diagnoses", "daily-dose-mg"],
    ["\ufeffPATIENT_ID", "  Medications ", "problems", "Daily  Dose  MG"],
])
def test_export_headers_with_spaces_and_common_names_are_read(run: Any, tmp_path: Path, header: List[str]) -> None:
    """New-user trial 2, MEDIUM 12: an EHR export's own header needs no renaming options."""
    source = tmp_path / "export.csv"
    with source.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([("p1", "Percocet;valium", "ckd", "30"), ("p2", "Tylenol", "hypertension", "")])
    out = tmp_path / "out.jsonl"
    result = screen(run, str(source), "--out", str(out))
    assert result.exit_code == 1, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["p1", "p2"]
    assert "dose-kidney-disease" in {f["id"] for f in records[0]["findings"]}  # the dose column was read
    assert records[1]["status"] == "clean"


def test_two_columns_that_could_be_the_conditions_stop_the_run(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text("id,medications,conditions,Problem List\np1,Tylenol,ckd,epilepsy\n", encoding="utf-8")
    result = screen(run, str(source))
    assert result.exit_code == 2
    assert "two columns that could be the conditions" in result.output
