"""Spreadsheet cells that never become formulas (CSV/formula injection, OWASP "CSV Injection").

A text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice and WPS as a
formula (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3`), and openpyxl itself stores a string starting with `=` as one.
Units' and regions' names, measure titles and narratives reach the exports from outside, so:

- in a workbook such a text is written as a string cell (data type `s`) with Excel's quotePrefix set, so it
  shows as typed and stays text when the cell is edited;
- in CSV it is prefixed with a single quote `'`, as OWASP recommends (Excel hides the quote and shows text).

Numbers are left as they are: a negative number is a value, not a text.
"""

from openpyxl.cell.cell import Cell

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_LEADS)


def write_cell(cell: Cell, value) -> Cell:
    """Put `value` in an openpyxl cell; a formula-like text as a quoted string."""
    cell.value = value
    if formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def csv_text(value):
    """A value as a CSV field: a formula-like text behind a single quote."""
    return f"'{value}" if formula_like(value) else value
