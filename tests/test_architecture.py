"""Imports run one way (docs/ARCHITECTURE.md): ground, registry, casework, the apps, roof.

The layers come from the packages, not from a list of files: ``lbc_office/core/`` is the ground
floor; ``registry/`` is the register; ``casework/`` sits on it; ``programmes/`` and
``volunteers/`` sit side by side on casework; everything else in ``lbc_office/`` (its project
files and its other packages) is the roof. Read from the source with ``ast``, so a new module
cannot quietly break the rule.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lbc_office", "registry", "casework", "programmes", "volunteers")
GROUND = "lbc_office.core"
# Which layers each layer may import (its own always). The two apps on the register are
# siblings: neither imports the other. The roof may import everything.
ALLOWED = {
    "ground": {"ground"},
    "registry": {"ground", "registry"},
    "casework": {"ground", "registry", "casework"},
    "programmes": {"ground", "registry", "casework", "programmes"},
    "volunteers": {"ground", "registry", "casework", "volunteers"},
}


def _layer(module: str) -> str | None:
    """The layer a dotted module (or an object inside one) belongs to; None if not ours."""
    top = module.split(".")[0]
    if top not in PACKAGES:
        return None
    if top != "lbc_office":
        return top
    if module == GROUND or module.startswith(GROUND + "."):
        return "ground"
    return "roof"


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imported(node) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return []


def _imports(path: Path, *, top_level: bool | None = None):
    """Every module ``path`` imports (with ``top_level``: only those at module level, or only
    those inside a function or class)."""
    tree = _tree(path)
    outer = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if top_level is not None and (id(node) in outer) != top_level:
            continue
        yield from _imported(node)


@cache
def _module_paths() -> dict[str, Path]:
    return {_module_of(path): path for path in _sources()}


def _resolve(name: str) -> str | None:
    """The module of ours that ``name`` (a module or an object in one) is."""
    modules = _module_paths()
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


@cache
def _loads(module: str) -> frozenset[str]:
    """The modules of ours that importing ``module`` loads (module-level imports, transitively,
    with the packages on the way)."""
    seen, todo = set(), [module]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        parts = current.split(".")
        todo += [".".join(parts[:n]) for n in range(1, len(parts)) if ".".join(parts[:n])]
        path = _module_paths().get(current)
        if path is not None:
            todo += [m for m in map(_resolve, _imports(path, top_level=True)) if m]
    return frozenset(seen)


# Cycles inside one package that another branch is reworking: (module, the module it imports
# inside a function). registry/importing belongs to the importer's split (issue 17): the XLSX
# reader's two halves import each other. Remove the entry when that work breaks the cycle.
KNOWN_CYCLES = {("registry.importing.xlsx", "registry.importing.xlsx_sheet")}

SOURCES = _sources()
IDS = [str(p.relative_to(ROOT)) for p in SOURCES]


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_imports_run_one_way(path):
    own = _layer(_module_of(path))
    if own == "roof":
        return  # the roof may import everything
    bad = {m for m in _imports(path) if _layer(m) not in ALLOWED[own] | {None}}
    assert not bad, f"{path.relative_to(ROOT)} ({own}) must not import {sorted(bad)}"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_no_import_inside_a_function_dodges_a_cycle(path):
    """An import inside a function that could not move to the top because the module it names
    loads this one back is a cycle in hiding: break it (a registration, a task sent by name)."""
    me = _module_of(path)
    dodges = {
        name
        for name in filter(None, map(_resolve, _imports(path, top_level=False)))
        if name != me and me in _loads(name) and (me, name) not in KNOWN_CYCLES
    }
    assert not dodges, f"{me} imports {sorted(dodges)} inside a function: they load it back"


def _reverse_paths_into(layer: str) -> set[str]:
    """The ORM names by which a model of ``layer`` reaches a model of another app (the reverse
    side of that app's foreign keys, e.g. ``Child.assignments``): that app's schema."""
    names = set()
    for model in apps.get_models():
        owner = _layer(model._meta.app_config.name)
        for field in model._meta.get_fields():
            target = field.related_model
            if not field.concrete or target is None or owner == layer:
                continue
            if _layer(target._meta.app_config.name) == layer and not field.remote_field.hidden:
                names.add(field.remote_field.get_accessor_name())
                names.add(field.related_query_name())
    return names


def _strings(path: Path):
    """The string constants of ``path``, docstrings left out (they may name anything)."""
    tree = _tree(path)
    docs = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            docs.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.value


@pytest.mark.parametrize("layer", ["ground", "registry", "casework", "programmes", "volunteers"])
def test_no_code_is_written_in_another_apps_schema(layer):
    """Below the roof no string names a model of an app it may not import (``"volunteers.
    assignment"``, its table, a URL ``volunteers:…``) or walks into another app's models
    through an ORM path (``"assignments__volunteer__user"``): such a rule belongs to that app,
    registered from its ``AppConfig.ready()`` (registry/access.py, filters.py, timeline.py)."""
    others = {c for c in apps.get_app_configs() if _layer(c.name) not in ALLOWED[layer] | {None}}
    words = [re.escape(c.label) + "[.:][a-z]" for c in others] + [
        re.escape(m._meta.db_table) + r"\b" for c in others for m in c.get_models()
    ]
    label = re.compile(rf"(?<![\w.])({'|'.join(words)})")
    paths = _reverse_paths_into(layer)
    orm = re.compile(rf"(?:^|__)({'|'.join(map(re.escape, sorted(paths)))})(?:__|$)")
    found = []
    for path in SOURCES:
        if _layer(_module_of(path)) != layer:
            continue
        for text in _strings(path):
            if label.search(text) or (paths and "__" in text and orm.search(text)):
                found.append(f"{path.relative_to(ROOT)}: {text!r}")
    assert not found, "\n".join(found)


def test_the_layers_come_from_the_packages():
    """Every file is placed (nothing falls between layers), and the ground floor is a package."""
    assert (ROOT / "lbc_office" / "core" / "__init__.py").exists()
    placed = {_layer(_module_of(path)) for path in SOURCES}
    assert placed == {"ground", "registry", "casework", "programmes", "volunteers", "roof"}
    assert apps.get_app_config("lbc_office").name == GROUND


def test_the_user_model_points_at_no_app():
    from lbc_office.core.models import User

    targets = {f.related_model._meta.app_label for f in User._meta.concrete_fields if f.is_relation}
    ours = {c.label for c in apps.get_app_configs() if _layer(c.name)} - {"lbc_office"}
    assert not targets & ours
