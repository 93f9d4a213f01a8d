"""Hostile and broken uploads, built at test time: each is small as sent and names what it attacks."""

import io
import zipfile

import docx
import openpyxl

BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                             for n in range(1, 10))
                  + b']>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                    b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>")


def _package_with(original: io.BytesIO, member: str, xml: bytes) -> bytes:
    """The package `original` (a saved .docx or .xlsx) with `member` replaced by `xml`."""
    out = io.BytesIO()
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, xml if item.filename == member else source.read(item))
    return out.getvalue()


def _docx_with(document_xml: bytes) -> bytes:
    """A real .docx package whose word/document.xml is replaced."""
    original = io.BytesIO()
    docx.Document().save(original)
    return _package_with(original, "word/document.xml", document_xml)


def xlsx_xml_bomb() -> bytes:
    """A real .xlsx workbook whose first sheet is billion laughs (its cell holds &lol9;)."""
    original = io.BytesIO()
    openpyxl.Workbook().save(original)
    sheet = BILLION_LAUGHS.split(b"]>")[0] + (
        b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    return _package_with(original, "xl/worksheets/sheet1.xml", sheet)


def xml_bomb() -> bytes:
    """Billion laughs: nine levels of entities expanding to 10^9 "lol"s, in a .docx of a few KB."""
    return _docx_with(BILLION_LAUGHS)


def zip_bomb(inflated_mib: int) -> bytes:
    """A .docx whose document.xml is `inflated_mib` MB of one repeated paragraph: about a thousand times its
    compressed size, as the 112 KB file that held intake's event loop for 47 s."""
    paragraph = b"<w:p><w:r><w:t>" + "依法行政".encode() + b"</w:t></w:r></w:p>"
    body = paragraph * (inflated_mib * 2**20 // len(paragraph))
    return _docx_with(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                      b"<w:body>" + body + b"</w:body></w:document>")


def malformed_docx() -> bytes:
    """A .docx whose document.xml was cut off mid-element (a broken download)."""
    return _docx_with('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                      "<w:body><w:p><w:r><w:t>一、总体要求</w:t></w:r".encode())


def zip_not_word() -> bytes:
    """A sound zip archive of sound XML that is not a Word document (no [Content_Types].xml, no parts)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("data.xml", "<rows><row>1</row></rows>")
    return out.getvalue()


# The first bytes of a PDF (ISO 32000): enough for a file of the wrong kind with the right extension.
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
