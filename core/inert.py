"""Exported cells that stay data: no spreadsheet program may read them as formulas.

- XLSX: openpyxl turns any string that starts with "=" into a formula cell; ``inert_xlsx_row`` makes
  every text cell of a written row a string cell again (the text is kept exactly, so an export read
  back by the importer gives what was typed).
- CSV has no cell types: a text cell that starts with "=", "+", "-", "@", a tab or a carriage return
  is prefixed with an apostrophe (OWASP, "CSV Injection"), which spreadsheet programs show as text.
"""
from __future__ import annotations

from openpyxl.cell.cell import TYPE_FORMULA, TYPE_STRING

CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def inert_csv_cell(value):
    """A CSV cell value that no spreadsheet evaluates; non-text values are returned unchanged."""
    if isinstance(value, str) and value.startswith(CSV_TRIGGERS):
        return "'" + value
    return value


def inert_csv_row(row) -> list:
    return [inert_csv_cell(value) for value in row]


def inert_xlsx_row(cells) -> None:
    """Every text cell of ``cells`` (a worksheet row) is a string cell, never a formula."""
    for cell in cells:
        if cell.data_type == TYPE_FORMULA or isinstance(cell.value, str):
            cell.data_type = TYPE_STRING
