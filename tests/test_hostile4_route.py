"""Hostile round 4, C4: a FHIR route text decides only when it is nothing but a route."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def _statement(tmp_path: Path, route: str) -> Path:
    resource = {"resourceType": "MedicationStatement", "status": "active",
                "medicationCodeableConcept": {"text": "baclofen 30 mg tablet"},
                "dosage": [{"route": {"text": route},
                            "timing": {"repeat": {"frequency": 4, "period": 1, "periodUnit": "d"}},
                            "doseAndRate": [{"doseQuantity": {"value": 30, "unit": "mg"}}]}]}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(resource), encoding="utf-8")
    return path


@pytest.mark.parametrize("route", ["Oral - swallow it whole", "oral", "By mouth"])
def test_an_oral_route_keeps_the_oral_dose_check(run: Any, tmp_path: Path, route: str) -> None:
    code, payload = run.json("check", "--fhir", str(_statement(tmp_path, route)))
    assert payload["daily_dose_mg"] == 120 and code == 1
    assert any(f["id"] == "dose-maximum" for f in payload["findings"])


def test_a_route_text_that_only_mentions_injection_is_never_clear(run: Any, tmp_path: Path) -> None:
    code, payload = run.json("check", "--fhir", str(_statement(tmp_path, "Oral. Not for injection")))
    assert code in (3, 4) and payload["inputs"][0]["status"] == "not-checked"


@pytest.mark.parametrize("route", ["Intrathecal", "intrathecal route", "IT"])
def test_an_intrathecal_route_is_intrathecal_baclofen(run: Any, tmp_path: Path, route: str) -> None:
    code, payload = run.json("check", "--fhir", str(_statement(tmp_path, route)))
    assert code == 1 and any(f["id"] == "baclofen-intrathecal" for f in payload["findings"])


def test_a_medication_ingredient_that_is_not_an_object_is_not_checked(run: Any, tmp_path: Path) -> None:
    resource = {"resourceType": "MedicationStatement", "status": "active", "medicationReference": {"reference": "#m"},
                "contained": [{"resourceType": "Medication", "id": "m", "code": {"text": "acetaminophen"},
                               "ingredient": ["codeine"]}]}
    path = tmp_path / "ing.json"
    path.write_text(json.dumps(resource), encoding="utf-8")
    code, payload = run.json("check", "--fhir", str(path))
    assert code == 3 and any(i["status"] == "not-checked" for i in payload["inputs"])
