"""The README's Python example runs and prints what the README says it prints."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_python_example_prints_what_the_readme_shows():
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Python API", 1)[1]
    code, shown = re.findall(r"```(?:python)?\n(.*?)```", section, re.S)[:2]
    output = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)  # the example names its file relative to the repository
    try:
        with contextlib.redirect_stdout(output):
            exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert output.getvalue() == shown
