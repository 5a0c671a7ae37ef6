"""Our own XLSX export (reports/exports/xlsx.py) read back.

The export's sheet "measures" has the English column keys in row 1, Thai headings in row 2 and data
from row 3: one row per step (or one row for a measure without steps), the measure columns repeated on
every row of the measure. Columns are found by their key, in any order; rows belong together by
``measure_no`` and the measure's fields come from its first row; ``step_level`` 2 rows are sub-items of
the step above. Sheet "entries" (optional) gives each measure's output, outcome and status: when it
holds several rounds, the latest round's entry is taken.

    preview = read_own_xlsx(data)     # None when the workbook is not our export
"""
from __future__ import annotations

import io
from datetime import date, datetime

from . import ImportedMeasure, ImportedStep, ImportPreview

MEASURES_SHEET = "measures"
ENTRIES_SHEET = "entries"
REQUIRED_KEYS = {"measure_no", "title", "step_text"}
SEPARATOR = "|"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _int(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(float(str(value).strip()))
    except ValueError:
        return None


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            return datetime.strptime(text[:10], fmt).date()
        except ValueError:
            continue
    return None


def _split(value) -> list[str]:
    return [part.strip() for part in _text(value).split(SEPARATOR) if part.strip()]


def _keys(sheet) -> list[str]:
    first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    return [_text(v).strip() for v in first]


def is_own_export(workbook) -> bool:
    if MEASURES_SHEET not in workbook.sheetnames:
        return False
    return REQUIRED_KEYS <= set(_keys(workbook[MEASURES_SHEET]))


def _records(sheet):
    """(row number, {key: value}) for the data rows (row 3 on) that are not empty."""
    keys = _keys(sheet)
    for number, row in enumerate(sheet.iter_rows(min_row=3, values_only=True), start=3):
        record = {key: value for key, value in zip(keys, row) if key}
        if any(v is not None and _text(v).strip() for v in record.values()):
            yield number, record


def _step_key(record) -> tuple:
    parts = []
    for part in _text(record.get("step_no")).split("."):
        number = _int(part)
        parts.append(number if number is not None else 0)
    return tuple(parts)


def _measure(record) -> ImportedMeasure:
    rounds = [n for n in (_int(v) for v in _split(record.get("report_rounds"))) if n is not None]
    return ImportedMeasure(
        title=_text(record.get("title")),
        group_heading=_text(record.get("group_heading")),
        guideline=_text(record.get("guideline")),
        weakness=_text(record.get("weakness")),
        responsible_text=_text(record.get("responsible_text")),
        timeline_text=_text(record.get("timeline_text")),
        monitoring=_text(record.get("monitoring")),
        tools=_split(record.get("tools")),
        start_month=_date(record.get("start_month")),
        end_month=_date(record.get("end_month")),
        report_rounds=rounds,
        divisions=_split(record.get("divisions")),
        indicators=[n for n in (_int(v) for v in _split(record.get("indicators"))) if n is not None],
        oit_items=_split(record.get("oit_items")),
    )


def read_own_xlsx(data: bytes) -> ImportPreview | None:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    try:
        if not is_own_export(workbook):
            return None
        from .office import check_sheet_sizes

        check_sheet_sizes(workbook)
        sheet = workbook[MEASURES_SHEET]
        keys = _keys(sheet)
        second = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True), ())
        headings = [_text(v) for v in second][: len(keys)]
        unplaced = []
        grouped: dict[int, list[dict]] = {}
        for number, record in _records(sheet):
            measure_no = _int(record.get("measure_no"))
            if measure_no is None:
                unplaced.append(f"{MEASURES_SHEET}, row {number}, column measure_no: "
                                f"{_text(record.get('measure_no'))}")
                continue
            grouped.setdefault(measure_no, []).append(record)
        measures, by_number = [], {}
        for measure_no in sorted(grouped):
            records = sorted(grouped[measure_no], key=_step_key)  # stable: sheet order among equals
            measure = _measure(records[0])
            parent = None
            for record in records:
                text = _text(record.get("step_text"))
                label = _text(record.get("step_label"))
                if not text.strip() and not label.strip():
                    continue
                step = ImportedStep(text=text, label=label, due_date=_date(record.get("step_due_date")))
                if _int(record.get("step_level")) == 2 and parent is not None:
                    parent.sub_items.append(step)
                else:
                    measure.steps.append(step)
                    parent = step
            measures.append(measure)
            by_number[measure_no] = measure
        if ENTRIES_SHEET in workbook.sheetnames:
            latest: dict[int, int] = {}
            for _number, record in _records(workbook[ENTRIES_SHEET]):
                measure = by_number.get(_int(record.get("measure_no")))
                round_ = _int(record.get("round")) or 0
                if measure is None or round_ < latest.get(id(measure), -1):
                    continue
                latest[id(measure)] = round_
                measure.output = _text(record.get("output"))
                measure.outcome = _text(record.get("outcome"))
                measure.status = _text(record.get("status"))
                measure.status_reason = _text(record.get("status_reason"))
        return ImportPreview(source="xlsx", layout="xlsx", headings=headings, columns=keys,
                             measures=measures, unplaced=unplaced)
    finally:
        workbook.close()
