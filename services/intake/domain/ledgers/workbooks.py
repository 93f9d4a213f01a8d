"""Workbook bytes -> sheets of cell values, whatever wrote them: .xlsx (Excel, WPS) through openpyxl,
.xls (Excel 97-2003, and WPS's .et saved in that format) through xlrd. The format is told by the file's
first bytes, not its name, because districts rename files.

Cells come out as values.py reads them: dates in date-formatted cells as naive datetimes in the workbook's
date system, numbers in percent-formatted cells as `Percent` (what the unit sees), a merged range's value
in every cell of the range (a unit merged down over its rows is that unit on each row).

Only rows holding a value are kept, and only their first MAX_COLUMNS columns: one stray cell at XFD1048576
(a 5 KB file) would otherwise make a grid of 17 billion cells.
"""

import bisect
import datetime as dt
import io
import re
import warnings
import zipfile
from dataclasses import dataclass

import openpyxl
import xlrd
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from services.intake.domain.ledgers.values import LEDGER_ZONE, Percent

ZIP = b"PK\x03\x04"
OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")
# Date formats Excel and WPS write by id only, with no definition in the file: their meaning depends on
# the reader's locale (ECMA-376 Part 1, 18.8.30; in zh-CN: 27 yyyy"年"m"月", 31 yyyy"年"m"月"d"日",
# 32 h"时"mm"分", 50-58 the same in other calendars). openpyxl knows only the locale-free ids (14-22, 45-47)
# and reads these cells as bare numbers.
CHINESE_BUILTIN_DATE_FORMATS = frozenset([*range(27, 37), *range(50, 59)])
# Excel 97-2003's own limit; no ledger has more columns, and beyond them nothing is a ledger's column.
MAX_COLUMNS = 256
# openpyxl makes an object for every cell of a merged range while loading: C3:XFD1048576 in a 5 KB file
# takes over 3 GB. A ledger's merges (title rows, a unit down its rows) cover a few thousand cells.
MAX_MERGED_CELLS = 200_000
_MERGE = re.compile(rb'mergeCell\s+ref="([A-Z]{1,3}[0-9]{1,7}:[A-Z]{1,3}[0-9]{1,7})"')


class LedgerError(ValueError):
    """The workbook as a whole cannot be read (not a workbook, no ledger on any sheet)."""


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[tuple[int, list]]  # (the row's number as Excel gives it, its values from column A), rows with values
    epoch: dt.datetime  # the workbook's date system: serial 0's day


@dataclass(frozen=True)
class Workbook:
    sheets: list[Sheet]
    saved_at: dt.datetime | None  # when it was last saved (aware), if the file says


def read_book(content: bytes, filename: str = "") -> Workbook:
    """Bytes -> a Workbook; LedgerError when they are not an .xlsx or .xls workbook."""
    name = f"{filename}: " if filename else ""
    # WPS's own .et/.ett format is not Excel's; WPS saves .xlsx or .xls on request.
    hint = "; save it from WPS as .xlsx or .xls" if filename.lower().endswith((".et", ".ett")) else ""
    if content.startswith(ZIP):
        reader = _xlsx
    elif content.startswith(OLE2):
        reader = _xls
    else:
        raise LedgerError(f"{name}not an .xlsx or .xls workbook{hint}")
    try:
        return reader(content)
    except LedgerError as error:
        raise LedgerError(f"{name}{error}") from error
    except Exception as error:  # both libraries raise many kinds for a damaged file
        raise LedgerError(f"{name}not a readable .xlsx or .xls workbook ({type(error).__name__}: {error}){hint}"
                          ) from error


def _xlsx(content: bytes) -> Workbook:
    _check_merges(content)
    with warnings.catch_warnings():  # "workbook contains no default style": WPS files, harmless
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    sheets = []
    for sheet in book.worksheets:
        grid: dict[int, dict[int, object]] = {}
        # The worksheet's own dict of the cells the file holds: iter_rows() would create every empty cell
        # of the used range.
        for (row, column), cell in sheet._cells.items():
            if cell.value is not None and column <= MAX_COLUMNS:
                grid.setdefault(row, {})[column - 1] = _xlsx_value(cell, book.epoch)
        merged = [(r.min_row, r.max_row, r.min_col - 1, r.max_col) for r in sheet.merged_cells.ranges]
        sheets.append(Sheet(sheet.title, _rows(grid, merged), book.epoch))
    return Workbook(sheets, _saved_at(content))


