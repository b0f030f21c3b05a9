"""A broken, missing or hostile knowledge file is refused with a clear message and exit 2."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable, Dict

import pytest
from conftest import MINI

from baclofen_cli.errors import DataError
from baclofen_cli.knowledge import load_knowledge
from baclofen_cli.knowledge.loader import MAX_BYTES
from baclofen_cli.knowledge.model import EFFECTS


def _mutated(raw: Dict[str, Any], change: Callable[[Dict[str, Any]], None]) -> Dict[str, Any]:
    data = copy.deepcopy(raw)
    change(data)
    return data


CASES = [
    ("undefined source tag", lambda d: d["side_effects"][0].update(sources=["nowhere 5.1"]),
     "side_effects[0].sources[0]: source tag 'nowhere' is not defined"),
    ("bad grade", lambda d: d["interactions"][1].update(grade="severe"),
     "interactions[1].grade: 'severe' is not one of contraindicated, major, moderate, minor"),
    ("bad member grade", lambda d: d["interactions"][0]["members"][0].update(grade="huge", note="x"),
     "interactions[0].members[0].grade"),
    ("member override without note", lambda d: d["interactions"][0]["members"][0].update(grade="minor"),
     "interactions[0].members[0].note"),
    ("name claimed twice", lambda d: d["interactions"][1]["members"][0].update(brands=["OXYCONTIN"]),
     "'OXYCONTIN' is already claimed at interactions[0].members[0].brands[0]"),
    ("missing required field", lambda d: d["cautions"][0].pop("advice"),
     "cautions[0].advice: required text is missing"),
    ("missing sources", lambda d: d["faq"][0].pop("sources"), "faq[0].sources: required list is missing"),
    ("empty sources", lambda d: d["faq"][0].update(sources=[]), "faq[0].sources: at least one source"),
    ("wrong type", lambda d: d.update(interactions={"a": 1}), "interactions: expected a list, found a mapping"),
    ("text expected", lambda d: d["meta"].update(disclaimer=["a"]), "meta.disclaimer: expected text"),
    ("schema version", lambda d: d.update(schema_version=2), "schema_version: expected 1, found 2"),
    ("harmless also in class", lambda d: d["no_known_interaction"]["drugs"].append(
        {"name": "diazepam", "reviewed": {"label": "lab Valium", "none_of": list(EFFECTS)}}),
     "'diazepam' is also a member of a class"),
    ("unknown ingredient", lambda d: d["products"][0]["ingredients"].append("unobtainium"),
     "products[0].ingredients[2]: 'unobtainium' is neither"),
    ("combination below moderate", lambda d: d["combinations"][0].update(grade="minor"),
     "combinations[0].grade: a combination is graded at least moderate"),
    ("combination unknown effect", lambda d: d["combinations"][0]["when"][0].update(with_effect="nope"),
     "combinations[0].when[0].with_effect: 'nope' is not one of"),
    ("harmless without review", lambda d: d["no_known_interaction"]["drugs"][0].pop("reviewed"),
     "no_known_interaction.drugs[0].reviewed: a no-known-interaction drug needs the record"),
    ("harmless review misses an effect", lambda d: d["no_known_interaction"]["drugs"][0]["reviewed"]["none_of"].remove("kidney"),
     "no_known_interaction.drugs[0].reviewed.none_of: the label must be recorded as reviewed for every effect; missing: kidney"),
    ("harmless review names no label", lambda d: d["no_known_interaction"]["drugs"][0]["reviewed"].pop("label"),
     "no_known_interaction.drugs[0].reviewed.label: required text is missing"),
    ("harmless review with an undefined label source", lambda d: d["no_known_interaction"]["drugs"][0]["reviewed"].update(
        label="nolabel Tylenol"), "no_known_interaction.drugs[0].reviewed.label: source tag 'nolabel' is not defined"),
    ("unknown member effect", lambda d: d["interactions"][0]["members"][0].update(effects={"sleepy": ["lab"]}),
     "interactions[0].members[0].effects[0]: 'sleepy' is not one of"),
    ("missing structured section", lambda d: d.update(sections=d["sections"][:-1]),
     "the section 'faq' is missing"),
    ("duplicate section alias", lambda d: d["sections"][1].update(aliases=["about"]),
     "the section name 'about' is already used"),
    ("off-label without evidence",
     lambda d: d["uses"].append({"name": "Hiccups", "kind": "off-label", "in_article": False, "sources": ["lab"]}),
     "uses[1].evidence: an off-label use needs an evidence note"),
    ("negative max dose", lambda d: d["dosing"].update(max_daily_mg=-5), "dosing.max_daily_mg"),
    ("bad side-effect group", lambda d: d["side_effects"][0].update(groups=["weird"]), "side_effects[0].groups[0]"),
    ("stray member key (a YAML comma split a note)",
     lambda d: d["interactions"][0]["members"][0].update({"note": "A prodrug (Apadaz", "with acetaminophen).": None}),
     "interactions[0].members[0].with acetaminophen).: unknown key"),
    ("empty text", lambda d: d["sections"][0]["entries"][0].update(text="  "), "sections[0].entries[0].text: text is empty"),
]


@pytest.mark.parametrize("label,change,message", CASES, ids=[c[0] for c in CASES])
def test_invalid_structure_names_the_path(mini_raw: Dict[str, Any], write_yaml: Callable[..., Path],
                                          label: str, change: Any, message: str) -> None:
    path = write_yaml(_mutated(mini_raw, change))
    with pytest.raises(DataError) as info:
        load_knowledge(str(path))
    assert message in info.value.message
    assert str(path) in info.value.message


def test_the_mini_fixture_itself_is_valid() -> None:
    k = load_knowledge(str(MINI))
    assert k.meta.data_version == "test-1"
    assert "oxycontin" in k.medication_names


HOSTILE = [
    ("broken yaml", "a: [1, 2\nb: 3\n", "invalid YAML in knowledge file", "line "),
    ("python tag", "!!python/object/apply:os.system ['touch /tmp/baclo-pwned']\n", "tags that construct objects", ""),
    ("alias bomb", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
     "anchors and aliases", ""),
    ("recursive alias", "a: &a [*a]\n", "anchors and aliases", ""),
    ("top-level list", "- 1\n- 2\n", "expected a mapping, found a list", ""),
    ("empty file", "", "expected a mapping, found empty", ""),
    ("unquoted date", "schema_version: 1\nwhen: 2026-01-01\n", "quote dates", ""),
    ("NUL byte", "a: b\x00c\n", "NUL", ""),
    ("deep nesting", "a: " + "[" * 5000 + "]" * 5000 + "\n", "invalid", ""),
]


@pytest.mark.parametrize("label,text,message,extra", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_files_are_refused(write_yaml: Callable[..., Path], label: str, text: str,
                                   message: str, extra: str) -> None:
    path = write_yaml(text)
    with pytest.raises(DataError) as info:
        load_knowledge(str(path))
    assert message in info.value.message
    assert extra in info.value.message
    assert not Path("/tmp/baclo-pwned").exists()


def test_not_utf8_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(DataError, match=r"not UTF-8 text \(bad byte at line 2"):
        load_knowledge(str(path))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="knowledge file not found"):
        load_knowledge(str(tmp_path / "nope.yaml"))
    with pytest.raises(DataError, match="it is a directory"):
        load_knowledge(str(tmp_path))


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(DataError, match="over the limit"):
        load_knowledge(str(path))


def test_unreadable_file(tmp_path: Path) -> None:
    import os

    path = tmp_path / "secret.yaml"
    path.write_text("a: 1\n")
    path.chmod(0)
    if os.access(path, os.R_OK):  # root can read anything
        pytest.skip("running as a user who can read mode-000 files")
    with pytest.raises(DataError, match="permission denied"):
        load_knowledge(str(path))


def test_path_through_a_file_is_a_clear_error(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    with pytest.raises(DataError, match="knowledge file"):
        load_knowledge(str(plain / "k.yaml"))  # a file cannot contain another: NotADirectoryError
