"""Parse the text of a rule-of-law government plan (法治政府建设实施方案) into measures.

What counts as a measure
    A numbered item (一、 / (一) / 1. / (1) / ①, at any level) whose own text names units with a
    label such as 牵头单位 or 责任单位. Plans put units on the item that is to be tracked, whatever
    its level: bazhong-2017 on its (一) items (〔牵头单位:…;责任单位:…〕 inline), fuzhou-2022 on its
    1. items (several (牵头单位;责任单位) pairs per item), tongan-2022 on its (四) items (a 责任单位
    line closing the item). General-requirement items (指导思想, 主要原则, 主要目标, 组织保障 …)
    carry no units in these plans and so are not measures; were a plan to give them units, they
    would be. Units given in a trailing 责任分工 table instead count as the item's own
    (duty_table.py). Only a document without any unit label falls back to its leaf items outside
    general-requirement chapters, and only if it has a plan title (…方案, …工作安排, …工作要点, …工作计划).

Fields of a measure
    number        the ordinal as an int (一 and (一) included); number_text keeps it as written.
    title/text    title is the item's heading: its own line, or its first sentence when text
                  follows on the same line (up to the first verb of the text when that sentence
                  has no 。 of its own). text is the rest without the unit blocks; it ends with
                  the paragraph holding the last unit block, so closing remarks are dropped.
    chapter       the enclosing 一、 heading, in full; section the headings between chapter and
                  measure, if any (fuzhou's "(一)依法全面履行政府职能"; with four levels both,
                  joined by " / ": "(一)健全政府机构职能体系 / 1.推进政府机构职能优化协同高效").
    path          the numbers of the enclosing items and the measure's own, outermost first
                  ((2, 1, 1, 1) for the (1) under 1. under (一) under 二、): unique even where
                  numbering restarts under each heading.
    unit_pairs    one (lead; responsible) pair per unit block; lead_units and responsible_units
                  are their unions in order of first appearance. Names are kept as written
                  (tongan's "工信局" stays, not expanded to "区工信局").
    deadlines     see deadlines.py; recurring dates fall in the plan's first year (start_year),
                  read from its title ("2017年度…", "…方案(2022-2025年)") or first year span.
    targets       see targets.py.
    notes         how sure the parser is and why, and the resulting confidence (confidence.py).

Paragraphs come from backbone.read, which repairs text copied off a site or a PDF (counters,
banners, lost line breaks, pages out of order: put back by their numbering). Measures keep the
order of the repaired document. Full-width forms are folded to ASCII in all output (（ -> (,
： -> :, ， -> ,, ２ -> 2), as in the sample plans; layout.py repairs PDF damage. A document
without measures has is_plan False and a reason.
"""
import re
from dataclasses import dataclass, field
from functools import cached_property

from . import backbone, layout
from .confidence import Note, confidence
from .deadlines import Deadline, find_deadlines
from .duty_table import DutyRow
from .targets import Target, find_targets
from .units import UnitBlock, UnitPair, find_unit_blocks

_GENERAL = re.compile(r"总体要求|指导思想|基本原则|主要原则|工作原则|总体目标|主要目标|工作目标"
                      r"|组织保障|保障措施|组织领导|组织实施|工作要求")
# A title line ends with the kind of document, perhaps followed by its period.
_PLAN_TITLE = re.compile(r"(?:方案|工作安排|工作要点|工作计划|规划|任务分工)(?:\(\d{4} *[-—–~至] *\d{4} *年?\))?$")
_YEAR_SPAN = re.compile(r"(20\d\d) *年? *[-—–~至] *20\d\d *年")
_YEAR_IN_TITLE = re.compile(_YEAR_SPAN.pattern + r"|(20\d\d) *年")
# When an inline title has no 。 of its own ("19.加强行政执法协调监督高质量完成…"), it ends where
# one of these verbs opens the first sentence of the text.
_COLON_TITLE = re.compile(r"([^,;:。!?]{2,30}):")
_TEXT_OPENING = re.compile(r"高质量|落实|健全|强化|推进|推动|加强|完善|深化|建立|全面|坚持|严格|依法")


