"""Read, compare and apply an ITA catalogue (the CSV files of ita/catalogue/, see its README.md).

One service for both ways in: ``load_ita_catalogue`` (the shipped directory) and the upload page of an
installation administrator (ita/catalogue_views.py: a zip or the CSV files, a preview, then apply).

- ``read_directory`` / ``read_upload`` give ``{file name: text}``; ``parse`` checks every row and
  gives a ``Catalogue`` or raises ``CatalogueError`` (a Thai message naming the file and the row);
  nothing is written before every file has been read.
- ``preview(catalogue)`` says per year what would change: items added, renamed, removed (with the
  measures that point at them and what happens to them), weights and document mappings changed.
- ``apply(catalogue)`` (atomic) makes each year of the files exactly what the files say. Idempotent.
  Only the years named in years.csv are touched. A row gone from the files is deleted when nothing
  points at it; when measures or results point at it they are re-pointed to the item of the new
  catalogue with the same number (OIT items), else the row is kept and marked retired, never
  deleted with its references.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from core.loading import LoadStats, upsert, upsert_many
from core.thai import to_thai_digits

from .models import AssessmentYear, Indicator, LevelScale, OITItem, SubIndicator, Tool, ToolWeight

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"

# file name -> the columns it must have (extra columns are ignored)
COLUMNS = {
    "years.csv": ("year", "scale", "notes"),
    "tools.csv": ("code", "name_th", "name_en", "order"),
    "tool_weights.csv": ("year", "tool", "weight"),
    "indicators.csv": ("year", "number", "tool", "name_th", "alt_names", "uncertain", "source_note"),
    "sub_indicators.csv": ("year", "indicator", "code", "name_th", "uncertain", "source_note"),
    "oit_items.csv": ("year", "code", "number", "title", "indicator", "sub_indicator", "portal_document",
                      "uncertain", "source_note"),
}
OPTIONAL_COLUMNS = {"years.csv": ("provisional", "based_on"), "oit_items.csv": ("portal_document_fy_offset",)}
# The kind slugs an item's portal_document may name ("progress" = every round of the progress report).
DOCUMENT_SLUGS = ("analysis", "measures", "progress", "progress-3", "progress-6", "progress-9", "progress-12")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class CatalogueError(Exception):
    pass


# --- reading --------------------------------------------------------------------------------------------

def read_directory(directory: Path = CATALOGUE_DIR) -> dict[str, bytes]:
    return {name: (directory / name).read_bytes() for name in COLUMNS if (directory / name).exists()}


def read_upload(uploads) -> dict[str, bytes]:
    """The catalogue files of an upload: one zip holding them (in any folder), or the CSV files."""
    files: dict[str, bytes] = {}
    for upload in uploads:
        if upload.size > MAX_UPLOAD_BYTES:
            raise CatalogueError(_("The file %(file)s is too large (at most 5 MB).") % {"file": upload.name})
        data = upload.read()
        if upload.name.lower().endswith(".zip"):
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    for info in archive.infolist():
                        name = info.filename.rsplit("/", 1)[-1]
                        if name in COLUMNS and not info.is_dir():
                            if info.file_size > MAX_UPLOAD_BYTES:
                                raise CatalogueError(
                                    _("The file %(file)s is too large (at most 5 MB).") % {"file": name})
                            files[name] = archive.read(info)
            except (zipfile.BadZipFile, OSError):
                raise CatalogueError(_("%(file)s is not a readable zip file.") % {"file": upload.name}) from None
        elif upload.name in COLUMNS:
            files[upload.name] = data
        else:
            raise CatalogueError(_("%(file)s is not a catalogue file (expected: %(names)s, or a zip of them).")
                                 % {"file": upload.name, "names": ", ".join(COLUMNS)})
    return files


def to_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()


def _rows(files: dict[str, bytes], name: str):
    if name not in files:
        raise CatalogueError(_("The file %(file)s is missing.") % {"file": name})
    try:
        text = files[name].decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogueError(_("%(file)s is not UTF-8 text.") % {"file": name}) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in COLUMNS[name] if c not in header]
    if missing:
        raise CatalogueError(_("%(file)s has no column %(columns)s.") % {"file": name, "columns": ", ".join(missing)})
    for line_no, row in enumerate(reader, start=2):
        if None in row:
            raise CatalogueError(_("%(file)s row %(row)s: more values than columns.")
                                 % {"file": name, "row": to_thai_digits(line_no)})
        cleaned = {k: (v or "").strip() for k, v in row.items()}
        if any(cleaned.values()):
            yield line_no, cleaned


# --- parsing ---------------------------------------------------------------------------------------------

@dataclass
class YearData:
    year: int
    scale: str
    notes: str
    provisional: bool
    based_on: int | None
    weights: dict = field(default_factory=dict)  # tool code -> Decimal
    indicators: dict = field(default_factory=dict)  # number -> values
    sub_indicators: dict = field(default_factory=dict)  # code -> values (+ "indicator": number)
    items: dict = field(default_factory=dict)  # code -> values (+ "indicator", "sub_indicator")


@dataclass
class Catalogue:
    tools: dict  # code -> values
    years: dict  # year -> YearData


class _Row:
    def __init__(self, name, line_no, row):
        self.name, self.line_no, self.row = name, line_no, row

    def error(self, message, **values):
        return CatalogueError(_("%(file)s row %(row)s: %(problem)s") % {
            "file": self.name, "row": to_thai_digits(self.line_no), "problem": message % values})

    def int(self, column, minimum=None):
        try:
            value = int(self.row[column])
        except ValueError:
            raise self.error(_("%(column)s must be a whole number, not “%(value)s”."),
                             column=column, value=self.row[column]) from None
        if minimum is not None and value < minimum:
            raise self.error(_("%(column)s must be a whole number, not “%(value)s”."),
                             column=column, value=self.row[column])
        return value

    def flag(self, column):
        value = self.row.get(column, "").lower()
        if value in ("", "0", "false", "no", "n"):
            return False
        if value in ("1", "true", "yes", "y"):
            return True
        raise self.error(_("%(column)s must be 0 or 1, not “%(value)s”."), column=column, value=self.row[column])


def _year(row: _Row, years: dict) -> YearData:
    year = row.int("year")
    if year not in years:
        raise row.error(_("year %(year)s is not in years.csv."), year=to_thai_digits(year))
    return years[year]


def _unique(row: _Row, seen: set, key, label):
    if key in seen:
        raise row.error(_("%(key)s appears twice."), key=label)
    seen.add(key)


def parse(files: dict[str, bytes]) -> Catalogue:
    """Every file checked row by row; CatalogueError (Thai, with the file and row) at the first problem."""
    for name in COLUMNS:
        if name not in files:
            raise CatalogueError(_("The file %(file)s is missing.") % {"file": name})
    years: dict[int, YearData] = {}
    for line_no, raw in _rows(files, "years.csv"):
        row = _Row("years.csv", line_no, raw)
        year = row.int("year", minimum=2500)
        if year in years:
            raise row.error(_("%(key)s appears twice."), key=year)
        if raw["scale"] not in LevelScale.values:
            raise row.error(_("scale must be “old” or “new”, not “%(value)s”."), value=raw["scale"])
        provisional = row.flag("provisional")
        based_on = row.int("based_on", minimum=2500) if raw.get("based_on") else None
        if provisional and based_on is None:
            raise row.error(_("a provisional year must say in based_on which year it copies."))
        years[year] = YearData(year, raw["scale"], raw["notes"], provisional, based_on if provisional else None)
    if not years:
        raise CatalogueError(_("years.csv names no year."))

    tools = {}
    for line_no, raw in _rows(files, "tools.csv"):
        row = _Row("tools.csv", line_no, raw)
        if not raw["code"]:
            raise row.error(_("%(column)s is empty."), column="code")
        _unique(row, set(tools), raw["code"], raw["code"])
        tools[raw["code"]] = {"name": raw["name_th"], "name_en": raw["name_en"], "order": row.int("order", 0)}

    for line_no, raw in _rows(files, "tool_weights.csv"):
        row = _Row("tool_weights.csv", line_no, raw)
        data = _year(row, years)
        if raw["tool"] not in tools:
            raise row.error(_("unknown tool “%(value)s”."), value=raw["tool"])
        _unique(row, set(data.weights), raw["tool"], f"{data.year} {raw['tool']}")
        try:
            weight = Decimal(raw["weight"])
        except InvalidOperation:
            weight = Decimal(-1)
        if not (0 <= weight <= 100):
            raise row.error(_("weight must be a number from 0 to 100, not “%(value)s”."), value=raw["weight"])
        data.weights[raw["tool"]] = weight

    for line_no, raw in _rows(files, "indicators.csv"):
        row = _Row("indicators.csv", line_no, raw)
        data = _year(row, years)
        number = row.int("number", minimum=1)
        _unique(row, set(data.indicators), number, f"{data.year} {number}")
        if raw["tool"] not in tools:
            raise row.error(_("unknown tool “%(value)s”."), value=raw["tool"])
        if not raw["name_th"]:
            raise row.error(_("%(column)s is empty."), column="name_th")
        data.indicators[number] = {
            "tool": raw["tool"], "name": raw["name_th"], "alt_names": raw["alt_names"],
            "uncertain": row.flag("uncertain"), "source_note": raw["source_note"],
        }

    for line_no, raw in _rows(files, "sub_indicators.csv"):
        row = _Row("sub_indicators.csv", line_no, raw)
        data = _year(row, years)
        indicator = row.int("indicator", minimum=1)
        if indicator not in data.indicators:
            raise row.error(_("indicator %(value)s of %(year)s is not in indicators.csv."),
                            value=indicator, year=to_thai_digits(data.year))
        if not raw["code"]:
            raise row.error(_("%(column)s is empty."), column="code")
        _unique(row, set(data.sub_indicators), raw["code"], f"{data.year} {raw['code']}")
        data.sub_indicators[raw["code"]] = {
            "indicator": indicator, "name": raw["name_th"], "uncertain": row.flag("uncertain"),
            "source_note": raw["source_note"],
        }

    for line_no, raw in _rows(files, "oit_items.csv"):
        row = _Row("oit_items.csv", line_no, raw)
        data = _year(row, years)
        if not raw["code"]:
            raise row.error(_("%(column)s is empty."), column="code")
        _unique(row, set(data.items), raw["code"], f"{data.year} {raw['code']}")
        number = row.int("number", minimum=1)
        if not raw["title"]:
            raise row.error(_("%(column)s is empty."), column="title")
        indicator = row.int("indicator", minimum=1) if raw["indicator"] else None
        if indicator is not None and indicator not in data.indicators:
            raise row.error(_("indicator %(value)s of %(year)s is not in indicators.csv."),
                            value=indicator, year=to_thai_digits(data.year))
        sub = raw["sub_indicator"] or None
        if sub is not None and sub not in data.sub_indicators:
            raise row.error(_("sub-indicator %(value)s of %(year)s is not in sub_indicators.csv."),
                            value=sub, year=to_thai_digits(data.year))
        kinds = [k for k in raw["portal_document"].split("|") if k]
        for kind in kinds:
            if kind not in DOCUMENT_SLUGS:
                raise row.error(_("unknown document “%(value)s” in portal_document (allowed: %(allowed)s)."),
                                value=kind, allowed=", ".join(DOCUMENT_SLUGS))
        offset = row.int("portal_document_fy_offset") if raw.get("portal_document_fy_offset") else 0
        if offset not in (-1, 0):
            raise row.error(_("portal_document_fy_offset must be 0 or -1, not “%(value)s”."), value=offset)
        data.items[raw["code"]] = {
            "number": number, "title": raw["title"], "indicator": indicator, "sub_indicator": sub,
            "portal_documents": "|".join(kinds), "portal_document_fy_offset": offset,
            "uncertain": row.flag("uncertain"), "source_note": raw["source_note"],
        }

    for data in years.values():
        if data.weights and sum(data.weights.values()) != 100:
            raise CatalogueError(_("tool_weights.csv: the weights of %(year)s add up to %(total)s, not 100.")
                                 % {"year": to_thai_digits(data.year), "total": to_thai_digits(sum(data.weights.values()))})
    return Catalogue(tools, years)


# --- preview -------------------------------------------------------------------------------------------

@dataclass
class RemovedItem:
    item: OITItem
    measures: list  # Measure objects that point at it (organisation selected)
    scored: int  # results that scored it
    replacement: str | None  # code of the new item the references move to, or None: kept, retired


@dataclass
class YearPreview:
    year: int
    is_new: bool
    provisional_before: bool | None
    provisional_after: bool
    based_on: int | None
    added: list = field(default_factory=list)  # item values dicts (+ "code")
    renamed: list = field(default_factory=list)  # (code, old title, new title, measure count)
    removed: list = field(default_factory=list)  # RemovedItem
    weights: list = field(default_factory=list)  # (tool code, old or None, new or None)
    mapping: list = field(default_factory=list)  # (code, old documents/offset, new documents/offset)
    indicators_added: list = field(default_factory=list)  # (number, name)
    indicators_renamed: list = field(default_factory=list)  # (number, old, new)
    indicators_removed: list = field(default_factory=list)  # (number, name, measure count)

    @property
    def has_changes(self) -> bool:
        return bool(self.is_new or self.provisional_before != self.provisional_after or self.added
                    or self.renamed or self.removed or self.weights or self.mapping or self.indicators_added
                    or self.indicators_renamed or self.indicators_removed)


def _mapping_text(documents: str, offset: int) -> str:
    return f"{documents or '—'} ({offset:+d})" if offset else (documents or "—")


def preview(catalogue: Catalogue) -> list[YearPreview]:
    found = []
    existing_years = {y.year: y for y in AssessmentYear.objects.filter(year__in=catalogue.years)}
    for number, data in sorted(catalogue.years.items()):
        year = existing_years.get(number)
        result = YearPreview(number, year is None, year.provisional if year else None, data.provisional,
                             data.based_on)
        items = {i.code: i for i in OITItem.objects.filter(year=year).order_by("number")} if year else {}
        indicators = {i.number: i for i in Indicator.objects.filter(year=year)} if year else {}
        weights = {w.tool.code: w.weight for w in ToolWeight.objects.filter(year=year).select_related("tool")} \
            if year else {}
        for code, values in data.items.items():
            item = items.get(code)
            if item is None:
                result.added.append({"code": code, **values})
                continue
            if item.title != values["title"]:
                result.renamed.append((code, item.title, values["title"], item.measures.count()))
            old = _mapping_text(item.portal_documents, item.portal_document_fy_offset)
            new = _mapping_text(values["portal_documents"], values["portal_document_fy_offset"])
            if old != new:
                result.mapping.append((code, old, new))
        by_number = {values["number"]: code for code, values in data.items.items()}
        for code, item in items.items():
            if code in data.items or item.retired:
                continue
            measures = list(item.measures.select_related("organisation").order_by(
                "organisation__name", "fiscal_year", "order"))
            scored = item.oititemscore_set.count()
            replacement = by_number.get(item.number)
            result.removed.append(RemovedItem(item, measures, scored, replacement))
        for number_, values in sorted(data.indicators.items()):
            indicator = indicators.get(number_)
            if indicator is None:
                result.indicators_added.append((number_, values["name"]))
            elif indicator.name != values["name"]:
                result.indicators_renamed.append((number_, indicator.name, values["name"]))
        for number_, indicator in sorted(indicators.items()):
            if number_ not in data.indicators and not indicator.retired:
                result.indicators_removed.append((number_, indicator.name, indicator.measures.count()))
        for tool in sorted(set(weights) | set(data.weights)):
            if weights.get(tool) != data.weights.get(tool):
                result.weights.append((tool, weights.get(tool), data.weights.get(tool)))
        found.append(result)
    return found


# --- apply -----------------------------------------------------------------------------------------------

def _retire_or_delete(obj, referenced: bool, stats: LoadStats):
    if referenced:
        if not obj.retired:
            obj.retired = True
            obj.save(update_fields=["retired"])
            stats.updated[f"{obj._meta.model_name} retired"] += 1
    else:
        obj.delete()
        stats.updated[f"{obj._meta.model_name} deleted"] += 1


def _apply_year(data: YearData, tools: dict, stats: LoadStats):
    year = upsert(stats, AssessmentYear, {"year": data.year}, {
        "scale": data.scale, "notes": data.notes, "provisional": data.provisional, "based_on": data.based_on,
    })
    weights = upsert_many(stats, ToolWeight, {w.tool_id: w for w in ToolWeight.objects.filter(year=year)}, {
        tools[code].pk: ({"year": year, "tool": tools[code]}, {"weight": weight})
        for code, weight in data.weights.items()
    })
    ToolWeight.objects.filter(year=year).exclude(pk__in=[w.pk for w in weights.values()]).delete()

    indicators = upsert_many(stats, Indicator, {i.number: i for i in Indicator.objects.filter(year=year)}, {
        number: ({"year": year, "number": number}, {**values, "tool": tools[values["tool"]], "retired": False})
        for number, values in data.indicators.items()
    })
    subs = upsert_many(
        stats, SubIndicator,
        {(s.indicator_id, s.code): s for s in SubIndicator.objects.filter(indicator__year=year)}, {
            (indicators[values["indicator"]].pk, code): (
                {"indicator": indicators[values["indicator"]], "code": code},
                {k: v for k, v in values.items() if k != "indicator"} | {"retired": False})
            for code, values in data.sub_indicators.items()
        })
    subs = {code: sub for (_indicator, code), sub in subs.items()}
    items = upsert_many(stats, OITItem, {i.code: i for i in OITItem.objects.filter(year=year)}, {
        code: ({"year": year, "code": code}, {
            **values, "indicator": indicators.get(values["indicator"]),
            "sub_indicator": subs.get(values["sub_indicator"]), "retired": False,
        })
        for code, values in data.items.items()
    })
    by_number = {item.number: item for item in items.values()}

    # Items gone from the files: references move to the new item of the same number, else kept retired.
    for item in OITItem.objects.filter(year=year).exclude(code__in=list(items)):
        replacement = by_number.get(item.number)
        if replacement is not None:
            for measure in list(item.measures.all()):  # the measures (an app above) that name it
                measure.oit_items.remove(item)
                measure.oit_items.add(replacement)
                stats.updated["measure re-pointed"] += 1
            for score in item.oititemscore_set.all():
                if not score.result.oit_scores.filter(item=replacement).exists():
                    score.item = replacement
                    score.save(update_fields=["item"])
        referenced = item.measures.exists() or item.oititemscore_set.exists()
        _retire_or_delete(item, referenced, stats)
    for sub in SubIndicator.objects.filter(indicator__year=year).exclude(
            pk__in=[s.pk for s in subs.values()]):
        _retire_or_delete(sub, sub.oit_items.exists(), stats)
    for indicator in Indicator.objects.filter(year=year).exclude(number__in=list(indicators)):
        referenced = (indicator.measures.exists() or indicator.oit_items.exists()
                      or indicator.sub_indicators.exists() or indicator.indicatorscore_set.exists())
        _retire_or_delete(indicator, referenced, stats)
    return year


@transaction.atomic
def apply(catalogue: Catalogue) -> LoadStats:
    """Make every year of ``catalogue`` what the files say (atomic, idempotent); bump the public cache."""
    from core import datacache, pagecache

    stats = LoadStats()
    tools = {code: upsert(stats, Tool, {"code": code}, values) for code, values in catalogue.tools.items()}
    for code in {c for data in catalogue.years.values() for c in data.weights} - set(tools):
        tools[code] = Tool.objects.get(code=code)
    for _number, data in sorted(catalogue.years.items()):
        _apply_year(data, tools, stats)
    if stats.changed:
        pagecache.bump(catalogue=True)  # the ITAS lists show the catalogue
        datacache.bump(catalogue=True)  # bulk_create sends no signal: the dashboard's checklist reads it
    return stats


def load_directory(directory: Path = CATALOGUE_DIR) -> LoadStats:
    return apply(parse(read_directory(directory)))


# --- export -----------------------------------------------------------------------------------------------

def export_year(year: AssessmentYear) -> dict[str, bytes]:
    """The CSV files of one year as loaded (retired rows left out), to edit and upload again."""
    def flag(value):
        return "1" if value else "0"

    tables = {
        "years.csv": [[year.year, year.scale, year.notes, flag(year.provisional), year.based_on or ""]],
        "tools.csv": [[t.code, t.name, t.name_en, t.order] for t in Tool.objects.order_by("order", "code")],
        "tool_weights.csv": [[year.year, w.tool.code, f"{w.weight.normalize():f}"]
                             for w in year.tool_weights.select_related("tool").order_by("tool__order")],
        "indicators.csv": [[year.year, i.number, i.tool.code, i.name, i.alt_names, flag(i.uncertain), i.source_note]
                           for i in year.indicators.filter(retired=False).select_related("tool").order_by("number")],
        "sub_indicators.csv": [[year.year, s.indicator.number, s.code, s.name, flag(s.uncertain), s.source_note]
                               for s in SubIndicator.objects.filter(indicator__year=year, retired=False)
                               .select_related("indicator").order_by("indicator__number", "code")],
        "oit_items.csv": [[year.year, i.code, i.number, i.title, i.indicator.number if i.indicator else "",
                           i.sub_indicator.code if i.sub_indicator else "", i.portal_documents,
                           i.portal_document_fy_offset, flag(i.uncertain), i.source_note]
                          for i in year.oit_items.filter(retired=False).select_related("indicator", "sub_indicator")
                          .order_by("number", "code")],
    }
    headers = dict(COLUMNS)
    headers["years.csv"] += OPTIONAL_COLUMNS["years.csv"]
    headers["oit_items.csv"] = (*COLUMNS["oit_items.csv"][:7], "portal_document_fy_offset", *COLUMNS["oit_items.csv"][7:])
    files = {}
    for name, rows in tables.items():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(headers[name])
        writer.writerows(rows)
        files[name] = out.getvalue().encode("utf-8")
    return files
