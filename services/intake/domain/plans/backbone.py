"""The numbering sequence as the backbone of a damaged plan text.

A plan copied off a document-sharing site comes as chunks: a banner line, then every line opened
by the site's own counter ``N、`` (1、 2、 3、 … on consecutive lines), the document's line breaks
lost, and pages sometimes out of order. Items then start mid-line ("…有关部门2 .严格落实…",
"…乡(镇、街道)四、健全…"). The plan's own numbering says where items start and where pages belong:

- :func:`site_chunks` recognises the counters and drops them; :func:`without_banners` the banner;
- :func:`reorder` puts chunks (or a PDF's pages) back in the order of the numbers they hold;
- :func:`split_run_on` cuts a paragraph before each mid-line number that continues its level's
  sequence (18 → 19) or starts it again at 1 under a new outer heading; any other number-like
  text (一、二级, 第1、2项, a stray 5.) stays text. A lettered section mark ((D)) right after a
  chapter heading takes the next section number.

:func:`read` runs them all (and takes a trailing 责任分工 table out, duty_table.py) and says what
it repaired, for the parser's per-measure notes.
"""
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from . import layout
from .duty_table import DutyRow, find_duty_table
from .numerals import cn_to_int

_COUNTER = re.compile(r"(\d{1,4})、")
# Words of a site's banner ("本文档由用户上传至文库平台分享,仅供在线阅读,完整版请下载原文件…(共18页)"):
# those only a site writes, and those a plan may write too (材料网上上传、证照在线下载).
_SITE_WORDS = re.compile(r"文库|文档|原文件|在线阅读|完整版|侵权|版权所有|会员|VIP|共 *\d+ *页")
_BANNER_WORDS = re.compile(_SITE_WORDS.pattern + r"|上传|下载|仅供|分享|阅读")
# A paragraph of a plan ends with one of these; a site's chunks mostly end mid-word.
_PARAGRAPH_END = tuple("。!?;:)〕】”")
_CANDIDATE = layout.MID_LINE_MARKER
_SENTENCE = re.compile("[。:;]")
_LEVEL_OF = {"l1": 1, "l2": 2, "letter": 2, "l3": 3, "l4": 4}


@dataclass
class Reading:
    """The paragraphs of a plan text, and what was repaired to get them."""
    paragraphs: list[str]
    recovered: set[int] = field(default_factory=set)  # paragraphs whose number was found mid-line
    moved: set[tuple[int, int]] = field(default_factory=set)  # (level, number) of items on moved pages
    notes: list[str] = field(default_factory=list)  # repairs of the document as a whole
    duty_rows: list[DutyRow] = field(default_factory=list)  # a trailing 责任分工 table (duty_table.py)
    wrap_guess: str | None = None  # lines joined by a line width few lines share (layout.wrap_guess)


def read(text: str) -> Reading:
    """Paragraphs of any plan text: banner and site counters dropped, pages in numbering order,
    lines joined (layout.join_lines) and run-on paragraphs cut at their numbering."""
    raw_lines, duty_rows = find_duty_table(text.splitlines())
    lines = without_banners(layout.normalize("\n".join(raw_lines)).splitlines())
    notes, moved, numbers = [], set(), None
    chunks = site_chunks(lines)
    if chunks is not None:
        notes.append(f"site chunk counters N、 removed from {len(chunks)} chunks and the chunks joined")
        pages, numbers = footed_pages("".join(chunks))
        chunks, moved = reorder(pages, numbers) if numbers else reorder(chunks)
        lines = "".join(chunks).splitlines()
    elif len(pages := layout.pages(lines)) > 2:  # a PDF extraction's pages, each closed by its number
        pages, numbers = footed_pages("".join("\n".join(page) + "\n" for page in pages))
        ordered, moved = reorder(pages, numbers)
        lines = "".join(ordered).splitlines()
    if moved:
        notes.append("pages put back in the order of their page footers" if numbers
                     else "pages put back in the order of the measure numbering")
    guess = layout.wrap_guess(lines)
    paragraphs, recovered = split_run_on(layout.join_lines(lines))
    return Reading(paragraphs, recovered, moved, notes + [guess] * bool(guess), duty_rows, guess)


def without_banners(lines: list[str]) -> list[str]:
    """Lines without a site's banner: a line of at most 200 characters, not numbered and without a
    unit label, with two or more of a banner's words, one of them a word only a site writes."""
    return [line for line in lines if not _is_banner(line)]


