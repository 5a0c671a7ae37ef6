"""The layout of the test suite holds: a test module never imports another test module (shared helpers live
in tests/helpers/, fixtures in tests/conftest.py, factories in tests/factories.py), and no helper module
lies loose in tests/. The checks read the source with ``ast`` (imports inside functions count, relative or
absolute, and dotted paths such as settings.EMAIL_BACKEND = "tests.test_x.Backend"); the tests at the end
prove they catch each kind of slip."""
import ast
import re
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
THIS = Path(__file__).name
ALLOWED_FILES = {"__init__.py", "conftest.py", "factories.py"}
ALLOWED_DIRS = {"helpers", "data"}
TEST_MODULE = re.compile(r"test_\w+")
DOTTED_TEST_MODULE = re.compile(r"tests\.test_\w+")


def imported_test_modules(source: str, *, dotted: bool = True) -> list[str]:
    """The test modules (test_*) that ``source`` imports, as written; with ``dotted`` also the strings that
    name one by a dotted path (settings.EMAIL_BACKEND = "tests.test_x.Backend", in an f-string too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names
                      if any(TEST_MODULE.fullmatch(part) for part in alias.name.split("."))]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if any(TEST_MODULE.fullmatch(part) for part in (node.module or "").split(".")):
                found.append(module)
            else:  # from . import test_x, from tests import test_x
                found += [f"{module}.{alias.name}".replace("..", ".") for alias in node.names
                          if TEST_MODULE.fullmatch(alias.name)]
        elif dotted and isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and DOTTED_TEST_MODULE.match(node.value):
            found.append(node.value)
    return found


def loose_modules(directory: Path) -> list[str]:
    """Files and directories in ``directory`` that are neither tests nor one of the allowed places."""
    loose = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.name == "__pycache__":
            continue
        if path.is_dir():
            if path.name not in ALLOWED_DIRS:
                loose.append(path.name + "/")
        elif path.name not in ALLOWED_FILES and not (path.name.startswith("test_") and path.suffix == ".py"):
            loose.append(path.name)
    return loose


# --- the suite as it is ---------------------------------------------------------------------------------

def test_no_test_module_or_helper_imports_a_test_module():
    modules = sorted(TESTS_DIR.glob("test_*.py")) + sorted((TESTS_DIR / "helpers").glob("*.py")) + [
        TESTS_DIR / "conftest.py", TESTS_DIR / "factories.py"]
    assert len(modules) > 50
    offenders = {
        str(path.relative_to(TESTS_DIR)): names for path in modules
        # this file names test modules in strings: the examples below
        if (names := imported_test_modules(path.read_text(encoding="utf-8"), dotted=path.name != THIS))
    }
    assert offenders == {}, "move what is shared to tests/helpers/ (or conftest.py, factories.py)"


def test_no_helper_module_lies_loose_in_tests():
    assert loose_modules(TESTS_DIR) == [], "helper modules belong in tests/helpers/"
    assert not list((TESTS_DIR / "helpers").glob("test_*.py")), "tests/helpers/ holds no tests"


# --- the checks catch a slip ------------------------------------------------------------------------------

@pytest.mark.parametrize("source, expected", [
    ("from .test_x import y", [".test_x"]),
    ("from tests.test_x import y as z", ["tests.test_x"]),
    ("import tests.test_x", ["tests.test_x"]),
    ("import test_x", ["test_x"]),
    ("from . import test_x", [".test_x"]),
    ("from tests import factories, test_x", ["tests.test_x"]),
    ("def helper():\n    from .test_x import y\n    return y", [".test_x"]),
    ('BACKEND = "tests.test_x.BrokenBackend"', ["tests.test_x.BrokenBackend"]),
    ('BACKEND = f"tests.test_x.{name}"', ["tests.test_x."]),
])
def test_the_import_check_catches_a_test_module_import(source, expected):
    assert imported_test_modules(source) == expected


def test_the_import_check_lets_helpers_and_the_apps_through():
    source = ("from .helpers.pdf import norm\nfrom .helpers import workflow\nfrom . import factories\n"
              "from .factories import UserFactory\nimport pytest\nfrom reports.workflow import transitions\n"
              'URL = "tests.helpers.urls_failing"\nNAME = "test_x"\n')
    assert imported_test_modules(source) == []


def test_the_layout_check_catches_a_loose_helper(tmp_path):
    for name in ("__init__.py", "conftest.py", "factories.py", "test_a.py", "workflow.py", "notes.txt"):
        (tmp_path / name).write_text("")
    for name in ("helpers", "data", "fixtures", "__pycache__"):
        (tmp_path / name).mkdir()
    assert loose_modules(tmp_path) == ["fixtures/", "notes.txt", "workflow.py"]
