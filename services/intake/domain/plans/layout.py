"""Text layout: fold punctuation, drop page furniture, rebuild paragraphs, recognise numbering.

Plans arrive as web-page text (one paragraph per line) or as PDF extractions (lines cut at the
page width, page numbers and running headers in between). Everything downstream works on the
paragraphs returned by :func:`paragraphs`.
"""
import re
from collections import Counter

from .numerals import cn_to_int

# Every full-width form (U+FF01-FF5E: digits, letters, brackets, hyphen, percent, colon, ～) is
# folded to its ASCII form, as are the wave dash 〜 and the spaces, so one set of patterns matches
# both; 、。〔〕“”— and other CJK-only punctuation stay as written.
_FOLD = {"\u3000": " ", "\xa0": " ", "\t": " ", "〜": "~",
         **{chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}}
_FOLDED = re.compile("[\u3000\xa0\t〜\uff01-\uff5e]")

# Page numbers left by PDF extraction ("-12 -", "— 12 —", "第3页"), possibly glued to text. The
# look-behind keeps index codes (XM05107-30-01) and dates (2022-04-24) intact.
PAGE_NO = re.compile(r"(?<![0-9A-Za-z])[-—–]{1,2} *(\d{1,3}) *[-—–]{1,2}"
                      r"|第 *(\d{1,3}) *页(?: *共 *\d{1,3} *页)?")
_BARE_PAGE_NO = re.compile(r"\d{1,3}")
_PAGE_NO_ENDS = tuple("0123456789-—–页")

_CN = "一二三四五六七八九十百零〇"
# Numbering styles by outline level: 一、 > (一) > 1. > (1) > ①.
_MARKERS = (
    (1, re.compile(rf"([{_CN}]+) *[、.]")),
    (2, re.compile(rf"\( *([{_CN}]+) *\)")),
    (2, re.compile(r"\( *([A-Z]) *\)(?=[\u4e00-\u9fff])")),  # a lettered section mark: (D) is the fourth
    (3, re.compile(r"(\d{1,3}) *[.、](?!\d)")),
    (4, re.compile(r"\( *(\d{1,3}) *\)")),
    (5, re.compile("([①-⑳])")),
)

_TEXT_AFTER = r"(?=[\u4e00-\u9fff“《])"
# A number in the middle of a line that may open an item, by outline level (see _MARKERS): the
# backbone (backbone.py) keeps those that continue the numbering; a unit list never runs past one.
MID_LINE_MARKER = re.compile(
    r"(?P<l1>[一二三四五六七八九十]{1,3}) *、" + _TEXT_AFTER
    + r"|\( *(?P<l2>[一二三四五六七八九十]{1,3}) *\)" + _TEXT_AFTER
    + r"|\( *(?P<letter>[A-Z]) *\)" + _TEXT_AFTER
    + r"|(?<![\d.%第])(?P<l3>\d{1,3}) *[.、]" + _TEXT_AFTER
    + r"|\( *(?P<l4>\d{1,3}) *\)" + _TEXT_AFTER)

# "…根据职责落实" closes tongan's unit lists; it describes how, not who.
DUTY_PHRASE = re.compile(r"(?:根据|按照?)(?:各自)?职责(?:分工)?(?:落实|负责)?")
_DUTY_END = re.compile(r"职责(?:分工)?(?:落实|负责)$")
UNIT_LABEL = re.compile(r"(牵头单位|牵头部门|责任单位|责任部门|参加单位|配合单位|参与单位|协办单位) *:")
# Labels that may follow a unit list in the same clause; a unit list ends where one begins.
END_LABEL = re.compile(r"(完成时间|完成时限|完成期限|时间要求|时限要求|时间节点|进度要求|进度安排) *:")
_LABEL_LINE = re.compile(r"[〔(\[【]? *" + UNIT_LABEL.pattern)
# A note of the document ("注:各单位每季度末…", under a task table, say) is a paragraph of its own, never
# the end of the measure above it.
NOTE = re.compile(r"(?:注|备注|说明|附注) *[:\d]")
_PLAIN = re.compile(r"[\u4e00-\u9fff0-9A-Za-z 《》·-]+")
_SENTENCE_END = "。!?"
_LIST_CONTINUES = "、,;:(〔"


def marker(line: str) -> tuple[int, int, str, str] | None:
    """(level, number, number as written, rest of line) when the line starts with a numbering."""
    for level, pattern in _MARKERS:
        m = pattern.match(line)
        if m:
            digits = m.group(1)
            if level == 5:
                number = ord(digits) - ord("①") + 1
            elif digits.isascii() and digits.isalpha():
                number = ord(digits) - ord("A") + 1
            else:
                number = int(digits) if digits.isdigit() else cn_to_int(digits)
            return level, number, m.group(0).strip(), line[m.end():].strip()
    return None


def normalize(text: str) -> str:
    # a substitution per folded character: str.translate would look every character up
    return _FOLDED.sub(lambda m: _FOLD[m.group()], text)


def pages(lines: list[str]) -> list[list[str]]:
    """Lines grouped in pages, each ending with a line that is or ends with its page number (the
    footer of a PDF page); one group when there is no such line."""
    result: list[list[str]] = [[]]
    for line in lines:
        result[-1].append(line)
        stripped = line.strip()
        if not stripped.endswith(_PAGE_NO_ENDS):  # most lines: no page number can end them
            continue
        found = PAGE_NO.search(stripped)
        if (found and found.end() == len(stripped)) or _BARE_PAGE_NO.fullmatch(stripped):
            result.append([])
    return [page for page in result if page]


