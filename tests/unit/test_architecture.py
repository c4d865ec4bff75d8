"""The rooms of docs/architecture.md import only what their room may: every import of every
module, at any depth (inside functions too), read from the source without running it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DRIVERS = ("psycopg", "psycopg_pool", "sqlite3")
LIBRARY_PERSISTENCE = ("eventsourcing.postgres", "eventsourcing.sqlite", "eventsourcing.popo")
WEB = ("flask", "werkzeug")

# What each room may not import, beside itself (docs/architecture.md).
FORBIDDEN = {
    "tracker": (*DRIVERS, *LIBRARY_PERSISTENCE, *WEB, "projections", "api", "adapters", "cli"),
    "adapters": ("projections", "api", "cli", *WEB),
    "projections": ("api", "cli", *WEB),
    "api": ("cli",),
}


def imported_modules(source: str, module: str) -> list[tuple[int, str]]:
    """(line, module) of every import in `source`, the module named as it would be imported:
    `from eventsourcing import postgres` names `eventsourcing.postgres`, and a relative import is
    resolved against `module`, the dotted name of the module the source is."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module)
            found += [(node.lineno, base)] + [
                (node.lineno, f"{base}.{alias.name}".lstrip("."))
                for alias in node.names
                if alias.name != "*"
            ]
        elif _is_dynamic_import(node):
            found.append((node.lineno, node.args[0].value))
    return found


def _absolute(node: ast.ImportFrom, module: str) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")[: -node.level]
    return ".".join([*package, *([node.module] if node.module else [])])


def _is_dynamic_import(node: ast.AST) -> bool:
    """`importlib.import_module("psycopg")` or `__import__("psycopg")` with a written name."""
    if not (
        isinstance(node, ast.Call)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return False
    called = node.func
    return (
        isinstance(called, ast.Name)
        and called.id == "__import__"
        or isinstance(called, ast.Attribute)
        and called.attr == "import_module"
    )


def _within(name: str, forbidden: str) -> bool:
    return name == forbidden or name.startswith(forbidden + ".")


def violations(source: str, path: str, room: str) -> list[str]:
    """Each import of `source` (the file at `path`, in `room`) that its room may not make, once a
    line: `from psycopg.sql import SQL` is reported as importing `psycopg.sql`."""
    module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    named: dict[tuple[int, str], str] = {}
    for line, name in imported_modules(source, module):
        for forbidden in FORBIDDEN[room]:
            if _within(name, forbidden):
                named[line, forbidden] = min(named.get((line, forbidden), name), name, key=len)
    return [
        f"{path}:{line} imports {name} (nothing in {room}/ may import {forbidden})"
        for (line, forbidden), name in sorted(named.items())
    ]


def room_violations(room: str) -> list[str]:
    found = []
    for path in sorted((ROOT / room).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        found += violations(path.read_text(encoding="utf-8"), relative, room)
    return sorted(set(found))


def test_the_write_side_imports_no_driver_no_web_framework_and_no_other_room():
    found = room_violations("tracker")
    assert not found, "\n".join(found)


def test_the_adapters_import_neither_the_views_nor_the_server_nor_the_command_line():
    found = room_violations("adapters")
    assert not found, "\n".join(found)


def test_the_views_import_neither_the_server_nor_the_command_line():
    found = room_violations("projections")
    assert not found, "\n".join(found)


def test_the_server_does_not_import_the_command_line():
    found = room_violations("api")
    assert not found, "\n".join(found)


def test_an_import_inside_a_function_is_found_with_its_file_and_line():
    source = "import os\n\n\ndef connect():\n    import psycopg\n    return psycopg\n"
    assert violations(source, "tracker/example.py", "tracker") == [
        "tracker/example.py:5 imports psycopg (nothing in tracker/ may import psycopg)"
    ]


def test_every_way_of_naming_a_forbidden_module_is_found():
    source = (
        "from eventsourcing import postgres\n"
        "from psycopg.sql import SQL\n"
        "from . import application\n"
        "importlib.import_module('flask')\n"
        "from eventsourcing.persistence import Notification\n"
        "import projections.store as views\n"
    )
    found = violations(source, "tracker/usecases/example.py", "tracker")
    assert [message.split(" (")[0] for message in found] == [
        "tracker/usecases/example.py:1 imports eventsourcing.postgres",
        "tracker/usecases/example.py:2 imports psycopg.sql",
        "tracker/usecases/example.py:4 imports flask",
        "tracker/usecases/example.py:6 imports projections.store",
    ]
