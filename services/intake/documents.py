"""The text of an uploaded plan document: plain text (UTF-8 or GB18030) or Word .docx."""

import io
import zipfile
from pathlib import PurePath

import docx
from docx.table import Table

SUPPORTED = (".txt", ".docx")


class UnreadableDocument(ValueError):
    pass


def document_text(filename: str, content: bytes) -> str:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".txt":
        return _plain_text(content)
    if suffix == ".docx":
        return _docx_text(content)
    raise UnreadableDocument(f"{filename or 'the file'}: expected one of {', '.join(SUPPORTED)}")


def _plain_text(content: bytes) -> str:
    # Government offices still save GBK text; GB18030 reads all of it.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocument("the text is neither UTF-8 nor GB18030")


def _docx_text(content: bytes) -> str:
    try:
        document = docx.Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadableDocument(f"not a Word .docx document: {error}") from error
    lines: list[str] = []
    # Paragraphs and tables in document order: task tables (任务分工表) hold measures too.
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = list(dict.fromkeys(cell.text.strip() for cell in row.cells))  # merged cells repeat
                lines.append(" ".join(filter(None, cells)))
        else:
            lines.append(block.text)
    return "\n".join(lines)
