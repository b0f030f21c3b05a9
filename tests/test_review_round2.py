"""The second clinical review (reviews-round2/clinical-1.md): every HIGH and MEDIUM fix, through the
CLI in both wordings, and the baclofen-line dose check with hand-built resolutions."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from baclofen_cli.check import BACLOFEN_LINE, NOT_CHECKED, check, exit_status, summary_line
from baclofen_cli.resolve import WITH, Resolver

AUDIENCES = ("professional", "patient")


def _check(run: Any, *args: str, audience: str = "professional") -> Tuple[int, Dict[str, Any]]:
    code, data = run.json("check", *args, "--audience", audience)
    return code, data


def _sev(data: Dict[str, Any]) -> Dict[str, str]:
    return {f["id"]: f["severity"] for f in data["findings"]}


def _status(data: Dict[str, Any]) -> List[str]:
    return [i["status"] for i in data["inputs"]]


# ---------------------------------------------------------------- 1. the user's own baclofen lines


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("line", ["baclofen 30 mg tid", "baclofen 10 mg tid", "Lioresal 20 mg qid",
                                  "Kemstro 10 mg daily", "baclofen 10 mg at night"])
def test_a_baclofen_line_whose_dose_was_not_read_is_not_checked(run: Any, line: str, audience: str) -> None:
    code, data = _check(run, "--with", line, audience=audience)
    assert code == 3  # never an all-clear
    assert _status(data) == [NOT_CHECKED]
    assert data["daily_dose_mg"] is None
    assert line in data["unrecognized"]
    text = run("check", "--with", line, "--audience", audience).output
    assert "dose on this line was not read" in text and "no known interaction" not in text.lower()


@pytest.mark.parametrize("audience", AUDIENCES)
def test_baclofen_itself_is_the_medicine_checked_never_no_known_interaction(run: Any, audience: str) -> None:
    for name in ("baclofen", "Lioresal", "Kemstro", "baclofen tablets"):
        code, data = _check(run, "--with", name, audience=audience)
        assert code == 0 and data["findings"] == []
        assert _status(data) == [BACLOFEN_LINE]
        out = run("check", "--with", name, "--audience", audience).output
        assert "No known interaction" not in out and "no known interaction" not in out
        assert "medicine being checked" in out and "no daily dose was given" in out


def test_an_explicit_daily_dose_checks_a_line_whose_dose_was_not_read(run: Any) -> None:
    code, data = _check(run, "--with", "baclofen 30 mg tid", "--daily-dose", "90")
    assert _status(data) == [BACLOFEN_LINE]
    assert _sev(data)["dose-maximum"] == "major" and code == 1


def test_two_lines_whose_doses_were_not_read_never_claim_a_dose_check(run: Any) -> None:
    for audience in AUDIENCES:
        code, data = _check(run, "--with", "baclofen 20 mg qid, baclofen 10 mg at night", audience=audience)
        assert code == 4 and data["daily_dose_mg"] is None
        assert _status(data) == [NOT_CHECKED, NOT_CHECKED]
        note = {f["id"]: f for f in data["findings"]}["baclofen-more-than-one"]
        assert "dose check uses" not in note["advice"] and "used their total" not in note["advice"]
        if audience == "professional":
            assert "no total was checked" in note["advice"]


def test_read_lines_feed_the_dose_check_summed(knowledge: Any) -> None:
    r = Resolver(knowledge)
    a = r.resolve("baclofen", WITH)._replace(text="baclofen 20 mg qid", daily_mg=80.0)
    b = r.resolve("baclofen", WITH)._replace(text="baclofen 10 mg at night", daily_mg=10.0)
    result = check(knowledge, [a, b])
    assert result.daily_dose_mg == 90
    found = {f.id: f for f in result.findings}
    assert found["dose-maximum"].severity == "major"
    assert found["dose-maximum"].inputs == ("baclofen 20 mg qid", "baclofen 10 mg at night")
    assert "used their total (90 mg a day)" in found["baclofen-more-than-one"].advice
    assert [i.status for i in result.items] == [BACLOFEN_LINE, BACLOFEN_LINE]
    assert exit_status(result) == 1


def test_a_line_read_within_the_maximum_is_checked_not_harmless(knowledge: Any) -> None:
    res = Resolver(knowledge).resolve("baclofen", WITH)._replace(text="baclofen 10 mg tid", daily_mg=30.0)
    result = check(knowledge, [res])
    assert result.daily_dose_mg == 30 and result.findings == ()
    assert result.items[0].status == BACLOFEN_LINE and exit_status(result) == 0
    assert "daily dose checked" in summary_line(result)


def test_one_unread_line_stops_a_part_sum(knowledge: Any) -> None:
    r = Resolver(knowledge)
    a = r.resolve("baclofen", WITH)._replace(text="baclofen 10 mg tid", daily_mg=30.0)
    b = r.resolve("baclofen", WITH)._replace(text="baclofen 25 mg 3 x daily")
    result = check(knowledge, [a, b])
    assert result.daily_dose_mg is None  # 30 would understate the total
    assert [i.status for i in result.items] == [BACLOFEN_LINE, NOT_CHECKED]
    assert exit_status(result) == 4
    assert "not all read" in {f.id: f for f in result.findings}["baclofen-more-than-one"].advice


def test_an_explicit_dose_wins_over_read_lines_and_the_disagreement_is_shown(knowledge: Any) -> None:
    res = Resolver(knowledge).resolve("baclofen", WITH)._replace(text="baclofen 10 mg tid", daily_mg=30.0)
    result = check(knowledge, [res], daily_dose_mg=90)
    assert result.daily_dose_mg == 90
    assert {"dose-disagreement", "dose-maximum"} <= {f.id for f in result.findings}

