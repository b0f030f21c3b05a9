"""Patient wording reads at about school grade 6-8: measured, not assumed.

The formula is Flesch-Kincaid grade level (textstat). A grade is only meaningful for a
passage of some length: every patient string of six words or more is measured on its own,
and the shorter ones (names, titles, labels) are measured together as one passage. Anything
above grade 9 fails, naming the string.

The same goes for what patients actually see: every paragraph of every command's
``--audience patient`` output, which must also be free of the professional apparatus:
source tags, option names, abbreviations and class jargon (``--sources`` puts the tags back).
"""

from __future__ import annotations

import re
from typing import Any, Iterator, List, Tuple

import pytest
import yaml

textstat = pytest.importorskip("textstat")

from baclofen_cli.knowledge import bundled_path  # noqa: E402

MAX_GRADE = 9.0
MIN_WORDS = 6


def grade(text: str) -> float:
    return float(textstat.flesch_kincaid_grade(text))


def patient_strings(node: Any, path: str = "") -> Iterator[Tuple[str, str]]:
    """(where, text) for every ``patient_*`` string in the knowledge file, and the patient disclaimer."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and key.startswith("patient") and isinstance(value, str):
                yield where, value
            else:
                yield from patient_strings(value, where)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from patient_strings(value, f"{path}[{i}]")


def _data() -> Any:
    return yaml.safe_load(bundled_path().read_text(encoding="utf-8"))


STRINGS = list(patient_strings(_data()))
LONG = [(w, t) for w, t in STRINGS if len(t.split()) >= MIN_WORDS]


def test_there_is_patient_wording_to_measure() -> None:
    assert len(STRINGS) > 150
    wheres = " ".join(w for w, _ in STRINGS)
    for kind in ("patient_text", "patient_name", "patient_title", "patient_why", "patient_advice", "patient_effect"):
        assert kind in wheres


@pytest.mark.parametrize("where,text", LONG, ids=[w for w, _ in LONG])
def test_each_patient_string_reads_at_grade_9_or_below(where: str, text: str) -> None:
    measured = grade(text.replace("{dose}", "90").replace("{limit}", "80"))
    assert measured <= MAX_GRADE, f"{where}: grade {measured:.1f}: {text}"


def test_short_patient_strings_read_at_grade_9_or_below_together() -> None:
    short = [t.rstrip(".") + "." for _, t in STRINGS if len(t.split()) < MIN_WORDS]
    assert len(short) > 50
    assert grade(" ".join(short)) <= MAX_GRADE


def test_the_measure_can_fail() -> None:
    jargon = ("Concomitant administration with central nervous system depressants potentiates respiratory "
              "depression, necessitating pharmacovigilance and individualised titration.")
    assert grade(jargon) > MAX_GRADE


# ---------------------------------------------------------------- what patients see

PATIENT_COMMANDS: List[List[str]] = [
    ["info"], ["info", "warnings"], ["info", "overdose"], ["info", "pregnancy"], ["info", "kidney"],
    ["info", "missed dose"], ["info", "dosing"], ["side-effects"], ["interactions"], ["interactions", "Percocet"],
    ["interactions", "zolpidem"], ["interactions", "Tylenol"],
    ["interactions", "Lioresal"], ["interactions", "intrathecal baclofen"], ["cautions"], ["dose"],
    ["faq"],
    ["check", "--with", "Tylenol PM, wine, oxycodone, xyzzy", "--history", "ckd, COPD", "--daily-dose", "90"],
]
FORBIDDEN = [
    (r"\[[a-z]+-[a-z0-9-]+( [0-9.]+)?[;\]]", "a source tag"),
    (r"(^|\s)--[a-z]", "an option name"),
    (r"\bCNS\b", "an abbreviation"),
    (r"\bz-drugs?\b", "class jargon"),
    (r"\bdepressants?\b", "class jargon"),
    (r"^Sources:", "a sources line"),
    (r"\b(contraindicated|CONTRAINDICATED|MAJOR|MODERATE|MINOR)\b", "a grade word as a heading"),
]


def _body(output: str) -> List[str]:
    """The body of a patient page: everything but the pointers to other commands."""
    return [line for line in output.splitlines() if line.strip() and "baclo " not in line
            and not set(line.strip()) <= set("=-")]


@pytest.mark.parametrize("args", PATIENT_COMMANDS, ids=[" ".join(a) for a in PATIENT_COMMANDS])
def test_patient_pages_have_no_professional_apparatus(run: Any, args: List[str]) -> None:
    result = run(*args, "--audience", "patient", env={"COLUMNS": "100"})
    assert result.exit_code in (0, 1, 3, 4), result.output
    for line in _body(result.stdout):
        for pattern, what in FORBIDDEN:
            assert not re.search(pattern, line), f"{what} in `baclo {' '.join(args)} --audience patient`: {line}"


@pytest.mark.parametrize("args", PATIENT_COMMANDS, ids=[" ".join(a) for a in PATIENT_COMMANDS])
def test_patient_pages_read_at_grade_9_or_below(run: Any, args: List[str]) -> None:
    result = run(*args, "--audience", "patient", env={"COLUMNS": "100"})
    for line in _body(result.stdout):
        text = re.sub(r"^[-*•\s]+", "", line)
        # sentences only: table rows and lists of medicine names are not prose
        if len(text.split()) >= MIN_WORDS and text.endswith(".") and "not recognized" not in text:
            assert grade(text) <= MAX_GRADE, f"grade {grade(text):.1f}: {text}"


def test_sources_option_puts_the_tags_back(run: Any) -> None:
    plain = run("info", "--audience", "patient").stdout
    with_sources = run("info", "--audience", "patient", "--sources").stdout
    assert "[us-label" not in plain and "[us-label" in with_sources
    check = run("check", "--with", "oxycodone", "--audience", "patient", "--sources").stdout
    assert "Sources: " in check


def test_every_clinical_command_takes_the_patient_audience(run: Any) -> None:
    for command in ("info", "side-effects", "interactions", "cautions", "dose", "faq", "check"):
        assert "--audience" in run(command, "-h").stdout, command
