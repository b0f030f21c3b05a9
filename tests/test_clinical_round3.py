"""Findings of the third independent clinical review (HIGH 2, HIGH 3, MEDIUM 5-7), checked through the CLI."""

from __future__ import annotations

from typing import Any, List, Tuple

import pytest


def _check(run: Any, *args: str) -> Tuple[int, List[Tuple[str, str]], List[str]]:
    code, payload = run.json("check", *args)
    findings = [(f["severity"], f["id"]) for f in payload["findings"]]
    return code, findings, [i["status"] for i in payload["inputs"]]


@pytest.mark.parametrize("name", ["Atasol-8", "Atasol 15", "Atasol-30", "Robaxacet-8", "Fiorinal C1/4", "Fiorinal C1/2"])
@pytest.mark.parametrize("audience", ["professional", "patient"])
def test_canadian_codeine_products_carry_their_opioid(run: Any, name: str, audience: str) -> None:
    code, findings, statuses = _check(run, "--with", name, "--audience", audience)
    assert ("major", "opioids") in findings
    assert code == 1 and statuses == ["flagged"]


def test_plain_atasol_stays_acetaminophen(run: Any) -> None:
    code, findings, statuses = _check(run, "--with", "Atasol")
    assert statuses == ["no-known-interaction"] and code == 0


@pytest.mark.parametrize("text", ["pressure ulcer", "decubitus ulcer", "venous leg ulcer", "mouth ulcer", "corneal ulcer",
                                  "ulcer"])
def test_an_ulcer_that_is_not_peptic_is_never_the_contraindication(run: Any, text: str) -> None:
    code, findings, statuses = _check(run, "--history", text)
    assert not any(sev == "contraindicated" for sev, _ in findings)
    assert statuses == ["not-checked"] and code == 3


@pytest.mark.parametrize("text", ["peptic ulcer", "stomach ulcer", "duodenal ulcer", "gastric ulcer", "K25.9"])
def test_peptic_ulcer_is_still_the_uk_contraindication(run: Any, text: str) -> None:
    code, findings, _ = _check(run, "--history", text)
    assert ("contraindicated", "active-peptic-ulcer") in findings


@pytest.mark.parametrize("medicine", ["clozapine", "amitriptyline"])
def test_seizure_threshold_of_antipsychotics_and_tricyclics_meets_epilepsy(run: Any, medicine: str) -> None:
    _, findings, _ = _check(run, "--with", medicine, "--history", "epilepsy")
    assert any(kind == "major" and "seizure" in fid for kind, fid in findings), findings


@pytest.mark.parametrize("pair", [("quetiapine", "tamsulosin"), ("trazodone", "lisinopril"), ("phenelzine", "amlodipine")])
def test_blood_pressure_effects_of_psychiatric_classes_combine(run: Any, pair: Tuple[str, str]) -> None:
    _, findings, _ = _check(run, "--with", ",".join(pair))
    assert ("moderate", "blood-pressure-lowering-together") in findings


def test_sedating_antihistamine_in_older_age_adds_confusion(run: Any) -> None:
    _, findings, _ = _check(run, "--with", "diphenhydramine", "--history", "elderly")
    assert ("moderate", "confusion-drug-in-older-age") in findings


@pytest.mark.parametrize("name,cls", [("letrozole", "other-sedating"), ("ustekinumab", "cns-toxicity")])
def test_letrozole_and_ustekinumab_left_the_harmless_list(run: Any, name: str, cls: str) -> None:
    code, findings, statuses = _check(run, "--with", name)
    assert statuses == ["flagged"] and ("minor", cls) in findings and code == 1


@pytest.mark.parametrize("product", ["Sinemet", "co-careldopa", "Madopar"])
def test_a_levodopa_product_alone_is_not_two_blood_pressure_medicines(run: Any, product: str) -> None:
    _, findings, statuses = _check(run, "--with", product)
    assert statuses == ["flagged"] and ("moderate", "levodopa") in findings
    assert not any(fid == "blood-pressure-lowering-together" for _, fid in findings), findings


@pytest.mark.parametrize("text", ["MS 15 mg bid", "MS IR", "MSO4 15 mg", "MSIR 15mg"])
def test_error_prone_morphine_abbreviations_are_not_checked_and_never_sent_to_history(run: Any, text: str) -> None:
    code, payload = run.json("check", "--with", text)
    (item,) = payload["inputs"]
    assert code == 3 and item["status"] == "not-checked"
    assert "error-prone abbreviation" in item["hint"] and "--history" not in item["hint"]


@pytest.mark.parametrize("text", ["Bromfed DM", "baclofen 10 mg for MS 2 tabs"])
def test_a_medicine_line_is_never_told_to_move_to_history(run: Any, text: str) -> None:
    _, payload = run.json("check", "--with", text)
    assert all("--history" not in (i["hint"] or "") for i in payload["inputs"])


def test_a_bare_condition_given_as_a_medicine_still_gets_the_hint(run: Any) -> None:
    code, payload = run.json("check", "--with", "epilepsy")
    assert code == 3 and "give it with --history" in payload["inputs"][0]["hint"]
