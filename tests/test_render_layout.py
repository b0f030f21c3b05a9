"""Layout of long pages at a terminal (new-user round 3: M5, L2, L5, L7, L8, L9).

Column widths are chosen deliberately (``blocks.layout``): the column that carries the reading
gets the room, short columns stay on one line, source tags are compact, and a table is drawn
only when it reads better than the same rows stacked, whatever the width.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, List

import pytest

from baclofen_cli.knowledge import load_knowledge
from baclofen_cli.render import blocks, pages, views

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
BACLO = Path(sys.executable).with_name("baclo")


def rich(run: Any, *args: str, columns: int) -> List[str]:
    result = run(*args, env={"FORCE_COLOR": "1", "COLUMNS": str(columns)})
    assert result.exit_code in (0, 1), result.output
    return [ANSI.sub("", line).rstrip() for line in result.stdout.splitlines()]


def table_of(page: Any) -> blocks.Table:
    return next(b for b in views.PAGES[type(page)](page) if isinstance(b, blocks.Table))


@pytest.fixture(scope="module")
def k() -> Any:
    return load_knowledge()


# ---------------------------------------------------------------- M5: widths chosen, not squeezed evenly


@pytest.mark.parametrize("width", [100, 120])
def test_interactions_give_what_happens_the_room(k: Any, width: int) -> None:
    t = table_of(pages.InteractionList(k))
    widths = blocks.layout(t, width)
    assert widths is not None, "a table at this width"
    what, examples, sources = (widths[t.columns.index(c)] for c in ("What happens", "Examples", "Sources"))
    assert what >= blocks.MAIN_MIN and what > examples and what > sources
    assert sum(widths) + blocks.GAP * (len(widths) - 1) <= width


def test_interactions_at_100_columns_are_shorter_than_stacked_at_80(run: Any) -> None:
    at_100, at_80 = rich(run, "interactions", columns=100), rich(run, "interactions", columns=80)
    assert len(at_100) < len(at_80)  # round 3 measured 168 against 159
    assert max(len(line) for line in at_100) <= 100
    opioids = next(i for i, line in enumerate(at_100) if line.startswith("Opioids"))
    assert not at_100[opioids + 4].startswith(" ")  # the Opioids row takes at most 4 lines, not 6
    assert "Interactions with baclofen, most severe first" in at_100  # the page has a title


def test_the_interactions_page_has_a_title_in_every_layout(run: Any) -> None:
    assert run("interactions").stdout.startswith("Interactions with baclofen, most severe first\n")
    patient = run("interactions", "--audience", "patient").stdout
    assert patient.startswith("Medicines that can mix badly with baclofen\n")
    assert "Serious" not in patient.splitlines()[0]


def test_interaction_sources_are_compact_tags_with_the_sections_on_the_class_page(run: Any) -> None:
    text = run("interactions", env={"COLUMNS": "400"}).stdout
    row = next(line for line in text.splitlines() if line.startswith("Beta-3 agonist"))
    assert "drug-labels; uk-smpc" in row and "(warnings" not in row
    assert "the sections cited" in text
    assert "Myrbetriq (warnings" in run("interactions", "mirabegron").stdout  # the class page cites in full


def test_side_effects_are_a_table_at_80_columns(run: Any) -> None:
    at_80 = rich(run, "side-effects", columns=80)
    assert any(line.startswith("Side effect ") and "Frequency" in line for line in at_80), "not stacked"
    assert len(at_80) < 150  # round 3: 218 lines stacked against 103 as a table
    assert max(len(line) for line in at_80) <= 80
    at_100 = rich(run, "side-effects", columns=100)
    assert any(line.startswith("Insomnia (Trouble sleeping)") for line in at_100)  # no longer wrapped


def test_short_columns_stay_on_one_line(k: Any) -> None:
    t = table_of(pages.SideEffects(k, ()))
    widths = blocks.layout(t, 100)
    assert widths is not None
    for name in ("Group", "Frequency", "In article"):
        i = t.columns.index(name)
        assert widths[i] >= max(len(c) for c in [t.columns[i], *(r[i] for r in t.rows)])


def test_a_table_is_stacked_when_it_would_be_taller_than_the_stack() -> None:
    long = "word " * 30
    t = blocks.Table(("Name", "Text", "More", "Still more"), (("a", long, long, long),), main=1)
    assert blocks.layout(t, 60) is None  # four squeezed columns: 30 lines as a table
    assert blocks.layout(t, 400) is not None
    fits = blocks.Table(("Name", "Value"), (("one", "1"), ("two", "2")))
    assert blocks.layout(fits, 20) == [4, 5]


def test_a_long_word_stacks_rather_than_splits() -> None:
    t = blocks.Table(("A", "B"), (("x" * 30, "y" * 30),))
    assert blocks.column_widths(t, 50) is None
    assert blocks.column_widths(t, 70) == [30, 30]  # each column at most its longest cell


@pytest.mark.parametrize("args", [["interactions"], ["interactions", "--audience", "patient"], ["side-effects"],
                                  ["side-effects", "--audience", "patient"], ["sections"], ["info", "uses"],
                                  ["info", "pharmacokinetics"], ["dose"], ["interactions", "opioids"],
                                  ["info", "--all", "--no-pager"]])
@pytest.mark.parametrize("columns", [40, 80])
def test_every_table_wraps_on_words_only(run: Any, args: List[str], columns: int) -> None:
    lines = rich(run, *args, columns=columns)
    whole = {w.strip("()") for w in run(*args, env={"COLUMNS": "500"}).stdout.split()}
    for line in lines:
        for word in (w.strip("()") for w in line.split()):
            if word.endswith(":") or set(word) <= set("─█-•"):
                continue  # a stacked field's label, a rule or a bar
            if len(line) > columns:  # a link longer than the line is left for the terminal to wrap
                continue
            assert word in whole, f"{word!r} in {line!r} ({args} at {columns})"
        assert len(line) <= columns or "://" in line, line


def test_a_link_longer_than_the_line_is_never_folded(run: Any) -> None:
    lines = rich(run, "sources", columns=40)
    url = json.loads(run("sources", "--json").stdout)["sources"]["us-label"]["url"]
    assert any(url in line for line in lines)


@pytest.mark.parametrize("width", [40, 80, 100, 120])
def test_patient_side_effects_read_at_every_width(run: Any, width: int) -> None:
    lines = rich(run, "side-effects", "--audience", "patient", columns=width)
    assert max(len(line) for line in lines) <= width
    assert len(lines) < 100


# ---------------------------------------------------------------- L2: stable order, patient More line


def test_side_effect_groups_read_in_one_order(run: Any, k: Any) -> None:
    both = [s for s in k.side_effects if {"rare", "serious"} <= set(s.groups)]
    assert {tuple(s.groups) for s in both} == {("rare", "serious"), ("serious", "rare")}, "the data mixes both"
    patient = run("side-effects", "--audience", "patient", env={"COLUMNS": "200"}).stdout
    assert "serious: get medical help, rare" not in patient
    assert patient.count("rare, serious: get medical help") == len(both)
    professional = run("side-effects", env={"COLUMNS": "200"}).stdout
    assert "serious, rare" not in professional and "rare, serious" in professional
    code, payload = run.json("side-effects")
    assert [s["groups"] for s in payload["side_effects"]] == [list(s.groups) for s in k.side_effects]  # JSON as is


def test_the_patient_more_line_stays_in_patient_mode(run: Any) -> None:
    text = run("info", "--audience", "patient").stdout
    assert "baclo info --all --audience patient" in text
    assert "baclo info --all --audience" not in run("info").stdout


# ---------------------------------------------------------------- L5: the long list of other names


def test_a_long_also_called_list_is_shortened_and_the_rest_is_one_option_away(run: Any, k: Any) -> None:
    ulcer = k.cautions_by_id["peptic-ulcer-history"]
    assert len(ulcer.aliases) > 40
    text = run("cautions").stdout
    line = next(x for x in text.splitlines() if "Also called:" in x and ulcer.aliases[0] in x
                and ulcer.aliases[1] in x)
    assert len(line) < 600
    more = len(ulcer.aliases) - views.ALSO_CALLED_SHOWN
    assert f"and {more} more (baclo cautions --all-names, or --json, lists them all)" in line
    full = run("cautions", "--all-names").stdout
    assert all(a in full for a in ulcer.aliases)
    code, payload = run.json("cautions")
    shown_ulcer = next(c for c in payload["cautions"] if c["id"] == "peptic-ulcer-history")
    assert shown_ulcer["aliases"] == list(ulcer.aliases)
    assert len(run("cautions").stdout.splitlines()) == len(full.splitlines())  # nothing else dropped


# ---------------------------------------------------------------- L5: the pager


@pytest.mark.skipif(not BACLO.exists(), reason="needs the installed script")
@pytest.mark.parametrize("args", [["cautions"], ["interactions"], ["side-effects"], ["sources"]])
def test_long_pages_are_not_paged_when_piped(tmp_path: Path, args: List[str]) -> None:
    paged = tmp_path / "paged.txt"
    env = {**os.environ, "BACLO_PAGER": f"tee {paged}", "BACLO_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([str(BACLO), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert not paged.exists() and len(proc.stdout.splitlines()) > 40


def _through_a_terminal(args: List[str], env: dict, tmp_path: Path) -> str:  # type: ignore[type-arg]
    from test_installed import through_a_terminal

    return through_a_terminal(args, env, tmp_path)


@pytest.mark.skipif(not BACLO.exists(), reason="needs the installed script")
@pytest.mark.parametrize("args", [["cautions"], ["interactions"], ["side-effects"], ["sources"]])
def test_long_pages_go_through_the_pager_on_a_terminal(tmp_path: Path, args: List[str]) -> None:
    paged = tmp_path / "paged.txt"
    env = {"BACLO_PAGER": f"tee {paged}", "COLUMNS": "80", "LINES": "24", "BACLO_CACHE_DIR": str(tmp_path / "c")}
    _through_a_terminal(args, env, tmp_path)
    assert paged.exists() and len(paged.read_text().splitlines()) > 24
    paged.unlink()
    _through_a_terminal([*args, "--no-pager"], env, tmp_path)
    assert not paged.exists()
    _through_a_terminal(["interactions", "alcohol"], env | {"LINES": "200"}, tmp_path)  # fits: never paged
    assert not paged.exists()


@pytest.mark.skipif(not BACLO.exists(), reason="needs the installed script")
def test_a_pager_that_fails_never_loses_the_page(tmp_path: Path) -> None:
    """Hostile round 7 (N1): BACLO_PAGER=false printed nothing and exited 0."""
    env = {"BACLO_PAGER": "false", "COLUMNS": "80", "LINES": "24", "BACLO_CACHE_DIR": str(tmp_path / "c")}
    shown = _through_a_terminal(["cautions"], env, tmp_path)
    assert "the pager 'false' ended with status 1" in shown
    assert "CONTRAINDICATED" in shown and len(shown.splitlines()) > 100


def test_no_pager_is_an_option_of_every_long_page(run: Any) -> None:
    for command in ("cautions", "interactions", "side-effects", "sources"):
        assert "--no-pager" in run(command, "--help").stdout
        assert run(command, "--no-pager").exit_code == 0


# ---------------------------------------------------------------- L7: headings


def test_a_name_read_as_a_medicine_is_said_once(run: Any) -> None:
    first = run("interactions", "gabapentin 300 mg TID").stdout.splitlines()[0]
    assert first == "Gabapentin 300 mg TID is read as gabapentin"
    assert run("interactions", "Neurontin").stdout.splitlines()[0] == "Neurontin is gabapentin"
    code, payload = run.json("interactions", "gabapentin 300 mg TID")
    assert payload["via"] == ["gabapentin 300 mg TID is read as gabapentin"]


def test_a_heading_starts_with_a_capital(run: Any) -> None:
    first = run("interactions", "intrathecal baclofen").stdout.splitlines()[0]
    assert first.startswith("Intrathecal baclofen is baclofen")
    assert run("interactions", "baclofen").stdout.splitlines()[0] == "Baclofen is the medicine being checked"


def test_screen_headings_read_naturally(run: Any, tmp_path: Path) -> None:
    one = tmp_path / "one.csv"
    one.write_text("id,medications,conditions,daily_dose_mg\nR1,oxycodone,,\n", encoding="utf-8")
    text = run("screen", str(one)).stdout
    assert "(all 1)" not in text and "The flagged row" in text
    renal = tmp_path / "renal.csv"
    renal.write_text("id,medications,conditions,daily_dose_mg\nR1,Tylenol,CKD stage 4,30\n"
                     "R2,Tylenol,CKD stage 4,40\n", encoding="utf-8")
    text = run("screen", str(renal), env={"COLUMNS": "200"}).stdout
    assert "Daily dose with kidney function 15-29 mL/min (graded by each row's dose)" in text
    assert "(it differs by row)" not in text and "N mg" not in text


# ---------------------------------------------------------------- L9: the check header


def test_pasted_record_lines_are_listed_one_per_line(run: Any) -> None:
    lines = ["oxycodone 5 mg tablet, 1 tab q6h prn", "gabapentin 300 mg capsule, 1 cap TID"]
    text = run("check", "-w", lines[0], "-w", lines[1]).stdout.splitlines()
    at = text.index("Medicines (2):")
    assert text[at + 1:at + 3] == [f"  - {lines[0]}", f"  - {lines[1]}"]
    short = run("check", "-w", "oxycodone", "-w", "gabapentin").stdout
    assert "Medicines: oxycodone, gabapentin" in short  # a short list of names stays on one line
    source = next(x for x in text if x.strip().startswith("From:"))
    assert f"{lines[0]} (oxycodone); {lines[1]} (gabapentin)" in source


def test_many_items_are_listed_one_per_line(run: Any) -> None:
    names = ["oxycodone", "gabapentin", "zolpidem", "Tylenol", "lisinopril", "metformin", "sertraline"]
    args = [a for n in names for a in ("-w", n)]
    text = run("check", *args).stdout.splitlines()
    at = text.index("Medicines (7):")
    assert [x.strip("- ").strip() for x in text[at + 1:at + 8]] == names


# ---------------------------------------------------------------- L8: options


@pytest.mark.parametrize("fmt", [["--json"], ["--format", "json"], ["--format", "fhir"]])
def test_brief_with_a_machine_format_is_a_usage_error(run: Any, fmt: List[str]) -> None:
    result = run("check", "-w", "oxycodone", "--brief", *fmt)
    assert result.exit_code == 2
    assert "--brief" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("args", [["help"], ["help", "check"]])
def test_help_is_a_command(run: Any, args: List[str]) -> None:
    from baclofen_cli.cli import _run

    result = run(*args)
    assert result.exit_code == 0
    assert "Usage: baclo" in result.stdout
    if len(args) > 1:
        assert "Usage: baclo check" in result.stdout and "--brief" in result.stdout
    assert _run(args) == 0  # through the one-command fast path too


def test_help_for_no_such_command_lists_the_commands(run: Any) -> None:
    result = run("help", "xyzzy")
    assert result.exit_code == 2 and "interactions" in result.stderr


@pytest.mark.skipif(not BACLO.exists(), reason="needs the installed script")
def test_a_pager_killed_by_a_signal_never_loses_the_page(tmp_path: Path) -> None:
    """Hostile round 8 (N1 remainder): a pager killed by a signal printed nothing."""
    script = tmp_path / "pager.sh"
    script.write_text("#!/bin/sh\nkill -KILL $$\n")
    script.chmod(0o755)
    env = {"BACLO_PAGER": str(script), "COLUMNS": "80", "LINES": "24", "BACLO_CACHE_DIR": str(tmp_path / "c")}
    shown = _through_a_terminal(["cautions"], env, tmp_path)
    assert "(killed by a signal)" in shown
    assert "CONTRAINDICATED" in shown and len(shown.splitlines()) > 100
