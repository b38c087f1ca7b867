"""Files small enough to read in one sitting (issue 17): no source file outside migrations and
tests over 400 lines, no function over 60. Split a module into a package by subject, and a long
function into named steps, before either limit is reached."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lbc_office", "registry", "casework", "programmes", "volunteers", "scripts")
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


SOURCES = list(_sources())


def test_the_walk_sees_the_code():
    assert len(SOURCES) > 100
    assert ROOT / "registry" / "models" / "children.py" in SOURCES


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_file_is_too_long_to_read(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_FILE_LINES, f"{lines} lines: split it by subject"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_is_too_long_to_read(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = {
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines, from line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    }
    assert not long, f"split into named steps: {sorted(long)}"
