"""Hostile round 9: a first-page link that is not this page (B); a time "ago" never makes an ulcer healed (C)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from baclofen_cli.cli import app

STATEMENT = {"resource": {"resourceType": "MedicationStatement", "status": "active",
                          "medicationCodeableConcept": {"text": "amoxicillin 500 mg"}}}


def page(*links: Any) -> str:
    return json.dumps({"resourceType": "Bundle", "type": "searchset", "link": list(links), "entry": [STATEMENT]})


def test_a_first_link_to_another_page_means_the_list_may_be_incomplete(run: Any) -> None:
    payload = page({"relation": "self", "url": "https://x/MedicationStatement?patient=1&page=2"},
                   {"relation": "first", "url": "https://x/MedicationStatement?patient=1&page=1"})
    result = run.runner.invoke(app, ["check", "--fhir", "-", "--brief"], input=payload)
    assert result.exit_code == 3, result.stdout
    assert "the first page" in result.stdout


def test_a_first_link_to_this_page_is_complete(run: Any) -> None:
    same = "https://x/MedicationStatement?patient=1"
    result = run.runner.invoke(app, ["check", "--fhir", "-", "--brief"],
                               input=page({"relation": "self", "url": same}, {"relation": "first", "url": same}))
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize("said", ["peptic ulcer diagnosed 5 years ago", "peptic ulcer dx 2 years ago",
                                  "diagnosed with peptic ulcer 2 years ago", "peptic ulcer 1 year ago",
                                  "peptic ulcer 18 months ago"])
def test_a_time_ago_alone_keeps_the_ulcer_contraindicated_and_says_so(run: Any, said: str) -> None:
    result = run("check", "-H", said, "--fail-on", "major", "--brief")
    assert result.exit_code == 4, result.stdout
    assert "CONTRAINDICATED: Peptic ulcer" in result.stdout
    assert "a time alone: whether the ulcer healed was not read" in result.stdout


@pytest.mark.parametrize("said", ["history of peptic ulcer 5 years ago", "healed peptic ulcer 5 years ago"])
def test_a_history_word_with_a_time_is_still_a_history(run: Any, said: str) -> None:
    result = run("check", "-H", said, "--brief")
    assert "History of peptic ulcer" in result.stdout and "CONTRAINDICATED" not in result.stdout


@pytest.mark.parametrize("line", [
    "amoxicillin 500 mg - Patch 25 mcg/hr", "amoxicillin 500 mg: eye drops", "amoxicillin -- injection",
    "amoxicillin 500 mg capsule \u2013 patch", "amoxicillin 500 mg capsule \u2014 eye drops",
    "amoxicillin 500 mg capsule. Patch 25 mcg/hr", "amoxicillin 500 mg capsule with patch",
    "baclofen 40 mg tablet four times daily - injection", "amoxicillin 500 mg (patch)",
    "amoxicillin 500 mg capsule (Inhale 2 puffs twice daily)",
])
def test_a_form_word_after_a_dash_colon_stop_or_with_is_not_owned_by_the_medicine_before(run: Any, line: str) -> None:
    result = run("check", "-w", line, "--brief")
    assert result.exit_code == 3, result.stdout
    assert "not understood" in result.stdout


@pytest.mark.parametrize("line", [
    "fentanyl (DURAGESIC) 25 mcg/hr patch", "Eye drops: timolol", "timolol 0.5% eye drops - 1 drop both eyes bid",
    "fentanyl 25 mcg/hr patch - apply 1 patch q72h", "insulin glargine 100 unit/mL injection - inject 10 units at bedtime",
    "Ventolin HFA 90 mcg/actuation inhaler - 2 puffs q4h prn", "albuterol HFA inhaler: 2 puffs q4h prn",
    "albuterol (PROVENTIL HFA;VENTOLIN HFA) 90 mcg/actuation inhaler", "insulin glargine (LANTUS) 100 unit/mL injection",
    "timolol (TIMOPTIC) 0.5 % ophthalmic solution", "fentanyl 72 hour patch (Duragesic)",
])
def test_a_form_that_belongs_to_the_medicine_stays_read(run: Any, line: str) -> None:
    result = run("check", "-w", line, "--brief")
    assert result.exit_code in (0, 1), result.stdout
    assert "NOT CHECKED" not in result.stdout
