"""The core app imports neither app: apps import the core, never the other way round."""

import ast
from pathlib import Path

import portal

APPS = {"patients", "exercises", "bench"}


def imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_the_core_imports_no_app():
    core = Path(portal.__file__).parent
    found = {
        (str(path.relative_to(core)), module)
        for path in core.rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in APPS
    }
    assert found == set()
