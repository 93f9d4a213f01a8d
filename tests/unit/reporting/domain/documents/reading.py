"""Reading a .docx back with python-docx: its tables as lists of texts, its paragraphs, a run's fonts."""

import io

from docx import Document
from docx.oxml.ns import qn


def open_docx(content: bytes):
    return Document(io.BytesIO(content))


def tables(document) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def texts(document) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs if paragraph.text]


def paragraph_starting(document, start: str):
    return next(paragraph for paragraph in document.paragraphs if paragraph.text.startswith(start))


def east_asian_font(run) -> str:
    return run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
