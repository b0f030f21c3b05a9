"""Clinical review round G: findings that failed before their fix."""

from __future__ import annotations

import json
from typing import Any

import pytest


def _check(run: Any, *args: str) -> Any:
    result = run("check", *args, "--json")
    return result.exit_code, json.loads(result.stdout)


# F1 (residual): a qualifier after a comma in --history stays with its ulcer ("..., still on treatment")
@pytest.mark.parametrize("text", ["history of bleeding ulcer, still on treatment", "history of PUD, active",
                                  "history of peptic ulcer, diagnosed last month",
                                  "previous gastric ulcer, recurrence 2026"])
def test_a_qualifier_after_a_comma_keeps_the_ulcer_active(run: Any, text: str) -> None:
    code, data = _check(run, "-H", text)
    assert "active-peptic-ulcer" in {f["id"] for f in data["findings"]}, data["findings"]
    assert {f["severity"] for f in data["findings"]} == {"contraindicated"}


# clinical round I: a year alone, in brackets or after "in" as bare, no longer makes an ulcer history (it stays the
# contraindication, the year not read: tests/test_clinical_round_i.py); these keep a history word with the year
@pytest.mark.parametrize("text", ["history of bleeding ulcer", "hx peptic ulcer 10 years ago", "h/o PUD (2015)"])
def test_a_past_ulcer_stays_the_history_caution(run: Any, text: str) -> None:
    code, data = _check(run, "-H", text)
    assert [f["id"] for f in data["findings"]] == ["peptic-ulcer-history"]


# HIGH 1: a baclofen line going on after a comma is never read as the part before it: either the whole
# line's total, or not read at all (not checked)
@pytest.mark.parametrize("line, whole", [
    ("baclofen 20 mg qid, plus 20 mg at night", 100), ("baclofen 10 mg tid, plus 20 mg at night", 50),
    ("baclofen 10 mg tid, increase to 20 mg tid", None), ("baclofen 10 mg tid, extra 10 mg prn", None),
    ("baclofen 10 mg tid, additional 10 mg if needed", None), ("baclofen 10 mg tid, also 20 mg at night", 50),
    ("baclofen 10 mg daily, also at night", 20), ("baclofen 10 mg tid, then 20 mg tid", None),
    ("baclofen 10 mg tid, + 10 mg nocte", 40)])
def test_a_baclofen_line_continued_after_a_comma_is_never_part_read(run: Any, line: str, whole: Any) -> None:
    code, data = _check(run, "-w", line, "--egfr", "40")
    assert len(data["inputs"]) == 1  # one item, never the line's first part alone
    assert data["daily_dose_mg"] in (None, whole)
    if data["daily_dose_mg"] is None:
        assert code == 4 and data["inputs"][0]["status"] == "not-checked"
        assert not any("within" in f["title"] or "within" in f["effect"] for f in data["findings"])


def test_a_separate_medicine_after_a_comma_stays_its_own_item(run: Any) -> None:
    code, data = _check(run, "-w", "oxycodone 5 mg q6h, and gabapentin 300 mg tid")
    assert {f["id"] for f in data["findings"]} >= {"opioids", "gabapentinoids"}
