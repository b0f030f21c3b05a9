"""New-user round 5: interactions for a product (HIGH 1) and numbered EHR lists (HIGH 2)."""

from __future__ import annotations

from typing import Any, List


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
