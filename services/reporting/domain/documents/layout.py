"""A Word document in the layout of Chinese official documents (党政机关公文格式, GB/T 9704-2012), with python-docx.

What the standard fixes and this module writes (§5, §7):
- A4 paper; margins top 37 mm, bottom 35 mm, left (订口) 28 mm, right 26 mm: a 156 × 225 mm text block;
- body 仿宋_GB2312 三号 (16 pt), 22 lines of 28 characters: the document's line grid and exact line spacing
  pitch lines at 225 mm / 22, and each character is condensed so that 28 fill the 156 mm line;
- the title 小标宋 二号 (22 pt), centred; headings of the first level `一、` in 黑体, of the second `（一）` in
  楷体_GB2312, both 三号; body paragraphs indented two characters;
- the page number `— 1 —` in 4号 (14 pt) 宋体 at the foot, one character in from the outer edge: right on
  odd pages, left on even pages (odd and even footers differ).

Font names are those Chinese Windows and WPS install; the East Asian font is set on every run, and the ASCII one
to Times New Roman (the standard's choice for digits and Latin). Tables (not fixed by the standard) take 仿宋
四号 with a 黑体 header row, single-spaced. `OfficialDocument.to_bytes()` returns the .docx.
"""

import io
import math
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

FANGSONG, HEITI, KAITI, SONGTI, XIAOBIAOSONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体", "方正小标宋简体"
LATIN = "Times New Roman"
SANHAO, ERHAO, SIHAO = Pt(16), Pt(22), Pt(14)  # 三号, 二号, 四号
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TEXT_WIDTH, TEXT_HEIGHT = Mm(210 - 28 - 26), Mm(297 - 37 - 35)
LINES, CHARACTERS = 22, 28
# 28.95 pt: Word stores twentieths of a point; rounded down, so that 22 lines still fit the block.
LINE_PITCH = Pt(math.floor(TEXT_HEIGHT.pt / LINES * 20) / 20)
# 28 characters of 16 pt are 448 pt, the block 442.2 pt: each character is condensed by a quarter point. (Word's
# character grid would do this too, but LibreOffice puts a 16 pt character on two grid cells narrower than it.)
CONDENSED = Pt(-0.25)
CHAR_PITCH = Pt(SANHAO.pt + CONDENSED.pt)
FOOTER_DISTANCE = Mm(28)  # puts the page number ~7 mm below the last line of text (§7.5)
RED = RGBColor(0xE6, 0x00, 0x12)  # the red of the masthead (版头) and its rule


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (1 ≤ n ≤ 99): the numerals of headings and issue numbers."""
    digits = "零一二三四五六七八九"
    if not 1 <= n <= 99:
        raise ValueError(f"{n} is outside 1..99")
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones else "")


class OfficialDocument:
    """Build a document top to bottom: masthead (optional), title, headings, paragraphs, tables."""

    def __init__(self) -> None:
        self.document = Document()
        self._page_layout()
        self._body_style()
        self._page_numbers()
        self._headings = [0, 0]

    # --- page ------------------------------------------------------------------------------------------------
    def _page_layout(self) -> None:
        section = self.document.sections[0]
        section.start_type = WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side, length in MARGINS.items():
            setattr(section, f"{side}_margin", length)
        section.footer_distance = FOOTER_DISTANCE
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))  # twentieths of a point
        grid.attrib.pop(qn("w:charSpace"), None)

    def _body_style(self) -> None:
        # The document defaults, not only Normal: the character grid's pitch counts from their font size, and
        # their language tells LibreOffice and Word the text is Chinese.
        defaults = self.document.styles.element.find(qn("w:docDefaults")).find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        fonts = defaults.get_or_add_rFonts()
        for theme in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        _fonts(defaults, FANGSONG)
        for size in ("w:sz", "w:szCs"):
            defaults.find(qn(size)).set(qn("w:val"), str(round(SANHAO.pt * 2)))  # half-points
        defaults.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
        normal = self.document.styles["Normal"]
        _fonts(normal.element.get_or_add_rPr(), FANGSONG)
        normal.font.size = SANHAO
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(round(CONDENSED.pt * 20)))
        normal.element.get_or_add_rPr().insert_element_before(spacing, *AFTER_SPACING)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.widow_control = False

    def _page_numbers(self) -> None:
        self.document.settings.odd_and_even_pages_header_footer = True
        section = self.document.sections[0]
        for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                                  (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            paragraph = footer.paragraphs[0]
            paragraph.alignment = alignment
            # One character in from the outer edge.
            paragraph.paragraph_format.right_indent = SIHAO if alignment == WD_ALIGN_PARAGRAPH.RIGHT else None
            paragraph.paragraph_format.left_indent = SIHAO if alignment == WD_ALIGN_PARAGRAPH.LEFT else None
            self._run(paragraph, "— ", SONGTI, SIHAO)
            _page_field(self._run(paragraph, "", SONGTI, SIHAO))
            self._run(paragraph, " —", SONGTI, SIHAO)

    # --- content ---------------------------------------------------------------------------------------------
    def masthead(self, name: str, issue: str, issuer: str, issued_on: str) -> None:
        """版头 of a bulletin (简报式): the name in red 小标宋, the issue number, then the issuer and the date
        above a red rule."""
        self._centred(name, XIAOBIAOSONG, Pt(36), color=RED)
        self._centred(issue, FANGSONG, SANHAO)
        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, alignment=2)  # 2: right-aligned tab
        self._run(paragraph, f"{issuer}\t{issued_on}", FANGSONG, SANHAO)
        _rule_below(paragraph, "E60012")
        self.document.add_paragraph()

    def title(self, text: str) -> None:
        self._centred(text, XIAOBIAOSONG, ERHAO)
        self.document.add_paragraph()  # the standard leaves one blank line under the title

    def heading(self, text: str) -> str:
        """A first-level heading `一、text` in 黑体; returns the heading as written."""
        self._headings = [self._headings[0] + 1, 0]
        written = f"{chinese_number(self._headings[0])}、{text}"
        self._indented(written, HEITI).paragraph_format.keep_with_next = True
        return written

    def subheading(self, text: str) -> str:
        """A second-level heading `（一）text` in 楷体 under the current first-level one."""
        self._headings[1] += 1
        written = f"（{chinese_number(self._headings[1])}）{text}"
        self._indented(written, KAITI).paragraph_format.keep_with_next = True
        return written

    def paragraph(self, text: str) -> Paragraph:
        """A body paragraph, first line indented two characters."""
        return self._indented(text, FANGSONG)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence], widths_mm: Sequence[float]) -> None:
        """A bordered table across the text block, its header row repeated on each page; `widths_mm` are scaled
        to the block's width."""
        table = self.document.add_table(rows=1 + len(rows), cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        scale = TEXT_WIDTH.mm / sum(widths_mm)
        widths = [Mm(width * scale) for width in widths_mm]
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width  # the grid LibreOffice lays out by
        for row_index, (row, values) in enumerate(zip(table.rows, [headers, *rows], strict=True)):
            header = row_index == 0
            for cell, width, value in zip(row.cells, widths, values, strict=True):
                cell.width = width  # the cell widths Word lays out by
                paragraph = cell.paragraphs[0]
                fmt = paragraph.paragraph_format
                fmt.line_spacing_rule, fmt.first_line_indent = WD_LINE_SPACING.SINGLE, None
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if header or _is_figure(value) else None
                _no_grid(paragraph)
                self._run(paragraph, _text(value), HEITI if header else FANGSONG, SIHAO)
            _keep_whole(row)
            if header:
                _repeat_as_header(row)
        self.document.add_paragraph()

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()

    # --- runs --------------------------------------------------------------------------------------------------
    def _centred(self, text: str, font: str, size: Pt, color: RGBColor | None = None) -> Paragraph:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if size > SANHAO:  # a larger font would not fit the exact body line; let the line grow
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        run = self._run(paragraph, text, font, size)
        if color is not None:
            run.font.color.rgb = color
        return paragraph

    def _indented(self, text: str, font: str) -> Paragraph:
        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(2 * CHAR_PITCH.pt)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        self._run(paragraph, text, font, SANHAO)
        return paragraph

    @staticmethod
    def _run(paragraph: Paragraph, text: str, font: str, size: Pt) -> Run:
        run = paragraph.add_run(text)
        run.font.size = size
        _fonts(run._element.get_or_add_rPr(), font)
        return run


def _fonts(rpr, east_asian: str) -> None:
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), LATIN)
    fonts.set(qn("w:eastAsia"), east_asian)


def _page_field(run: Run) -> None:
    """A PAGE field: Word and LibreOffice put the page's number there."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText" if text == " PAGE " else "w:t")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)


# Word refuses a paragraph whose properties are out of the schema's order (ECMA-376 §17.3.1.26): the elements
# that must follow w:pBdr and w:snapToGrid.
AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
              "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
              "w:rPr", "w:sectPr", "w:pPrChange")
AFTER_BORDERS = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                 "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
                 *AFTER_SNAP)


AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
                 "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                 "w:specVanish", "w:oMath")


def _rule_below(paragraph: Paragraph, color: str) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", color)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *AFTER_BORDERS)


def _no_grid(paragraph: Paragraph) -> None:
    """Table text keeps its own size: off the document grid, which would stretch each character to 三号 pitch."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().insert_element_before(snap, *AFTER_SNAP)


def _keep_whole(row) -> None:
    """A row is not split across two pages."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _repeat_as_header(row) -> None:
    """The header row repeats on every page the table runs onto."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _is_figure(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