def _is_banner(line: str) -> bool:
    return (len(line) <= 200 and len(set(_BANNER_WORDS.findall(line))) >= 2 and bool(_SITE_WORDS.search(line))
            and not layout.UNIT_LABEL.search(line) and not layout.marker(line.strip()))


def site_chunks(lines: list[str]) -> list[str] | None:
    """The chunks of a site extraction, without their counters, or None for any other text.

    Chunks: (nearly) every non-empty line opens with the next counter (1、 2、 3、 …, at least three;
    an excerpt may start later), and most end mid-sentence. A plan numbering its own items 1、 2、
    on consecutive lines ends them with 。 or a closing bracket, and has headings and unit lines
    without them. Lines without a counter (a title above, a stray line) are kept: one before the
    first chunk as a chunk of its own, others with the chunk before them, after a line break.
    """
    lines = [line for line in lines if line.strip()]
    counted = [m for line in lines if (m := _COUNTER.match(line.lstrip()))]
    if len(counted) < 3 or len(lines) - len(counted) > max(2, len(counted) // 5):
        return None
    first = int(counted[0].group(1))
    if [int(m.group(1)) for m in counted] != list(range(first, first + len(counted))):
        return None
    cut = sum(not m.string.rstrip().endswith(_PARAGRAPH_END) for m in counted[:-1])
    if 2 * cut < len(counted) - 1:
        return None
    chunks: list[str] = []
    for line in lines:
        m = _COUNTER.match(line.lstrip())
        if m:
            chunks.append(m.string[m.end():].rstrip())
        elif chunks:
            chunks[-1] += "\n" + line.strip() + "\n"
        else:
            chunks.append(line.strip() + "\n")
    return chunks


def footed_pages(text: str) -> tuple[list[str], list[int] | None]:
    """The text cut after each page footer ("— 4 —", "第4页", wherever it stands: a site's chunk
    cuts pages anywhere) and the pages' numbers; a rest after the last footer is the last page.
    The numbers are None unless there are two footers or more, all numbers distinct."""
    footers = list(layout.PAGE_NO.finditer(text))
    numbers = [layout.page_number(footer) for footer in footers]
    if len(footers) < 2 or len(set(numbers)) < len(numbers):
        return [text], None
    pages = [text[start:footer.end()] for start, footer in zip([0, *(f.end() for f in footers)], footers,
                                                               strict=False)]
    if text[footers[-1].end():].strip():
        pages.append(text[footers[-1].end():])
        numbers.append(max(numbers) + 1)
    return pages, numbers


def reorder(chunks: list[str], page_numbers: list[int] | None = None) -> tuple[list[str], set[tuple[int, int]]]:
    """Chunks (a site's, or a PDF's pages) in the order of their numbering, and the (level, number)
    of the items numbered on chunks that moved.

    The order is read from the deepest numbering that does not start again (the measures' own
    1. 2. 3. … in most plans; not (一) of sections restarting per chapter, which may belong to any
    chapter), a few repeats allowed for number-like noise. Chunk by chunk, the chunk that came next
    in the text stays next when its first such number is the next one (n+1 after n) or it has none;
    otherwise the chunk whose first such number is the next one comes next; failing any, the chunk
    that came next in the text. Numbers are read in the text as it came, so one cut from its " ."
    by a chunk boundary still counts. Chunks without such numbers can only stay where they came.
    Pages with their page numbers (``page_numbers``, one per chunk, see ``footed_pages``) go in
    the order of those instead.
    """
    starts, joined = [], ""
    for chunk in chunks:
        starts.append(len(joined))
        joined += chunk
    marks: list[list[tuple[int, int]]] = [[] for _ in chunks]  # (level, number) in each chunk
    sequence = _Sequence()
    for m in _CANDIDATE.finditer(joined):
        marks[bisect_right(starts, m.start()) - 1].append(_candidate(m, sequence))
    written: dict[int, list[int]] = {}
    for level, number in (mark for chunk_marks in marks for mark in chunk_marks):
        written.setdefault(level, []).append(number)
    continuous = [level for level, numbers in written.items() if len(set(numbers)) >= 0.8 * len(numbers)]
    if not continuous and not page_numbers:
        return chunks, set()
    backbone = max(continuous, default=0)
    numbers = [[n for level, n in chunk_marks if level == backbone] for chunk_marks in marks]
    order, remaining, last = [0], set(range(1, len(chunks))), (numbers[0] or [0])[-1]
    if page_numbers:
        order, remaining = sorted(range(len(chunks)), key=page_numbers.__getitem__), set()
    while remaining:
        successor = order[-1] + 1
        if successor in remaining and (not numbers[successor] or numbers[successor][0] == last + 1):
            choice = successor
        else:
            following = [index for index in sorted(remaining) if numbers[index][:1] == [last + 1]]
            choice = following[0] if following else successor if successor in remaining else min(remaining)
        order.append(choice)
        remaining.discard(choice)
        last = numbers[choice][-1] if numbers[choice] else last
    moved = {(backbone, n) for position, index in enumerate(order) if position != index for n in numbers[index]}
    return [chunks[index] for index in order], moved


class _Sequence:
    """The last number seen at each outline level, and whether an outer heading came since."""

    def __init__(self) -> None:
        self.last = dict.fromkeys(range(1, 6), 0)
        self.fresh = dict.fromkeys(range(1, 6), True)
        self.previous_level = 0

    def see(self, level: int, number: int) -> None:
        self.last[level], self.fresh[level], self.previous_level = number, False, level
        for deeper in range(level + 1, 6):
            self.fresh[deeper] = True

    def continues(self, level: int, number: int) -> bool:
        """n+1 after n; or 1 opening its level right under an outer heading, or any number when
        the level opens there for the first time (an excerpt from a plan); so the 一、 of
        "县一、二级" inside a 1. item is no first chapter."""
        under_heading = self.previous_level < level
        if number == self.last[level] + 1 and (number > 1 or under_heading):
            return True
        return under_heading and number >= 1 and (
            number == 1 and self.fresh[level] or self.last[level] == 0)


def split_run_on(paragraphs: list[str]) -> tuple[list[str], set[int]]:
    """Paragraphs cut before every mid-line number that continues the sequence, and the indexes
    of the paragraphs so recovered. A number a little ahead (one or two missing, a page lost)
    counts when the next number of its level follows it in the same paragraph: the sequence
    picks up again there (the parser then notes the gap). A number one level deeper than the
    item it stands in opens a sub-item only right after that item's bare heading ("(一)推进政府
    职能转变1 .深化…"), where any number ahead of its sequence does; after a sentence or a colon
    it enumerates inside the item ("包括:(1)…").
    """
    sequence, pieces = _Sequence(), []  # (text, recovered)
    for paragraph in paragraphs:
        found = layout.marker(paragraph)
        if found:
            sequence.see(found[0], found[1])
        start = 0
        candidates = list(_CANDIDATE.finditer(paragraph, len(found[2]) if found else 0))
        for index, m in enumerate(candidates):
            level, number = _candidate(m, sequence)
            if 0 < sequence.previous_level < level and _SENTENCE.search(paragraph, start, m.start()):
                continue
            if sequence.continues(level, number) or _after_bare_heading(
                    paragraph, start, m, sequence, level, number) or (
                    sequence.last[level] + 1 < number <= sequence.last[level] + 3 and any(
                        _candidate(later, sequence) == (level, number + 1) for later in candidates[index + 1:])):
                sequence.see(level, number)
                pieces.append((paragraph[start:m.start()].strip(), start > 0))
                start = m.start()
        pieces.append((paragraph[start:].strip(), start > 0))
    kept = [(text, recovered) for text, recovered in pieces if text]
    return [text for text, _ in kept], {index for index, (_, recovered) in enumerate(kept) if recovered}


def _after_bare_heading(paragraph: str, start: int, m: re.Match, sequence: _Sequence, level: int,
                        number: int) -> bool:
    """A deeper number ahead of its sequence right after a bare heading ("(四)发挥人民调解作用8.健全…",
    items lost or misplaced before it): a measure's number is never part of a heading's words."""
    return (0 < sequence.previous_level < level and number > sequence.last[level]
            and layout.marker(paragraph[start:]) is not None
            and not _SENTENCE.search(paragraph, start, m.start()))


def _candidate(m: re.Match, sequence: _Sequence) -> tuple[int, int]:
    name = m.lastgroup
    level, written = _LEVEL_OF[name], m.group(name)
    if name == "letter":  # an odd mark: the next section when it opens a chapter, else nothing
        return level, sequence.last[2] + 1 if sequence.previous_level == 1 else -1
    return level, int(written) if written.isdigit() else cn_to_int(written)