def page_number(footer: re.Match) -> int:
    """The number of a page footer found by ``PAGE_NO`` ("— 4 —", "第4页")."""
    return int(footer.group(1) or footer.group(2))


def _clean_lines(raw_lines: list[str]) -> list[str]:
    """Lines without page furniture, indentation kept: it counts towards the page width.

    A running header or footer is a short line of plain words repeated next to page numbers;
    pieces of wrapped paragraphs also repeat ("落实", "(区)人民政府〕") but away from them.
    """
    lines, near_page_break = [], set()
    for line in raw_lines:
        cleaned = PAGE_NO.sub("", line).rstrip()
        if _BARE_PAGE_NO.fullmatch(cleaned.strip()):
            cleaned = ""
        if cleaned != line.rstrip():
            near_page_break.update(range(len(lines) - 2, len(lines) + 3))
        if cleaned.strip():
            lines.append(cleaned)
    near_breaks = Counter(line.strip() for i, line in enumerate(lines) if i in near_page_break)
    return [line for line in lines
            if not (near_breaks[plain := line.strip()] >= 3 and len(plain) <= 30
                    and _PLAIN.fullmatch(plain))]


def _wrap_width(lines: list[str]) -> tuple[int | None, float]:
    """The page width in characters when the text was cut into lines of one width (a PDF), and the
    share of voting lines near it.

    In such text most long lines have the same length; paragraphs of web text do not. Only
    lines of 20 characters or more vote, and no label line ("牵头单位:…", "完成时限:…") or
    numbered line: a plan with title, labels and deadline each on a line of its own has many
    of 10-15 characters that share a length by chance. Most voters (at least 5, and at least
    60 %) must lie within one character of the width; real PDF extractions reach 90 %.
    """
    lengths = Counter(len(line) for line in lines if len(plain := line.strip()) >= 20
                      and not _LABEL_LINE.match(plain) and not END_LABEL.match(plain)
                      and not marker(plain))
    if not lengths:
        return None, 0.0
    width = max(lengths, key=lambda n: (sum(lengths[k] for k in (n - 1, n, n + 1)), n))
    near = sum(lengths[n] for n in (width - 1, width, width + 1))
    share = near / lengths.total()
    return (width if near >= 5 and share >= 0.6 else None), share


def wrap_guess(raw_text_lines: list[str]) -> str | None:
    """A note when the lines were joined as fixed-width text on a thin majority (under 80 % of the
    long lines near the width): titles and unit lists may then run into the text after them."""
    width, share = _wrap_width(_clean_lines(raw_text_lines))
    if width and share < 0.8:
        return (f"lines joined as text wrapped at {width} characters, though only {share:.0%} of the "
                "long lines have that length: check titles and unit lists")
    return None


def _inline_levels(lines: list[str]) -> set[int]:
    """Numbering levels whose items usually carry their text on the same line ("1.标题。正文…").

    For these a numbered line without 。 was cut short (at a page break, say) and continues on
    the next line; for the other levels such a line is a heading standing alone.
    """
    votes: Counter[tuple[int, bool]] = Counter()
    for line in lines:
        found = marker(line)
        if found:
            votes[found[0], "。" in line] += 1
    return {level for (level, inline) in votes if inline and votes[level, True] > votes[level, False]}


def _closed(paragraph: str, inline_levels: set[int]) -> bool:
    """Whether a paragraph of unwrapped text is complete, so that the next line starts a new one."""
    if paragraph.endswith(tuple(_SENTENCE_END)):
        return True
    found = marker(paragraph)
    if found and found[0] not in inline_levels and "。" not in paragraph:
        return True  # a heading line such as "(四)推进政府机构职能优化协同高效"
    # A bare "责任单位:…" line ends its measure unless it visibly runs on.
    return bool(_LABEL_LINE.match(paragraph)) and not paragraph.endswith(tuple(_LIST_CONTINUES))


def paragraphs(text: str) -> list[str]:
    """Paragraphs of the document (see ``join_lines``)."""
    return join_lines(normalize(text).splitlines())


def join_lines(raw_text_lines: list[str]) -> list[str]:
    """Paragraphs of the document, with lines cut by the page width or a page break joined back.

    In text wrapped at a fixed width a paragraph goes on after every full line (wherever the
    cut fell, even inside a heading or a unit list) and ends with a short one. Otherwise lines
    are paragraphs unless punctuation shows one was cut (see ``_closed``). A numbered line
    always starts a new paragraph, and so does a note (注:…).
    """
    raw_lines = _clean_lines(raw_text_lines)
    lines = [line.strip() for line in raw_lines]
    width, inline_levels = _wrap_width(raw_lines)[0], _inline_levels(lines)
    result: list[str] = []
    for previous, line in zip(["", *raw_lines], lines, strict=False):
        continues = (len(previous) >= width - 1 and not _DUTY_END.search(previous)
                     if width else result and not _closed(result[-1], inline_levels))
        if result and continues and not marker(line) and not NOTE.match(line):
            result[-1] += line  # Chinese needs no space where a line was cut
        else:
            result.append(line)
    return result