def _check_merges(content: bytes) -> None:
    """LedgerError when the sheets' merged ranges cover more than MAX_MERGED_CELLS cells (read before
    openpyxl expands them)."""
    covered = 0
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(name) as part:
                tail = b""
                while chunk := part.read(1 << 20):
                    text, end = tail + chunk, 0
                    for found in _MERGE.finditer(text):
                        left, top, right, bottom = range_boundaries(found[1].decode())
                        covered += (right - left + 1) * (bottom - top + 1)
                        end = found.end()
                    tail = text[max(end, len(text) - 64):]  # a tag cut at the chunk's end, not one counted
                    if covered > MAX_MERGED_CELLS:
                        raise LedgerError(f"merged cells cover {covered} cells (more than {MAX_MERGED_CELLS}): "
                                          "not a ledger's layout; unmerge the empty ranges")


def _saved_at(content: bytes) -> dt.datetime | None:
    """dcterms:modified of docProps/core.xml, when the file has it. Not openpyxl's properties.modified,
    which is the loading time when the file does not say."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if "docProps/core.xml" not in archive.namelist() or archive.getinfo("docProps/core.xml").file_size > 1 << 20:
            return None
        found = re.search(rb"<dcterms:modified[^>]*>([^<]+)<", archive.read("docProps/core.xml"))
    try:
        saved = dt.datetime.fromisoformat(found[1].decode().strip()) if found else None
    except ValueError:
        return None
    return (saved if saved.tzinfo else saved.replace(tzinfo=dt.UTC)).astimezone(LEDGER_ZONE) if saved else None


def _xlsx_value(cell, epoch: dt.datetime):
    value = cell.value
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value
    # openpyxl keeps the id of a format it has no definition for only on the cell's private style array.
    if getattr(getattr(cell, "_style", None), "numFmtId", None) in CHINESE_BUILTIN_DATE_FORMATS:
        return from_excel(value, epoch)
    if "%" in (cell.number_format or ""):
        return _percent(value)
    return value


def _percent(value: float) -> Percent:
    return Percent(round(value * 100, 9))  # 0.855 * 100 is 85.49999999999999 in binary floating point


def _xls(content: bytes) -> Workbook:
    book = xlrd.open_workbook(file_contents=content, formatting_info=True, on_demand=True)
    epoch = CALENDAR_MAC_1904 if book.datemode else CALENDAR_WINDOWS_1900
    sheets = []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        grid = {}
        for row in range(sheet.nrows):
            values = {column: value for column, cell in enumerate(sheet.row_slice(row, 0, MAX_COLUMNS))
                      if (value := _xls_value(book, cell)) is not None}
            if values:
                grid[row + 1] = values
        merged = [(top + 1, bottom, left, right) for top, bottom, left, right in sheet.merged_cells]
        sheets.append(Sheet(sheet.name, _rows(grid, merged), epoch))
    return Workbook(sheets, None)  # .xls keeps its saved time in an OLE property set xlrd does not read


def _xls_value(book, cell):
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:  # xlrd knows the built-in date ids, the Chinese ones included
        return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode) if cell.value >= 1 else (
            from_excel(cell.value))
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        number_format = book.format_map[book.xf_list[cell.xf_index].format_key].format_str
        # "0%" but not a literal "%" inside quotes, which is text shown beside the number
        return _percent(cell.value) if "%" in re.sub(r'"[^"]*"', "", number_format) else cell.value
    return cell.value


def _rows(grid: dict[int, dict[int, object]], merged: list[tuple[int, int, int, int]]) -> list[tuple[int, list]]:
    """Sparse cells -> the rows holding values, each a list from column A; a merged range (first and last
    row as Excel numbers them, columns as a Python slice) fills its cells in those rows."""
    numbers = sorted(grid)
    for top, bottom, left, right in merged:
        value = grid.get(top, {}).get(left)
        if value is None:
            continue
        for row in numbers[bisect.bisect_left(numbers, top):bisect.bisect_right(numbers, bottom)]:
            for column in range(left, min(right, MAX_COLUMNS)):
                grid[row][column] = value
    return [(row, [grid[row].get(column) for column in range(max(grid[row]) + 1)]) for row in numbers]
