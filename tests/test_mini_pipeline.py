"""Resolution, grading and rendering on the small test file, where every expectation is visible."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest
from conftest import ESC, MINI

from baclofen_cli.check import FLAGGED, NO_KNOWN_CAUTION, NO_KNOWN_INTERACTION, NOT_CHECKED, check, exit_status
from baclofen_cli.knowledge import load_knowledge
from baclofen_cli.knowledge.loader import _cache_file
from baclofen_cli.names import normalize, singular_forms
from baclofen_cli.resolve import HISTORY, WITH, Resolver, split_items


@pytest.fixture(scope="module")
def mini() -> Any:
    return load_knowledge(str(MINI))


def resolve(k: Any, text: str, kind: str = WITH) -> Any:
    return Resolver(k).resolve(text, kind)


@pytest.mark.parametrize("text,key", [
    ("St. John's-Wort", "st johns wort"), ("  OXYCODONE ", "oxycodone"), ("Café", "cafe"),
    ("Tylenol #3", "tylenol 3"), ("日本", "日本"), ("Tylenol РМ", "tylenol рм"), ("[bold]x[/bold]", "bold x bold"),
])
def test_normalize(text: str, key: str) -> None:
    assert normalize(text) == key


def test_singular_forms_change_only_the_last_word() -> None:
    assert "sleeping pill" in singular_forms("sleeping pills")
    assert "allergy" in singular_forms("allergies")
    assert singular_forms("glass") == []


def test_split_items_drops_empty_pieces_and_trims() -> None:
    assert split_items([" a, b ,,", ",", "c"]) == ["a", "b", "c"]


@pytest.mark.parametrize("text,kind,ref,how", [
    ("oxycodone", "drug", "oxycodone", "name"),
    ("OxyContin", "drug", "oxycodone", "name"),
    ("OXYCONTIN 20 mg tablets", "drug", "oxycodone", "line"),
    ("narcotics", "class", "opioids", "name"),
    ("Opioid", "class", "opioids", "singular or plural"),
    ("oxycodones", "drug", "oxycodone", "singular or plural"),
    ("paracetamol", "drug", "acetaminophen", "name"),
    ("percocet", "product", "Percocet", "name"),
])
def test_resolution(mini: Any, text: str, kind: str, ref: str, how: str) -> None:
    res = resolve(mini, text)
    assert res.recognized
    assert (res.targets[0].kind, res.targets[0].ref, res.how) == (kind, ref, how)


def test_combination_written_with_a_slash_resolves_every_part(mini: Any) -> None:
    res = resolve(mini, "oxycodone/paracetamol")
    assert [t.ref for t in res.targets] == ["oxycodone", "acetaminophen"]
    assert res.how == "line" and res.complete


def test_a_combination_with_an_unknown_part_is_only_partly_checked(mini: Any) -> None:
    res = resolve(mini, "oxycodone/unobtainium")
    assert not res.complete
    assert res.unaccounted == ("unobtainium",)


def test_unknown_item_gets_suggestions_never_a_silent_match(mini: Any) -> None:
    res = resolve(mini, "oxycodon")
    assert not res.recognized
    assert res.targets == ()
    assert "oxycodone" in res.suggestions
    assert len(res.suggestions) <= 3


def test_item_of_the_other_kind_gets_a_hint(mini: Any) -> None:
    res = resolve(mini, "kidney", WITH)
    assert not res.recognized and res.hint and "--history" in res.hint
    res = resolve(mini, "valium", HISTORY)
    assert not res.recognized and res.hint and "--with" in res.hint


def test_empty_and_foreign_text_never_matches(mini: Any) -> None:
    for text in ("", "!!!", "日本語"):
        assert not resolve(mini, text).recognized


def run_check(k: Any, meds: list, conds: list = [], dose: float | None = None) -> Any:  # noqa: B006
    r = Resolver(k)
    return check(k, r.resolve_all(meds, WITH) + r.resolve_all(conds, HISTORY), dose)


def test_every_item_is_accounted_for(mini: Any) -> None:
    result = run_check(mini, ["Percocet", "xyzzy", "Tylenol"], ["ckd", "hypertension"])
    statuses = {i.text: i.status for i in result.items}
    assert statuses == {"Percocet": FLAGGED, "xyzzy": NOT_CHECKED, "Tylenol": NO_KNOWN_INTERACTION,
                        "ckd": FLAGGED, "hypertension": NO_KNOWN_CAUTION}
    assert result.unrecognized == ("xyzzy",)
    assert exit_status(result) == 4  # flagged and not checked


def test_product_resolves_to_each_ingredient(mini: Any) -> None:
    result = run_check(mini, ["Percocet"])
    assert result.items[0].resolved == ("oxycodone", "acetaminophen")
    assert [f.id for f in result.findings] == ["opioids"]
    assert result.findings[0].inputs == ("Percocet",)


def test_combination_rule_fires_with_two_depressants_and_is_major(mini: Any) -> None:
    result = run_check(mini, ["OxyContin", "Valium"])
    combo = [f for f in result.findings if f.kind == "combination"]
    assert len(combo) == 1
    assert combo[0].severity == "major"
    assert combo[0].inputs == ("OxyContin", "Valium")
    assert result.findings[0].kind == "combination"  # combined findings lead within a grade


def test_the_same_drug_twice_is_not_a_combination(mini: Any) -> None:
    result = run_check(mini, ["Percocet", "oxycodone"])
    assert not [f for f in result.findings if f.kind == "combination"]
    assert result.findings[0].inputs == ("Percocet", "oxycodone")


def test_findings_sorted_most_severe_first_and_exit_codes(mini: Any) -> None:
    result = run_check(mini, ["diazepam"])
    assert result.highest_severity == "moderate"
    assert exit_status(result) == 1
    assert exit_status(result, "moderate") == 1
    assert exit_status(result, "major") == 0
    clean = run_check(mini, ["Tylenol"], ["hypertension"])
    assert clean.findings == () and exit_status(clean) == 0 and clean.highest_severity is None


def test_dose_above_maximum_and_renal_guidance(mini: Any) -> None:
    result = run_check(mini, [], ["kidney"], dose=90)
    ids = {f.id: f for f in result.findings}
    assert ids["dose-maximum"].severity == "major"
    assert ids["dose-maximum"].effect == "90 mg is above 80 mg."
    assert ids["dose-kidney-disease"].severity == "moderate"
    assert ids["dose-kidney-disease"].inputs == ("kidney",)
    assert "dose-maximum" not in {f.id for f in run_check(mini, [], [], dose=80).findings}


def test_cache_is_written_and_a_changed_file_is_never_served_stale(tmp_path: Path,
                                                                   mini_raw: Dict[str, Any],
                                                                   write_yaml: Any) -> None:
    path = write_yaml(mini_raw)
    first = load_knowledge(str(path))
    cache = _cache_file(first.digest)
    assert cache is not None and cache.is_file()
    mini_raw["meta"]["data_version"] = "test-2"
    write_yaml(mini_raw)
    second = load_knowledge(str(path))
    assert second.meta.data_version == "test-2"
    assert second.digest != first.digest


def test_damaged_cache_is_ignored(mini_raw: Dict[str, Any], write_yaml: Any) -> None:
    mini_raw["meta"]["data_version"] = "damaged-cache"
    path = write_yaml(mini_raw)
    first = load_knowledge(str(path))
    cache = _cache_file(first.digest)
    assert cache is not None
    cache.write_text("{not json")
    from baclofen_cli.knowledge import loader

    loader._loaded.clear()
    again = load_knowledge(str(path))
    assert again.meta.data_version == "damaged-cache"
    assert json.loads(cache.read_text().split("\n", 1)[0])["digest"] == first.digest  # rewritten


def test_markup_in_data_and_input_is_literal_in_rich_output(run: Any) -> None:
    result = run("--data", str(MINI), "check", "--with", "[red]boom[/red]", "--with", "oxycodone",
                 env={"FORCE_COLOR": "1", "COLUMNS": "120"})
    assert "[red]boom[/red]" in result.stdout
    assert ESC in result.stdout  # really the Rich path
    overview = run("--data", str(MINI), "info", env={"FORCE_COLOR": "1"})
    assert "[bold]muscle relaxant[/bold]" in overview.stdout


@pytest.mark.parametrize("columns", ["20", "40", "120"])
def test_rich_output_at_any_width(run: Any, columns: str) -> None:
    result = run("--data", str(MINI), "check", "--with", "Percocet, xyzzy", "--history", "ckd",
                 env={"FORCE_COLOR": "1", "COLUMNS": columns})
    assert result.exit_code == 4
    assert "NOT CHECKED" in result.stdout
    width = int(columns)
    import re

    visible = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in result.stdout.splitlines()]
    assert max(len(line) for line in visible) <= max(width, 20)


@pytest.mark.parametrize("env", [{}, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, {"TERM": "dumb", "FORCE_COLOR": "1"}])
def test_plain_output_has_no_escape_codes(run: Any, env: Dict[str, str]) -> None:
    result = run("--data", str(MINI), "check", "--with", "Percocet", env=env)
    assert ESC not in result.stdout
    assert "MAJOR (1)" in result.stdout
