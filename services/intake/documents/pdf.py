"""The text of a PDF plan, page by page, through PDFium (pypdfium2).

Chosen by measuring (bench/pdf_extraction.py): on the three sample plans typeset as GB/T 9704 documents,
pypdfium2, pypdf and pdfminer.six all gave back every measure with its units and deadlines, pdfplumber lost
the units of 12 of tongan's 29; pypdfium2 took 8–15 ms a plan against 31–64 ms (pypdf) and 150–240 ms
(pdfminer.six). PDFium is native code: it runs in intake's worker process, under its limits.
PyMuPDF, also fast, is AGPL and was not considered.
"""

import pypdfium2


class UnreadablePdf(ValueError):
    pass


def pdf_text(content: bytes) -> str:
    """Lines of each page as laid out, pages in order; layout.py removes page numbers and rejoins lines."""
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