@dataclass(frozen=True)
class Measure:
    number: int
    number_text: str
    title: str
    text: str
    chapter: str | None
    section: str | None
    unit_pairs: list[UnitPair] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    path: tuple[int, ...] = ()
    notes: list[Note] = field(default_factory=list)

    @property
    def confidence(self) -> str:
        return confidence(self.notes)

    @property
    def lead_units(self) -> list[str]:
        return _union(pair.lead for pair in self.unit_pairs)

    @property
    def responsible_units(self) -> list[str]:
        return _union(pair.responsible for pair in self.unit_pairs)

    def to_json(self) -> dict:
        return {"number": self.number, "number_text": self.number_text, "title": self.title,
                "text": self.text, "chapter": self.chapter, "section": self.section,
                "lead_units": self.lead_units, "responsible_units": self.responsible_units,
                "unit_pairs": [pair.to_json() for pair in self.unit_pairs],
                "deadlines": [d.to_json() for d in self.deadlines],
                "targets": [t.to_json() for t in self.targets], "path": list(self.path),
                "confidence": self.confidence, "notes": [note.text for note in self.notes]}


@dataclass(frozen=True)
class ParsedPlan:
    measures: list[Measure]
    is_plan: bool
    reason: str | None = None
    start_year: int | None = None
    notes: list[str] = field(default_factory=list)  # repairs of the document as a whole

    def to_json(self) -> dict:
        return {"is_plan": self.is_plan, "reason": self.reason, "start_year": self.start_year,
                "notes": self.notes, "measures": [m.to_json() for m in self.measures]}


@dataclass
class _Item:
    """A numbered item of the outline with the paragraphs up to the next numbered item."""
    level: int
    number: int
    number_text: str
    lines: list[str]  # first line without its number, then the following paragraphs
    parent: "_Item | None"
    recovered: bool = False  # its number was found mid-line (backbone.split_run_on)

    @property
    def heading(self) -> str:
        return self.number_text + self.lines[0].split("。")[0]

    @cached_property
    def blocks(self) -> list[UnitBlock]:
        return find_unit_blocks("\n".join(self.lines))


def _union(lists) -> list[str]:
    return list(dict.fromkeys(name for names in lists for name in names))


def _outline(reading: backbone.Reading) -> list[_Item]:
    items: list[_Item] = []
    open_items: list[_Item] = []  # the current item at each level, outermost first
    for index, paragraph in enumerate(reading.paragraphs):
        found = layout.marker(paragraph)
        if found:
            level, number, number_text, rest = found
            while open_items and open_items[-1].level >= level:
                open_items.pop()
            item = _Item(level, number, number_text, [rest], open_items[-1] if open_items else None,
                         index in reading.recovered)
            open_items.append(item)
            items.append(item)
        elif layout.NOTE.match(paragraph):  # a note of the document (注:…), no measure's text
            reading.notes.append(f"note of the document: {paragraph}")
        elif items:  # text before the first numbered item is the preamble: ignored
            items[-1].lines.append(paragraph)
    return items


def _ancestors(item: _Item) -> list[_Item]:
    chain = []
    while item.parent:
        item = item.parent
        chain.append(item)
    return chain


def _split_title(content: str) -> tuple[str, str]:
    """(title, text): the title is the item's own line, its heading before a colon
    ("推进执法证件管理:每月更新…", 工作要点 style) or its first sentence, cut before the first verb of
    the text when it runs on."""
    first_line, _, rest = content.partition("\n")
    head = _COLON_TITLE.match(first_line)
    if head:
        return head.group(1).strip(), (first_line[head.end():] + "\n" + rest).strip()
    if "。" not in first_line:
        return first_line.strip(), rest.strip()
    title = content.split("。", 1)[0]
    if len(title) > 30 or re.search("[,;:]", title):
        opening = _TEXT_OPENING.search(title, 4)
        title = title[:opening.start()] if opening else re.split("[,;:]", title)[0]
    return title.strip(), content[len(title):].lstrip("。").strip()


