"""Evidence files (佐证材料): what a file may be, what it is named, and what a virus scanner's answer means.

Accepted, told by the content's first bytes (documents/kinds.py), never by the name a district gave the file:
JPEG and PNG images (photos of meetings, notices), PDF, Word .docx and Excel .xlsx (a zip package, checked against
zip and XML bombs before anything opens it: documents/packages.py) and plain text (UTF-8, GB18030, Big5:
documents/text.py). Anything else (a .doc, an archive, a program) is refused, naming what it is.

A scan command (clamdscan, clamscan, or any other reading the file on stdin) answers by its exit status, as ClamAV's
do: 0 clean, 1 infected (its output names the signature), anything else it could not scan.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import PureWindowsPath

from services.intake.domain.documents.kinds import JPEG, PDF, PNG, TEXT, ZIP, WrongKind, kind_of
from services.intake.domain.documents.limits import LIMITS, Limits
from services.intake.domain.documents.packages import check_package
from services.intake.domain.documents.text import UndecodableText, decode_text
from shared.contracts.evidence import PREVIEWABLE, EvidenceReference

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {JPEG: "image/jpeg", PNG: "image/png", PDF: "application/pdf", TEXT: "text/plain"}
# The main part of each Office Open XML package accepted (ECMA-376 Part 1), and its media type.
PACKAGES = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}
ACCEPTED = "JPEG、PNG 图片，PDF，Word .docx，Excel .xlsx 或纯文本"
MAX_NAME = 200  # characters of a stored file name (the contracts' names take 256)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class StoredEvidence:
    """A stored evidence file as intake knows it: the reference events carry, when it was first uploaded, the
    regions whose clients uploaded or cited it (who may fetch it) and the assignments (`measure_id|unit`) it was
    uploaded for or cited by."""

    id: str
    name: str
    sha256: str
    content_type: str
    size: int
    uploaded_at: datetime
    region_codes: tuple[str, ...] = ()
    assignments: tuple[str, ...] = ()

    @property
    def reference(self) -> EvidenceReference:
        return EvidenceReference(id=self.id, name=self.name, sha256=self.sha256, content_type=self.content_type,
                                 size=self.size)

    @property
    def previewable(self) -> bool:
        return self.content_type in PREVIEWABLE


def media_type(content: bytes, limits: Limits = LIMITS) -> str:
    """The media type of an evidence file by its content. Raises WrongKind for a type not accepted (naming what
    it is), LimitExceeded or UnsafePackage for a .docx/.xlsx that inflates too far or is not a safe package."""
    kind = kind_of(content)
    if kind == ZIP:
        check_package(content, limits)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = set(archive.namelist())
        if found := next((media for part, media in PACKAGES.items() if part in members), None):
            return found
        raise WrongKind(f"文件是 {ZIP}，但既不是 Word .docx 也不是 Excel .xlsx；可接受：{ACCEPTED}")
    if kind == TEXT:
        try:
            decode_text(content)
        except UndecodableText as error:
            raise WrongKind(f"文件不是可接受的类型，也不是纯文本（{error}）；可接受：{ACCEPTED}") from error
    if kind not in MEDIA_TYPES:
        raise WrongKind(f"文件是 {kind}；可接受：{ACCEPTED}")
    return MEDIA_TYPES[kind]


def file_name(sent: str | None) -> str:
    """The name to keep: the last part of what the browser sent (some send a Windows path), without control
    characters, at most MAX_NAME characters with its suffix kept; `evidence` when nothing is left."""
    name = _UNPRINTABLE.sub("", PureWindowsPath(sent or "").name).strip()
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        name = stem[:MAX_NAME - len(suffix) - 1] + dot + suffix if dot and len(suffix) < 16 else name[:MAX_NAME]
    return name or "evidence"


class Verdict(Enum):
    CLEAN = "clean"
    INFECTED = "infected"
    FAILED = "failed"


@dataclass(frozen=True)
class ScanOutcome:
    verdict: Verdict
    detail: str  # what the scanner said (its output, trimmed), or why it could not run


def scan_outcome(returncode: int | None, output: str) -> ScanOutcome:
    """The scanner's exit status read as ClamAV's are (0 clean, 1 infected, else failed); None: it was stopped
    (it ran past its time)."""
    detail = output.strip()[:500]
    if returncode == 0:
        return ScanOutcome(Verdict.CLEAN, detail)
    if returncode == 1:
        return ScanOutcome(Verdict.INFECTED, detail or "扫描程序报告文件带毒")
    reason = "扫描超时" if returncode is None else f"扫描程序退出状态 {returncode}"
    return ScanOutcome(Verdict.FAILED, f"{reason}：{detail}" if detail else reason)
