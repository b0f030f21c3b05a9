"""Clinical review round H: findings that failed before their fix."""

from __future__ import annotations

import json
from typing import Any, List

import pytest


def _check(run: Any, *args: str) -> Any:
    result = run("check", *args, "--json")
    return result.exit_code, json.loads(result.stdout)


# HIGH 1: AGS Beers 2023: avoid baclofen in older adults with eGFR below 60, whatever the dose
@pytest.mark.parametrize("kidney", [["--egfr", "55"], ["--crcl", "40"], ["-H", "CKD stage 3"], ["-H", "CKD 3a"],
                                    ["--egfr", "20", "--daily-dose", "5"]])
def test_older_age_with_egfr_below_60_is_major(run: Any, kidney: List[str]) -> None:
    code, data = _check(run, "-H", "age 82", *kidney)
    rule = {f["id"]: f for f in data["findings"]}["older-age-with-reduced-kidney-function"]
    assert rule["severity"] == "major" and code == 1
    assert rule["sources"] == ["beers"]


@pytest.mark.parametrize("args", [["-H", "age 82", "--egfr", "70"], ["-H", "age 60", "--egfr", "55"],
                                  ["-H", "age 82, CKD stage 2"]])
def test_no_older_age_kidney_rule_without_both(run: Any, args: List[str]) -> None:
    code, data = _check(run, *args)
    assert "older-age-with-reduced-kidney-function" not in {f["id"] for f in data["findings"]}


# HIGH 2: whatever follows a baclofen line after a comma, naming no medicine, goes on with that line
@pytest.mark.parametrize("line", ["baclofen 10 mg tid, with an extra 20 mg at bedtime",
                                  "baclofen 20 mg qid, with an extra 20 mg at bedtime",
                                  "baclofen 10 mg tid, may take another", "baclofen 10 mg tid, may increase to 20 mg tid",
                                  "baclofen 10 mg tid, double dose at night", "baclofen 10 mg tid, on bad days 20 mg",
                                  "Lioresal 10 mg tid, 2 more if needed"])
def test_anything_after_a_baclofen_line_leaves_its_dose_unread(run: Any, line: str) -> None:
    code, data = _check(run, "-w", line, "--egfr", "40")
    assert len(data["inputs"]) == 1 and data["daily_dose_mg"] is None
    assert code == 4 and data["inputs"][0]["status"] == "not-checked"
    assert not any("within" in f["title"] or "within" in f["effect"] for f in data["findings"])


def test_a_medicine_after_a_baclofen_line_stays_its_own_item(run: Any) -> None:
    code, data = _check(run, "-w", "baclofen 10 mg tid, oxycodone 5 mg")
    assert [i["text"] for i in data["inputs"]] == ["baclofen 10 mg tid", "oxycodone 5 mg"]
    assert data["daily_dose_mg"] == 30 and "opioids" in {f["id"] for f in data["findings"]}


# HIGH 3: a harmless ICD-10-CM prefix never hides a more specific code that names a caution
@pytest.mark.parametrize("code, caution", [("M10.30", "kidney-disease"), ("G62.1", "alcoholism"),
                                           ("E66.2", "respiratory-disease"), ("E03.5", "respiratory-disease")])
def test_specific_codes_under_harmless_prefixes_are_cautions(run: Any, code: str, caution: str) -> None:
    status, data = _check(run, "-H", code)
    assert caution in {f["id"] for f in data["findings"]} and status == 1


# MEDIUM 6: "mg" beside a number in a condition line is a lab unit or level, never myasthenia gravis
@pytest.mark.parametrize("text", ["creatinine 2.5 mg/dL", "glucose 250 mg/dL", "Mg 1.2"])
def test_a_lab_value_in_mg_is_not_myasthenia_gravis(run: Any, text: str) -> None:
    code, data = _check(run, "-H", text)
    assert "myasthenia-gravis" not in {f["id"] for f in data["findings"]}
    assert code == 3  # not read, so not checked: never clear


def test_mg_alone_is_still_myasthenia_gravis(run: Any) -> None:
    code, data = _check(run, "-H", "MG")
    assert [f["id"] for f in data["findings"]] == ["myasthenia-gravis"]
