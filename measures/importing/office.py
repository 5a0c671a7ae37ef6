"""Word (.docx, python-docx) and Excel (.xlsx, openpyxl) files.

Safety. Both formats are ZIP files of XML parts. Before either library opens the file:

* the ZIP directory is read (nothing extracted) and the file is refused when its members would
  uncompress to more than ``MAX_UNCOMPRESSED`` (50 MB) in all, when it has more than ``MAX_MEMBERS``
  members, or when a member claims a compression ratio above ``MAX_RATIO`` (a zip bomb). Python's
  ``zipfile`` never returns more bytes than a member's declared size, so the declared sizes bound
  what the libraries can read;
* every XML part is scanned for ``<!DOCTYPE`` / ``<!ENTITY`` (in UTF-8 and UTF-16): Office files never
  declare a DTD, so a file that does is refused. This is on top of what the libraries do themselves:
  python-docx parses with ``lxml.etree.XMLParser(resolve_entities=False)`` (docx/oxml/parser.py), and
  openpyxl parses the workbook parts with the same lxml setting (openpyxl/xml/functions.py) and the
  sheets with the standard library's expat ``iterparse``, which never fetches external entities and,
  with expat ≥ 2.4, refuses exponential entity expansion ("billion laughs"). So neither an external
  entity (XXE) nor an entity bomb can get through.

Reading:

* DOCX: the body in order — paragraphs (a section heading "๑.ด้าน IIT" sets the tool) and tables. A
  cell's paragraphs become lines. A cell spanning columns (``gridSpan``) gives its text once and empty
  cells for the columns it covers; a row that is one merged cell is a group heading; a vertically
  merged cell's continuation (``vMerge`` "continue") is empty, so the row merges into the one above.
* XLSX: every worksheet in order, values as text (merged cells other than the top-left one are empty,
  so a merged full-width row is a group heading and a vertical merge a continuation).
"""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from django.utils.translation import gettext as _

from . import MAX_CELLS, ImportPreview, ImportRefused, too_many_cells
from .table import Group, Row, Section, build_preview, section_of

MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_RATIO = 200
MAX_SHEET_AREA = 20 * MAX_CELLS  # rows × columns of a worksheet (openpyxl fills in every empty cell)
_DTD_MARKERS = tuple(
    marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
DOCX = "docx"
XLSX = "xlsx"


def _refuse_bomb():
    return ImportRefused(_(
        "This file would unpack to more than 50 MB. Save the table in a smaller file, or copy the table "
        "and paste it as text."
    ))


def office_kind(data: bytes) -> str:
    """"docx" or "xlsx" after the safety checks above; ImportRefused otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _unknown() from exc
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names:
            raise _neither()
        if "word/document.xml" in names:
            kind = DOCX
        elif "xl/workbook.xml" in names:
            kind = XLSX
        else:
            raise _neither()
        if len(infos) > MAX_MEMBERS:
            raise _refuse_bomb()
        total = 0
        for info in infos:
            total += info.file_size
            if total > MAX_UNCOMPRESSED:
                raise _refuse_bomb()
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _refuse_bomb()
        try:
            for info in infos:
                if not info.filename.lower().endswith((".xml", ".rels")):
                    continue
                with archive.open(info) as member:
                    tail = b""
                    while chunk := member.read(1024 * 1024):
                        window = tail + chunk
                        if any(marker in window for marker in _DTD_MARKERS):
                            raise ImportRefused(_(
                                "This file contains XML declarations that Word and Excel never write, so it "
                                "is not read. Save the document again from Word or Excel."
                            ))
                        tail = window[-32:]
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise _damaged() from exc
    return kind


def _unknown():
    return ImportRefused(_(
        "This kind of file cannot be imported. Paste the table as text, or upload a Word (.docx) or "
        "Excel (.xlsx) file."
    ))


def _neither():
    return ImportRefused(_(
        "This ZIP file is neither a Word (.docx) nor an Excel (.xlsx) document. Upload a Word (.docx) or "
        "Excel (.xlsx) file, or paste the table as text."
    ))


def _damaged():
    return ImportRefused(_("The file is damaged and cannot be opened. Save it again and upload it."))


def read_office(data: bytes) -> ImportPreview:
    kind = office_kind(data)
    if kind == XLSX:
        # Our own export (sheet "measures" with the column keys in row 1) is read by key: own_xlsx.py.
        from .own_xlsx import read_own_xlsx

        try:
            preview = read_own_xlsx(data)
        except ImportRefused:
            raise
        except Exception as exc:
            raise _damaged() from exc
        if preview is not None:
            return preview
    try:
        events = list(_docx_events(data) if kind == DOCX else _xlsx_events(data))
    except ImportRefused:
        raise
    except Exception as exc:  # the libraries raise many kinds for a damaged file (KeyError, lxml errors, …)
        raise _damaged() from exc
    return build_preview(events, kind)


# --- DOCX ------------------------------------------------------------------------------------------------

def _docx_events(data: bytes):
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    for number, child in enumerate(body.iterchildren(), start=1):
        if child.tag == qn("w:p"):
            text = Paragraph(child, document).text.strip()
            if section_of(text):
                yield Section(section_of(text))
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            for row_number, tr in enumerate(child.tr_lst, start=1):
                cells = []
                for tc in tr.tc_lst:
                    span = max(int(tc.grid_span or 1), 1)
                    if tc.vMerge == "continue":
                        text = ""
                    else:
                        cell = _Cell(tc, table)
                        text = "\n".join(p.text for p in cell.paragraphs)
                    cells.append(text)
                    cells.extend([""] * (span - 1))
                if len(tr.tc_lst) == 1 and len(cells) > 1 and cells[0].strip():
                    yield Group(cells[0])
                    continue
                yield Row(cells, f"table {number}, row {row_number}")


# --- XLSX ------------------------------------------------------------------------------------------------

def _value_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_sheet_sizes(workbook) -> None:
    """Refuse a workbook with a sheet whose used area (a value in cell XFD1048576 …) is too large to walk."""
    for sheet in workbook.worksheets:
        if sheet.max_row * sheet.max_column > MAX_SHEET_AREA:
            raise too_many_cells()


def _xlsx_events(data: bytes):
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    try:
        check_sheet_sizes(workbook)
        for sheet in workbook.worksheets:
            full_width = set()
            for merged in sheet.merged_cells.ranges:
                if merged.min_row == merged.max_row and merged.min_col == 1 and merged.max_col >= sheet.max_column:
                    full_width.add(merged.min_row)
            for row_number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_value_text(v) for v in row]
                while cells and not cells[-1].strip():
                    cells.pop()
                if not cells:
                    continue
                if row_number in full_width and sheet.max_column > 1:
                    yield Group(cells[0])
                    continue
                yield Row(cells, f"{sheet.title}, row {row_number}")
    finally:
        workbook.close()
