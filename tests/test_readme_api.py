"""The README's Python API example runs as written and gives what it promises."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_python_api_example_in_the_readme_runs() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1]
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)[:1]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - our own README
    printed = out.getvalue()
    assert "major Opioids" in printed
    assert printed.rstrip().splitlines()[-1] == "1"  # exit status: flagged, everything checked
