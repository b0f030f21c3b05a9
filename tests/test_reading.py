"""Reading baclo at a terminal: what a new user meets first (issue 13, new-user trial items 12-19)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, List

import pytest

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
GRADE_ORDER = {"contraindicated": 0, "major": 1, "moderate": 2, "minor": 3}


def visible(text: str) -> List[str]:
    return [ANSI.sub("", line).rstrip() for line in text.splitlines()]


def rich(run: Any, *args: str, columns: int = 100) -> List[str]:
    result = run(*args, env={"FORCE_COLOR": "1", "COLUMNS": str(columns)})
    assert result.exit_code in (0, 1), result.output
    return visible(result.stdout)


# ---------------------------------------------------------------- info


@pytest.mark.parametrize("columns", [100, 120])
def test_info_fits_one_screen_and_leads_with_what_matters(run: Any, columns: int) -> None:
    lines = rich(run, "info", columns=columns)
    assert len(lines) <= 40, "\n".join(lines)
    assert max(len(line) for line in lines) <= columns
    text = "\n".join(lines)
    what, warnings, dosed, more = (text.find(s) for s in (
        "muscle relaxant", "Most important warnings", "How it is dosed", "baclo info TOPIC"))
    assert 0 <= what < warnings < dosed < more
    assert "Stopping suddenly" in text and "80 mg" in text


def test_info_plain_also_fits(run: Any) -> None:
    result = run("info", env={"COLUMNS": "100"})
    assert len(result.stdout.splitlines()) <= 40


@pytest.mark.parametrize("topic,expect", [
    ("pregnancy", "Pregnancy"), ("pregnant", "Pregnancy"), ("breastfeeding", "Breastfeeding"),
    ("renal", "Kidney disease"), ("kidney", "Kidney disease"), ("overdose", "Overdose"),
    ("poisoning", "Overdose"), ("missed dose", "Missed dose"), ("forgot", "Missed dose"),
])
def test_topics_people_try(run: Any, topic: str, expect: str) -> None:
    result = run("info", topic)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == expect


def test_a_section_title_is_shown_once(run: Any) -> None:
    lines = run("info", "sid").stdout.splitlines()
    assert lines.count("Side effects") == 1


def test_unknown_topic_points_to_search(run: Any) -> None:
    result = run("info", "qwertyuiop")
    assert result.exit_code == 2
    assert "baclo search qwertyuiop" in result.stderr


# ---------------------------------------------------------------- narrow terminals


TABLE_COMMANDS = [["interactions"], ["dose"], ["side-effects"], ["sections"], ["interactions", "opioids"],
                  ["info", "uses"], ["info", "pk"]]


@pytest.mark.parametrize("args", TABLE_COMMANDS, ids=[" ".join(a) for a in TABLE_COMMANDS])
@pytest.mark.parametrize("mode", ["rich", "plain"])
def test_tables_stack_and_wrap_on_words_at_40_columns(run: Any, args: List[str], mode: str) -> None:
    env = {"COLUMNS": "40"} | ({"FORCE_COLOR": "1"} if mode == "rich" else {})
    result = run(*args, env=env)
    lines = visible(result.stdout)
    words = {w.strip(".,;:()[]…") for line in lines for w in line.split()}
    for whole in ("Benzodiazepines", "moderate", "baclofen", "Sources:", "three", "Drowsiness"):
        if any(whole in line for line in visible(run(*args, env={"COLUMNS": "400"}).stdout)):
            assert whole.strip(":") in words or whole in words, f"{whole!r} was split in {args}"
    if mode == "rich":
        assert max(len(line) for line in lines) <= 40
    for line in lines:  # no fragment of a known long word on its own
        assert not re.fullmatch(r"\s*(azepine|odiazepines|erate|s)\s*", line), line


def test_stacked_layout_names_each_field(run: Any) -> None:
    text = "\n".join(rich(run, "interactions", columns=40))
    assert "• Opioids (major)" in text and "What happens:" in text
    plain = run("interactions", env={"COLUMNS": "40"}).stdout
    assert "* Opioids (major)" in plain and "  Examples: morphine," in plain


# ---------------------------------------------------------------- interactions


def test_interactions_are_sorted_by_grade_with_what_happens(run: Any) -> None:
    code, payload = run.json("interactions")
    grades = [GRADE_ORDER[c["grade"]] for c in payload["interactions"]]
    assert grades == sorted(grades)
    assert all(c["what_happens"] for c in payload["interactions"])
    text = run("interactions", env={"COLUMNS": "200"}).stdout
    assert "What happens" in text
    assert text.index("Opioids") < text.index("Benzodiazepines")


@pytest.mark.parametrize("name,cls", [("Percocet", "Opioids"), ("oxycodone", "Opioids"), ("opioids", "Opioids"),
                                      ("Valium", "Benzodiazepines")])
def test_interactions_takes_any_name_check_resolves(run: Any, name: str, cls: str) -> None:
    result = run("interactions", name)
    assert result.exit_code == 0, result.stderr
    assert cls in result.stdout


def test_no_known_interaction_is_an_answer(run: Any) -> None:
    result = run("interactions", "Tylenol")
    assert result.exit_code == 0
    assert "no known interaction" in result.stdout
    code, payload = run.json("interactions", "Tylenol")
    assert code == 0 and payload["known_interaction"] is False and payload["resolved"] == ["acetaminophen"]


def test_unknown_name_is_still_an_error(run: Any) -> None:
    result = run("interactions", "xyzzy")
    assert result.exit_code == 3
    condition = run("interactions", "ckd")
    assert condition.exit_code == 2 and "is a condition, not a medicine: baclo info ckd" in condition.stderr
    assert run("info", " ").exit_code == 2


# ---------------------------------------------------------------- search


def test_search_matches_words_not_substrings(run: Any) -> None:
    code, payload = run.json("search", "ALS")  # the motor neurone disease entry, never "also" or "valsartan"
    assert payload["matches"], "ALS is a word of the knowledge file"
    for match in payload["matches"]:
        assert re.search(r"\bALS\b", match["snippet"], re.IGNORECASE), match["snippet"]
        assert "valsartan" not in match["snippet"]
    assert run("search", "qwertyuiopasdf").exit_code == 1


def test_search_matches_word_forms(run: Any) -> None:
    code, payload = run.json("search", "seizure")
    assert code == 0
    assert any("seizures" in m["snippet"].lower() for m in payload["matches"])


@pytest.mark.parametrize("query", ["overdose", "poisoning", "too much"])
def test_search_ranks_the_section_first_and_knows_synonyms(run: Any, query: str) -> None:
    code, payload = run.json("search", query)
    assert code == 0
    first = payload["matches"][0]
    assert first["where"] == "Section: Overdose"
    assert first["command"] == "baclo info overdose"


def test_search_pregnant_finds_the_pregnancy_entries(run: Any) -> None:
    code, payload = run.json("search", "pregnant")
    assert code == 0
    wheres = [m["where"] for m in payload["matches"]]
    assert "Cautions / Pregnancy" in wheres
    assert any(w.startswith("Warnings and precautions") for w in wheres)


def test_each_hit_says_which_command_shows_it(run: Any) -> None:
    text = run("search", "drowsiness").stdout
    assert "In full: baclo side-effects" in text
    for m in run.json("search", "drowsiness")[1]["matches"]:
        assert m["command"].startswith("baclo ")
        assert subprocess_free_command_exists(m["command"])


def subprocess_free_command_exists(command: str) -> bool:
    from typer.testing import CliRunner

    from baclofen_cli.cli import app

    result = CliRunner().invoke(app, command.split()[1:])
    return result.exit_code == 0


# ---------------------------------------------------------------- check --brief, help, options


def test_check_brief_is_one_line_per_finding(run: Any) -> None:
    code, payload = run.json("check", "--with", "oxycodone, xyzzy", "--history", "ckd")
    result = run("check", "--with", "oxycodone, xyzzy", "--history", "ckd", "--brief")
    lines = result.stdout.splitlines()
    assert len(lines) == len(payload["findings"]) + 1 + 1  # findings, the item not checked, the summary
    assert lines[0].startswith("MAJOR: ")
    assert "NOT CHECKED: xyzzy" in result.stdout
    assert lines[-1] == payload["summary"]


COMMAND_NAMES = ["info", "sections", "side-effects", "interactions", "cautions", "dose", "faq", "sources",
                 "search", "check", "screen"]


@pytest.mark.parametrize("command", COMMAND_NAMES)
def test_every_command_has_short_help_examples_and_readable_placeholders(run: Any, command: str) -> None:
    result = run(command, "-h", env={"COLUMNS": "100"})
    assert result.exit_code == 0
    text = result.stdout
    assert "Examples:" in text and f"baclo {command}" in text
    for odd in ("<str>", "<int", "{", "[x>="):
        assert odd not in text, (odd, text)


def test_app_short_help(run: Any) -> None:
    result = run("-h")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "baclo info pregnancy" in result.stdout


def test_history_short_form_and_old_alias(run: Any) -> None:
    by_long = run.json("check", "--history", "ckd")[1]["findings"]
    assert run.json("check", "-H", "ckd")[1]["findings"] == by_long
    assert run.json("check", "-c", "ckd")[1]["findings"] == by_long
    help_text = run("check", "-h").stdout
    assert "-H, --history" in help_text
    assert not re.search(r"^\s+-c\b", help_text, re.M)  # the old short form works but is not advertised


def test_side_effects_help_says_filters_add_up(run: Any) -> None:
    assert "shows both" in " ".join(run("side-effects", "-h").stdout.split())


# ---------------------------------------------------------------- completion


@pytest.mark.parametrize("words,expect", [
    ("baclo info ph", "pharmacokinetics"),
    ("baclo info preg", "pregnancy"),
    ("baclo interactions benzo", "benzodiazepines"),
    ("baclo check --with oxy", "oxycodone"),
    ("baclo check -w Percocet,oxy", "Percocet,oxycodone"),
    ("baclo check --history kid", "kidney"),
    ("baclo check --country u", "uk"),
    ("baclo dose --country c", "ca"),
])
def test_completion_of_names(run: Any, words: str, expect: str) -> None:
    result = run(env={"_BACLO_COMPLETE": "complete_bash", "COMP_WORDS": words,
                      "COMP_CWORD": str(len(words.split()) - 1)})
    assert expect in result.stdout.split("\n"), result.stdout[:300]


# ---------------------------------------------------------------- sources


def test_sources_show_links_and_dates(run: Any) -> None:
    text = run("sources", env={"COLUMNS": "100"}).stdout
    assert "Link: https://dailymed.nlm.nih.gov/" in text
    assert "Date: 2016-08-31" in text
    code, payload = run.json("sources")
    assert payload["sources"]["us-label"]["url"].startswith("https://dailymed.nlm.nih.gov/")


# ---------------------------------------------------------------- the pager, at a real terminal


def _through_a_terminal(args: List[str], env: dict, tmp_path: Path) -> str:  # type: ignore[type-arg]
    from test_installed import through_a_terminal

    return through_a_terminal(args, env, tmp_path)


@pytest.mark.skipif(not Path(sys.executable).with_name("baclo").exists(), reason="needs the installed script")
def test_info_all_goes_through_the_pager_on_a_terminal(tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    env = {"BACLO_PAGER": f"tee {paged}", "COLUMNS": "80", "BACLO_CACHE_DIR": str(tmp_path / "cache")}
    _through_a_terminal(["info", "--all"], env, tmp_path)
    assert "Where the article and the reference sources disagree" in ANSI.sub("", paged.read_text())
    paged.unlink()
    _through_a_terminal(["info", "--all", "--no-pager"], env, tmp_path)
    assert not paged.exists()
    _through_a_terminal(["info"], env, tmp_path)  # one screen: never paged
    assert not paged.exists()


def test_no_pager_when_piped(run: Any, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    result = run("info", "--all", env={"BACLO_PAGER": f"tee {paged}"})
    assert result.exit_code == 0 and not paged.exists()
    assert "Sources" in result.stdout


def test_pager_choice() -> None:
    from baclofen_cli.render.pager import pager_command

    assert pager_command({}) == "less"
    assert pager_command({"PAGER": "more"}) == "more"
    assert pager_command({"PAGER": "more", "BACLO_PAGER": "most"}) == "most"
    assert pager_command({"BACLO_PAGER": ""}) is None
    assert pager_command({"PAGER": "cat"}) is None


def test_a_pager_that_cannot_start_falls_back_to_plain_output(tmp_path: Path) -> None:
    import io

    from baclofen_cli.knowledge import load_knowledge
    from baclofen_cli.render import TextOptions, emit, pages

    out = io.StringIO()
    emit(pages.SourcesPage(load_knowledge()), "text", out, TextOptions(True, 80, "/nonexistent/pager"))
    assert "Sources" in out.getvalue()
    assert json.dumps  # keep the import used


# ---------------------------------------------------------------- the same through the installed script


def _installed(args: List[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    baclo = str(Path(sys.executable).with_name("baclo"))
    full = {k: v for k, v in os.environ.items() if not k.startswith(("FORCE_COLOR", "NO_COLOR", "COLUMNS"))}
    return subprocess.run([baclo, *args], cwd=tmp_path, env={**full, **env}, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.skipif(not Path(sys.executable).with_name("baclo").exists(), reason="needs the installed script")
def test_key_reading_cases_through_the_installed_script(tmp_path: Path) -> None:
    info = _installed(["info"], tmp_path, FORCE_COLOR="1", COLUMNS="100")
    assert info.returncode == 0 and len(visible(info.stdout)) <= 40
    tylenol = _installed(["interactions", "Tylenol"], tmp_path)
    assert tylenol.returncode == 0 and "no known interaction" in tylenol.stdout
    narrow = _installed(["interactions"], tmp_path, FORCE_COLOR="1", COLUMNS="40")
    assert "Benzodiazepines (moderate)" in ANSI.sub("", narrow.stdout)
    found = json.loads(_installed(["search", "too much", "--json"], tmp_path).stdout)
    assert found["matches"][0]["command"] == "baclo info overdose"
    brief = _installed(["check", "-w", "oxycodone", "-H", "ckd", "--brief"], tmp_path)
    assert brief.returncode == 1 and brief.stdout.splitlines()[0].startswith("MAJOR: ")
    fhir_info = _installed(["info", "--format", "fhir"], tmp_path)
    assert fhir_info.returncode == 2 and "not available here" in fhir_info.stderr and not fhir_info.stdout
    patient = _installed(["info", "--audience", "patient"], tmp_path)
    assert "[us-label" not in patient.stdout and "what you need to know" in patient.stdout
    assert _installed(["check", "-h"], tmp_path).stdout.count("Examples:") == 1


def test_a_member_with_its_own_wording_shows_it(run: Any, knowledge: Any) -> None:
    cls, member = knowledge.members_by_name["valacyclovir"]
    assert member.wording is not None
    text = " ".join(run("interactions", "Valtrex", env={"COLUMNS": "300"}).stdout.split())
    assert f"For valacyclovir: {member.wording.effect}" in text
    patient = " ".join(run("interactions", "Valtrex", "--audience", "patient", env={"COLUMNS": "300"}).stdout.split())
    assert f"For valacyclovir: {member.wording.patient_effect}" in patient
