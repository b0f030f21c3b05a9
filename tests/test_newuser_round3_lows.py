"""New-user round 3, LOW items answered in the knowledge file: patient names for lab-test side effects."""

from __future__ import annotations

import re
from typing import Any

import pytest


@pytest.mark.parametrize("jargon", ["AST", "Occult", "alkaline phosphatase", "Palpitation", "Impotence",
                                    "Nasal congestion", "Coordination disorder"])
def test_patient_side_effects_use_plain_names(run: Any, jargon: str) -> None:
    result = run("side-effects", "--audience", "patient")
    assert result.exit_code == 0
    assert not re.search(rf"\b{re.escape(jargon)}\b", result.stdout), jargon
    professional = run("side-effects")
    assert re.search(rf"\b{re.escape(jargon)}", professional.stdout, re.IGNORECASE), jargon
