"""The layer rules (README, "Layout and rules"), enforced on the import graph of every .py file in
the repository: every ``import`` and ``from ... import`` at any depth, inside functions too.

1. welfare_core imports none of welfare_ui, pages, bench, streamlit.
2. pages and welfare_ui import no welfare_core.db (nor welfare_core.store) and no consolidate,
   and use no attribute named ``store``.
3. nothing but tests imports bench or tests (bench imports itself, never tests).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from support import ROOT

SKIPPED = {".venv", ".git", "__pycache__", "artifacts", "node_modules"}
OUTSIDE_CORE = {"welfare_ui", "pages", "bench", "streamlit"}
STORAGE = ("welfare_core.db", "welfare_core.store", "welfare_core.consolidate")


@dataclass(frozen=True, order=True)
class Use:
    """One import (``name`` as a full dotted module name) or one ``.store`` attribute."""

    path: Path  # relative to the repository
    line: int
    name: str

    @property
    def layer(self) -> str:
        """The first folder, or the file itself at the top: welfare_core, pages, tests, app.py"""
        return self.path.parts[0]

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.name}"


def python_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        if not SKIPPED.intersection(path.relative_to(root).parts):
            yield path


def uses(root: Path, path: Path) -> Iterator[Use]:
    """Every module ``path`` imports (``from a import b`` gives a and a.b: b may be a module),
    and every attribute it reads named ``store``."""
    relative = path.relative_to(root)
    package = list(relative.parent.parts)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (Use(relative, node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module or "").split(".")]).strip(".")
            yield Use(relative, node.lineno, module)
            yield from (Use(relative, node.lineno, f"{module}.{a.name}") for a in node.names)
        elif isinstance(node, ast.Attribute) and node.attr == "store":
            yield Use(relative, node.lineno, ".store")


def helper_modules(root: Path) -> set[str]:
    """The top-level names a test helper is imported by: tests, and what pytest puts on the path
    from tests/ (support, conftest, the e2e package...)."""
    names = {"tests"}
    for path in (root / "tests").rglob("*.py"):
        if not (path.parent / "__init__.py").exists():
            names.add(path.stem)
        elif not (path.parent.parent / "__init__.py").exists():
            names.add(path.parent.name)
    return names


def violations(root: Path) -> dict[int, list[str]]:
    """Each rule's violations, as "file:line: what it uses", one per rule and line."""
    found: dict[int, dict[tuple[Path, int], Use]] = {1: {}, 2: {}, 3: {}}
    helpers = helper_modules(root)
    for path in python_files(root):
        for use in uses(root, path):
            top = use.name.split(".")[0]
            broken = {
                1: use.layer == "welfare_core" and top in OUTSIDE_CORE,
                2: use.layer in ("pages", "welfare_ui")
                and (use.name == ".store" or use.name.startswith(STORAGE)),
                3: use.layer != "tests"
                and (top in helpers or (top == "bench" and use.layer != "bench")),
            }
            for rule in (r for r, yes in broken.items() if yes):
                found[rule].setdefault((use.path, use.line), use)
    return {rule: [str(u) for u in sorted(uses.values())] for rule, uses in found.items()}


def test_welfare_core_imports_none_of_welfare_ui_pages_bench_or_streamlit():
    broken = violations(ROOT)[1]
    assert not broken, "\n".join(broken)


def test_welfare_core_loads_none_of_them_through_a_library_either():
    """Every module of welfare_core imported in a fresh interpreter: none of them is loaded."""
    code = (
        "import pkgutil, sys, importlib, welfare_core\n"
        "for m in pkgutil.walk_packages(welfare_core.__path__, 'welfare_core.'):\n"
        "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
        f"print(sorted({{n.split('.')[0] for n in sys.modules}} & {OUTSIDE_CORE!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_pages_and_welfare_ui_reach_storage_only_through_the_service():
    broken = violations(ROOT)[2]
    assert not broken, "\n".join(broken)


def test_nothing_but_tests_imports_bench_or_tests():
    broken = violations(ROOT)[3]
    assert not broken, "\n".join(broken)


def test_the_checker_names_the_file_and_line_of_each_broken_rule(tmp_path):
    planted = {
        "welfare_core/service.py": "import json\n\ndef f():\n    from streamlit import cache\n",
        "welfare_core/export/x.py": "class X:\n    def f(self):\n        from bench import run\n",
        "pages/start.py": "from welfare_core import consolidate\nsvc.store.read()\n",
        "welfare_ui/widgets.py": "import welfare_core.db.reads as reads\n",
        "app.py": "from bench.server import AppServer\nimport support\n",
        "bench/load.py": "from bench.server import AppServer\nfrom tests.support import ROOT\n",
        "tests/support.py": "import bench\n",
        "tests/pages/test_x.py": "from support import ROOT\nfrom welfare_core.db import store\n",
    }
    for name, source in planted.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source)
    found = violations(tmp_path)
    assert found[1] == [
        "welfare_core/export/x.py:3: bench",
        "welfare_core/service.py:4: streamlit",
    ]
    assert found[2] == [
        "pages/start.py:1: welfare_core.consolidate",
        "pages/start.py:2: .store",
        "welfare_ui/widgets.py:1: welfare_core.db.reads",
    ]
    assert found[3] == [
        "app.py:1: bench.server",
        "app.py:2: support",
        "bench/load.py:2: tests.support",
        "welfare_core/export/x.py:3: bench",
    ]
