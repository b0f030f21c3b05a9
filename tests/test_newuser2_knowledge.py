"""New-user trial 2 (knowledge): overdose emergency action, country maxima, sources, UK names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_installed import run as run_installed

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


# MEDIUM 7: dose and info take --country (and BACLO_COUNTRY) and lead with that country's maximum
@pytest.mark.parametrize("country,figure,other", [("uk", "100 mg", "US 80 mg"), ("us", "80 mg", "UK 100 mg"),
                                                  ("ca", "80 mg", "UK 100 mg"), ("GB", "100 mg", "US 80 mg")])
def test_dose_leads_with_the_named_countrys_maximum(run: Any, country: str, figure: str, other: str) -> None:
    result = run("dose", "--country", country)
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    lead = next(i for i, line in enumerate(lines) if line.startswith("Maximum ("))
    assert lead < next(i for i, line in enumerate(lines) if line.startswith("days 1-3"))
    assert figure in lines[lead] and "Other countries differ" in lines[lead] and other in lines[lead]
    assert "never more than" not in result.stdout


def test_dose_honours_baclo_country(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACLO_COUNTRY", "uk")
    result = run("dose")
    assert result.exit_code == 0
    assert "Maximum (UK): 100 mg per day" in result.stdout
    assert "maximum (UK)" in result.stdout and "maximum (US)" not in result.stdout


def test_dose_without_a_country_gives_every_countrys_maximum(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BACLO_COUNTRY", raising=False)
    result = run("dose")
    assert result.exit_code == 0
    assert "never more than" not in result.stdout and "must not go over 80" not in result.stdout
    assert "Labelled maximum by country: US 80 mg; Canada 80 mg; UK 100 mg" in result.stdout
    patient = run("dose", "--audience", "patient")
    assert "80 mg in the US and Canada" in patient.stdout and "100 mg in the UK" in patient.stdout


@pytest.mark.parametrize("audience,expected", [
    ("professional", "- Maximum (UK): 100 mg per day"),
    ("patient", "- The most in one day: In the UK, the most in one day is 100 mg"),
])
def test_info_overview_leads_with_the_countrys_maximum(run: Any, audience: str, expected: str) -> None:
    result = run("info", "--country", "uk", "--audience", audience)
    assert result.exit_code == 0
    assert expected in result.stdout
    assert "80 mg a day" not in result.stdout.split(expected)[0]


def test_bad_country_is_a_usage_error(run: Any) -> None:
    for args in (("dose", "--country", "fr"), ("info", "--country", "fr")):
        result = run(*args)
        assert result.exit_code == 2
        assert "must be us, uk or ca" in result.stdout + result.stderr


def test_dose_json_names_the_country(run: Any) -> None:
    import json

    data = json.loads(run("dose", "--country", "uk", "--json").stdout)
    assert data["country"] == "uk" and data["country_max_daily_mg"] == 100


# MEDIUM 11: sources carry links and dates where they were checked; the two labels say why they have none
def test_sources_with_checked_links_and_dates(run: Any) -> None:
    import json

    data = json.loads(run("sources", "--json").stdout)["sources"]
    with_url = {tag for tag, s in data.items() if s.get("url")}
    assert {"fda-dsc-2016", "fda-dsc-2019", "hc-dpd", "nhs-baclofen", "poison-help-us", "nhs-poisoning"} <= with_url
    assert len(with_url) >= 12
    assert data["fda-dsc-2016"]["date"] == "2016-08-31"
    # issue 13: the UK SmPC now names the revision read; the Canadian text was read only in a reproduction,
    # so it still has no link or date, and its note says why
    assert data["uk-smpc"]["url"].startswith("https://www.medicines.org.uk/emc/") and data["uk-smpc"]["date"]
    assert not data["ca-monograph"].get("url") and not data["ca-monograph"].get("date")
    assert "No official copy" in data["ca-monograph"]["note"]


# UK names a new user typed
@pytest.mark.parametrize("name,expected", [
    ("water tablets", "MODERATE: Blood pressure medicines (water tablets)"),
    ("Lemsip Max Day & Night", "MINOR: Other medicines that act on the brain (caffeine, phenylephrine)"),
    ("Kalms", "MODERATE: Cannabis and sedating herbal products (valerian)"),
    ("Dalmane", "MODERATE: Benzodiazepines (flurazepam)"),
])
def test_uk_names_are_recognized(run: Any, name: str, expected: str) -> None:
    result = run("check", "-w", name, "--brief")
    assert expected in result.stdout
    assert "not checked" not in result.stdout.lower()


def test_esrf_is_the_end_stage_kidney_caution(run: Any) -> None:
    result = run("check", "-H", "ESRF", "--brief")
    assert "MAJOR: Kidney failure on dialysis or end-stage (ESRF)" in result.stdout


# Lemsip and Benylin alone are brands of several products: read as "cold medicine", graded at its strictest class
# with a note asking for the product (tests/test_ehr_words.py); these have no reviewed label record yet
@pytest.mark.parametrize("name", ["Gaviscon", "Dioralyte", "Fortisip"])
def test_ambiguous_or_unreviewed_products_stay_not_checked(run: Any, name: str) -> None:
    result = run("check", "-w", name, "--brief")
    assert result.exit_code == 3
    assert f"NOT CHECKED: {name}" in result.stdout


# MEDIUM 7: with a country named, the country's own generic name is shown where the file has it
def test_uk_check_says_paracetamol(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BACLO_COUNTRY", raising=False)
    uk = run("check", "-w", "Panadol", "--country", "uk")
    assert "Medicines: Panadol (paracetamol)" in uk.stdout and "acetaminophen" not in uk.stdout
    us = run("check", "-w", "Panadol")
    assert "Medicines: Panadol (acetaminophen)" in us.stdout
    ca = run("check", "-w", "Panadol", "--country", "ca")
    assert "Panadol (acetaminophen)" in ca.stdout


def test_paracetamol_still_resolves_without_a_country(run: Any) -> None:
    result = run("check", "-w", "paracetamol", "--brief")
    assert result.exit_code == 0
    assert "No findings" in result.stdout


def test_installed_script_overdose_and_country(tmp_path: Path) -> None:
    proc = run_installed(["info", "too", "much", "--audience", "patient"], tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.decode().splitlines()[2].startswith("- Get help now: Call an ambulance")
    proc = run_installed(["dose"], tmp_path, env={"BACLO_COUNTRY": "uk"})
    assert proc.returncode == 0
    assert "Maximum (UK): 100 mg per day" in proc.stdout.decode()
