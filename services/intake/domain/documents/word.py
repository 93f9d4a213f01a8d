"""The plan text of a Word .docx: paragraphs with the numbers Word draws for them, task tables as measures."""

import io
import zipfile

import docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml.etree import LxmlError

from services.intake.domain.documents.numbering import ListNumbering
from services.intake.domain.documents.tables import plan_lines

_NUMERAL_END = "0123456789〇一二三四五六七八九十百"


class NotWord(ValueError):
    """A sound package that python-docx cannot open as a Word document (no main document part, say)."""


def docx_text(content: bytes) -> str:
    """One line per paragraph and per table row, in document order (content controls opened).

    Raises NotWord when numbered paragraphs refer to lists or levels numbering.xml does not define:
    without their numbers the outline cannot be read."""
    try:
        document = docx.Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError, LxmlError) as error:
        raise NotWord(f"not a Word .docx document ({type(error).__name__}: {error})") from error
    numbering = ListNumbering(document.part.numbering_part.element, document.styles.element)
    lines: list[str] = []
    _read(document.element.body, document, numbering, lines)
    if numbering.dangling:
        raise NotWord(f"its list numbering (word/numbering.xml) is damaged: {len(numbering.dangling)} numbered "
                      f"paragraphs lost their numbers ({'; '.join(dict.fromkeys(numbering.dangling))})")
    return "\n".join(lines)


def _read(container, document, numbering: ListNumbering, lines: list[str]) -> None:
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            text = Paragraph(child, document).text
            label = numbering.label(child)
            lines.append(_labelled(label, text) if label else text)
        elif child.tag == qn("w:tbl"):
            lines += plan_lines(child)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                _read(content, document, numbering, lines)


def _labelled(label: str, text: str) -> str:
    """The label before the text; a bare number ("%1" followed by a tab in Word) gets the mark the parser
    reads for its kind: "1." for digits, "一、" for Chinese numerals."""
    label = label.strip()
    if label.endswith(tuple(_NUMERAL_END)):
        label += "." if label[-1].isascii() else "、"
    return label + text.lstrip()
