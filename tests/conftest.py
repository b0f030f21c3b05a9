"""Shared fixtures. Tests never read ../shared: every fact they expect is written here."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
import yaml
from typer.testing import CliRunner

from baclofen_cli.cli import app
from baclofen_cli.knowledge import bundled_path, load_knowledge
from baclofen_cli.knowledge.model import Knowledge

HERE = Path(__file__).parent
MINI = HERE / "data" / "mini.yaml"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No outside setting leaks into a test; the cache lives in a per-session temp dir."""
    for name in ("BACLO_DATA", "BACLO_NO_CACHE", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "TERM", "BACLO_DEBUG",
                 "BACLO_COUNTRY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BACLO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge(str(bundled_path()))


@pytest.fixture
def mini_raw() -> Dict[str, Any]:
    return yaml.safe_load(MINI.read_text(encoding="utf-8"))


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[Any], Path]:
    def write(data: Any, name: str = "k.yaml") -> Path:
        path = tmp_path / name
        text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        return path
    return write


class Run:
    """Invoke the CLI in-process through Typer's CliRunner."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, env: Dict[str, str] | None = None) -> Any:
        return self.runner.invoke(app, list(args), env=env, catch_exceptions=False)

    def json(self, *args: str, env: Dict[str, str] | None = None) -> Any:
        result = self(*args, "--json", env=env)
        return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def run() -> Run:
    return Run()


def words(items: List[str]) -> str:
    return ", ".join(items)


ESC = "\x1b"
__all__ = ["ESC", "MINI", "Run", "os"]
