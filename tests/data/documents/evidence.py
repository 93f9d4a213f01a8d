"""Evidence files of each accepted kind, built at test time, small and real: a photo, a scan, a Word and an Excel
file as the units send them."""

import io

import docx
import openpyxl
from PIL import Image


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 200, 30)).save(out, "PNG")
    return out.getvalue()


def word(text: str = "行政应诉工作总结") -> bytes:
    document, out = docx.Document(), io.BytesIO()
    document.add_paragraph(text)
    document.save(out)
    return out.getvalue()


def workbook() -> bytes:
    book, out = openpyxl.Workbook(), io.BytesIO()
    book.active.append(["案件", "出庭应诉"])
    book.save(out)
    return out.getvalue()
