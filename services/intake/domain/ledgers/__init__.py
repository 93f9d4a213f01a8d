"""Excel and WPS ledgers (台账): rows of progress reports, and the template a district fills in.

`read_workbook(content, filename)` is the whole reading, pure and synchronous: the sheets holding a ledger
and their headers are found by their labels (layout.py), each cell is read in the forms Chinese offices type
(values.py), and each row becomes a ProgressReport or a RejectedRow naming the cell and the forms accepted.
Columns the contract does not know are indicators (`indicator_values`, by header as written).

Time of a row without its own 填报时间, in this order: the 填报日期 line above the header, the workbook's
last-saved time (docProps/core.xml), the import time. The event id is derived from everything published,
so one id always carries one content: the same file imported twice is the same events (its saved time does
not change), and a row whose time is the import time gets a new id on each import.
"""

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900
from pydantic import ValidationError

from services.intake.domain.ledgers.layout import FOOTER_WORDS, REQUIRED, Layout, column_of, find_layouts
from services.intake.domain.ledgers.template import template_workbook
from services.intake.domain.ledgers.values import (
    read_number,
    read_percent,
    read_period,
    read_status,
    read_time,
    text_of,
)
from services.intake.domain.ledgers.workbooks import LedgerError, read_book
from shared.contracts import ProgressReport

__all__ = ["LedgerError", "LedgerRow", "RejectedRow", "column_of", "read_rows", "read_workbook", "template_workbook"]

LEDGER_EVENTS = uuid.UUID("8e1f4f0c-6a0b-4b9e-b5d2-4a1c2e9d7f30")
# Where a row's reported_at came from, as the preview shows it.
OWN, LINE_ABOVE, SAVED, IMPORTED = "row", "填报日期 line above the header", "workbook saved time", "import time"


@dataclass(frozen=True)
class LedgerRow:
    row: int  # as Excel numbers it
    report: ProgressReport
    event_id: str
    reported_at_from: str = OWN
    sheet: str = ""

    def to_json(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "event_id": self.event_id,
                "reported_at_from": self.reported_at_from, "report": self.report.model_dump(mode="json")}


@dataclass(frozen=True)
class RejectedRow:
    row: int
    reason: str
    sheet: str = ""

    def to_json(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "reason": self.reason}


@dataclass(frozen=True)
class Defaults:
    """What every row of a sheet shares: its date system, the lines above the header, the fallback time."""
    epoch: dt.datetime = CALENDAR_WINDOWS_1900
    above: dict[str, str] = field(default_factory=dict)
    saved_at: dt.datetime | None = None
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def read_workbook(content: bytes, filename: str = "", *, now: dt.datetime | None = None,
                  ) -> tuple[list[LedgerRow], list[RejectedRow]]:
    """An .xlsx or .xls workbook -> (good rows, rejected rows) of every sheet holding a ledger, in sheet
    order; LedgerError when none does. `now` bounds the times read (default the current time)."""
    book = read_book(content, filename)
    now = now or dt.datetime.now(dt.UTC)
    good, bad = [], []
    for layout in find_layouts(book.sheets):
        defaults = Defaults(layout.sheet.epoch, layout.above, book.saved_at, now)
        sheet_good, sheet_bad = read_rows(layout.headers, layout.data, defaults, layout=layout)
        good += sheet_good
        bad += sheet_bad
    return good, bad


