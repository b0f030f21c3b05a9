"""The installed console script, run as a real subprocess from an unrelated directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest


def baclo_path() -> str:
    beside = Path(sys.executable).with_name("baclo")
    found = str(beside) if beside.exists() else shutil.which("baclo")
    assert found, "the baclo console script is not installed in this environment (pip install .)"
    return found


def run(args: List[bytes | str], cwd: Path, env: Optional[Dict[str, str]] = None,
        stdin: Optional[bytes] = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("BACLO_", "FORCE_COLOR", "NO_COLOR"))}
    full_env.update(env or {})
    return subprocess.run([baclo_path(), *args], cwd=cwd, env=full_env, capture_output=True,
                          input=stdin, timeout=60)


def through_a_terminal(args: List[str], env: Dict[str, str], cwd: Path) -> str:
    """The installed script with a pseudo-terminal as standard input, output and error: what a user sees."""
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen([baclo_path(), *args], stdin=follower, stdout=follower, stderr=follower,
                            env={**os.environ, **env}, cwd=cwd)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_version_from_another_directory(tmp_path: Path) -> None:
    from baclofen_cli import __version__

    proc = run(["--version"], tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.decode().strip() == f"baclo {__version__}"


def test_info_all_piped_has_no_escape_codes(tmp_path: Path) -> None:
    proc = run(["info", "--all"], tmp_path)
    assert proc.returncode == 0
    assert b"\x1b" not in proc.stdout
    assert len(proc.stdout.splitlines()) > 50


def test_check_unrecognized_exits_3_and_never_says_all_clear(tmp_path: Path) -> None:
    proc = run(["check", "--with", "xyzzy"], tmp_path)
    assert proc.returncode == 3
    out = proc.stdout.decode()
    assert "NOT CHECKED" in out and "xyzzy" in out
    assert "No findings; 1 item not checked" in out


def test_closing_the_pipe_early_is_quiet(tmp_path: Path) -> None:
    shell = f"'{baclo_path()}' info --all | head -1; echo \"status=${{PIPESTATUS[0]}}\""
    proc = subprocess.run(["bash", "-c", shell], cwd=tmp_path, capture_output=True, timeout=60)
    assert proc.stderr == b""
    assert proc.stdout.decode().strip().endswith("status=0")


def test_bytes_that_are_not_utf8_are_shown_replaced(tmp_path: Path) -> None:
    proc = run(["check", "--with", b"caf\xe9", "--json"], tmp_path)
    assert proc.returncode == 3
    payload = json.loads(proc.stdout)
    assert payload["unrecognized"] == ["caf\ufffd"]
    assert proc.stderr == b""


def test_markup_like_text_is_literal_and_json_keeps_long_names(tmp_path: Path) -> None:
    long_name = "x" * 100_000
    proc = run(["check", "--with", f"[bold red]oops[/], {long_name}", "--json"], tmp_path)
    assert proc.returncode == 3
    payload = json.loads(proc.stdout)
    assert payload["unrecognized"] == ["[bold red]oops[/]", long_name]


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}, {"COLUMNS": "20"}])
def test_environment_variants_never_trace_back(tmp_path: Path, env: Dict[str, str]) -> None:
    proc = run(["check", "--with", "opioids", "--history", "kidney"], tmp_path, env=env)
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stderr
    assert b"\x1b" not in proc.stdout


def test_python_dash_m_works(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "baclofen_cli", "--version"], cwd=tmp_path,
                          capture_output=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith(b"baclo ")


@pytest.mark.parametrize("args", [["--data", "check", "info"], ["check", "--help"], ["chek"], ["--help"]])
def test_main_picks_the_named_command_or_the_whole_app(tmp_path: Path, args: List[str]) -> None:
    from baclofen_cli.cli import _app_for, app

    chosen = _app_for(args)
    if args == ["check", "--help"]:
        assert chosen is not app and [c.callback.__name__ for c in chosen.registered_commands] == ["check"]
    elif args[0] == "--data":
        assert [c.callback.__name__ for c in chosen.registered_commands] == ["info"]
    else:
        assert chosen is app


def test_subcommand_help_and_typos_through_the_console_script(tmp_path: Path) -> None:
    proc = run(["check", "--help"], tmp_path, env={"COLUMNS": "100"})
    assert proc.returncode == 0 and b"--fail-on" in proc.stdout
    proc = run(["chek", "--with", "x"], tmp_path)
    assert proc.returncode == 2 and b"No such command" in proc.stderr


def test_screen_records_into_a_closed_pipe_exit_74_never_0(tmp_path: Path) -> None:
    """C9: the records stopped early, so the run is incomplete: one line on stderr and 74, never 0."""
    source = tmp_path / "p.csv"
    rows = "\n".join(f"p{i},Tylenol,," for i in range(200_000)) + "\n" + "\n".join(
        f"t{i},tramadol,," for i in range(10))
    source.write_text("id,medications,conditions,daily_dose_mg\n" + rows + "\n")
    for args in ("--format fhir", "--out -", "--out - --out-format csv"):
        shell = f"'{baclo_path()}' screen '{source}' {args} | head -1 > /dev/null; echo \"status=${{PIPESTATUS[0]}}\""
        proc = subprocess.run(["bash", "-c", shell], cwd=tmp_path, capture_output=True, timeout=120)
        assert proc.stdout.decode().strip() == "status=74", args
        assert proc.stderr.count(b"\n") == 1 and b"incomplete" in proc.stderr, args


def test_sources_name_the_revision_read_through_the_console_script(tmp_path: Path) -> None:
    """Issue 13: the installed script shows document, date, link and check date of a source."""
    import json

    proc = run(["sources", "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    uk = json.loads(proc.stdout)["sources"]["uk-smpc"]
    assert uk["url"].startswith("https://www.medicines.org.uk/emc/") and uk["checked"] == "2026-11-25"
    text = run(["sources"], tmp_path).stdout.decode()
    assert "Document: Baclofen Tablets 10 mg, Generics [UK] Ltd t/a Mylan" in text
    assert "Statements compared: 2026-11-25" in text and "Not recorded:" in text
