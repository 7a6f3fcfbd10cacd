"""Which way the imports point, read from the source files with ast (so an import inside a
function or under TYPE_CHECKING counts too): gateway/core is pure (the standard library
without its I/O, gateway.core, telecom, and the pure third-party libraries named below);
telecom is shared by both sides and imports neither; the simulator never imports the gateway."""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# the standard library's I/O and concurrency: a rule that needs them belongs in the shell
IMPURE_STDLIB = frozenset(
    {
        "asyncio",
        "concurrent",
        "http",
        "multiprocessing",
        "select",
        "selectors",
        "shutil",
        "socket",
        "socketserver",
        "sqlite3",
        "ssl",
        "subprocess",
        "threading",
        "urllib.request",
    }
)
# third-party libraries that do no I/O; anything else in gateway/core is added here on purpose
PURE_THIRD_PARTY = frozenset({"phonenumbers"})


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _package(path: Path) -> str:
    """The dotted package a file's relative imports start from."""
    parts = path.relative_to(ROOT).parts
    return ".".join(parts[:-1])


def imports(source: str, package: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in `source`, a module of `package`,
    relative imports resolved; `from a import b` counts as a.b too (b may be a module)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([module] if module else [])])
            found.append((node.lineno, module))
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def _within(module: str, prefixes: frozenset[str] | set[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def core_allows(module: str) -> bool:
    top = module.split(".")[0]
    if top in ("gateway", "simulator"):
        return _within(module, {"gateway.core"}) or module == "gateway"
    if top == "telecom" or top == "__future__":
        return True
    if top in sys.stdlib_module_names:
        return not _within(module, IMPURE_STDLIB)
    return top in PURE_THIRD_PARTY


def _offences(package: str, allowed: Callable[[str], bool]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _modules(package)
        for line, module in imports(path.read_text(), _package(path))
        if not allowed(module)
    ]


def test_gateway_core_imports_only_pure_modules() -> None:
    assert _modules("gateway/core"), "gateway/core has moved: point this test at it"
    assert _offences("gateway/core", core_allows) == []


def test_telecom_imports_neither_side() -> None:
    assert _offences("telecom", lambda m: m.split(".")[0] not in ("gateway", "simulator")) == []


# The runner's in-process lab starts a gateway beside the simulator: it reaches it through
# these two names only, imported when such a run starts (see its docstring).
LAB = "simulator/runner/local_lab.py"
LAB_REACHES = {"gateway.app", "gateway.app.create_app", "gateway.config", "gateway.config.Config"}


def test_the_simulator_imports_nothing_of_the_gateway() -> None:
    offences = _offences("simulator", lambda m: m.split(".")[0] != "gateway")
    lab = [o for o in offences if o.startswith(LAB + ":")]
    assert [o for o in offences if o not in lab] == []
    assert {o.rpartition(" imports ")[2] for o in lab} <= LAB_REACHES
    # ... and never at import time: the simulator alone must not load the gateway
    tree = ast.parse((ROOT / LAB).read_text())
    top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    assert not [
        m
        for n in top
        for _, m in imports(ast.unparse(n), "simulator.runner")
        if m.startswith("gateway")
    ]


@pytest.mark.parametrize(
    ("source", "allowed"),
    [
        ("import asyncio", False),
        ("from sqlite3 import connect", False),
        ("import aiohttp.web", False),
        ("from gateway.store import Store", False),
        ("from gateway import store", False),
        ("from .. import edge", False),
        ("from ..workers.dispatcher import run", False),
        ("def f():\n    import asyncpg", False),
        ("from urllib.request import urlopen", False),
        ("from urllib.parse import quote", True),
        ("from .models import Sms", True),
        ("from gateway.core import dates", True),
        ("from telecom import Reason", True),
        ("import phonenumbers", True),
    ],
)
def test_the_core_rule_reads_the_real_imports(source: str, allowed: bool) -> None:
    """What the check above would say of a file in gateway/core holding `source`."""
    found = imports(source, "gateway.core")
    assert all(core_allows(module) for _, module in found) is allowed, found
