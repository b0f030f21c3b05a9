"""New-user round 6: pregnancy wording with "baby" (HIGH 1), a word swallowed by an unread baclofen line (HIGH 2)."""

from __future__ import annotations

from typing import Any

import pytest

from baclofen_cli.cli import app


@pytest.mark.parametrize("said, caution", [
    ("trying for a baby", "Pregnancy"), ("having a baby", "Pregnancy"), ("breastfeeding my baby", "Breastfeeding"),
])
def test_baby_wording_is_pregnancy_or_breastfeeding_never_child(run: Any, said: str, caution: str) -> None:
    result = run("check", "-H", said, "--brief")
    assert result.exit_code == 1, result.stdout
    assert f"{caution} ({said})" in result.stdout
    assert "Child" not in result.stdout


def test_a_new_baby_is_not_read_as_the_patient_being_a_child(run: Any) -> None:
    result = run("check", "-H", "new baby", "--brief")
    assert result.exit_code == 3 and "Child" not in result.stdout


@pytest.mark.parametrize("audience, said", [("professional", "not understood: xyzzy"),
                                            ("patient", "we also did not understand: xyzzy")])
def test_a_word_after_an_unread_baclofen_line_is_named(run: Any, audience: str, said: str) -> None:
    result = run("check", "-w", "baclofen 10 mg mane, 20 mg nocte, xyzzy", "--brief", "--audience", audience)
    assert result.exit_code == 3
    assert said in result.stdout


def test_butec_is_buprenorphine(run: Any) -> None:
    result = run("check", "-w", "baclofen 10 mg mane, 20 mg nocte, Butec", "--brief")
    assert "MAJOR: Opioids (buprenorphine)" in result.stdout


def test_a_uk_carer_sees_the_uk_childrens_licence(run: Any) -> None:
    result = run("dose", "--audience", "patient", "--country", "uk")
    assert "In the UK, baclofen is approved for children of all ages" in result.stdout
    assert "In the US, the tablets have not been shown" in result.stdout


def test_an_epic_list_with_its_own_header_footer_and_hash_numbers_reads_clean(run: Any) -> None:
    """New-user round 6 (round 5 HIGH 2 remainder): "#4", Epic's header and its empty-list footer."""
    paste = ("Current Outpatient Medications on File Prior to Visit\n#4 metformin 500 mg BID\n"
             "#5 atorvastatin 40 mg daily\nNo current facility-administered medications on file prior to visit.\n")
    result = run.runner.invoke(app, ["check", "--with-file", "-", "--brief"], input=paste)
    assert result.exit_code == 1, result.stdout
    assert "NOT CHECKED" not in result.stdout and "metformin" in result.stdout


def test_a_hash_number_that_is_a_product_number_is_not_a_list_marker(run: Any) -> None:
    result = run("check", "-w", "Tylenol #3", "--brief")
    assert "MAJOR: Opioids (codeine)" in result.stdout
