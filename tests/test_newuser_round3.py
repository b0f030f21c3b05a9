"""New-user trial, round 3: findings that failed before their fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


# MEDIUM 5 (round 1): a medicine written inside a condition is pointed to --with, never silently left
@pytest.mark.parametrize("text, names", [
    ("Opioid use disorder, on methadone", "methadone is a medicine"),
    ("CKD on gabapentin and Valium", "gabapentin, valium are medicines"),
])
def test_medicine_inside_a_condition_gets_a_with_hint(run: Any, text: str, names: str) -> None:
    result = run("check", "-H", text)
    assert result.exit_code == 4  # the condition is flagged; the item is not fully checked
    assert f"{names}: give " in result.stdout and "with --with to check" in result.stdout
    data = json.loads(run("check", "-H", text, "--json").stdout)
    [item] = data["inputs"]
    assert item["status"] == "flagged" and item["unaccounted"] and "--with" in item["hint"]


def test_no_medicine_hint_for_words_that_are_not_medicines(run: Any) -> None:
    result = run("check", "-H", "depression xyzzy")
    assert "is a medicine" not in result.stdout and "--with" not in result.stdout.split("NOT CHECKED")[1]


@pytest.mark.parametrize("args, plain", [
    (["check", "-H", "Opioid use disorder, on methadone"], "list it with your medicines so it is checked"),
    (["check", "-w", "epilepsy"], "list it with your conditions"),
    (["check", "-H", "oxycodone"], "list it with your medicines"),
    (["check", "-w", "MS 15 mg bid"], "write the medicine's full name"),
    (["check", "-w", "baclofen 10 mg as directed"], "could not read its dose"),
])
def test_patient_hints_have_no_option_names(run: Any, args: list[str], plain: str) -> None:
    result = run(*args, "--audience", "patient")
    body = result.stdout
    assert plain in body, body
    prose = [line for line in body.splitlines() if line.strip("-= ")]  # headings are underlined with dashes
    assert not any("--" in line for line in prose), body  # no option names


def test_professional_not_checked_heading_covers_partly_read_items(run: Any) -> None:
    result = run("check", "-H", "Opioid use disorder, on methadone")
    assert "NOT CHECKED (1): not recognized or not fully read, so not known to be safe" in result.stdout


# round 3, MEDIUM 4: search falls back to the names check reads, never "no entry" for a medicine baclo knows
@pytest.mark.parametrize("query, command", [("marijuana", "baclo interactions marijuana"),
                                           ("Tylenol PM", "baclo interactions 'Tylenol PM'")])
def test_search_points_a_known_name_to_its_command(run: Any, query: str, command: str) -> None:
    result = run("search", *query.split())
    assert result.exit_code == 0 and command in result.stdout
    assert "No entry mentions" not in result.stdout


def test_search_for_an_unknown_word_still_says_no_entry(run: Any) -> None:
    result = run("search", "xyzzyq")
    assert result.exit_code == 1 and "No entry mentions 'xyzzyq'" in result.stdout


# round 3, MEDIUM 1: interactions NAME leads with the grade check gives the medicine, not only its class's
@pytest.mark.parametrize("name", ["melatonin", "letrozole", "allopurinol"])
def test_interactions_gives_the_members_own_grade_as_check_does(run: Any, name: str) -> None:
    checked = json.loads(run("check", "-w", name, "--json").stdout)["findings"][0]["severity"]
    text = run("interactions", name).stdout
    assert text.splitlines()[0] == f"{name}: {checked}"
    data = json.loads(run("interactions", name, "--json").stdout)
    assert [m["grade"] for m in data["medicines"]] == [checked]


# found while fixing round 3: interactions NAME never answers "no known interaction" for a name only partly read
@pytest.mark.parametrize("name", ["Tylenol xyzzy", "Tylenol \u0420\u041c", "Tylenol PM xyz"])
def test_interactions_for_a_partly_read_name_is_not_checked(run: Any, name: str) -> None:
    result = run("interactions", name)
    assert result.exit_code == 3
    assert "no known interaction" not in result.stdout and "only partly read" in result.stderr


def test_interactions_for_a_partly_read_name_installed(tmp_path: Path) -> None:
    from test_installed import run as run_installed

    proc = run_installed(["interactions", "Tylenol xyzzy", "--json"], tmp_path)
    assert proc.returncode == 3 and b"no known interaction" not in proc.stdout and b"Traceback" not in proc.stderr


# round 3, MEDIUM 6: a script asking about a name baclo cannot read gets JSON and exit 3, apart from usage errors
@pytest.mark.parametrize("name, recognized", [("xyzzy", False), ("Tylenol xyzzy", True)])
def test_interactions_json_for_a_name_not_checked(run: Any, name: str, recognized: bool) -> None:
    result = run("interactions", name, "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["checked"] is False and data["recognized"] is recognized and data["asked"] == name
    assert data["known_interaction"] is None
