"""The text of an uploaded plan document, in the form the plan parser reads.

Formats: plain text in any encoding Windows and Chinese editors save (text.py), Word .docx with automatic
list numbering and task tables (word.py, numbering.py, tables.py) and PDF (pdf.py). Each file must hold what
its suffix says, by its first bytes (kinds.py), and a .docx is checked against zip and XML bombs before
python-docx opens it (packages.py). Anything that cannot be read raises
UnreadableDocument with a reason a person can act on, or LimitExceeded naming the limit.
"""

from pathlib import PurePath

from services.intake.domain.documents.kinds import WrongKind, expect_kind
from services.intake.domain.documents.limits import LIMITS, LimitExceeded, Limits
from services.intake.domain.documents.packages import UnsafePackage, check_package
from services.intake.domain.documents.pdf import UnreadablePdf, pdf_text
from services.intake.domain.documents.text import UndecodableText, decode_text
from services.intake.domain.documents.word import NotWord, docx_text
from services.intake.domain.plans.parser import ParsedPlan, parse_plan

SUPPORTED = (".txt", ".docx", ".pdf")

__all__ = ["SUPPORTED", "LIMITS", "Limits", "LimitExceeded", "UnreadableDocument", "document_text",
           "parse_document"]


class UnreadableDocument(ValueError):
    pass


def document_text(filename: str, content: bytes, limits: Limits = LIMITS) -> str:
    """The plan text of `content`, read by the suffix of `filename`.

    Raises UnreadableDocument (wrong suffix, wrong content for the suffix, malformed file) or LimitExceeded."""
    suffix = PurePath(filename or "").suffix.lower()
    what = filename or "the file"
    if len(content) > limits.upload_bytes:
        raise LimitExceeded("upload_bytes", f"{what} is larger than {limits.upload_bytes // 2**20} MB")
    try:
        if suffix in SUPPORTED:
            expect_kind(what, content)
        if suffix == ".txt":
            return decode_text(content)
        if suffix == ".pdf":
            return pdf_text(content)
        if suffix == ".docx":
            check_package(content, limits)
            return docx_text(content)
    except UnsafePackage as error:
        raise UnreadableDocument(f"{what}: not a Word .docx document: {error}") from error
    except (WrongKind, UndecodableText, UnreadablePdf, NotWord) as error:
        raise UnreadableDocument(f"{what}: {error}") from error
    hint = " (Word and WPS save a .doc or .wps file as .docx with 另存为)" if suffix in (".doc", ".wps") else ""
    raise UnreadableDocument(f"{what}: expected one of {', '.join(SUPPORTED)}{hint}")


def parse_document(filename: str, content: bytes, limits: Limits = LIMITS) -> ParsedPlan:
    """The parse of a plan document (intake runs it in a worker process: api/uploads.py's in_worker)."""
    return parse_plan(document_text(filename, content, limits))
