"""Hostile-input review round 3: baclo screen DIR (FHIR Bulk export), --jobs and the screen output.

Fixtures in tests/data/bulk are the reviewer's own export folders (b2, b4, b7, b8, dk); special files
(devices, FIFOs, names with escape sequences) are made at run time.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest
from conftest import MINI
from test_hostile_round2 import baclo, env_for

from baclofen_cli.inputs import fhir_bulk

BULK = Path(__file__).parent / "data" / "bulk"
MR = ('{"resourceType":"MedicationRequest","status":"active","intent":"order","subject":{"reference":"Patient/%s"},'
      '"medicationCodeableConcept":{"text":"%s"}}\n')


def rows_of(stdout: str) -> Dict[str, Dict[str, str]]:
    return {r["id"]: r for r in csv.DictReader(io.StringIO(stdout))}


def screen_csv(run: Any, directory: Path, *extra: str) -> Any:
    return run("screen", str(directory), "--out", "-", "--out-format", "csv", *extra)


def export(tmp_path: Path, name: str = "export") -> Path:
    """A small clean export: two patients on baclofen alone."""
    d = tmp_path / name
    d.mkdir()
    (d / "Patient.ndjson").write_text('{"resourceType":"Patient","id":"p1"}\n{"resourceType":"Patient","id":"p2"}\n')
    (d / "MedicationRequest.ndjson").write_text(MR % ("p1", "baclofen 10 mg tid") + MR % ("p2", "baclofen 10 mg tid"))
    return d


def test_a_clean_export_is_still_clean(run: Any, tmp_path: Path) -> None:
    result = screen_csv(run, export(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert {i: (r["status"], r["fully_checked"]) for i, r in rows_of(result.stdout).items()} == {
        "p1": ("clean", "yes"), "p2": ("clean", "yes")}


# ------------------------------------------------------------ N6: every resource type, files not read


def test_n6_administrations_and_bundles_are_read_and_files_not_read_doubt_every_patient(run: Any) -> None:
    result = screen_csv(run, BULK / "b2")
    rows = rows_of(result.stdout)
    assert rows["p1"]["status"] == "flagged" and "Opioid" in rows["p1"]["findings"]  # tramadol, MedicationAdministration
    assert rows["p2"]["status"] == "flagged" and "Opioid" in rows["p2"]["findings"]  # oxycodone, inside a Bundle
    assert {r["fully_checked"] for r in rows.values()} == {"no"}  # .json and .ndjson.gz were not read
    assert "MedicationStatement.ndjson.gz" in rows["p1"]["unrecognized"]
    assert result.exit_code == 4
    assert "2 files not read, so no patient is fully checked" in result.stderr


def test_n6_a_file_not_read_makes_a_clean_patient_not_fully_checked(run: Any, tmp_path: Path) -> None:
    d = export(tmp_path)
    (d / "MedicationStatement.ndjson.gz").write_bytes(b"\x1f\x8b")
    result = screen_csv(run, d)
    assert result.exit_code == 3
    assert {r["status"] for r in rows_of(result.stdout).values()} == {"not-fully-checked"}


def test_n6_lower_case_resource_type_is_not_checked_for_its_patient(run: Any, tmp_path: Path) -> None:
    d = export(tmp_path)
    (d / "Other.NDJSON").write_text('{"resourceType":"medicationstatement","subject":{"reference":"Patient/p1"},'
                                    '"medicationCodeableConcept":{"text":"acetaminophen"}}\n')
    result = screen_csv(run, d)
    rows = rows_of(result.stdout)
    assert rows["p1"]["status"] == "not-fully-checked" and rows["p2"]["status"] == "clean"
    assert result.exit_code == 3


# ------------------------------------------------------------ N7: subdirectories


def test_n7_subdirectories_are_read(run: Any) -> None:
    result = screen_csv(run, BULK / "b8")
    rows = rows_of(result.stdout)
    assert rows["p1"]["status"] == "flagged" and "Opioid" in rows["p1"]["findings"]  # tramadol in MedicationRequest/
    assert result.exit_code == 1
    assert "3 NDJSON files" in result.stderr


# ------------------------------------------------------------ N8: duplicate keys


def test_n8_a_key_given_twice_is_refused_and_doubts_every_patient(run: Any) -> None:
    result = screen_csv(run, BULK / "b7")
    rows = rows_of(result.stdout)
    assert rows["p1"]["status"] == rows["p2"]["status"] == "not-fully-checked"  # oxycodone never sent to p2
    assert result.exit_code == 3
    assert "the key 'subject' is given twice" in result.stderr and "NaN is not a JSON number" in result.stderr


def test_n8_an_export_whose_only_line_has_a_key_twice_is_never_clean(run: Any) -> None:
    result = screen_csv(run, BULK / "dk")
    assert result.exit_code == 2
    assert "given twice" in result.stderr and "no patient to screen" in result.stderr
    assert "clean" not in result.stdout


# ------------------------------------------------------------ N9: --out inside the export


def test_n9_out_inside_the_export_is_refused(run: Any, tmp_path: Path) -> None:
    d = export(tmp_path)
    before = (d / "MedicationRequest.ndjson").read_bytes()
    for target in (d / "MedicationRequest.ndjson", d / "results.jsonl", d / "sub" / ".." / "new.jsonl"):
        result = run("screen", str(d), "--out", str(target), "--out-format", "jsonl")
        assert result.exit_code == 2, (target, result.stderr)
        assert "inside the export directory" in result.stderr
    assert (d / "MedicationRequest.ndjson").read_bytes() == before
    assert sorted(p.name for p in d.iterdir()) == ["MedicationRequest.ndjson", "Patient.ndjson"]


def test_n9_out_equal_to_a_file_linked_into_the_export_is_refused(run: Any, tmp_path: Path) -> None:
    d = export(tmp_path)
    outside = tmp_path / "outside.ndjson"
    outside.write_text('{"resourceType":"Patient","id":"p3"}\n')
    (d / "More.ndjson").symlink_to(outside)
    result = run("screen", str(d), "--out", str(outside), "--out-format", "jsonl")
    assert result.exit_code == 2 and "a file of the export" in result.stderr
    assert outside.read_text() == '{"resourceType":"Patient","id":"p3"}\n'


# ------------------------------------------------------------ J3: special files, huge lines


def test_j3_a_link_to_a_device_and_a_fifo_are_listed_not_read(run: Any, tmp_path: Path) -> None:
    d = export(tmp_path)
    (d / "Zero.ndjson").symlink_to("/dev/zero")
    os.mkfifo(d / "Fifo.ndjson")
    result = screen_csv(run, d)  # before: MemoryError / a run that never ends
    assert result.exit_code == 3
    assert "Zero.ndjson: not a regular file" in result.stderr and "Fifo.ndjson: not a regular file" in result.stderr
    assert {r["fully_checked"] for r in rows_of(result.stdout).values()} == {"no"}


def test_j3_an_over_long_line_is_skipped_in_bounded_memory_and_counted(run: Any, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fhir_bulk, "MAX_LINE", 1000)
    d = export(tmp_path)
    with open(d / "MedicationRequest.ndjson", "a") as f:
        f.write('{"resourceType":"MedicationRequest","note":"' + "x" * 5_000_000 + '"}\n')
        f.write(MR % ("p2", "tramadol"))  # the line after the long one is still read
    result = screen_csv(run, d)
    rows = rows_of(result.stdout)
    assert rows["p2"]["status"] == "flagged"
    assert rows["p1"]["fully_checked"] == "no"
    assert "line 3: line over 1,000 bytes" in result.stderr
    assert result.exit_code == 4


# ------------------------------------------------------------ J4: escapes


def test_j4_file_names_on_standard_error_are_escaped(run: Any, tmp_path: Path) -> None:
    d = export(tmp_path)
    (d / "\x1b[31mRED.ndjson").write_text("bad\n")
    (d / "\x1b]0;pwn\x07x.txt").write_text("")
    result = screen_csv(run, d)
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "\\x1b[31mRED.ndjson, line 1" in result.stderr and "\\x1b]0;pwn\\x07x.txt" in result.stderr
    assert result.exit_code == 3


def _on_a_terminal(tmp_path: Path, *args: str) -> bytes:
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([baclo(), *args], cwd=tmp_path, env=env_for(tmp_path), stdout=slave,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(master)
    return out


def test_j4_csv_records_on_a_terminal_show_control_characters_escaped(tmp_path: Path) -> None:
    source = tmp_path / "esc.csv"
    source.write_text("id,medications,conditions\n\x1b]0;pwn\x07X,oxycodone,\n", encoding="utf-8")
    out = _on_a_terminal(tmp_path, "screen", str(source), "--out", "-", "--out-format", "csv")
    assert b"\\x1b]0;pwn\\x07X" in out and b"\x1b]0;pwn" not in out
    d = tmp_path / "b4"
    shutil.copytree(BULK / "b4", d)
    out = _on_a_terminal(tmp_path, "screen", str(d), "--out", "-", "--out-format", "csv")
    assert b"\\x1b[2J" in out and b"\x1b[2J" not in out
    piped = subprocess.run([baclo(), "screen", str(source), "--out", "-", "--out-format", "csv"], cwd=tmp_path,
                           env=env_for(tmp_path), capture_output=True, timeout=60)
    assert b"\x1b]0;pwn\x07X" in piped.stdout  # a file or pipe gets the data as it is


# ------------------------------------------------------------ m5: only Patient/<id> groups


def test_m5_only_patient_references_group_the_rest_is_unattributed(run: Any) -> None:
    result = screen_csv(run, BULK / "b4")
    rows = rows_of(result.stdout)
    assert set(rows) == {"p1", "\x1b[2J\x1b]0;pwn\x07"}  # no urn:uuid:p1, patient/p1, Group/g1 rows
    assert rows["p1"]["status"] == "not-fully-checked" and rows["p1"]["fully_checked"] == "no"  # m7
    assert result.exit_code == 3
    for ref in ("'urn:uuid:p1'", "'patient/p1'", "'Group/g1'", "'Patient/'"):
        assert f"({ref}) is not a Patient/<id> reference" in result.stderr
    assert "has no reference (an identifier alone)" in result.stderr


def test_m5_absolute_patient_urls_and_history_group_with_the_patient(run: Any, tmp_path: Path) -> None:
    d = export(tmp_path)
    with open(d / "MedicationRequest.ndjson", "a") as f:
        f.write(MR % ("p1/_history/3", "tramadol"))
        f.write(MR.replace("Patient/%s", "https://ehr.example/fhir/Patient/%s") % ("p2", "oxycodone"))
    result = screen_csv(run, d)
    rows = rows_of(result.stdout)
    assert set(rows) == {"p1", "p2"} and {r["status"] for r in rows.values()} == {"flagged"}
    assert result.exit_code == 1


# ------------------------------------------------------------ m2: --strict and unreadable lines


def test_m2_strict_stops_at_an_unreadable_bulk_line(run: Any) -> None:
    result = run("screen", str(BULK / "b7"), "--out", "-", "--strict")
    assert result.exit_code == 2
    assert "--strict" in result.stderr and "MedicationRequest.ndjson, line 1" in result.stderr
    assert result.stdout == ""


# ------------------------------------------------------------ m1: --strict after records on stdout


def test_m1_strict_after_records_on_standard_output_says_the_output_is_incomplete(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("id,medications,conditions,daily_dose_mg\na,Tylenol,,\nb,Tylenol,,\nc,Tylenol,,ten\n")
    result = run("--data", str(MINI), "screen", str(source), "--out", "-", "--strict")
    assert result.exit_code == 2
    assert len(result.stdout.splitlines()) == 2
    assert "2 records were already written to standard output" in result.stderr
    assert "nothing written" not in result.stderr
    result = run("--data", str(MINI), "screen", str(source), "--out", str(tmp_path / "o.jsonl"), "--strict")
    assert result.exit_code == 2 and "no record written" in result.stderr


# ------------------------------------------------------------ m3: SIGTERM while indexing


def test_m3_sigterm_while_the_export_is_indexed_says_so_and_leaves_no_index(tmp_path: Path) -> None:
    d = tmp_path / "big"
    d.mkdir()
    line = MR % ("p%d", "baclofen 10 mg tid")
    with open(d / "MedicationRequest.ndjson", "w") as f:
        for i in range(0, 400_000, 1000):
            f.write("".join(line % (i + j) for j in range(1000)))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.Popen([baclo(), "screen", str(d)], cwd=tmp_path, env=env_for(tmp_path, TMPDIR=str(tmp)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not list(tmp.glob("baclo-bulk-*")) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert list(tmp.glob("baclo-bulk-*")), "indexing never started"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert b"terminated by signal 15 while reading the export" in err and b"Traceback" not in err
    assert not list(tmp.glob("baclo-bulk-*"))


# ------------------------------------------------------------ m4: --jobs is capped


def test_m4_jobs_is_capped_at_four_per_core(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    source = tmp_path / "p.csv"
    source.write_text("id,medications,conditions\na,Tylenol,\n")
    result = run("--data", str(MINI), "screen", str(source), "--jobs", "40")
    assert result.exit_code == 0
    assert "--jobs 40 is more than 8 (4 per core): using 8" in result.stderr


# ------------------------------------------------------------ J6: a worker that dies


class _KillsTheWorker:
    """Unpickled in a worker, it ends that process at once (as an out-of-memory kill would)."""

    def __reduce__(self) -> Any:
        return (exec, ("import os, time; time.sleep(1); os._exit(9)",))


def test_j6_a_dead_worker_says_how_many_records_were_written_and_exits_70(run: Any, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from baclofen_cli import parallel

    chunks = parallel._chunks

    def with_a_killer(rows: Any, size: int) -> Any:
        yield from chunks(rows, size)
        yield [_KillsTheWorker()]

    monkeypatch.setattr(parallel, "_chunks", with_a_killer)
    source = tmp_path / "p.csv"
    source.write_text("id,medications,conditions\n" + "".join(f"p{i},Tylenol,\n" for i in range(3000)))
    result = run("--data", str(MINI), "screen", str(source), "--out", "-", "--jobs", "2")
    assert result.exit_code == 70, result.stderr
    assert len(result.stdout.splitlines()) == 3000
    assert "the run is incomplete: 3,000 records were written before a worker process failed" in result.stderr
    assert "nothing was written" not in result.stderr
    out = tmp_path / "o.jsonl"
    out.write_text("kept\n")
    result = run("--data", str(MINI), "screen", str(source), "--out", str(out), "--jobs", "2")
    assert result.exit_code == 70 and "no record was written" in result.stderr and "left as it was" in result.stderr
    assert out.read_text() == "kept\n"


def test_j6_installed_kill_9_of_a_worker(tmp_path: Path) -> None:
    """The reviewer's case: kill -9 one worker of a real run."""
    source = tmp_path / "p.csv"
    source.write_text("id,medications,conditions\n" + "".join(f"p{i},Tylenol;oxycodone,\n" for i in range(400_000)))
    proc = subprocess.Popen([baclo(), "--data", str(MINI), "screen", str(source), "--out", "-", "--jobs", "2"],
                            cwd=tmp_path, env=env_for(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # records are flowing: the workers are running
    assert first
    children: List[int] = []
    deadline = time.monotonic() + 30
    while len(children) < 2 and time.monotonic() < deadline:
        found = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        children = [int(p) for p in found]
        time.sleep(0.05)
    workers = []
    for pid in children:  # the forkserver's children are the workers
        workers += [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                   text=True).stdout.split()]
    if not workers:
        pytest.skip("no worker process found to kill")
    os.kill(workers[0], signal.SIGKILL)
    # not communicate(): it would skip what readline() buffered; read in threads with a deadline, so that a run
    # (or a helper process holding the pipe) that never ends fails the test instead of hanging the suite
    import threading

    assert proc.stderr is not None
    got = {}

    def drain(name: str, stream: Any) -> None:
        got[name] = stream.read()

    readers = [threading.Thread(target=drain, args=("out", proc.stdout), daemon=True),
               threading.Thread(target=drain, args=("err", proc.stderr), daemon=True)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=120)
    if any(reader.is_alive() for reader in readers):
        proc.kill()
        pytest.fail("the output pipe was still open 120 s after a worker was killed")
    out, err = first + got["out"], got["err"]
    proc.wait(timeout=120)
    if proc.returncode == 3:
        pytest.skip("the run ended before the worker was killed")
    written = len(out.splitlines())
    assert proc.returncode == 70, err
    assert f"the run is incomplete: {written:,} records were written before a worker process failed".encode() in err

