"""The text of a PDF plan, page by page, through PDFium (pypdfium2).

Chosen by measuring (bench/pdf_extraction.py): the three sample plans typeset as GB/T 9704 documents, in
a built-in CID font and in an embedded TrueType subset (as Word and WPS export). pypdfium2, pypdf and
pdfminer.six gave back every measure (77 of 77) with its units and deadlines in both; pdfplumber lost the
units of 12 of tongan's 29. Per plan pypdfium2 took 6–25 ms, pypdf 27–364 ms, pdfminer.six 154–443 ms,
pdfplumber 142–544 ms. PDFium is native code: intake runs it in a worker process, under its limits.
PyMuPDF, also fast, is AGPL and was not considered.
"""

import pypdfium2


class UnreadablePdf(ValueError):
    pass


def pdf_text(content: bytes) -> str:
    """Lines of each page as laid out, pages in order; layout.py removes page numbers and rejoins lines."""
    if not content.startswith(b"%PDF-"):
        raise UnreadablePdf("the file does not start as a PDF does (%PDF-)")
    try:
        document = pypdfium2.PdfDocument(content)
    except pypdfium2.PdfiumError as error:
        hint = "; save it without its password first" if "password" in str(error).lower() else ""
        raise UnreadablePdf(f"not a readable PDF ({error}){hint}") from error
    try:
        pages = [page.get_textpage().get_text_bounded() for page in document]
    finally:
        document.close()
    text = "\n".join(pages)
    if not text.strip():
        raise UnreadablePdf(f"the PDF's {len(pages)} pages hold no text (a scan?): text recognition (OCR) is "
                            f"not supported, send the document as Word or text")
    return text
