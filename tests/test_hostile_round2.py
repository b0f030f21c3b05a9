"""Regression tests for the round-2 hostile-input review of `baclo screen` (reviews-round2/hostile-1.md).

Each test names the finding it covers. CliRunner for behaviour; a real subprocess of the
installed script where signals, pipes or standard input are involved.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from conftest import MINI

from baclofen_cli.cli import app
from baclofen_cli.knowledge import bundled_path

H3 = b"id,medications,conditions\n"


def baclo() -> str:
    return str(Path(sys.executable).with_name("baclo"))


def env_for(tmp_path: Path, **extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BACLO_", "FORCE_COLOR", "NO_COLOR"))}
    env["BACLO_CACHE_DIR"] = str(tmp_path / "cache")
    env.update(extra)
    return env


def installed(tmp_path: Path, *args: str, stdin: Any = None, data: bool = True, **extra: str) -> Any:
    cmd = [baclo(), *(["--data", str(MINI)] if data else []), *args]
    return subprocess.run(cmd, cwd=tmp_path, env=env_for(tmp_path, **extra), capture_output=True, stdin=stdin,
                          timeout=120)


def screen(run: Any, *args: str, input: Optional[bytes] = None) -> Any:
    return run.runner.invoke(app, ["--data", str(MINI), "screen", *args], input=input, catch_exceptions=False)


def out_records(run: Any, tmp_path: Path, content: bytes, *args: str, name: str = "p.csv") -> Any:
    source = tmp_path / name
    source.write_bytes(content)
    out = tmp_path / "out.jsonl"
    if out.exists():
        out.unlink()
    result = screen(run, str(source), "--out", str(out), *args)
    recs = [json.loads(x) for x in out.read_text().splitlines()] if out.exists() else None
    return result, recs


def by_line(recs: List[Dict[str, Any]]) -> Dict[int, Dict[str, Any]]:
    return {r["line"]: r for r in recs}


# ------------------------------------------------------------ C6 / C11: quoted fields over lines


def test_c6_stray_quote_never_swallows_the_next_patient(run: Any, tmp_path: Path) -> None:
    result, recs = out_records(run, tmp_path, H3 + b'P1,"acetaminophen\nP2,tramadol"\nP3,tramadol,\n')
    assert [r["line"] for r in recs] == [2, 3, 4]  # one record per physical line
    rows = by_line(recs)
    assert rows[2]["status"] == "malformed" and rows[2]["id"] == "P1"
    assert rows[3]["status"] == "malformed" and rows[3]["id"] == "P2"  # P2 has its own record
    assert rows[4]["id"] == "P3"
    assert result.exit_code in (3, 4)


def test_c6_stray_quote_with_the_next_line_a_valid_row(run: Any, tmp_path: Path) -> None:
    result, recs = out_records(run, tmp_path, H3 + b'P1,"Tylenol\nP2,oxycodone,\nP3,Tylenol,\n')
    rows = by_line(recs)
    assert [r["line"] for r in recs] == [2, 3, 4]
    assert rows[2]["status"] == "malformed" and rows[2]["id"] == "P1"
    assert rows[3]["id"] == "P2" and rows[3]["status"] == "flagged"  # never attributed to P1
    assert rows[4]["status"] == "clean"


def test_c6_reviewers_variant_never_hides_the_medicine_or_the_id(run: Any, tmp_path: Path) -> None:
    # 'P1,"acetaminophen;' then 'P2;tramadol",': the quoted field closes at a field boundary and the
    # record has the header's width, so it reads as one record spanning lines 2-3 (as a legitimate
    # multi-line cell would); every word of it is still checked: "P2" is not recognized, so the row
    # is never clean, and the medicine is flagged.
    content = H3 + b'P1,"Tylenol;\nP2;oxycodone",\nP3,Tylenol,\n'
    result, recs = out_records(run, tmp_path, content)
    rows = by_line(recs)
    assert rows[2]["id"] == "P1" and rows[2]["status"] == "flagged" and rows[2]["fully_checked"] is False
    assert "P2" in rows[2]["unrecognized"]
    assert rows[2]["notes"] == ["a quoted field spans lines 2-3"]
    assert rows[4]["status"] == "clean"
    assert result.exit_code == 4


def test_c6_multiline_record_whose_lines_could_be_rows_is_never_clean(run: Any, tmp_path: Path) -> None:
    # The record closes with the header's width, but line 3 alone would also be a full row: one
    # record (the C11 rule), never clean, and the note says which line to look at.
    content = H3 + b'P1,"Tylenol\nTylenol, x",\nP3,Tylenol,\n'
    result, recs = out_records(run, tmp_path, content)
    rows = by_line(recs)
    assert [r["line"] for r in recs] == [2, 4]
    assert rows[2]["id"] == "P1" and rows[2]["status"] == "not-fully-checked"
    assert any("line 3 would also read as a row" in n for n in rows[2]["notes"])
    assert rows[4]["status"] == "clean"
    assert result.exit_code == 3


def test_c11_legitimate_multiline_field_is_one_record(run: Any, tmp_path: Path) -> None:
    content = H3 + b'P1,"oxycodone 5 mg, 1 tab\nTylenol 500 mg, 2 tabs",\nP2,Tylenol,\n'
    result, recs = out_records(run, tmp_path, content)
    assert [r["id"] for r in recs] == ["P1", "P2"]  # no fabricated patient "Tylenol 500 mg"
    assert recs[0]["line"] == 2 and recs[0]["status"] == "flagged"
    assert any("spans lines 2-3" in n for n in recs[0]["notes"])
    assert recs[1]["status"] == "clean"


def test_c11_multiline_field_whose_lines_could_not_be_rows_is_one_record(run: Any, tmp_path: Path) -> None:
    content = H3 + b'P1,"Tylenol\nmore Tylenol",\nP2,Tylenol,\n'
    result, recs = out_records(run, tmp_path, content)
    assert [r["id"] for r in recs] == ["P1", "P2"]
    assert recs[0]["notes"] == ["a quoted field spans lines 2-3"]


def test_multiline_record_of_the_wrong_width_splits_into_every_line(run: Any, tmp_path: Path) -> None:
    content = H3 + b'P1,"Tylenol\nP2,oxycodone",,extra\nP3,Tylenol,\n'
    result, recs = out_records(run, tmp_path, content)
    assert [r["line"] for r in recs] == [2, 3, 4]
    assert recs[1]["id"] == "P2" and recs[1]["status"] == "malformed"


# ------------------------------------------------------------ C1 / C2 / M1: JSON Lines keys


@pytest.mark.parametrize("line", [
    b'{"id":"P1","medications":"oxycodone","medications":"Tylenol"}',
    b'{"id":"P1","medications":"oxycodone","medic\\u0061tions":"Tylenol"}',
    b'{"id":"P3","id":"P4","medications":"Tylenol"}',
])
def test_c1_a_key_given_twice_is_malformed(run: Any, tmp_path: Path, line: bytes) -> None:
    result, recs = out_records(run, tmp_path, line + b"\n", name="d.jsonl")
    assert recs[0]["status"] == "malformed" and "given twice" in recs[0]["error"]
    assert recs[0]["id"] != "P4"
    assert result.exit_code == 3


def test_c2_an_unread_key_makes_the_row_not_fully_checked(run: Any, tmp_path: Path) -> None:
    line = b'{"id":"P1","medications":"Tylenol","conditions":"","home_medications":"oxycodone"}\n'
    result, recs = out_records(run, tmp_path, line, name="d.jsonl")
    assert recs[0]["status"] == "not-fully-checked" and recs[0]["fully_checked"] is False
    assert any("home_medications" in n for n in recs[0]["notes"])
    assert result.exit_code == 3
    result, recs = out_records(run, tmp_path, line, "--ignore-column", "home_medications", name="d.jsonl")
    assert recs[0]["status"] == "clean" and result.exit_code == 0


def test_m1_a_huge_integer_id_is_one_malformed_row(run: Any, tmp_path: Path) -> None:
    content = b'{"id":' + b"9" * 5000 + b',"medications":"Tylenol"}\n{"id":"P2","medications":"oxycodone"}\n'
    result, recs = out_records(run, tmp_path, content, name="d.jsonl")
    assert [r["status"] for r in recs] == ["malformed", "flagged"]
    assert result.exit_code == 4


def test_m5_json_lines_records_separated_by_a_lone_cr_are_rows_of_their_own(run: Any, tmp_path: Path) -> None:
    content = b'{"id":"P1","medications":"Tylenol"}\r{"id":"P2","medications":"oxycodone"}\n'
    result, recs = out_records(run, tmp_path, content, name="d.jsonl")
    assert [(r["id"], r["status"]) for r in recs] == [("P1", "clean"), ("P2", "flagged")]
    assert all("carriage return" in r["notes"][0] for r in recs)


# ------------------------------------------------------------ m1 / m2: columns


def test_m1_minor_a_medication_like_column_not_read_stops_the_run(run: Any, tmp_path: Path) -> None:
    content = b"id,medications,conditions,Medications_2\nP1,Tylenol,,oxycodone\n"
    result, recs = out_records(run, tmp_path, content)
    assert result.exit_code == 2 and recs is None
    assert "'Medications_2'" in result.stderr and "--ignore-column" in result.stderr
    result, recs = out_records(run, tmp_path, content, "--ignore-column", "medications_2")
    assert result.exit_code == 0 and recs[0]["status"] == "clean"


def test_m1_minor_other_unread_columns_are_listed_not_refused(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_bytes(b"id,medications,conditions,ward\nP1,Tylenol,,40\n")
    result = screen(run, str(source), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["columns_not_read"] == ["ward"]


def test_an_age_or_kidney_column_is_never_passed_over_in_silence(run: Any, tmp_path: Path) -> None:
    """Hostile round 6: age and kidney function change the grading (children's maxima, kidney bands), so a
    column holding them stops the run unless the user says it holds nothing to check."""
    for column in ("age", "Age (years)", "eGFR", "CrCl", "Home Meds", "Active Problems", "PMH", "Dx Codes"):
        source = tmp_path / "p.csv"
        source.write_text(f"id,medications,conditions,{column}\nP1,Tylenol,,4\n", encoding="utf-8")
        result = screen(run, str(source), "--json")
        assert result.exit_code == 2 and "would not be read" in result.stderr, column
        result = screen(run, str(source), "--json", "--ignore-column", column)
        assert result.exit_code == 0, column


def test_m1_minor_ignore_column_naming_nothing_is_an_error(run: Any, tmp_path: Path) -> None:
    result, _ = out_records(run, tmp_path, H3 + b"P1,Tylenol,\n", "--ignore-column", "drugs")
    assert result.exit_code == 2 and "no such column" in result.stderr


@pytest.mark.parametrize("args,name", [
    (("--medications-column", "id"), "p.csv"),
    (("--conditions-column", "medications"), "p.csv"),
    (("--medications-column", "id"), "p.jsonl"),
    (("--conditions-column", "medications"), "p.jsonl"),
])
def test_m2_a_column_is_never_read_twice(run: Any, tmp_path: Path, args: Any, name: str) -> None:
    content = H3 + b"P1,Tylenol,\n" if name.endswith("csv") else b'{"id":"P1","medications":"Tylenol"}\n'
    result, recs = out_records(run, tmp_path, content, *args, name=name)
    assert result.exit_code == 2 and "both as the" in result.stderr and recs is None


# ------------------------------------------------------------ m3: no rows


@pytest.mark.parametrize("content,name", [
    (H3, "p.csv"), (b"id\tmedications\tconditions\n", "p.tsv"), (b"", "p.jsonl"), (b"\n\n", "p.jsonl"),
    (b"", "p.csv"),
])
def test_m3_no_rows_exits_2_for_every_format(run: Any, tmp_path: Path, content: bytes, name: str) -> None:
    result, recs = out_records(run, tmp_path, content, name=name)
    assert result.exit_code == 2 and recs is None
    assert "no rows to screen" in result.stderr or "empty" in result.stderr


# ------------------------------------------------------------ C7 / C8 / m5: --out is never an input


def test_c7_out_equal_to_the_file_on_standard_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(H3 + b"P1,oxycodone,\n")
    with open(source, "rb") as stdin:
        proc = installed(tmp_path, "screen", "-", "--out", "in.csv", stdin=stdin)
    assert proc.returncode == 2 and b"standard input" in proc.stderr
    assert source.read_bytes() == H3 + b"P1,oxycodone,\n"


def test_c8_out_equal_to_the_knowledge_file_is_refused(run: Any, tmp_path: Path) -> None:
    k = tmp_path / "k.yaml"
    k.write_bytes(MINI.read_bytes())
    source = tmp_path / "q.csv"
    source.write_bytes(H3 + b"P1,oxycodone,\n")
    result = run.runner.invoke(app, ["--data", str(k), "screen", str(source), "--out", str(k),
                                     "--out-format", "jsonl"])
    assert result.exit_code == 2 and "knowledge file" in result.stderr
    assert k.read_bytes() == MINI.read_bytes()
    link = tmp_path / "k-link.jsonl"
    link.symlink_to(k)
    result = run.runner.invoke(app, ["--data", str(k), "screen", str(source), "--out", str(link)])
    assert result.exit_code == 2 and k.read_bytes() == MINI.read_bytes()


def test_c8_out_equal_to_the_bundled_knowledge_file_is_refused(run: Any, tmp_path: Path) -> None:
    bundled = bundled_path()
    before = bundled.read_bytes()
    source = tmp_path / "q.csv"
    source.write_bytes(H3 + b"P1,oxycodone,\n")
    result = run.runner.invoke(app, ["screen", str(source), "--out", str(bundled), "--out-format", "jsonl"])
    assert result.exit_code == 2 and "bundled knowledge file" in result.stderr
    assert bundled.read_bytes() == before


def test_m5_out_to_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    source = tmp_path / "q.csv"
    source.write_bytes(H3 + b"P1,oxycodone,\n")
    fifo = tmp_path / "f.jsonl"
    os.mkfifo(fifo)
    proc = installed(tmp_path, "screen", str(source), "--out", str(fifo))
    assert proc.returncode == 2 and b"not a regular file" in proc.stderr


# ------------------------------------------------------------ M3 / M4 / m5: encodings and standard input


@pytest.mark.parametrize("encoding", ["rot13", "base64", "zlib", "hex"])
def test_m3_an_encoding_that_is_not_text_is_refused(run: Any, tmp_path: Path, encoding: str) -> None:
    result, recs = out_records(run, tmp_path, H3 + b"P1,oxycodone,\n", "--encoding", encoding)
    assert result.exit_code == 2 and "not a usable text encoding" in result.stderr and recs is None


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "idna", "utf-16-le"])
def test_m3_a_text_codec_that_does_not_fit_the_file_never_crashes(run: Any, tmp_path: Path, encoding: str) -> None:
    result, recs = out_records(run, tmp_path, H3 + b"P1,oxycodone,\nP2,Tylenol,\n", "--encoding", encoding)
    assert result.exit_code in (2, 3, 4), result.stderr
    assert "internal error" not in result.stderr


def test_m4_standard_input_closed_is_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run(f"'{baclo()}' --data '{MINI}' screen - <&-", shell=True, cwd=tmp_path,
                          env=env_for(tmp_path), capture_output=True, timeout=60)
    assert proc.returncode == 2 and b"standard input" in proc.stderr and b"internal error" not in proc.stderr


# ------------------------------------------------------------ m4: SIGTERM / SIGHUP


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_m4_minor_sigterm_and_sighup_remove_the_part_file(tmp_path: Path, signum: int) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"precious\n")
    proc = subprocess.Popen([baclo(), "--data", str(MINI), "screen", "-", "--out", str(out)], cwd=tmp_path,
                            env=env_for(tmp_path), stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stderr is not None
    proc.stdin.write(H3 + b"".join(b"P%d,oxycodone,\n" % i for i in range(2000)))
    proc.stdin.flush()
    deadline = time.monotonic() + 30
    while not [p for p in tmp_path.iterdir() if p.name.endswith(".part")] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".part")], "the run never started writing"
    proc.send_signal(signum)
    proc.wait(timeout=30)
    err = proc.stderr.read()
    assert proc.returncode == 128 + signum
    assert err.count(b"\n") == 1 and b"terminated" in err and b"Traceback" not in err
    assert out.read_bytes() == b"precious\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


# ------------------------------------------------------------ M8: JSON lossless in any stdout encoding


def test_m8_json_records_and_summary_are_ascii_and_lossless(tmp_path: Path) -> None:
    source = tmp_path / "ids.csv"
    source.write_text("id,medications,conditions\nJosé,oxycodone,\nJos€,Tylenol,\n", encoding="utf-8")
    proc = installed(tmp_path, "screen", str(source), "--out", "-", PYTHONIOENCODING="ascii")
    assert proc.stdout.isascii()
    assert [json.loads(x)["id"] for x in proc.stdout.decode().splitlines()] == ["José", "Jos€"]
    proc = installed(tmp_path, "screen", str(source), "--json", PYTHONIOENCODING="ascii")
    assert proc.stdout.isascii()
    flagged = json.loads(proc.stdout)["flagged_rows"]
    assert "José" in json.dumps(flagged, ensure_ascii=False)


def test_m8_out_file_jsonl_is_ascii(run: Any, tmp_path: Path) -> None:
    result, recs = out_records(run, tmp_path, "id,medications,conditions\nJosé,Tylenol,\n".encode())
    assert recs[0]["id"] == "José"
    assert (tmp_path / "out.jsonl").read_bytes().isascii()
