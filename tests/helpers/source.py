"""The project's own source code read as syntax trees (for tests that list where something is called)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def calls_in_functions(skip=()):
    """(module path, enclosing function, call node) of every call inside a function of the project's code:
    not the tests, migrations or installed packages, nor the modules in ``skip``."""
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {".venv", "tests", "node_modules"} or "migrations" in rel.parts or str(rel) in skip:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(func):
                    if isinstance(node, ast.Call):
                        yield str(rel), func.name, node


def called_name(node) -> tuple[str | None, str | None]:
    """(name, owner) of a call: ``bump`` and ``datacache`` for ``datacache.bump(...)``; owner None for a bare name."""
    name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
    return name, getattr(getattr(node.func, "value", None), "id", None)