def read_rows(headers: Sequence, rows: Iterable[tuple[int, Sequence]], defaults: Defaults | None = None, *,
              layout: Layout | None = None) -> tuple[list[LedgerRow], list[RejectedRow]]:
    """Header labels and cell values -> reports; rows are (row number, values). A bad row is named by its
    number and reason and does not stop the others."""
    defaults = defaults or Defaults()
    fields = layout.fields if layout else [column_of(header) for header in headers]
    sheet = layout.sheet.name if layout else ""
    missing = [name for name in REQUIRED if name not in fields and name not in defaults.above]
    if missing:
        raise LedgerError(f"the header row lacks the column(s) {', '.join(missing)}")
    good, bad = [], []
    for number, values in rows:
        # Blank lines between blocks of a ledger are common; cells right of the header belong to no column.
        if all(value is None or text_of(value) == "" for value in values[:len(fields)]):
            continue
        if footer := _footer(fields, values):
            bad.append(RejectedRow(number, f"a {footer} line (totals or notes below the table), not a report", sheet))
            continue
        try:
            record, source = _record(headers, fields, values, defaults)
            report = ProgressReport.model_validate(record)
        except (ValidationError, ValueError) as error:
            bad.append(RejectedRow(number, _reason(error), sheet))
            continue
        good.append(LedgerRow(number, report, _event_id(report), source, sheet))
    return good, bad


def _footer(fields: list[str | None], values: Sequence) -> str | None:
    cells = [text_of(value) for value in values if value is not None and text_of(value)]
    measure = [text_of(value) for name, value in zip(fields, values, strict=False)
               if name == "measure_id" and value is not None]
    word = next((word for word in FOOTER_WORDS if cells[0].replace(" ", "").startswith(word)), None)
    return word.rstrip(":") if word and (not measure or measure[0] in ("", cells[0])) else None


def _record(headers: Sequence, fields: list[str | None], values: Sequence, defaults: Defaults) -> tuple[dict, str]:
    """A row's cells -> the contract's record and where its time came from; ValueError naming every cell
    that cannot be read (a unit fixes the row once, not once per cell)."""
    readers = {"percent_complete": read_percent, "status": read_status, "period": read_period,
               "reported_at": lambda value: read_time(value, now=defaults.now, epoch=defaults.epoch),
               "evidence": lambda value: [item.strip() for item in re.split(r"[\n;；]", str(value)) if item.strip()],
               "measure_id": _code, "region_code": _code}
    cells, own, remarks, indicators, errors = dict(defaults.above), set(), [], {}, []
    for header, name, value in zip(headers, fields, values, strict=False):
        if value is None or text_of(value) == "" or name == "context":
            continue
        if name is None:
            if label := text_of(header or ""):
                indicators[label] = _read(label, read_number, value, errors)
        elif name == "remarks":
            remarks.append(f"{text_of(header)}:{text_of(value)}")
        else:
            cells[name] = value
            own.add(name)
    # Unit names and narratives as typed (a registry may spell 各县（区）政府 with full-width brackets).
    record = {name: _read(name, readers[name], value, errors) if name in readers else _text(value)
              for name, value in cells.items()}
    if errors:
        raise ValueError("; ".join(errors))
    record["indicator_values"] = indicators
    record["narrative"] = "\n".join(filter(None, [record.get("narrative", ""), *remarks]))
    if "reported_at" in record:
        return record, OWN if "reported_at" in own else LINE_ABOVE
    if defaults.saved_at is not None:
        try:  # a saved time outside the window (a wrong clock where it was saved) is not used either
            record["reported_at"] = read_time(defaults.saved_at, now=defaults.now)
            return record, SAVED
        except ValueError:
            pass
    record["reported_at"] = defaults.now
    return record, IMPORTED


def _text(value) -> str:
    """A name or narrative as typed; a whole number as Excel shows it (3, not 3.0)."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()


def _code(value) -> str:
    """A code as text: typed as a number (361002.0) it is still 361002; full-width digits folded."""
    return text_of(_text(value))


def _read(name: str, reader, value, errors: list[str]):
    try:
        return reader(value)
    except ValueError as error:
        errors.append(f"{name}: {error}")
        return None


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, item['loc'])) or 'row'}: {item['msg']}" for item in error.errors())
    return str(error)


def _event_id(report: ProgressReport) -> str:
    """Derived from everything published: the same content is the same event, other content another."""
    content = report.model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return str(uuid.uuid5(LEDGER_EVENTS, digest))
