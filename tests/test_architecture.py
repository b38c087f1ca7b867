"""Imports run one way (docs/ARCHITECTURE.md): ground floor, registry, programmes/volunteers, roof.

Read from the source with ``ast``, so a new module cannot quietly break the rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = {"lbc_office", "registry", "programmes", "volunteers"}
# The ground floor of lbc_office: accounts, shared bases, settings readers. It imports none of
# our apps. Everything else in lbc_office is the roof (urls, views, reports, commands).
GROUND_FLOOR = {
    "lbc_office/core/models.py",
    "lbc_office/core/auth.py",
    "lbc_office/core/accounts.py",
    "lbc_office/core/env.py",
    "lbc_office/core/admin.py",
    "lbc_office/core/admin_site.py",
    "lbc_office/core/admin_audit.py",
    "lbc_office/core/apps.py",
    "lbc_office/celery.py",
    "lbc_office/core/templatetags/lbc.py",
    "lbc_office/core/forms.py",
    "lbc_office/core/audit.py",
    "lbc_office/core/twofactor.py",
    "lbc_office/core/enrolment.py",
    "lbc_office/core/lockout.py",
    "lbc_office/core/security.py",
    "lbc_office/core/converters.py",
    "lbc_office/core/redirects.py",
}
ALLOWED = {
    "ground": set(),
    "registry": {"ground"},
    "programmes": {"ground", "registry"},
    "volunteers": {"ground", "registry"},
}


def _layer(module: str) -> str | None:
    """The layer of the file that ``module`` (or an object inside it) comes from."""
    parts = module.split(".")
    if parts[0] not in APPS:
        return None
    if parts[0] != "lbc_office":
        return parts[0]
    for n in range(len(parts), 0, -1):
        path = "/".join(parts[:n])
        if f"{path}.py" in GROUND_FLOOR:
            return "ground"
        if (ROOT / f"{path}.py").exists() or n == 1:
            return "ground" if n == 1 and len(parts) == 1 else "roof"
    return "roof"


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _sources():
    for app in sorted(APPS):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


@pytest.mark.parametrize("path", list(_sources()), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_one_way(path):
    rel = str(path.relative_to(ROOT))
    own = (
        "ground"
        if rel in GROUND_FLOOR
        else ("roof" if rel.startswith("lbc_office/") else rel.split("/")[0])
    )
    if own == "roof":
        return  # the roof may import everything
    allowed = ALLOWED[own] | {own}
    bad = {m for m in _imports(path) if _layer(m) not in allowed | {None}}
    assert not bad, f"{rel} ({own}) must not import {sorted(bad)}"


def test_the_user_model_points_at_no_app():
    from lbc_office.core.models import User

    targets = {f.related_model._meta.app_label for f in User._meta.concrete_fields if f.is_relation}
    assert not targets & (APPS - {"lbc_office"})
