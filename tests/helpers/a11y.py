"""Accessibility check of a page in Chromium with axe-core (the copy bundled by the pinned
axe-playwright-python package: nothing is fetched at run time)."""
from __future__ import annotations

from importlib import resources

SERIOUS = ("serious", "critical")


def axe_source() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def axe_violations(page, *, impacts=SERIOUS, context=None) -> list[dict]:
    """The axe-core violations of the page's current document with one of ``impacts``, as
    [{"id", "impact", "help", "targets": [css selector, ...]}]."""
    page.evaluate(axe_source())
    results = page.evaluate(
        "async (context) => await axe.run(context || document, {resultTypes: ['violations']})", context)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "targets": [", ".join(map(str, node["target"])) for node in v["nodes"]]}
        for v in results["violations"] if v["impact"] in impacts
    ]
