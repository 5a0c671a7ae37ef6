"""Load the ITA catalogue from the CSV files in ita/catalogue/ (see its README.md).

Idempotent: rows are matched on their natural keys and updated in place, so running the loader
again changes nothing, and correcting a CSV row corrects the database. A new assessment year is
added by adding rows to the files, never by changing code.
"""
import csv
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from core.loading import LoadStats, upsert

from .models import AssessmentYear, Indicator, OITItem, SubIndicator, Tool, ToolWeight

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"


class CatalogueError(Exception):
    pass


def _rows(directory: Path, name: str):
    path = directory / name
    if not path.exists():
        raise CatalogueError(f"missing catalogue file {path}")
    with path.open(encoding="utf-8", newline="") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), start=2):
            yield line_no, {k: (v or "").strip() for k, v in row.items()}


def _flag(value: str) -> bool:
    return value.lower() in {"1", "true", "yes", "y"}


@transaction.atomic
def load_catalogue(directory: Path = CATALOGUE_DIR) -> LoadStats:
    stats = LoadStats()
    years = {}
    for _, row in _rows(directory, "years.csv"):
        year = int(row["year"])
        years[year] = upsert(stats, AssessmentYear, {"year": year}, {"scale": row["scale"], "notes": row["notes"]})

    tools = {}
    for _, row in _rows(directory, "tools.csv"):
        tools[row["code"]] = upsert(
            stats, Tool, {"code": row["code"]},
            {"name": row["name_th"], "name_en": row["name_en"], "order": int(row["order"])},
        )

    def year_of(line_no, row, name):
        try:
            return years[int(row["year"])]
        except (KeyError, ValueError):
            raise CatalogueError(f"{name} line {line_no}: unknown year {row['year']!r}") from None

    for line_no, row in _rows(directory, "tool_weights.csv"):
        upsert(
            stats, ToolWeight, {"year": year_of(line_no, row, "tool_weights.csv"), "tool": tools[row["tool"]]},
            {"weight": Decimal(row["weight"])},
        )

    indicators = {}
    for line_no, row in _rows(directory, "indicators.csv"):
        year = year_of(line_no, row, "indicators.csv")
        if row["tool"] not in tools:
            raise CatalogueError(f"indicators.csv line {line_no}: unknown tool {row['tool']!r}")
        indicators[(year.year, row["number"])] = upsert(
            stats, Indicator, {"year": year, "number": int(row["number"])},
            {
                "tool": tools[row["tool"]], "name": row["name_th"], "alt_names": row["alt_names"],
                "uncertain": _flag(row["uncertain"]), "source_note": row["source_note"],
            },
        )

    sub_indicators = {}
    for line_no, row in _rows(directory, "sub_indicators.csv"):
        year = year_of(line_no, row, "sub_indicators.csv")
        indicator = indicators.get((year.year, row["indicator"]))
        if indicator is None:
            raise CatalogueError(f"sub_indicators.csv line {line_no}: unknown indicator {row['indicator']!r}")
        sub_indicators[(year.year, row["code"])] = upsert(
            stats, SubIndicator, {"indicator": indicator, "code": row["code"]},
            {"name": row["name_th"], "uncertain": _flag(row["uncertain"]), "source_note": row["source_note"]},
        )

    for line_no, row in _rows(directory, "oit_items.csv"):
        year = year_of(line_no, row, "oit_items.csv")
        indicator = indicators.get((year.year, row["indicator"])) if row["indicator"] else None
        sub = sub_indicators.get((year.year, row["sub_indicator"])) if row["sub_indicator"] else None
        if (row["indicator"] and indicator is None) or (row["sub_indicator"] and sub is None):
            raise CatalogueError(f"oit_items.csv line {line_no}: unknown indicator or sub-indicator")
        upsert(
            stats, OITItem, {"year": year, "code": row["code"]},
            {
                "number": int(row["number"]), "title": row["title"], "indicator": indicator,
                "sub_indicator": sub, "portal_documents": row["portal_document"],
                "uncertain": _flag(row["uncertain"]), "source_note": row["source_note"],
            },
        )
    return stats
