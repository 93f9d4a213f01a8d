"""A ledger upload read in intake's worker (entrypoints/http/uploads.in_worker): the zip package checked against
bombs first (domain/documents/packages.py), then the workbook read (domain/ledgers.read_workbook)."""

import io
import zipfile

from services.intake.domain.documents.packages import UnsafePackage, check_package
from services.intake.domain.ledgers import LedgerRow, RejectedRow, read_workbook


class UnreadableLedger(ValueError):
    """A ledger file that is not a safe workbook package."""


def read_ledger(content: bytes, filename: str = "") -> tuple[list[LedgerRow], list[RejectedRow]]:
    """read_workbook's answer, after the package checks when the file is a zip
    (.xlsx; an .xls is an OLE file that xlrd reads without XML). Runs in the worker."""
    if zipfile.is_zipfile(io.BytesIO(content)):
        try:
            check_package(content)
        except UnsafePackage as error:
            raise UnreadableLedger(f"not an Excel workbook: {error}") from error
    return read_workbook(content, filename)
