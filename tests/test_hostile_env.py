"""Hostile environment and knowledge files: closed or full stdout, extreme COLUMNS, escape sequences,
duplicate keys, special files, damaged caches. Never a traceback, a hang or wrong data served."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from conftest import ESC, MINI
from test_installed import baclo_path

from baclofen_cli.errors import DataError
from baclofen_cli.knowledge import load_knowledge, loader
from baclofen_cli.render.safe import columns, visible

EVIL = "xyzzy\n- oxycodone: no known interaction\x1b[31m\x9b2J\u202e\u2028end\r"


def baclo(args: List[str], tmp_path: Path, env: Optional[Dict[str, str]] = None, **kwargs: Any) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("BACLO_", "FORCE_COLOR", "NO_COLOR", "COLUMNS"))}
    full_env["BACLO_CACHE_DIR"] = str(tmp_path / "cache")
    full_env.update(env or {})
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run([baclo_path(), *args], cwd=tmp_path, env=full_env, stderr=subprocess.PIPE,
                          timeout=60, **kwargs)


# ---------------------------------------------------------------- standard output


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["info", "--all"], ["--version"], ["check", "--with", "oxycodone", "--json"],
                                  ["check", "--with", "oxycodone", "--format", "fhir"], ["--help"]])
def test_full_stdout_is_one_line_and_exit_74(tmp_path: Path, args: List[str]) -> None:
    with open("/dev/full", "w") as full:
        proc = baclo(args, tmp_path, stdout=full)
    assert proc.returncode == 74
    assert proc.stderr.decode() == "baclo: error: cannot write the output: No space left on device\n"


def test_closed_stdout_is_one_line_and_exit_74(tmp_path: Path) -> None:
    proc = baclo(["info", "--all"], tmp_path, stdout=None, pass_fds=(),
                 preexec_fn=lambda: os.close(1))
    assert proc.returncode == 74
    assert proc.stderr.decode().count("\n") == 1 and "cannot write the output" in proc.stderr.decode()


def test_reader_closing_early_is_quiet_and_keeps_the_status(tmp_path: Path) -> None:
    proc = subprocess.Popen([baclo_path(), "check", "--with", "oxycodone, " * 2000 + "xyzzy"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "BACLO_CACHE_DIR": str(tmp_path / "cache")})
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 4  # flagged and not checked, as the full output would say
    assert err == b""


# ---------------------------------------------------------------- terminal width and escapes


@pytest.mark.parametrize("value,expected", [("80", 80), ("0", 20), ("-5", 20), ("99999999999999", 500),
                                            ("abc", 100), ("", 100), (None, 100), ("9" * 5000, 100)])
def test_columns_are_clamped(value: Optional[str], expected: int) -> None:
    assert columns(value) == expected


@pytest.mark.parametrize("value", ["999999999", "-1", "0", "abc", "1" * 5000])
def test_extreme_columns_give_bounded_output(run: Any, value: str) -> None:
    for env in ({"COLUMNS": value}, {"COLUMNS": value, "LINES": value, "FORCE_COLOR": "1"}):
        result = run("interactions", env=env)
        assert result.exit_code == 0
        visible_lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in result.stdout.splitlines()]
        assert max(len(line) for line in visible_lines) <= 600  # the width on screen (colour codes take none)
        assert len(result.stdout) < 200_000


def test_visible_escapes_every_control() -> None:
    shown = visible(EVIL)
    assert shown.isprintable()
    assert shown == "xyzzy\\n- oxycodone: no known interaction\\x1b[31m\\x9b2J\\u202e\\u2028end\\r"
    assert visible("naïve 5\u00a0mg ТайленолЖ") == "naïve 5\u00a0mg ТайленолЖ"  # letters and no-break spaces kept


@pytest.mark.parametrize("env", [{}, {"FORCE_COLOR": "1"}, {"FORCE_COLOR": "1", "COLUMNS": "30"}])
def test_input_cannot_forge_output_lines(run: Any, env: Dict[str, str]) -> None:
    result = run("check", "--with", EVIL, "--history", EVIL, env=env)
    assert result.exit_code == 4  # line breaks separate items: "- oxycodone: ..." is flagged, partly checked
    lines = result.stdout.splitlines()
    assert not any(line.lstrip().startswith("- oxycodone") for line in lines)
    for bad in ("\r", "\x9b", "\u202e", "\u2028"):
        assert bad not in result.stdout
    if not env:
        assert ESC not in result.stdout
    else:  # Rich adds its own styles; the input's ESC is shown escaped
        assert "\x1b[31m\x9b" not in result.stdout and "\\x1b[31m" in result.stdout.replace("\n", "")


def test_error_messages_are_escaped_too(run: Any) -> None:
    result = run("info", "\x1b[2Jplugh")
    assert result.exit_code == 2
    assert ESC not in result.stderr


def test_data_file_text_is_escaped(tmp_path: Path, mini_raw: Dict[str, Any], write_yaml: Any, run: Any) -> None:
    mini_raw["meta"]["disclaimer"] = "Informational.\x1b[8m hidden\nFORGED LINE"
    path = write_yaml(mini_raw)
    for env in ({}, {"FORCE_COLOR": "1"}):
        result = run("--data", str(path), "check", "--with", "oxycodone", env=env)
        assert "\x1b[8m" not in result.stdout
        assert not any(line.startswith("FORGED") for line in result.stdout.splitlines())


# ---------------------------------------------------------------- the knowledge file


def test_duplicate_keys_are_an_error_naming_the_lines(write_yaml: Any) -> None:
    text = MINI.read_text(encoding="utf-8").replace("meta:\n", "meta:\n  drug: other\n", 1)
    path = write_yaml(text)
    with pytest.raises(DataError) as e:
        load_knowledge(str(path))
    assert "the key 'drug' is given twice in one mapping" in e.value.message
    line = text.splitlines().index("  drug: other") + 1
    assert f"(first at line {line})" in e.value.message
    assert f"at line {line + 1}," in e.value.message


def test_duplicate_keys_in_a_nested_mapping(write_yaml: Any) -> None:
    path = write_yaml("a:\n  - {x: 1, x: 2}\n")
    with pytest.raises(DataError, match="'x' is given twice"):
        load_knowledge(str(path))


def test_duplicate_keys_cli_exit_2(run: Any, write_yaml: Any) -> None:
    path = write_yaml("schema_version: 1\nschema_version: 1\n")
    result = run("--data", str(path), "info")
    assert result.exit_code == 2 and "given twice" in result.stderr and "Traceback" not in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_as_data_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "k.yaml"
    os.mkfifo(fifo)
    proc = baclo(["--data", str(fifo), "info"], tmp_path)  # would hang forever if opened for reading
    assert proc.returncode == 2
    assert b"it is a FIFO (named pipe), not a regular file" in proc.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/stdin"])
def test_devices_are_refused(run: Any, device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    result = run("--data", device, "info")
    assert result.exit_code == 2
    assert "not a regular file" in result.stderr


def test_directory_is_refused(run: Any, tmp_path: Path) -> None:
    result = run("--data", str(tmp_path), "info")
    assert result.exit_code == 2 and "it is a directory" in result.stderr


# ---------------------------------------------------------------- the cache


def _fresh(mini_raw: Dict[str, Any], write_yaml: Any, version: str) -> Any:
    mini_raw["meta"]["data_version"] = version
    path = write_yaml(mini_raw)
    first = load_knowledge(str(path))
    cache = loader._cache_file(first.digest)
    assert cache is not None and cache.exists()
    loader._loaded.clear()
    return path, cache


def _load_again(path: Path, version: str) -> None:
    loader._loaded.clear()
    again = load_knowledge(str(path))
    assert again.meta.data_version == version
    assert len(again.interactions) > 0  # every part is built and intact


@pytest.mark.parametrize("damage", ["truncate", "truncate-header", "empty", "binary", "wrong-shape",
                                    "wrong-shape-valid-checksum", "edited", "wrong-version", "other-digest",
                                    "other-code", "directory"])
def test_damaged_cache_is_rebuilt_never_served(mini_raw: Dict[str, Any], write_yaml: Any, damage: str) -> None:
    version = f"cache-{damage}"
    path, cache = _fresh(mini_raw, write_yaml, version)
    blob = cache.read_bytes()
    header_line, body = blob.split(b"\n", 1)
    header = json.loads(header_line)

    def with_body(new_body: bytes, **changes: Any) -> bytes:
        from _blake2 import blake2b

        h = {**header, "checksum": blake2b(new_body, digest_size=32).hexdigest(), **changes}
        return json.dumps(h).encode() + b"\n" + new_body

    if damage == "truncate":
        cache.write_bytes(blob[: len(blob) // 2])
    elif damage == "truncate-header":
        cache.write_bytes(blob[:20])
    elif damage == "empty":
        cache.write_bytes(b"")
    elif damage == "binary":
        cache.write_bytes(os.urandom(2000))
    elif damage == "wrong-shape":
        cache.write_bytes(header_line + b"\n" + b'{"data": [1, 2], "medication_names": 3}')
    elif damage == "wrong-shape-valid-checksum":
        cache.write_bytes(with_body(b'{"data": {"meta": "x"}, "medication_names": {}, "condition_names": {}}'))
    elif damage == "edited":  # served, this would change what baclo says
        cache.write_bytes(blob.replace(version.encode(), b"EDITED-IN-CACHE"))
    elif damage == "wrong-version":
        cache.write_bytes(with_body(body, format="0-old"))
    elif damage == "other-digest":
        cache.write_bytes(with_body(body, digest="0" * 64))
    elif damage == "other-code":
        cache.write_bytes(with_body(body, code="0" * 32))
    elif damage == "directory":
        cache.unlink()
        cache.mkdir()
    _load_again(path, version)


def test_edited_cache_is_not_served_even_with_the_same_length(mini_raw: Dict[str, Any], write_yaml: Any) -> None:
    path, cache = _fresh(mini_raw, write_yaml, "cache-AAAA")
    cache.write_bytes(cache.read_bytes().replace(b"cache-AAAA", b"cache-BBBB"))
    _load_again(path, "cache-AAAA")
    assert b"cache-AAAA" in cache.read_bytes()  # rewritten


def test_cache_key_includes_the_code(mini_raw: Dict[str, Any], write_yaml: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    path, cache = _fresh(mini_raw, write_yaml, "cache-code")
    monkeypatch.setattr(loader, "_code_digest", "f" * 32)  # as if schema.py had changed
    assert loader._cache_file(load_knowledge(str(path)).digest) != cache


def test_code_digest_reads_the_builder_sources() -> None:
    assert set(loader.CODE_MODULES) <= set(sys.modules)
    assert len(loader.code_digest()) == 32


def test_damaged_cache_from_the_cli_is_not_a_crash(run: Any, tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    env = {"BACLO_CACHE_DIR": str(cache_dir)}
    assert run("check", "--with", "oxycodone", env=env).exit_code == 1
    for cache in cache_dir.glob("knowledge-*.json"):
        cache.write_text('{"format": "2"}\n[]')
    loader._loaded.clear()
    assert run("check", "--with", "oxycodone", env=env).exit_code == 1


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_interrupt_says_so_and_exits_130(tmp_path: Path) -> None:
    import signal
    import time

    proc = subprocess.Popen([baclo_path(), "check", "--fhir", "-"], cwd=tmp_path, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "BACLO_CACHE_DIR": str(tmp_path / "cache")})
    time.sleep(1.5)  # started, and waiting for standard input
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err == b"baclo: interrupted\n" and out == b""


def _strings(value: Any) -> List[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [s for v in value for s in _strings(v)] if isinstance(value, list) else []


@pytest.mark.parametrize("fmt", ["--json", "--format=fhir"])
def test_json_output_escapes_what_a_terminal_would_act_on(run: Any, fmt: str) -> None:
    # line breaks separate items in --with (a list pasted from a file): other controls stand in for them
    item = EVIL.replace("\n", "\x0b").replace("\r", "\x0c") + "\x7f\u200b"
    result = run("check", "--with", item, fmt)
    for bad in ("\x1b", "\x9b", "\u202e", "\u2028", "\r", "\x0b", "\x0c", "\x7f", "\u200b"):
        assert bad not in result.stdout
    assert any(item in s for s in _strings(json.loads(result.stdout)))  # the same value, exactly
