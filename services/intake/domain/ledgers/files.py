"""A ledger upload read in intake's worker (entrypoints/http/uploads.in_worker): the zip package checked against
bombs first (domain/documents/packages.py), then the workbook read (domain/ledgers.read_workbook)."""

from services.intake.domain.documents.kinds import ZIP, WrongKind, expect_kind
from services.intake.domain.documents.packages import UnsafePackage, check_package
from services.intake.domain.ledgers import LedgerRow, RejectedRow, read_workbook


class UnreadableLedger(ValueError):
    """A ledger file that is not a safe workbook package."""


def read_ledger(content: bytes, filename: str = "") -> tuple[list[LedgerRow], list[RejectedRow]]:
    """read_workbook's answer, once the content is a workbook by its first bytes (a zip package or an OLE2 file,
    whatever its name says: districts rename files) and, for a zip, after the package checks (an .xls is an OLE
    file that xlrd reads without XML). Runs in the worker."""
    try:
        kind = expect_kind(filename, content, accepted=(".xlsx", ".xls"))
    except WrongKind as error:
        raise UnreadableLedger(str(error)) from error
    if kind == ZIP:
        try:
            check_package(content)
        except UnsafePackage as error:
            raise UnreadableLedger(f"not an Excel workbook: {error}") from error
    return read_workbook(content, filename)
