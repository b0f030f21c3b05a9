"""baclo screen --jobs: the same output, byte for byte and in input order, from several processes."""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any, List, Tuple

import pytest
from conftest import MINI
from test_installed import run as run_installed

from baclofen_cli import parallel
from baclofen_cli.screen import Summary

MEDS = ["Percocet", "valium", "Tylenol", "oxycodone 5 mg tablet", "gabapentin 300mg", "xyzzy", "Tylenol PM"]
CONDS = ["ckd", "hypertension", "", "kidney", "epilepsy"]


def patients(n: int, seed: int = 3) -> List[Tuple[str, str, str, str]]:
    """Varied rows: unique ids, mixed regimens, unknown items, bad doses and empty ids among them."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        meds = ";".join(rng.sample(MEDS, rng.randint(0, 3)) + [f"unknown{i}"] * (i % 7 == 0))
        dose = rng.choice(["", "30", "90", "abc" if i % 97 == 0 else "45"])
        rows.append(("" if i % 211 == 5 else f"p{i}", meds, rng.choice(CONDS), dose))
    return rows


def write(path: Path, rows: List[Any]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "medications", "conditions", "daily_dose_mg"])
        out.writerows(rows)
    return path


def screen(run: Any, *args: str) -> Any:
    return run("--data", str(MINI), "screen", *args)


@pytest.mark.parametrize("out_name", ["r.jsonl", "r.csv"])
def test_jobs_2_writes_the_same_records_in_order_as_one_process(run: Any, tmp_path: Path, out_name: str) -> None:
    source = write(tmp_path / "p.csv", patients(4500))  # several chunks: really spread over workers
    results = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"{jobs}-{out_name}"
        result = screen(run, str(source), "--out", str(out), "--jobs", jobs, "--json")
        results[jobs] = (result.exit_code, json.loads(result.stdout), out.read_bytes())
    assert results["1"][0] == results["2"][0] == 4
    assert results["1"][2] == results["2"][2]
    assert results["1"][1]["summary"] == results["2"][1]["summary"]
    if out_name.endswith(".jsonl"):
        records = [json.loads(line) for line in results["2"][2].decode().splitlines()]
        assert [r["line"] for r in records] == list(range(2, 4502))  # the header is line 1
        assert Counter(r["status"] for r in records) == Counter({
            k.replace("_", "-"): v for k, v in results["2"][1]["summary"].items()
            if k in ("flagged", "clean", "not_fully_checked", "nothing_to_check", "malformed") and v})


def test_jobs_2_fhir_lines_are_the_same_as_one_process(run: Any, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    pools: List[str] = []
    real = parallel.multiprocessing.get_context
    monkeypatch.setattr(parallel.multiprocessing, "get_context", lambda m: pools.append(m) or real(m))
    source = write(tmp_path / "p.csv", patients(2600))
    one = screen(run, str(source), "--format", "fhir", "--jobs", "1")
    two = screen(run, str(source), "--format", "fhir", "--jobs", "2")
    assert one.exit_code == two.exit_code == 4
    assert one.stdout == two.stdout
    assert len(two.stdout.splitlines()) == 2600
    assert len(pools) == 1  # --jobs 2 really ran in worker processes; --jobs 1 did not


def test_jobs_2_strict_stops_at_the_first_malformed_row_like_one_process(run: Any, tmp_path: Path) -> None:
    rows = [(f"p{i}", "Tylenol", "", "30") for i in range(2500)]
    rows[2345] = ("p2345", "Tylenol", "", "ten")
    source = write(tmp_path / "p.csv", rows)
    errors = []
    for jobs in ("1", "2"):
        out = tmp_path / f"{jobs}.jsonl"
        result = screen(run, str(source), "--out", str(out), "--strict", "--jobs", jobs)
        assert result.exit_code == 2
        assert "--strict" in result.stderr
        assert not out.exists()  # nothing written
        errors.append(result.stderr)
    assert errors[0] == errors[1]


def test_small_input_is_screened_in_this_process(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no worker processes for a small file")

    monkeypatch.setattr(parallel.multiprocessing, "get_context", no_pool)
    source = write(tmp_path / "p.csv", patients(50))
    out = tmp_path / "r.jsonl"
    result = screen(run, str(source), "--out", str(out), "--jobs", "4")
    assert result.exit_code == 4
    assert len(out.read_text().splitlines()) == 50


def test_jobs_must_be_positive(run: Any, tmp_path: Path) -> None:
    source = write(tmp_path / "p.csv", patients(3))
    result = screen(run, str(source), "--jobs", "0")
    assert result.exit_code == 2
    assert "--jobs" in result.stderr


def test_merged_summaries_add_up() -> None:
    a, b = Summary(), Summary()
    a.rows, b.rows = 2, 3
    a.by_status["flagged"], b.by_status["flagged"] = 1, 2
    a.flagged_not_fully_checked, b.flagged_not_fully_checked = 1, 1
    a.suggestions["oxycodon"] = ("oxycodone",)
    b.suggestions["oxycodon"] = ("other",)
    b.note_malformed(7, "bad")
    total = Summary()
    parallel.merge_summary(total, a)
    parallel.merge_summary(total, b)
    assert total.rows == 5 and total.by_status["flagged"] == 3 and total.malformed == [(7, "bad")]
    assert total.flagged_not_fully_checked == 2 and total.suggestions == {"oxycodon": ("oxycodone",)}


def test_installed_jobs_2_matches_one_process(tmp_path: Path) -> None:
    source = write(tmp_path / "p.csv", patients(3000, seed=9))
    outs = []
    for jobs in ("1", "2"):
        proc = run_installed(["--data", str(MINI), "screen", str(source), "--out", f"{jobs}.jsonl", "--jobs", jobs],
                             tmp_path)
        assert proc.returncode == 4, proc.stderr
        assert proc.stderr == b""
        outs.append((tmp_path / f"{jobs}.jsonl").read_bytes())
    assert outs[0] == outs[1]
    assert len(outs[0].splitlines()) == 3000