def _measure(item: _Item, start_year: int | None, notes: list[Note]) -> Measure:
    content, blocks = "\n".join(item.lines), item.blocks
    if blocks:  # paragraphs after the last unit block are closing remarks, not this measure
        paragraph_end = content.find("\n", blocks[-1].end)
        content = content[:paragraph_end] if paragraph_end >= 0 else content
    for block in reversed(blocks):
        content = content[:block.start] + content[block.end:]
    title, text = _split_title(content.strip())
    # a label's value after the units (完成时间:…) names a deadline though cut out with the block
    full_text = "。".join([title, text, *(b.labelled for b in blocks if b.labelled)])
    ancestors = _ancestors(item)
    chapter = next((a.heading for a in ancestors if a.level == 1), None)
    section = " / ".join(a.heading for a in reversed(ancestors) if a.level > 1) or None
    notes += [Note.info(f"units ended at label {b.ended_at}") for b in blocks if b.ended_at]
    notes += [Note.repair("a unit list's closing bracket is missing: the list was cut after the last "
                          "organisation name") for b in blocks if b.unclosed][:1]
    return Measure(item.number, item.number_text, title, text, chapter, section,
                   [b.pair for b in blocks], find_deadlines(full_text, start_year),
                   find_targets(full_text), tuple(a.number for a in [*reversed(ancestors), item]), notes)


def _notes(item: _Item, previous: _Item | None, reading: backbone.Reading, unlabelled: bool) -> list[Note]:
    """What the reading of this item rests on; ``previous`` is the measure before it."""
    notes = []
    if item.recovered:
        notes.append(Note.repair("number found mid-line: the line break before it was lost"))
    if (item.level, item.number) in reading.moved:
        notes.append(Note.repair("its page was put back in numbering order"))
    notes += [Note.repair(f"lettered section mark {a.number_text} read as section {a.number}")
              for a in _ancestors(item) if a.level == 2 and a.number_text[1:-1].strip().isalpha()
              and a.number_text[1:-1].strip().isascii()]
    if previous and previous.level == item.level and item.number != previous.number + 1 and not (
            item.number == 1 and item.parent is not previous.parent):
        notes.append(Note.doubt(f"number {item.number_text} does not follow {previous.number_text} "
                                "at its level: check for a missing or misread measure"))
    if reading.wrap_guess:
        notes.append(Note.repair(reading.wrap_guess))
    if unlabelled:
        notes.append(Note.doubt("no unit label: taken as a task item of a plan that names no units"))
    return notes


def _missing_numbers(chosen: list[_Item]) -> str | None:
    """A note naming the numbers missing from the measures' numbering, when the measures of the
    deepest level number through the document (1 … n, no restart under each heading)."""
    deepest = max((item.level for item in chosen), default=0)
    numbers = [item.number for item in chosen if item.level == deepest]
    if len(set(numbers)) < len(numbers) or len(numbers) < 2:
        return None
    missing = sorted(set(range(min(numbers), max(numbers) + 1)) - set(numbers))
    if not missing:
        return None
    return (f"measure numbers {', '.join(map(str, missing))} are missing from the sequence "
            f"{min(numbers)}-{max(numbers)}: check the text for measures that were lost or misread")


def _attach_duty_rows(items: list[_Item], rows: list[DutyRow]) -> tuple[dict[int, list[Note]], list[str]]:
    """Append each row of a trailing 责任分工 table as a unit block to the item it names, unless that
    item names its units itself; the notes say where units came from, by item id, and which rows
    named nothing.

    A row names the item of its number whose heading it shares the first four characters of (or
    which holds it whole); failing that, the one item of that number at the deepest level. A row
    naming no item becomes an item of its own, titled by its task (a plan laid out as a task
    table has only those), appended to ``items`` — unless the text names units of its own, when
    the row is only reported (a document-level note), so no measure is published twice.
    """
    notes: dict[int, list[Note]] = {}
    unplaced: list[str] = []
    body, labelled = list(items), any(item.blocks for item in items)
    for row in rows:
        numbered = [item for item in body if item.number == row.number]
        named = [item for item in numbered if row.task and (
            row.task[:4] in item.heading or item.lines[0].split("。")[0] in row.task)]
        deepest = [item for item in numbered if item.level == max((i.level for i in numbered), default=0)]
        found = named[-1:] or (deepest if len(deepest) == 1 else [])
        if found and found[0].blocks:
            continue  # the text names this measure's units itself
        if found:
            found[0].lines.append(row.block)
            found[0].__dict__.pop("blocks", None)  # read the blocks again, with the row's
            notes[id(found[0])] = [Note.info(f"units from row {row.number} of the 责任分工 table") if named
                                   else Note.repair(f"units from row {row.number} of the 责任分工 table, "
                                                    "matched by number only: its task reads differently")]
        elif labelled:
            unplaced.append(f"row {row.number} of the 责任分工 table ({row.task}) names no measure of the text")
            continue
        else:
            found = [_Item(3, row.number, f"{row.number}.", [f"{row.task}。", row.block], None)]
            items.append(found[0])
            notes[id(found[0])] = [Note.info(f"read from row {row.number} of the task table") if not body
                                   else Note.doubt(f"row {row.number} of the 责任分工 table names no measure "
                                                   "in the text: read from the row alone")]
        notes[id(found[0])] += [Note.repair(f"empty {column} cell of row {row.number} taken as merged with "
                                            "the cell above") for column in row.filled]
        if row.spanned:
            notes[id(found[0])].append(Note.repair(f"row {row.number} has one cell for 牵头单位 and 责任单位: "
                                                   "taken as merged across, the same units in both"))
    return notes, unplaced


