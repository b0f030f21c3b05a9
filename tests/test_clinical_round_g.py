"""Clinical review round G: CKD stage 2 graded by its worst case; Lomotil's wording; diabetic complications; high
spinal cord injuries; sedating medicines in older people; inhaled antimuscarinics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from test_installed import run as run_installed


def _sev(payload: Dict[str, Any]) -> Dict[str, str]:
    return {f["id"]: f["severity"] for f in payload["findings"]}


# ---------------------------------------------------------------- E-CKD2: stage 2 is graded like an eGFR of 60

@pytest.mark.parametrize("text", ["CKD stage 2", "N18.2", "ckd g2", "chronic kidney disease stage 2", "ckd stage 1-2"])
def test_ckd_stage_2_grades_the_dose_in_the_50_to_80_band(run: Any, text: str) -> None:
    code, payload = run.json("check", "-H", text, "--daily-dose", "80")
    found = _sev(payload)
    assert code == 1 and found["ckd-stage-2"] == "moderate" and found["renal-mild"] == "moderate"
    dose = next(f for f in payload["findings"] if f["id"] == "renal-mild")
    assert "above about 53" in dose["effect"]


def test_ckd_stage_2_is_as_strict_as_an_egfr_of_60(run: Any) -> None:
    _, staged = run.json("check", "-H", "CKD stage 2", "--daily-dose", "60")
    _, measured = run.json("check", "--egfr", "60", "--daily-dose", "60")
    assert max(_sev(staged).values(), key=["minor", "moderate", "major"].index) == "moderate"
    assert _sev(measured)["renal-mild"] == _sev(staged)["renal-mild"] == "moderate"


def test_ckd_stage_2_within_the_reduced_maximum_keeps_the_caution(run: Any) -> None:
    _, payload = run.json("check", "-H", "CKD stage 2", "--daily-dose", "30")
    assert _sev(payload) == {"ckd-stage-2": "moderate", "renal-mild": "minor"}


@pytest.mark.parametrize("text", ["CKD stage 1", "N18.1", "ckd g1"])
def test_ckd_stage_1_has_no_band_and_stays_minor(run: Any, text: str) -> None:
    _, payload = run.json("check", "-H", text, "--daily-dose", "80")
    assert _sev(payload) == {"ckd-stage-1": "minor"}


# ---------------------------------------------------------------- E-Lomotil: text, grade and effects agree

def test_lomotil_is_described_as_the_cns_depressant_it_is_graded_as(run: Any) -> None:
    for audience in ("professional", "patient"):
        _, payload = run.json("check", "-w", "Lomotil", "--audience", audience)
        finding = next(f for f in payload["findings"] if "diphenoxylate" in " ".join(f["matched"]))
        assert finding["severity"] == "moderate"
        text = finding["effect"].lower()
        assert "not counted" not in text and "do not add much" not in text and "drows" in text


def test_lomotil_takes_part_in_the_depressant_rules(run: Any) -> None:
    _, payload = run.json("check", "-w", "Lomotil", "-H", "COPD")
    assert _sev(payload)["depressant-with-respiratory-disease"] == "major"
    _, payload = run.json("check", "-w", "Lomotil, oxycodone")
    assert _sev(payload)["opioid-with-depressant"] == "major"


def test_loperamide_keeps_the_gut_only_wording(run: Any) -> None:
    _, payload = run.json("check", "-w", "loperamide", "-H", "COPD")
    finding = next(f for f in payload["findings"] if f["id"] == "antidiarrhoeal-opioids")
    assert finding["severity"] == "minor" and "loperamide" in finding["effect"].lower()
    assert "depressant-with-respiratory-disease" not in _sev(payload)


# ---------------------------------------------------------------- MEDIUM 7: a complication names its condition

@pytest.mark.parametrize("text", ["diabetic neuropathy", "diabetic peripheral neuropathy", "diabetic polyneuropathy",
                                  "diabetic retinopathy", "diabetic foot ulcer", "diabetic foot", "diabetic gastroparesis",
                                  "E11.40", "E11.4"])
def test_a_diabetic_complication_is_read_as_diabetes(run: Any, text: str) -> None:
    code, payload = run.json("check", "-H", text)
    assert code == 1 and _sev(payload) == {"diabetes": "minor"}


def test_diabetic_nephropathy_is_diabetes_and_kidney_disease(run: Any) -> None:
    _, payload = run.json("check", "-H", "diabetic nephropathy")
    assert _sev(payload) == {"kidney-disease": "major", "diabetes": "minor"}


def test_no_harmless_condition_name_hides_a_caution_word(knowledge: Any) -> None:
    """A name on the no-known-caution list is matched whole, before its words are read: none of its words may
    itself name a caution ("diabetic neuropathy" hid "diabetic")."""
    from baclofen_cli.resolve import Resolver

    resolver = Resolver(knowledge, suggest=False)
    hidden = []
    for condition in knowledge.no_known_caution.conditions:
        for name in (condition.name, *condition.aliases):
            for word in name.lower().replace("-", " ").split():
                found = resolver.resolve(word, "history")
                if any(t.kind == "caution" for t in found.targets):
                    hidden.append(f"{name}: {word}")
    assert hidden == []


# ---------------------------------------------------------------- MEDIUM 8: injuries at T6 or above

@pytest.mark.parametrize("text", ["C5 complete SCI", "tetraplegia", "quadriplegia", "SCI T4", "cervical cord injury",
                                  "C5-6 tetraplegia", "T4 paraplegia", "incomplete tetraplegia", "S14.109A", "S24.102A",
                                  "G82.53"])
def test_a_high_spinal_cord_injury_carries_the_dysreflexia_caution(run: Any, text: str) -> None:
    code, payload = run.json("check", "-H", text)
    assert code == 1 and _sev(payload) == {"spinal-cord-injury-high": "moderate"}
    assert payload["findings"][0]["severity"] == _sev(run.json("check", "-H", "autonomic dysreflexia")[1])[
        "autonomic-dysreflexia"]


@pytest.mark.parametrize("text", ["paraplegia", "SCI", "spinal cord injury", "S24.103A", "G82.21", "T10 paraplegia"])
def test_a_lower_or_unleveled_injury_is_graded_as_before(run: Any, text: str) -> None:
    _, payload = run.json("check", "-H", text)
    assert _sev(payload) == {"spinal-cord-injury": "minor"}


def test_a_level_word_without_an_injury_is_not_read_as_one(run: Any) -> None:
    _, payload = run.json("check", "-H", "hepatitis C 5 years ago")
    assert "spinal-cord-injury-high" not in _sev(payload)


# ---------------------------------------------------------------- MEDIUM 9: sedating medicines in older people

@pytest.mark.parametrize("drug", ["diazepam", "lorazepam", "zolpidem", "quetiapine", "olanzapine", "haloperidol",
                                  "gabapentin", "pregabalin", "oxycodone", "tramadol"])
def test_a_sedating_medicine_in_an_older_person_is_a_combination(run: Any, drug: str) -> None:
    _, payload = run.json("check", "-w", drug, "-H", "age 82")
    combined = [f for f in payload["findings"] if f["kind"] == "combination" and "older" in f["title"].lower()]
    assert combined and combined[0]["severity"] == "moderate"
    assert "beers" in " ".join(combined[0]["sources"])


def test_the_older_age_rules_do_not_hide_each_others_medicines(run: Any) -> None:
    _, payload = run.json("check", "-w", "diazepam, lithium", "-H", "age 82")
    found = _sev(payload)
    assert found["sedating-drug-in-older-age"] == found["confusion-drug-in-older-age"] == "moderate"
    _, payload = run.json("check", "-w", "diphenhydramine", "-H", "age 82")
    assert "confusion-drug-in-older-age" in _sev(payload) and "sedating-drug-in-older-age" not in _sev(payload)


@pytest.mark.parametrize("drug", ["melatonin", "cetirizine"])
def test_a_mildly_sedating_medicine_stays_out_of_the_older_age_rule(run: Any, drug: str) -> None:
    _, payload = run.json("check", "-w", drug, "-H", "age 82")
    assert "sedating-drug-in-older-age" not in _sev(payload)


# ---------------------------------------------------------------- LOW 14: inhaled antimuscarinics

@pytest.mark.parametrize("name", ["tiotropium", "Spiriva", "ipratropium", "Atrovent", "umeclidinium", "Incruse Ellipta",
                                  "aclidinium", "Tudorza", "glycopyrronium", "Seebri Breezhaler", "Trelegy", "Combivent"])
def test_an_inhaled_antimuscarinic_is_a_minor_urinary_retention_interaction(run: Any, name: str) -> None:
    code, payload = run.json("check", "-w", name)
    assert code == 1 and list(_sev(payload).values()) == ["minor"]
    finding = payload["findings"][0]
    assert "urinary retention" in finding["effect"] and "anticholinergic" in finding["id"]


def test_an_inhaled_antimuscarinic_is_not_counted_as_sedating(run: Any) -> None:
    _, payload = run.json("check", "-w", "tiotropium", "-H", "age 82")
    assert not [f for f in payload["findings"] if f["kind"] == "combination"]


# ---------------------------------------------------------------- key cases through the installed script

@pytest.mark.parametrize("args,expected", [
    (["-H", "CKD stage 2", "--daily-dose", "80"], "MODERATE: Daily dose of 80 mg with kidney function 50-80 mL/min"),
    (["-H", "diabetic neuropathy"], "MINOR: Diabetes"),
    (["-H", "C5 complete SCI"], "MODERATE: Spinal cord injury at T6 or above"),
    (["-w", "diazepam", "-H", "age 82"], "MODERATE: Sedating medicine, in an older person"),
])
def test_round_g_cases_through_the_installed_script(tmp_path: Path, args: List[str], expected: str) -> None:
    proc = run_installed(["check", *args, "--brief"], tmp_path, env={"BACLO_CACHE_DIR": str(tmp_path / "cache")})
    assert proc.returncode == 1 and expected in proc.stdout.decode()


def _stage_2_order(tmp_path: Path, maximum: int) -> Path:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p1", "birthDate": "1970-01-01"}},
        {"resource": {"resourceType": "Condition", "subject": {"reference": "Patient/p1"},
                      "code": {"text": "Chronic kidney disease stage 2"}}},
        {"resource": {"resourceType": "MedicationRequest", "status": "active", "subject": {"reference": "Patient/p1"},
                      "medicationCodeableConcept": {"text": "baclofen 10 mg tablet"},
                      "dosageInstruction": [{
                          "timing": {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}},
                          "doseAndRate": [{"doseQuantity": {"value": 10, "unit": "mg"}}],
                          "maxDosePerPeriod": {"numerator": {"value": maximum, "unit": "mg"},
                                               "denominator": {"value": 1, "unit": "d"}}}]}}]}
    path = tmp_path / "ckd2.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


def test_an_order_maximum_above_the_stage_2_limit_is_flagged(run: Any, tmp_path: Path) -> None:
    _, payload = run.json("check", "--fhir", str(_stage_2_order(tmp_path, 80)))
    assert _sev(payload).get("dose-order-kidney") == "moderate"
    _, payload = run.json("check", "--fhir", str(_stage_2_order(tmp_path, 45)))
    assert "dose-order-kidney" not in _sev(payload)
