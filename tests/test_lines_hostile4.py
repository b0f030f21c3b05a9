"""Hostile review round 4 of the baclofen dose reader (C1-C3, n2, n3): a line whose parts are not all
understood gives no daily dose, never a smaller one. Each case is checked on daily_mg and through
`baclo check --with`, which must report the dose as not read (exit 3), not a partial total."""

from __future__ import annotations

from typing import Any

import pytest

from baclofen_cli.lines import daily_mg

NOT_READ = [
    # C1: a part with an amount and an unrecognised frequency, then "and at bedtime"
    "baclofen 25 mg with meals and at bedtime", "baclofen 25 mg ac and hs", "baclofen 25 mg pc and hs",
    "baclofen 25 mg regularly and at bedtime", "baclofen 25 mg at lunch and at bedtime",
    "baclofen 25 mg on waking and at bedtime", "baclofen 25 mg daytime and at bedtime",
    "baclofen 25 mg with breakfast lunch and dinner and at bedtime", "baclofen 25 mg with meals & at bedtime",
    "baclofen 25 mg with meals + at bedtime",
    # C2: an extra amount word with no number
    "baclofen 25 mg tid and a pill", "baclofen 25 mg tid and a cap", "baclofen 25 mg tid and a",
    "baclofen 25 mg tid and another", "baclofen 25 mg tid and one more",
    # C3: an Epic "N (word)" pair that disagrees
    "baclofen 25 mg, take 1 tablet by mouth 3 (four) times daily",
    "baclofen 25 mg, take 1 (two) tablet by mouth 3 (three) times daily",
    # n2: a repeated frequency
    "take 1 tablet (10 mg total) by mouth tid tid", "baclofen 10 mg tid (10 mg total) tid", "baclofen 10 mg tid tid",
    # n3: two frequencies for one amount
    "baclofen 10 mg three times daily and twice daily", "baclofen 10 mg three times daily twice daily",
]


@pytest.mark.parametrize("line", NOT_READ)
def test_daily_mg_does_not_read_a_part_it_does_not_understand(line: str) -> None:
    assert daily_mg(line) is None


@pytest.mark.parametrize("line", NOT_READ)
def test_check_reports_the_dose_as_not_read(run: Any, line: str) -> None:
    code, data = run.json("check", "--with", line)
    assert data["daily_dose_mg"] is None, line
    assert code != 0 and data["unrecognized"] == [line]


@pytest.mark.parametrize(("line", "dose"), [
    ("baclofen 25 mg, take 1 tablet by mouth 3 (three) times daily", 75),
    ("baclofen 10 mg, take 1 (one) tablet (10 mg total) by mouth 4 (four) times daily", 40),
    ("baclofen 30 mg tid and 30 mg qhs", 120),
    ("baclofen 10 mg; 1 tab tid", 30),
    ("baclofen 25 mg tid", 75),
])
def test_a_fully_understood_line_is_still_read(run: Any, line: str, dose: float) -> None:
    assert daily_mg(line) == dose
    code, data = run.json("check", "--with", line)
    assert data["daily_dose_mg"] == dose and code != 3  # 120 mg is above the label maximum: exit 1


@pytest.mark.parametrize("line", [
    "baclofen 40 mg daily at breakfast, lunch, supper",
    "baclofen 40 mg daily with breakfast, lunch, dinner",
    "baclofen 40 mg daily breakfast/lunch/dinner",
    "baclofen 40 mg tab daily (breakfast, lunch, supper)",
    "baclofen 40 mg with breakfast, lunch, supper daily",
    "baclofen 40 mg daily ac",
    "baclofen 40 mg daily pc",
    "baclofen 40 mg qd meals",
])
def test_meal_times_are_never_read_as_one_dose(run: Any, line: str) -> None:
    """Hostile round 5: meal words after "daily" are doses of their own; the dose is not read, never 40."""
    from baclofen_cli.lines import daily_mg

    assert daily_mg(line) is None
    code, payload = run.json("check", "--with", line)
    assert code != 0 and payload["daily_dose_mg"] is None