def _start_year(lines: list[str]) -> int | None:
    """First year of the plan: from a title line ("2017年度…工作安排", "…方案(2022-2025年)",
    "某县2023年…重点任务分工") or
    the opening of one of the first lines, where text that lost its line breaks has its title,
    else from the first year span in the text (tongan's text starts after its title)."""
    for index, line in enumerate(lines):
        head = line if len(line) <= 60 else line[:60] if index < 3 else ""
        if re.search("方案|安排|要点|计划|规划|任务分工|分工", head):
            m = _YEAR_IN_TITLE.search(head)
            if m:
                return int(m.group(1) or m.group(2))
    m = _YEAR_SPAN.search("\n".join(lines))
    return int(m.group(1)) if m else None


def _not_a_plan_reason(text: str, items: list[_Item], has_title: bool) -> str:
    if not text.strip():
        return "not a plan: the document is empty"
    kind = ("it reads like a speech (讲话)" if re.search("讲话|同志们", text)
            else "it reads like a notice (通知)" if "通知" in text else "")
    if not items:
        reason = "no numbered items (一、 / (一) / 1. / (1)) were found"
    elif has_title:
        reason = "its numbered items are all general requirements (指导思想, 主要目标, 组织保障 …)"
    else:
        reason = (f"none of its {len(items)} numbered items names a 牵头单位 or 责任单位, "
                  "and it has no plan title (…方案, …工作安排, …工作要点)")
    return f"not a plan: {reason}" + (f"; {kind}" if kind else "")


def parse_plan(text: str) -> ParsedPlan:
    lines = [line.strip() for line in layout.normalize(text).splitlines()]
    start_year = _start_year(lines)
    reading = backbone.read(text)
    items = _outline(reading)
    table_rows, unplaced_rows = _attach_duty_rows(items, reading.duty_rows)
    chosen = [item for item in items if item.blocks]
    unlabelled = not chosen
    has_title = any(len(line) <= 60 and _PLAN_TITLE.search(line) for line in lines)
    if not chosen and has_title:  # a plan that names no units: its leaf task items
        parents = {id(item.parent) for item in items}
        chosen = [item for item in items
                  if item.level > 1 and id(item) not in parents
                  and not any(_GENERAL.search(a.heading) for a in [item, *_ancestors(item)])]
    gap = _missing_numbers(chosen)
    if gap:
        reading.notes.append(gap)
    # in a text that had to be repaired, a gap means the repair failed somewhere: no measure is sure
    doubt = [Note.doubt(gap)] if gap and reading.notes[:-1] else []
    measures = [_measure(item, start_year, _notes(item, previous, reading, unlabelled)
                         + table_rows.get(id(item), []) + doubt)
                for previous, item in zip([None, *chosen], chosen, strict=False)]
    if measures:
        return ParsedPlan(measures, True, None, start_year, reading.notes + unplaced_rows)
    return ParsedPlan([], False, _not_a_plan_reason(text, items, has_title), start_year,
                      reading.notes + unplaced_rows)
