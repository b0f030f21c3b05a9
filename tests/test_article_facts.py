"""Every fact of the seed article is reachable from the CLI.

The article's facts are written out here (the tests never read ../shared). Each is
checked in `baclo info --all` piped (plain text, which must hold everything) and in
the command a user would reach for.
"""

from __future__ import annotations

import re
from typing import Any, List, Tuple

import pytest

# (fact, command a user would use, phrases that must all appear, case-insensitive)
FACTS: List[Tuple[str, List[str], List[str]]] = [
    ("treats muscle spasms, stiffness and discomfort", ["info", "overview"], ["muscle spasms", "stiffness", "discomfort"]),
    ("used in multiple sclerosis", ["info", "uses"], ["multiple sclerosis"]),
    ("used in spinal cord injuries", ["info", "uses"], ["spinal cord injuries"]),
    ("used in cerebral palsy", ["info", "uses"], ["cerebral palsy"]),
    ("used in stroke", ["info", "uses"], ["stroke"]),
    ("used in spinal cord tumours", ["info", "uses"], ["spinal cord tumours"]),
    ("centrally acting GABA receptor agonist", ["info", "key-points"], ["centrally acting gaba receptor agonist"]),
    ("mimics / increases the activity of GABA", ["info", "mechanism"], ["mimics gaba", "increasing the activity of gaba"]),
    ("acts in spinal cord and brain", ["info", "mechanism"], ["spinal cord and brain"]),
    ("lower excitability of neurons", ["info", "mechanism"], ["excitability of nerve cells"]),
    ("secondary effect on pain perception", ["info", "mechanism"], ["secondary effect on how pain is perceived"]),
    ("spasms affect daily activities, sleep, quality of life", ["info", "overview"],
     ["daily activities", "sleep", "quality of life"]),
    ("white crystalline powder", ["info", "identity"], ["white crystalline powder"]),
    ("article: highly soluble in water (the label disagrees)", ["info", "identity"],
     ["highly soluble in water", "slightly soluble in water"]),
    ("article: slightly soluble in ethanol", ["info", "identity"], ["slightly soluble in ethanol"]),
    ("5, 10 and 20 mg tablets and an oral solution", ["info", "forms"], ["5 mg, 10 mg and 20 mg tablets, and an oral solution"]),
    ("5 mg is the starting point with gradual titration", ["info", "forms"], ["starting dose", "raised gradually"]),
    ("bioavailability 60-80%", ["info", "pk"], ["60-80%"]),
    ("half-life 2-4 hours", ["info", "pk"], ["2-4 hours"]),
    ("peak plasma concentration 2-3 hours", ["info", "pk"], ["2-3 hours", "time to peak"]),
    ("clinician with over a decade in pain management", ["info", "clinician-comment"],
     ["more than ten years in pain management"]),
    ("clinician: improves mobility, reduces pain, well-being", ["info", "clinician-comment"],
     ["improve mobility", "reduce pain", "well-being"]),
    ("key point: titration to higher doses", ["info", "key-points"], ["dose raised gradually"]),
    ("key point: improves mobility and well-being", ["info", "key-points"], ["improve mobility", "well-being"]),
    ("off-label: chronic pain", ["info", "uses"], ["chronic pain"]),
    ("off-label: restless leg syndrome", ["info", "uses"], ["restless legs syndrome"]),
    ("off-label: tension headaches", ["info", "uses"], ["tension headaches"]),
    ("common: drowsiness", ["side-effects", "--common"], ["drowsiness"]),
    ("common: dizziness", ["side-effects", "--common"], ["dizziness"]),
    ("common: fatigue", ["side-effects", "--common"], ["fatigue"]),
    ("common: headache", ["side-effects", "--common"], ["headache"]),
    ("common: nausea", ["side-effects", "--common"], ["nausea"]),
    ("serious: confusion", ["side-effects", "--serious"], ["confusion"]),
    ("serious: hallucinations", ["side-effects", "--serious"], ["hallucinations"]),
    ("serious: seizures", ["side-effects", "--serious"], ["seizures"]),
    ("serious: respiratory depression", ["side-effects", "--serious"], ["respiratory depression"]),
    ("interacts with benzodiazepines", ["interactions"], ["benzodiazepines"]),
    ("interacts with opioids", ["interactions"], ["opioids"]),
    ("interacts with antihistamines", ["interactions"], ["antihistamines"]),
    ("interacts with alcohol", ["interactions"], ["alcohol"]),
    ("caution: seizures", ["cautions"], ["seizure"]),
    ("caution: kidney disease", ["cautions"], ["kidney disease"]),
    ("caution: liver disease", ["cautions"], ["liver disease"]),
    ("caution: respiratory disease", ["cautions"], ["respiratory disease"]),
    ("FAQ: 5-20 mg three times a day, starting at 5 mg", ["faq"], ["5-20 mg three times a day", "starting at 5 mg"]),
    ("FAQ: off-label for chronic pain, particularly neuropathic", ["faq"], ["chronic pain", "neuropathic"]),
    ("FAQ: side effects listed", ["faq"], ["drowsiness, dizziness, fatigue, headache and nausea",
                                           "confusion, hallucinations, seizures and respiratory depression"]),
    ("conclusion: a valuable medication; informed care", ["info", "overview"], ["valuable option", "care for patients"]),
]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).casefold()


@pytest.fixture(scope="module")
def everything(run_module: Any) -> str:
    result = run_module("info", "--all")
    assert result.exit_code == 0
    return flat(result.stdout)


@pytest.fixture(scope="module")
def run_module() -> Any:
    from conftest import Run

    return Run()


@pytest.mark.parametrize("fact,command,phrases", FACTS, ids=[f[0] for f in FACTS])
def test_article_fact_is_in_info_all(everything: str, fact: str, command: List[str], phrases: List[str]) -> None:
    for phrase in phrases:
        assert phrase.casefold() in everything, f"{fact}: {phrase!r} missing from `baclo info --all`"


@pytest.mark.parametrize("fact,command,phrases", FACTS, ids=[f[0] for f in FACTS])
def test_article_fact_is_in_its_command(run_module: Any, fact: str, command: List[str], phrases: List[str]) -> None:
    result = run_module(*command)
    assert result.exit_code == 0
    text = flat(result.stdout)
    for phrase in phrases:
        assert phrase.casefold() in text, f"{fact}: {phrase!r} missing from `baclo {' '.join(command)}`"


def test_article_claims_are_attributed_and_corrected(run_module: Any) -> None:
    text = flat(run_module("info", "--all").stdout)
    assert "where the article and the reference sources disagree" in text
    assert "the article says: a white crystalline powder that is highly soluble in water" in text
    assert "about 74% (absolute)" in text  # the reference bioavailability beside the article's 60-80%


def test_every_article_side_effect_is_marked_in_article(knowledge: Any) -> None:
    named = {s.name.casefold() for s in knowledge.side_effects if s.in_article}
    assert named >= {"drowsiness", "dizziness", "fatigue", "headache", "nausea", "confusion", "hallucinations",
                     "seizures", "respiratory depression"}
