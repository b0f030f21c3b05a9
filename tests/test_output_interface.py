"""One output interface: every command x every format, and the tables behind it.

Each page type says which formats render it (``render.pages.FORMATS``); each format module
has a ``PAGES`` table. The two must agree exactly, every supported combination must produce
its format, and every other combination must be a clear usage error (exit 2), never a
traceback or an AttributeError.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from typing import Any, List

import pytest
from conftest import ESC

from baclofen_cli.render import FORMAT_MODULES, pages

COMMANDS: List[List[str]] = [
    ["info"], ["info", "--all"], ["info", "dosing"], ["info", "pregnancy"], ["sections"],
    ["side-effects"], ["interactions"], ["interactions", "opioids"], ["interactions", "Tylenol"],
    ["interactions", "Lioresal"],
    ["cautions"], ["dose"], ["faq"], ["sources"], ["search", "seizures"],
    ["check", "--with", "oxycodone"],
]
"""One invocation of each command (and of each page a command can show)."""

PAGE_OF = {
    "info": pages.Overview, "info --all": pages.Everything, "info dosing": pages.SectionPage,
    "info pregnancy": pages.TopicPage, "sections": pages.SectionList, "side-effects": pages.SideEffects,
    "interactions": pages.InteractionList, "interactions opioids": pages.InteractionClassPage,
    "interactions Tylenol": pages.NoInteractionPage, "interactions Lioresal": pages.BaclofenItselfPage,
    "cautions": pages.CautionsPage, "dose": pages.DosePage,
    "faq": pages.FaqPage, "sources": pages.SourcesPage, "search seizures": pages.SearchPage,
    "check --with oxycodone": pages.CheckPage,
}


def test_every_page_type_is_exercised_here_or_by_screen() -> None:
    assert set(PAGE_OF.values()) | {pages.ScreenPage} == set(pages.FORMATS)


@pytest.mark.parametrize("fmt", sorted(FORMAT_MODULES))
def test_each_format_renders_exactly_the_pages_that_list_it(fmt: str) -> None:
    module = importlib.import_module(FORMAT_MODULES[fmt])
    expected = {page for page, formats in pages.FORMATS.items() if fmt in formats}
    assert set(module.PAGES) == expected
    assert callable(module.write)


@pytest.mark.parametrize("fmt", pages.ALL_FORMATS)
@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_every_command_in_every_format(run: Any, args: List[str], fmt: str) -> None:
    page = PAGE_OF[" ".join(args)]
    result = run(*args, "--format", fmt)
    if fmt not in pages.FORMATS[page]:
        assert result.exit_code == 2, result.output
        assert f"--format {fmt} is not available here" in result.stderr
        assert "Traceback" not in result.output
        assert result.stdout == ""
        return
    assert result.exit_code in (0, 1), result.output  # check with a finding exits 1
    if fmt == "text":
        assert result.stdout.strip() and ESC not in result.stdout
    else:
        payload = json.loads(result.stdout)
        if fmt == "json":
            assert payload.get("drug") == "baclofen"
        else:
            assert payload["resourceType"] == "Bundle"


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_json_flag_is_format_json(run: Any, args: List[str]) -> None:
    assert run(*args, "--json").stdout == run(*args, "--format", "json").stdout


def test_an_unknown_format_name_is_a_usage_error(run: Any) -> None:
    result = run("info", "--format", "yaml")
    assert result.exit_code == 2
    assert "yaml" in result.stderr


def _modules_after(args: List[str]) -> List[str]:
    code = ("import sys, io\n"
            "from baclofen_cli.cli import _run\n"
            "real = sys.stdout; sys.stdout = io.StringIO()\n"
            f"_run({args!r})\n"
            "sys.stdout = real\n"
            "print(' '.join(sorted(sys.modules)))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    return proc.stdout.split()


def test_only_the_chosen_format_is_imported() -> None:
    json_run = _modules_after(["check", "--with", "oxycodone", "--json"])
    assert "baclofen_cli.render.json_out" in json_run
    for heavy in ("rich", "baclofen_cli.render.views", "baclofen_cli.render.fhir", "yaml"):
        assert heavy not in json_run, heavy
    version = _modules_after(["--version"])
    assert not [m for m in version if m.startswith(("rich", "baclofen_cli.render", "baclofen_cli.knowledge"))]
