"""The layers of the apps (.importlinter, docs/ARCHITECTURE.md) hold, and the contract that `make test` runs
would catch a module that broke them: lint-imports passes on the repository, and fails on a copy of it
with one upward or sideways import added (at module level or inside a function)."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(directory: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=directory, capture_output=True, text=True,
                          timeout=120)


def root_packages() -> list[str]:
    lines = (BASE_DIR / ".importlinter").read_text().split("root_packages =", 1)[1].splitlines()[1:]
    packages = []
    for line in lines:
        if not line.startswith((" ", "\t")) or not line.strip():
            break
        packages.append(line.strip())
    return packages


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory):
    """The contract and the Python modules of every root package, as in the repository."""
    copy = tmp_path_factory.mktemp("layers")
    shutil.copy(BASE_DIR / ".importlinter", copy / ".importlinter")
    for package in root_packages():
        shutil.copytree(BASE_DIR / package, copy / package,
                        ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "data", "catalogue"))
    return copy


def test_the_repository_keeps_its_layers():
    result = lint_imports(BASE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_every_app_is_in_a_layer():
    """A new app outside the contract would escape it: every top-level package but the tests is listed."""
    apps = {path.parent.name for path in BASE_DIR.glob("*/__init__.py")} - {"tests"}
    assert apps == set(root_packages())


@pytest.mark.parametrize(("module", "source", "message", "line"), [
    # core at the bottom imports the documents, at module level
    ("core/upward.py", "from reports.models import Document\n",
     "core is not allowed to import reports", "core.upward -> reports.models"),
    # measures imports reports inside a function (the hidden kind)
    ("measures/upward.py", "def entries():\n    from reports.workflow import transitions\n    return transitions\n",
     "measures is not allowed to import reports", "measures.upward -> reports.workflow.transitions"),
    # orgs reads the workspace
    ("orgs/upward.py", "import workspace.history\n",
     "orgs is not allowed to import workspace", "orgs.upward -> workspace.history"),
    # two apps of the same layer: the public site imports the staff workspace
    ("public/sideways.py", "from workspace import dashboard\n",
     "public is not allowed to import workspace", "public.sideways -> workspace.dashboard"),
])
def test_an_upward_or_sideways_import_breaks_the_contract(project_copy, module, source, message, line):
    assert lint_imports(project_copy).returncode == 0  # the copy is as clean as the repository
    added = project_copy / module
    added.write_text(source)
    try:
        result = lint_imports(project_copy)
    finally:
        added.unlink()
    assert result.returncode == 1
    assert "Contracts: 0 kept, 1 broken." in result.stdout
    assert message in result.stdout
    assert line in result.stdout
