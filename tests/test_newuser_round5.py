"""New-user round 5: interactions for a product (HIGH 1) and numbered EHR lists (HIGH 2)."""

from __future__ import annotations

from typing import Any, List

import pytest
from test_installed import run as run_installed

from baclofen_cli.cli import app


def headings(text: str) -> List[str]:
    lines = text.splitlines()
    return [lines[i - 1] for i in range(1, len(lines)) if lines[i] and set(lines[i]) == {"="}]


def test_a_product_answer_leads_with_what_it_does_together_then_strictest_class(run: Any) -> None:
    result = run("interactions", "Promethazine VC with Codeine", "--no-pager")
    assert result.exit_code == 0
    heads = headings(result.stdout)
    assert heads[0] == "Together: Opioid with another CNS depressant (major)"
    assert heads[1:] == ["Opioids (major)", "Sedating antihistamines (first generation) (moderate)",
                         "Other medicines that act on the brain (minor)"]
    assert len(result.stdout.splitlines()) < 60  # no member tables burying the answer
    assert "26 medicines of this kind: baclo interactions Opioids" in result.stdout


def test_a_class_asked_by_name_still_lists_its_members(run: Any) -> None:
    result = run("interactions", "opioids", "--no-pager")
    assert "Members (" in result.stdout and "oxycodone" in result.stdout


def test_nyquil_puts_its_moderate_class_first(run: Any) -> None:
    heads = headings(run("interactions", "NyQuil", "--no-pager").stdout)
    assert heads[0].startswith("Sedating antihistamines")


def test_together_is_in_the_json_answer(run: Any) -> None:
    code, data = run.json("interactions", "Percocet, Xanax")
    assert code == 0
    assert [t["title"] for t in data["together"]] == ["Opioid with another CNS depressant"]
    assert data["together"][0]["grade"] == "major"


def test_a_single_medicine_has_no_together_section(run: Any) -> None:
    code, data = run.json("interactions", "oxycodone")
    assert "together" not in data


@pytest.mark.parametrize("paste", [
    "1. atorvastatin 40 mg daily\n2. metformin 500 mg BID\n",
    "1) atorvastatin 40 mg daily\n2) metformin 500 mg BID\n",
    "Active Medications:\n- atorvastatin 40 mg daily\n\u2022 metformin 500 mg BID\n",
    "Current Outpatient Medications (2)\n(1) atorvastatin 40 mg daily\n(2) metformin 500 mg BID\n",
])
def test_numbered_and_headed_ehr_lists_are_read_like_plain_ones(run: Any, paste: str) -> None:
    result = run.runner.invoke(app, ["check", "--with-file", "-", "--brief"], input=paste)
    assert result.exit_code == 1, result.stdout
    assert "NOT CHECKED" not in result.stdout
    assert "Diabetes medicines (metformin)" in result.stdout


def test_a_numbered_baclofen_line_keeps_its_dose(run: Any) -> None:
    paste = "Active Medications:\n7. baclofen 10 mg tablet TID\n"
    result = run.runner.invoke(app, ["check", "--with-file", "-", "-H", "CKD 4", "--brief"], input=paste)
    assert "Daily dose of 30 mg with kidney function 15-29 mL/min" in result.stdout


@pytest.mark.parametrize("paste", ["Problems:\n1. atorvastatin 40 mg daily\n", "2 tablets daily\n"])
def test_a_heading_of_the_other_kind_or_a_bare_number_is_never_dropped(run: Any, paste: str) -> None:
    result = run.runner.invoke(app, ["check", "--with-file", "-", "--brief"], input=paste)
    assert result.exit_code in (3, 4), result.stdout
    assert "NOT CHECKED" in result.stdout


def test_a_numbered_problem_list_is_read_as_history(run: Any) -> None:
    paste = "Problem List:\n1. CKD stage 4\n2. hypertension\n"
    result = run.runner.invoke(app, ["check", "--history-file", "-", "-w", "baclofen 10 mg tid", "--brief"],
                               input=paste)
    assert result.exit_code == 1 and "NOT CHECKED" not in result.stdout
    assert "Daily dose of 30 mg" in result.stdout


def test_numbered_list_through_the_installed_script(tmp_path: Any) -> None:
    proc = run_installed(["check", "--with-file", "-", "--brief"], tmp_path,
                         stdin=b"1. atorvastatin 40 mg daily\n2. metformin 500 mg BID\n")
    assert proc.returncode == 1, proc.stdout.decode()
