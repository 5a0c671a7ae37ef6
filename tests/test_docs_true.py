"""README and docs/ARCHITECTURE.md are true to the code: every app of the project (each root package of the
layer contract, .importlinter, and each of the project's apps in INSTALLED_APPS) has its row in the README's
layout table, in ARCHITECTURE.md's table of apps and a place in its layer diagram, and nothing is listed
there that does not exist."""
import configparser
import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent


def project_apps() -> set[str]:
    contract = configparser.ConfigParser()
    contract.read(ROOT / ".importlinter")
    packages = set(contract["importlinter"]["root_packages"].split())
    installed = {config.name.split(".")[0] for config in apps.get_app_configs()
                 if Path(config.path).resolve().is_relative_to(ROOT) and "site-packages" not in Path(config.path).parts}
    return packages | installed


def table_rows(text: str, heading: str) -> list[str]:
    """First cells of the table under ``heading``."""
    section = text.split(f"\n{heading}\n", 1)[1].split("\n#", 1)[0]
    return [m.group(1) for m in re.finditer(r"^\| `([^`]+)` \|", section, re.M)]


def test_every_app_is_in_the_readme_layout_table():
    listed = {row.rstrip("/") for row in table_rows((ROOT / "README.md").read_text(encoding="utf-8"), "## Layout")}
    assert project_apps() <= listed
    for row in listed - project_apps():  # templates/, static/, tests/, docs/…: they exist
        assert all((ROOT / part.strip().strip("`").rstrip("/")).exists() for part in row.split(","))


def test_every_app_is_in_the_architecture_tables_and_layers():
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    assert set(table_rows(text, "## Apps")) == project_apps()
    diagram = text.split("\n## Layers\n", 1)[1].split("```", 2)[1]
    drawn = set()
    for line in diagram.splitlines():  # "a | b | c   what they hold": the names joined by "|", then the text
        tokens = line.split()
        if tokens:
            drawn.add(tokens[0])
            for bar, name in zip(tokens[1::2], tokens[2::2]):
                if bar != "|":
                    break
                drawn.add(name)
    assert project_apps() <= drawn
