"""New-user round 3, LOW items answered in the knowledge file: patient names for lab-test side effects."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, Callable, Dict

import pytest

from baclofen_cli.errors import DataError
from baclofen_cli.knowledge import load_knowledge


@pytest.mark.parametrize("jargon", ["AST", "Occult", "alkaline phosphatase", "Palpitation", "Impotence",
                                    "Nasal congestion", "Coordination disorder"])
def test_patient_side_effects_use_plain_names(run: Any, jargon: str) -> None:
    result = run("side-effects", "--audience", "patient")
    assert result.exit_code == 0
    assert not re.search(rf"\b{re.escape(jargon)}\b", result.stdout), jargon
    professional = run("side-effects")
    assert re.search(rf"\b{re.escape(jargon)}", professional.stdout, re.IGNORECASE), jargon


def test_patient_interaction_examples_are_everyday_names(run: Any) -> None:
    result = run("interactions", "--audience", "patient", "--no-pager", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "beer, wine, spirits" in result.stdout
    assert "Xyrem, Xywav, GHB" in result.stdout
    for jargon in ("ethanol", "mixed-salt oxybates", "gamma-hydroxybutyrate"):
        assert jargon not in result.stdout
    professional = run("interactions", "--no-pager", env={"COLUMNS": "200"})
    assert "ethanol" in professional.stdout  # the professional list keeps the members' names


def test_a_patient_example_that_is_not_in_the_class_is_refused(mini_raw: Dict[str, Any],
                                                              write_yaml: Callable[..., Path]) -> None:
    raw = copy.deepcopy(mini_raw)
    cls = raw["interactions"][0]
    member = cls["members"][0]["name"]
    cls["patient_examples"] = [member]
    load_knowledge(str(write_yaml(raw)))  # a member's own name is accepted
    cls["patient_examples"] = [member, "not-a-member"]
    with pytest.raises(DataError) as info:
        load_knowledge(str(write_yaml(raw)))
    assert "patient_examples[1]" in info.value.message
    assert "not a member of this class" in info.value.message
