"""Every command through Typer's CliRunner, on the bundled knowledge file."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import ESC

from baclofen_cli import __version__

COMMANDS = [
    ["info"], ["info", "--all"], ["info", "dosing"], ["info", "pk"], ["sections"],
    ["side-effects"], ["side-effects", "--serious"], ["side-effects", "--common", "--rare"],
    ["interactions"], ["interactions", "opioids"], ["interactions", "oxycodone"],
    ["cautions"], ["cautions", "--audience", "patient"], ["dose"], ["faq"], ["sources"],
    ["search", "seizures"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_command_succeeds_in_plain_text(run: Any, args: list) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()
    assert ESC not in result.stdout


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_command_json_parses_and_has_the_envelope(run: Any, args: list) -> None:
    code, payload = run.json(*args)
    assert code == 0
    assert payload["drug"] == "baclofen"
    assert payload["disclaimer"]
    assert payload["data_version"]


def test_version(run: Any) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"baclo {__version__}"


def test_no_arguments_prints_short_help_with_examples(run: Any) -> None:
    result = run()
    assert result.exit_code == 0
    assert "baclo check --with opioids --history kidney" in result.stdout
    assert "baclo info" in result.stdout


def test_help_documents_exit_codes(run: Any) -> None:
    result = run("check", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for phrase in ("not recognized", "--fail-on", "--daily-dose", "--audience"):
        assert phrase in text


def test_unknown_section_lists_valid_ones_and_exits_2(run: Any) -> None:
    result = run("info", "nonsense-section")
    assert result.exit_code == 2
    assert "no section or topic named 'nonsense-section'" in result.stderr
    assert "Sections:" in result.stderr and "dosing" in result.stderr
    assert "baclo search nonsense-section" in result.stderr


def test_ambiguous_prefix_is_refused_with_candidates() -> None:
    from baclofen_cli.knowledge.model import Section
    from baclofen_cli.resolve import resolve_section

    sections = [Section("side-effects", "Side effects", (), "", ()), Section("sources", "Sources", (), "", ())]
    assert resolve_section(sections, "s") == (None, ("side-effects", "sources"))
    assert resolve_section(sections, "si") == ("side-effects", ())
    assert resolve_section(sections, "Side Effects") == ("side-effects", ())
    assert resolve_section(sections, "sourse")[0] is None


def test_section_by_prefix_and_alias(run: Any) -> None:
    assert run("info", "dos").exit_code == 0
    assert run("info", "pk").exit_code == 0


def test_info_all_and_section_together_is_a_usage_error(run: Any) -> None:
    result = run("info", "dosing", "--all")
    assert result.exit_code == 2


def test_search_without_match_exits_1(run: Any) -> None:
    result = run("search", "qwertyuiopasdf")
    assert result.exit_code == 1
    assert "No entry mentions" in result.stdout


def test_unknown_interaction_class(run: Any) -> None:
    result = run("interactions", "xyzzy")
    assert result.exit_code == 3  # not recognized, so not checked (new-user trial 3: a status apart from usage errors)
    assert "no interaction class or medicine named 'xyzzy'" in result.stderr


@pytest.mark.parametrize("args,needle", [
    (["check"], "nothing to check"),
    (["check", "--with", ",,,"], "the values given were empty"),
    (["check", "--with", "  "], "the values given were empty"),
    (["check", "--with", "x", "--daily-dose", "-5"], "--daily-dose: daily dose"),
    (["check", "--with", "x", "--daily-dose", "nan"], "--daily-dose: daily dose"),
    (["check", "--with", "x", "--daily-dose", "inf"], "--daily-dose: daily dose"),
])
def test_check_usage_errors_exit_2(run: Any, args: list, needle: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert needle in result.stderr


def test_bad_option_value_exits_2(run: Any) -> None:
    result = run("check", "--with", "x", "--fail-on", "[red]severe")
    assert result.exit_code == 2


@pytest.mark.parametrize("content,needle", [
    ("a: [1, 2\n", "line 2"),
    ("!!python/object/apply:os.system ['echo hi']\n", "refused"),
])
def test_broken_data_file_exits_2_with_one_paragraph(run: Any, tmp_path: Any, content: str, needle: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    for args, env in ((["--data", str(bad), "info"], None), (["info"], {"BACLO_DATA": str(bad)})):
        result = run(*args, env=env)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr.startswith("baclo: error: ")
        assert needle in result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_missing_data_file(run: Any) -> None:
    result = run("--data", "/nonexistent/k.yaml", "info")
    assert result.exit_code == 2
    assert "knowledge file not found: /nonexistent/k.yaml" in result.stderr


def test_check_json_shape(run: Any) -> None:
    code, payload = run.json("check", "--with", "oxycodone, xyzzy", "--history", "kidney")
    assert code == 4  # flagged and not checked
    assert set(payload) >= {"drug", "inputs", "findings", "unrecognized", "highest_severity", "disclaimer"}
    first = payload["inputs"][0]
    assert first == {**first, "text": "oxycodone", "kind": "with", "recognized": True,
                     "resolved": ["oxycodone"], "suggestions": []}
    assert payload["unrecognized"] == ["xyzzy"]
    for finding in payload["findings"]:
        assert set(finding) >= {"kind", "severity", "title", "inputs", "effect", "advice", "sources"}
        assert finding["kind"] in {"interaction", "caution", "combination", "dose"}
        assert finding["severity"] in {"contraindicated", "major", "moderate", "minor"}
    json.dumps(payload)


def test_ten_thousand_items_are_all_accounted_for(run: Any, knowledge: Any) -> None:
    names = sorted({t[2] for t in knowledge.medication_names.values() if "," not in t[2]})  # commas split items
    items = [names[i % len(names)] for i in range(9_990)] + [f"unknown-thing-{i}" for i in range(10)]
    code, payload = run.json("check", "--with", ",".join(items))
    assert code == 4  # flagged and not checked
    assert len(payload["inputs"]) == 10_000
    assert [i["text"] for i in payload["inputs"]] == items
    assert len(payload["unrecognized"]) == 10


def test_markup_in_arguments_is_never_interpreted(run: Any) -> None:
    for env in ({}, {"FORCE_COLOR": "1"}):
        result = run("check", "--with", "[bold]oxycodone[/bold], [link=http://x]y[/link]", env=env)
        assert result.exit_code == 4  # oxycodone is flagged; "bold", "link", "y" are not understood
        assert "[link=http://x]y[/link]" in result.stdout
        assert "Traceback" not in result.output


def test_patient_audience_uses_plain_wording(run: Any) -> None:
    pro = run.json("check", "--with", "oxycodone")[1]["findings"][0]
    patient = run.json("check", "--with", "oxycodone", "--audience", "patient")[1]["findings"][0]
    assert pro["effect"] != patient["effect"]
    assert "breathing" in patient["effect"].lower()


def test_fail_on_raises_the_threshold(run: Any) -> None:
    assert run("check", "--with", "sertraline").exit_code == 1  # minor finding
    assert run("check", "--with", "sertraline", "--fail-on", "moderate").exit_code == 0
    assert run("check", "--with", "oxycodone", "--fail-on", "major").exit_code == 1


def test_daily_dose_checks(run: Any) -> None:
    code, payload = run.json("check", "--history", "dialysis", "--daily-dose", "20")
    ids = {f["id"]: f for f in payload["findings"]}
    assert code == 1
    assert ids["dose-kidney-failure"]["severity"] == "major"
    assert "dose-maximum" not in ids
    code, payload = run.json("check", "--daily-dose", "90")
    assert code == 1 and payload["findings"][0]["id"] == "dose-maximum"
    code, payload = run.json("check", "--daily-dose", "60")
    assert code == 0 and payload["findings"] == [] and payload["highest_severity"] is None


def test_search_snippets_cut_on_whole_words() -> None:
    from baclofen_cli.search import SNIPPET_CHARS, _snippet

    words = " ".join(f"word{i:03d}" for i in range(100))
    at = words.index("word050")
    snippet = _snippet(words, at, len("word050"))
    assert "word050" in snippet
    assert len(snippet) <= SNIPPET_CHARS + 2
    inner = snippet.strip("…")
    assert all(part.startswith("word") and len(part) == 7 for part in inner.split())
