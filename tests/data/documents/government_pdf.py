"""PDFs of plan text in the layout of a Chinese government document (党政机关公文格式, GB/T 9704-2012).

A4 (210 × 297 mm), a text block of 156 × 225 mm holding 22 lines of 28 characters in 3号 (16 pt) type,
paragraphs indented by two characters, and the page number in 4号 type as ``— 3 —`` 7 mm below the text
block, to the right on odd pages and to the left on even ones (GB/T 9704 §7.5). The font is reportlab's
built-in CID font STSong-Light (Adobe-GB1, not embedded), so no font file is needed; the extractors map
its character ids back to Unicode through the standard UniGB-UCS2-H CMap. Given a TrueType file instead
(`font_file`, e.g. Debian's fonts-wqy-microhei), the font is embedded as a subset with a ToUnicode map, as
Word and WPS export.
"""

from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

CID_FONT = "STSong-Light"
SIZE = 16  # 3号
CHARS_PER_LINE, LINES_PER_PAGE = 28, 22
LEFT, TOP = 28 * mm, 37 * mm  # GB/T 9704 §5.2.1: 天头 37 mm, 订口 28 mm
BLOCK_WIDTH, BLOCK_HEIGHT = 156 * mm, 225 * mm


def _font(font_file: str | None) -> str:
    if font_file is None:
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
        return CID_FONT
    pdfmetrics.registerFont(TTFont("Embedded", font_file, subfontIndex=0))
    return "Embedded"


def _lines(text: str, font: str) -> list[str]:
    """The text wrapped as Word wraps it on the grid: every paragraph indented by two characters, cut
    where the next character would cross the block's width (a Latin letter or digit is half as wide)."""
    lines = []
    for paragraph in text.splitlines():
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        line = "\u3000\u3000"
        for char in paragraph:
            if pdfmetrics.stringWidth(line + char, font, SIZE) > BLOCK_WIDTH:
                lines.append(line)
                line = ""
            line += char
        lines.append(line)
    return lines


# Print sets Chinese text with full-width punctuation; the sample plans were saved with ASCII forms.
_FULL_WIDTH = str.maketrans("(),:;%", "（），：；％")


def government_pdf(text: str, font_file: str | None = None) -> bytes:
    """The text as the bytes of a PDF laid out as GB/T 9704 asks (see the module's docstring)."""
    font = _font(font_file)
    lines = _lines(text.translate(_FULL_WIDTH), font)
    out = BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    width, height = A4
    pitch = BLOCK_HEIGHT / LINES_PER_PAGE
    pages = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
    for number, page in enumerate(pages, 1):
        canvas.setFont(font, SIZE)
        for row, line in enumerate(page):
            canvas.drawString(LEFT, height - TOP - (row + 1) * pitch + 0.25 * pitch, line)
        canvas.setFont(font, 14)  # 4号
        folio, baseline = f"— {number} —", height - TOP - BLOCK_HEIGHT - 7 * mm - 14
        if number % 2:
            canvas.drawRightString(LEFT + BLOCK_WIDTH - 14, baseline, folio)
        else:
            canvas.drawString(LEFT + 14, baseline, folio)
        canvas.showPage()
    canvas.save()
    return out.getvalue()
