"""New-user trial round 2 (commands and renderers): findings that failed before their fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_installed import run as run_installed


# HIGH 2: a name that is baclofen itself is answered as baclofen, with what `check` says about it
@pytest.mark.parametrize("name, form", [
    ("Lioresal", "oral"), ("baclofen", "oral"), ("Ozobax", "oral"), ("intrathecal baclofen", "intrathecal"),
    ("Gablofen", "intrathecal"),
])
def test_baclofen_itself_is_never_no_known_interaction(run: Any, name: str, form: str) -> None:
    result = run("interactions", *name.split())
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "no known interaction" not in out.casefold()
    assert "the medicine being checked" in out.splitlines()[0]
    assert ("More than one oral baclofen line (moderate)" if form == "oral"
            else "Intrathecal baclofen (pump) (moderate)") in out
    data = json.loads(run("interactions", *name.split(), "--json").stdout)
    assert data["is_baclofen"] is True and "known_interaction" not in data and "resolved" not in data
    [note] = data["baclofen_itself"]
    assert note["form"] == form and note["finding"]["severity"] == "moderate"
    patient = run("interactions", *name.split(), "--audience", "patient").stdout
    assert "no interaction with baclofen is known" not in patient.casefold()
    assert "the medicine these pages are about" in patient and "(take care)" in patient


def test_what_interactions_says_about_baclofen_is_what_check_finds(run: Any) -> None:
    check = json.loads(run("check", "-w", "intrathecal baclofen", "--json").stdout)
    said = json.loads(run("interactions", "intrathecal", "baclofen", "--json").stdout)["baclofen_itself"][0]
    [finding] = [f for f in check["findings"] if f["id"] == "baclofen-intrathecal"]
    assert (finding["severity"], finding["title"]) == (said["finding"]["severity"], said["finding"]["title"])
    check = json.loads(run("check", "-w", "baclofen 10 mg tid", "-w", "Lioresal 10 mg tid", "--json").stdout)
    said = json.loads(run("interactions", "Lioresal", "--json").stdout)["baclofen_itself"][0]
    [finding] = [f for f in check["findings"] if f["id"] == "baclofen-more-than-one"]
    assert (finding["severity"], finding["title"]) == (said["finding"]["severity"], said["finding"]["title"])


def test_baclofen_with_another_medicine_shows_both(run: Any) -> None:
    out = run("interactions", "baclofen", "and", "oxycodone").stdout
    assert "baclofen is the medicine being checked" in out and "Opioids (major)" in out
    assert "baclofen and oxycodone is oxycodone" not in out  # the "via" line names the item, not the whole text
    data = json.loads(run("interactions", "baclofen", "and", "oxycodone", "--json").stdout)
    assert data["baclofen_itself"][0]["form"] == "oral" and data["known_interaction"] is True
    mixed = json.loads(run("interactions", "Lioresal,", "Tylenol", "--json").stdout)
    assert mixed["no_known_interaction"]["names"] == ["Tylenol"]


def test_baclofen_itself_through_the_installed_script(tmp_path: Path) -> None:
    proc = run_installed(["interactions", "Lioresal"], tmp_path)
    out = proc.stdout.decode()
    assert proc.returncode == 0 and out.startswith("Lioresal is baclofen, the medicine being checked")
    assert "no known interaction" not in out.casefold()


# MEDIUM 4: --brief names every medicine that triggered a finding, also when typed as its generic name
def test_brief_names_every_triggering_medicine(run: Any) -> None:
    lines = run("check", "-w", "gabapentin, zolpidem", "-H", "ckd", "--brief").stdout.splitlines()
    assert "MAJOR: Sedating medicine with kidney disease (gabapentin, zolpidem)" in lines
    assert "MODERATE: Gabapentinoids (gabapentin)" in lines
    assert "MAJOR: Kidney disease (ckd)" in lines
    patient = run("check", "-w", "gabapentin, zolpidem", "-H", "ckd", "--brief", "--audience", "patient").stdout
    assert "Serious: A medicine that makes you sleepy, with kidney problems (gabapentin, zolpidem)" in patient
    assert "(Kidney disease)" not in patient


def test_brief_with_fhir_names_the_medicine_given_with_with(run: Any) -> None:
    bundle = str(Path(__file__).parent / "data" / "fhir" / "us-core-patient.json")
    out = run("check", "--fhir", bundle, "-w", "gabapentin", "--brief").stdout
    line = next(x for x in out.splitlines() if x.startswith("MAJOR: Opioid with another CNS depressant"))
    assert "gabapentin" in line and "codeine" in line
    assert "MODERATE: Gabapentinoids (gabapentin)" in out.splitlines()


# MEDIUM 8: topic names people try lead to the right page, or point to the right command
@pytest.mark.parametrize("words", ["forgot dose", "double dose", "missed a dose", "forgotten dose", "I forgot my dose"])
def test_missed_dose_wordings_lead_to_the_missed_dose_entry(run: Any, words: str) -> None:
    result = run("info", *words.split())
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Missed dose\n") and "Overdose" not in result.stdout.splitlines()[0]


@pytest.mark.parametrize("name", ["alcohol", "opioids", "oxycodone"])
def test_a_medicine_given_to_info_shows_its_interactions_page(run: Any, name: str) -> None:
    """New-user round 4 (L5): the answer itself, not a redirect with exit status 2."""
    result = run("info", name, "--no-pager")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == run("interactions", name, "--no-pager").stdout


def test_a_word_mentioned_elsewhere_points_there_not_to_a_look_alike(run: Any) -> None:
    driving = run("info", "driving")
    assert driving.exit_code == 2 and "dosing?" not in driving.stderr
    assert "Drowsiness and sedation (baclo info warnings)" in driving.stderr
    ulcer = run("info", "ulcer")
    assert "baclo info peptic-ulcer-history" in ulcer.stderr and "baclo info active-peptic-ulcer" in ulcer.stderr
    assert run("info", "stomach", "ulcer").stdout.startswith("Peptic ulcer\n")  # a condition check -H reads


def test_the_not_found_message_lists_topics_that_work(run: Any) -> None:
    from baclofen_cli.topics import EXAMPLES

    message = run("info", "xyzzyq").stderr
    assert "Topics: " + ", ".join(EXAMPLES) in message
    for topic in EXAMPLES:
        assert run("info", *topic.split()).exit_code == 0, topic


# MEDIUM 9: search takes several words without quotes, word forms and everyday words; patient wording
def test_search_joins_words_without_quotes(run: Any, tmp_path: Path) -> None:
    result = run("search", "too", "much")
    assert result.exit_code == 0 and "Section: Overdose" in result.stdout
    proc = run_installed(["search", "too", "much"], tmp_path)
    assert proc.returncode == 0 and b"Section: Overdose" in proc.stdout


def test_search_drowsy_finds_the_drowsiness_warning_and_side_effect(run: Any) -> None:
    out = run("search", "drowsy").stdout
    assert "Warnings and precautions / Drowsiness and sedation" in out and "Side effects / Drowsiness" in out
    assert "Side effects / Drowsiness" in run("search", "sleepy").stdout


@pytest.mark.parametrize("query, where", [
    ("take with food", "Dosing / Food"), ("feeling sick", "Side effects / Nausea"),
    ("with meals", "Dosing / Food"), ("dizzy", "Side effects / Dizziness"),
])
def test_search_knows_everyday_words(run: Any, query: str, where: str) -> None:
    result = run("search", *query.split())
    assert result.exit_code == 0 and where in result.stdout, result.output


def test_search_in_patient_wording(run: Any) -> None:
    patient = run("search", "feeling", "sick", "--audience", "patient")
    assert patient.exit_code == 0
    assert "headache and feeling sick" in patient.stdout and "baclo faq --audience patient" in patient.stdout
    assert "fatigue" not in patient.stdout  # the professional answer's wording is not shown
    assert run("search", "omphaloceles", "--audience", "patient").exit_code == 1  # professional-only text
    assert run("search", "omphaloceles").exit_code == 0
    data = json.loads(run("search", "dizzy", "--audience", "patient", "--json").stdout)
    assert all(m["command"].endswith("--audience patient") for m in data["matches"])


# MEDIUM 10: the overview's "what happens" is a complete short text, never cut mid-phrase
def test_what_happens_is_whole_and_short(run: Any, knowledge: Any) -> None:
    from baclofen_cli.render.views import SHORT_CHARS, what_happens

    for c in knowledge.interactions:
        for patient in (False, True):
            text = what_happens(c, patient)
            short = c.patient_short if patient else c.short
            effect = " ".join((c.patient_effect if patient else c.effect).split())
            assert len(text) <= SHORT_CHARS and "…" not in text, (c.id, text)
            # a short form written to be short, or the effect's whole first sentence
            assert (short is not None and text == short.rstrip(".")) or \
                effect == text + "." or effect.startswith(text + ". "), (c.id, text)
    for audience in ("patient", "professional"):
        data = json.loads(run("interactions", "--audience", audience, "--json").stdout)
        assert not any("…" in c["what_happens"] for c in data["interactions"])
    opioids = next(c for c in json.loads(run("interactions", "--audience", "patient", "--json").stdout)
                   ["interactions"] if c["id"] == "opioids")
    assert opioids["what_happens"].endswith("slow your breathing, which can be dangerous")
    assert "slow your breathing" in run("interactions", "--audience", "patient", env={"COLUMNS": "200"}).stdout


# LOW 19: bare `baclo` describes info as it is; --format errors name only the formats the command offers
def test_bare_baclo_describes_info_without_pharmacokinetics(run: Any) -> None:
    out = run().stdout
    info_line = next(line for line in out.splitlines() if line.strip().startswith("baclo info "))
    assert "pharmacokinetics" not in info_line and "key warnings" in info_line


@pytest.mark.parametrize("args, offered", [
    (["info"], "text or json"), (["sections"], "text or json"), (["interactions"], "text or json"),
    (["check", "-w", "oxycodone"], "text, json or fhir"),
])
def test_an_unknown_format_names_what_the_command_offers(run: Any, args: list, offered: str) -> None:
    result = run(*args, "--format", "xml")
    assert result.exit_code == 2
    assert f"'xml' is not one of {offered}." in result.stderr
    if "fhir" not in offered:
        assert "fhir" not in result.stderr
    assert run(*args, "--format", "JSON").exit_code in (0, 1)  # case is still ignored


# LOW 20: screen's flagged rows are headed "line N", never a bare number
def test_screen_flagged_rows_say_line(run: Any) -> None:
    table = str(Path(__file__).parent / "data" / "screen" / "semicolon.csv")
    out = run("screen", table, "--delimiter", ";", env={"COLUMNS": "80"}).stdout
    assert "* line 2\n" in out and "\n* 2\n" not in out


# LOW 13: completion ignores case, keeps what was typed, and offers the classes first
def test_completion_ignores_case(tmp_path: Path) -> None:
    env = {"_BACLO_COMPLETE": "complete_bash", "COMP_WORDS": "baclo check -w tylen", "COMP_CWORD": "3",
           "BACLO_CACHE_DIR": str(tmp_path / "cache")}
    proc = run_installed([], tmp_path, env=env)
    offered = proc.stdout.decode().split()
    assert proc.returncode == 0 and "tylenol" in offered
    env.update(COMP_WORDS="baclo interactions ", COMP_CWORD="2")
    offered = run_installed([], tmp_path, env=env).stdout.decode().split()
    assert "opioids" in offered and "222s" not in offered
