"""The ledger template (domain/ledgers/template.py): blank with an example row, or pre-filled with one row per
assignment of a unit, which intake asks of the tracker (it owns no assignments)."""

from collections.abc import Callable

from services.intake.domain.ledgers import template_workbook
from services.intake.storage.tracker import TrackerAssignments


class NoAssignments(LookupError):
    """The tracker holds no assignments for the unit."""


class LedgerTemplates:
    def __init__(self, tracker: TrackerAssignments):
        self.tracker = tracker

    def blank(self) -> tuple[bytes, str]:
        """(the .xlsx, its file name)."""
        return template_workbook(), "ledger-template.xlsx"

    async def for_unit(self, unit: str, period: str | None, authorise: Callable[[str], None]) -> tuple[bytes, str]:
        """(the .xlsx pre-filled for `unit` on `period` (None: the current quarter), its file name).
        `authorise(region_code)` is called for each assignment's region and raises to refuse it. Raises
        NoAssignments, and storage.tracker.TrackerUnavailable."""
        assignments = await self.tracker.of_unit(unit)
        if not assignments:
            raise NoAssignments(f"the tracker holds no assignments for unit {unit!r}")
        for assignment in assignments:
            authorise(assignment["region_code"])
        return template_workbook(assignments, period=period), f"ledger-{_filename_safe(unit)}.xlsx"


def _filename_safe(unit: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in ".-_") else "_" for c in unit)
