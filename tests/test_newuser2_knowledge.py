"""New-user trial 2 (knowledge): overdose emergency action, country maxima, sources, UK names."""

from __future__ import annotations

from typing import Any

import pytest

# HIGH 3: the overdose page leads with what to do now, for each country, in both audiences
EMERGENCY_NUMBERS = ["911", "999", "000", "1-800-222-1222", "1-844-764-7669", "NHS 111", "13 11 26"]


@pytest.mark.parametrize("topic", ["overdose", "too much", "poisoning"])
@pytest.mark.parametrize("audience", ["patient", "professional"])
def test_overdose_page_leads_with_the_emergency_action(run: Any, topic: str, audience: str) -> None:
    result = run("info", topic, "--audience", audience, "--no-pager")
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if line.strip() and not set(line) <= {"=", "-"}]
    first_entry = lines[1]
    assert first_entry.startswith("- Get help now:" if audience == "patient" else "- What to do now:")
    for number in EMERGENCY_NUMBERS:
        assert number in first_entry, number
    assert "ambulance" in first_entry if audience == "patient" else "emergency" in first_entry


def test_overdose_emergency_entry_is_sourced_to_sources_with_links(knowledge: Any) -> None:
    [section] = [s for s in knowledge.sections if s.id == "overdose"]
    first = section.entries[0]
    tags = {ref.split()[0] for ref in first.sources}
    assert tags == {"poison-help-us", "ca-poison-centres", "nhs-poisoning", "npis", "au-poisons"}
    for tag in tags:
        assert knowledge.sources[tag].url, tag


def test_all_patient_pages_show_the_emergency_action(run: Any) -> None:
    result = run("info", "--all", "--audience", "patient", "--no-pager")
    assert result.exit_code == 0
    assert "Get help now: Call an ambulance" in result.stdout
