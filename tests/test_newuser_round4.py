"""New-user round 4: start dates in the forms US and UK records print them (HIGH 1), UK pregabalin brands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_installed import run as run_installed

from baclofen_cli.cli import app

DOSE_FINDING = "Daily dose of 30 mg with kidney function 15-29 mL/min"


@pytest.mark.parametrize("medicines", [
    "baclofen 10 mg tid\nStart date: 11/01/2026",
    "baclofen 10 mg tid\nStart date: 11/1/2026",
    "baclofen 10 mg tid (started 11/01/2026)",
    "baclofen 10 mg tid, Start date: 11/1/26",
    "baclofen 10 mg tid\nStart date: Nov 1, 2026",
    "baclofen 10 mg tid\nStart date: November 1st, 2026",
    "baclofen 10 mg tid\nStart date: 1 November 2026",
    "baclofen 10 mg tid\nstarted 01.11.2026",
    "baclofen 10 mg tid\nStart date: 2026-11-01",
])
def test_a_start_date_in_any_usual_form_leaves_the_dose_read(run: Any, medicines: str) -> None:
    result = run("check", "-w", medicines, "-H", "CKD 4", "--brief")
    assert result.exit_code == 1, result.stdout
    assert DOSE_FINDING in result.stdout
    assert "NOT CHECKED" not in result.stdout


@pytest.mark.parametrize("medicines", [
    "baclofen 10 mg tid 11/01/2026",          # a bare date with no word saying what it is
    "baclofen 10 mg tid\nStart date: 1/1/1/2026",  # not a date
])
def test_numbers_that_are_not_a_labelled_date_stay_not_checked(run: Any, medicines: str) -> None:
    result = run("check", "-w", medicines, "-H", "CKD 4", "--brief")
    assert result.exit_code == 4, result.stdout
    assert DOSE_FINDING not in result.stdout


def test_an_epic_table_with_us_dates_reads_every_row(run: Any, tmp_path: Path) -> None:
    paste = ("baclofen 10 mg tablet\tTake 1 tablet by mouth 3 times daily\t90 tablet\t2\t11/01/2026\n"
             "zolpidem 10 mg tablet\tTake 1 tablet by mouth at bedtime\t30 tablet\t1\t10/03/2025\n")
    head = "Medication\tSig\tDispense\tRefill\tStart Date\n"
    path = tmp_path / "meds.txt"
    path.write_text(head + paste)
    result = run("check", "--with-file", str(path), "-H", "CKD 4", "--brief")
    assert DOSE_FINDING in result.stdout, result.stdout
    assert "zolpidem" in result.stdout
    assert "NOT CHECKED" not in result.stdout


@pytest.mark.parametrize("brand", ["Alzain", "Axalid", "Lecaent", "Rewisca"])
def test_uk_pregabalin_brands_are_pregabalin(run: Any, brand: str) -> None:
    result = run("check", "-w", f"{brand} 75mg BD", "--brief")
    assert result.exit_code == 1, result.stdout
    assert "pregabalin" in result.stdout.lower()


def test_a_uk_pregabalin_brand_after_baclofen_is_its_own_item_installed(tmp_path: Path) -> None:
    result = run_installed(["check", "--with-file", "-", "-H", "CKD 4", "--brief"], tmp_path,
                           stdin=b"Teva-Baclofen 10mg TID\nAlzain 75mg BD\n")
    out = result.stdout.decode()
    assert result.returncode == 1, out
    assert DOSE_FINDING in out and "pregabalin" in out


def test_interactions_for_several_medicines_points_to_check_for_what_they_do_together(run: Any) -> None:
    result = run("interactions", "Percocet, Xanax", "--no-pager")
    assert result.exit_code == 0, result.stdout
    head = "\n".join(result.stdout.splitlines()[:4])
    assert "baclo check -w 'Percocet, Xanax'" in head
    patient = run("interactions", "Percocet, Xanax", "--no-pager", "--audience", "patient")
    assert "together" in "\n".join(patient.stdout.splitlines()[:4])
    assert "-w" not in patient.stdout  # no option names for patients
    single = run("interactions", "Percocet", "--no-pager")
    assert "baclo check -w" not in single.stdout  # one product: nothing to combine


@pytest.mark.parametrize("query, expected", [
    ("constipated", "Constipation"), ("pee", "urine"), ("kids", "children"), ("itchy", "Itching"),
    ("can't sleep", "Trouble sleeping"), ("seize", "Seizures"), ("ms", "multiple sclerosis"),
    ("stop taking", "Stopping suddenly"),
])
def test_search_knows_everyday_words(run: Any, query: str, expected: str) -> None:
    result = run("search", query)
    assert result.exit_code == 0, result.stdout
    assert expected.casefold() in result.stdout.casefold()


@pytest.mark.parametrize("typed, meant", [("pregnacy", "pregnancy"), ("drowsyness", "drowsiness")])
def test_search_corrects_a_misspelling_and_says_so(run: Any, typed: str, meant: str) -> None:
    result = run("search", typed)
    assert result.exit_code == 0, result.stdout
    assert f"No entry mentions {typed!r}; showing what matches {meant!r}" in result.stdout
    code, data = run.json("search", typed)
    assert code == 0 and data["query"] == typed and data["corrected_to"] == meant and data["matches"]


def test_search_with_nothing_close_says_so_without_promising_a_shorter_word(run: Any) -> None:
    result = run("search", "xyzzyq")
    assert result.exit_code == 1
    assert "shorter word" not in result.stdout
    assert "No entry mentions 'xyzzyq'" in result.stdout


@pytest.mark.parametrize("section, expected", [
    ("uses", "Multiple sclerosis"), ("uses", "approved in the UK"), ("forms", "liquids and granules"),
])
def test_patients_get_uses_and_forms_in_plain_words(run: Any, section: str, expected: str) -> None:
    result = run("info", section, "--audience", "patient", "--no-pager")
    assert result.exit_code == 0
    assert expected in result.stdout
    assert "written for health professionals" not in result.stdout
    assert "spasticity of cerebral origin" not in result.stdout


def test_label_statuses_are_words_not_enum_spellings(run: Any) -> None:
    result = run("info", "uses", "--no-pager", env={"COLUMNS": "200"})
    for raw in ("not-established", "not-labelled", "approved-elsewhere"):
        assert raw not in result.stdout
    assert "approved in another country (martindale)" in result.stdout


@pytest.mark.parametrize("args", [["dose"], ["faq"], ["sections"], ["search", "pregnancy"],
                                  ["check", "-w", "amoxicillin"], ["info"], ["cautions"], ["interactions"],
                                  ["side-effects"], ["sources"]])
def test_no_pager_is_accepted_by_every_page_command(run: Any, args: list) -> None:
    result = run(*args, "--no-pager")
    assert result.exit_code == 0, result.stdout


def test_the_patient_faq_gives_each_country_its_maximum(run: Any) -> None:
    result = run("faq", "--audience", "patient")
    assert "80 mg a day in the US and Canada" in result.stdout and "100 mg a day in the UK" in result.stdout


@pytest.mark.parametrize("line, medicine", [
    ("Nozinan 25 mg at night", "levomepromazine"), ("Kemadrin 5mg TDS", "procyclidine"),
    ("Nytol One-A-Night", "diphenhydramine"), ("Sleep-Eze", "diphenhydramine"),
])
def test_more_uk_and_canadian_names_are_read(run: Any, line: str, medicine: str) -> None:
    result = run("check", "-w", line, "--brief")
    assert result.exit_code == 1, result.stdout
    assert medicine in result.stdout


@pytest.mark.parametrize("word", ["older", "elderly", "older adults"])
def test_older_and_elderly_open_the_same_topic(run: Any, word: str) -> None:
    result = run("info", word, "--no-pager")
    assert result.exit_code == 0
    assert result.stdout.startswith("Older age (65 and over)")


def test_a_jsonl_row_with_colliding_item_keys_keeps_its_id(run: Any) -> None:
    """Hostile round 7 (N4): the id key is not in doubt, so the malformed record still names its patient."""
    lines = ('{"id":"f","medications":"amoxicillin","medications ":"oxycodone"}\n'
             '{"id":"g","id ":"h","medications":"x"}\n')
    result = run.runner.invoke(app, ["screen", "-", "--format-in", "jsonl", "--out", "-"], input=lines)
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(r["id"], r["status"]) for r in records] == [("f", "malformed"), ("", "malformed")]


def test_dose_bars_stay_in_proportion_at_40_columns(run: Any) -> None:
    """New-user round 4 (L2): 15/30/45/60 mg were 1/2/2/3 blocks at 40 columns."""
    result = run("dose", env={"COLUMNS": "40"})
    bars = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if line.startswith("days ") and len(parts) > 3 and set(parts[2]) == {"#"}:
            bars[parts[3]] = len(parts[2])
    assert list(bars) == ["15", "30", "45", "60"], bars
    assert bars["15"] < bars["30"] < bars["45"] < bars["60"]
    assert all(len(line) <= 40 for line in result.stdout.splitlines() if line.startswith(("days", " ")))
