"""Lead and responsible units: find the unit blocks of a measure and split their lists.

A block is a run of labelled lists such as ``〔牵头单位:市司法局;责任单位:市直有关部门,各县(区)政府〕``
or a bare line ``责任单位:区司法局,区直有关单位根据职责落实``. Each block is one (lead; responsible)
pair. 参加/配合/参与/协办单位 count as responsible units. Labels are taken literally: a block that
says 责任单位 twice (a typo in fuzhou measure 13) yields two responsible lists and no lead.
A unit list ends at the next label, also one of another kind (``责任单位:甲、乙;完成时间:2024年6月底前``):
what follows such a label (layout.END_LABEL) is kept as the block's ``labelled`` text, where
deadlines.py reads the deadline, and never becomes a unit name.
"""
import re
from dataclasses import dataclass, field

from .layout import DUTY_PHRASE, END_LABEL, MID_LINE_MARKER, UNIT_LABEL

_LABEL_AT = re.compile(rf" *(?:{UNIT_LABEL.pattern}|{END_LABEL.pattern})")
_LEAD_LABELS = {"牵头单位", "牵头部门"}
_OPEN, _CLOSE = "〔([【", "〕)]】"
_SEPARATORS = "、,;:"
# Shortest prefix ending in an organisation word: recovers "东临新区管委会" from a list whose closing
# bracket is missing and which therefore ran on into the next sentence.
_ORG_NAME = re.compile(r".*?(?:管委会|委员会|人民政府|政府|办公室|服务中心|中心|单位|部门|"
                       r"局|委|办|院|部|会|所|校|队|组|处|室|站)(?:\([^)]*\))?")
# A lone level word before 、 belongs to the next name: "市、县(区)政府", "区、镇(街)党(工)委政府".
_LEVEL_WORD = re.compile(r"[省市县区乡镇](?:\([^)]*\))?")
_COLLECTIVE = re.compile(r"^各|^其他|有关|相关|各(?:部门|单位|级)|直各|所属|级部门"
                         r"|[县区乡镇街]\([^)]*\)|^[市县区乡镇]、")


@dataclass(frozen=True)
class UnitPair:
    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"lead": list(self.lead), "responsible": list(self.responsible)}


@dataclass(frozen=True)
class UnitBlock:
    start: int  # span in the measure text, brackets included, so the block can be cut out
    end: int
    pair: UnitPair
    labelled: str = ""  # "完成时间:2024年6月底前" when a label of another kind ended the unit lists
    unclosed: bool = False  # opened with a bracket that never closes: cut after an organisation name

    @property
    def ended_at(self) -> str | None:
        """The label of another kind that ended the unit lists (完成时间, 完成时限 …)."""
        found = END_LABEL.match(self.labelled)
        return found.group(1) if found else None


def is_collective(name: str) -> bool:
    """True for units that stand for several bodies: 各县(区)政府, 市直有关部门, 乡(镇、街道)…"""
    return bool(_COLLECTIVE.search(name))


def split_units(text: str) -> list[str]:
    """Split a unit list on 、 , ; : outside brackets, so 乡(镇、街道) stays whole."""
    text = _unwrap(text.strip())
    names, current, depth = [], "", 0
    for ch in text:
        depth += (ch in _OPEN) - (ch in _CLOSE and depth > 0)
        if depth == 0 and ch in _SEPARATORS:
            names.append(current)
            current = ""
        else:
            current += ch
    names.append(current)
    merged: list[str] = []
    for name in filter(None, map(_clean_name, names)):
        if merged and _LEVEL_WORD.fullmatch(merged[-1]):
            merged[-1] += "、" + name
        else:
            merged.append(name)
    return merged


def _unwrap(text: str) -> str:
    """A list wrapped whole in one pair of brackets, 〔…〕 or (…), without them."""
    if len(text) < 2 or text[0] not in _OPEN or text[-1] not in _CLOSE:
        return text
    depth = 0
    for ch in text[:-1]:
        depth += (ch in _OPEN) - (ch in _CLOSE)
        if depth == 0:
            return text  # the first bracket closes early: "(区)政府、乡(镇)"
    return text[1:-1]


def _clean_name(name: str) -> str:
    name = DUTY_PHRASE.sub("", name).strip(" \n。.〔〕[]【】")
    if name.count("(") < name.count(")") and name.endswith(")"):
        name = name[:-1]  # a stray closing bracket of the enclosing block
    if name.count("(") > name.count(")") and name.startswith("("):
        name = name[1:]
    return name.strip()


def find_unit_blocks(text: str) -> list[UnitBlock]:
    blocks, pos = [], 0
    while m := UNIT_LABEL.search(text, pos):
        before = text[:m.start()].rstrip(" ")
        bracketed = before.endswith(tuple(_OPEN))
        start = len(before) - 1 if bracketed else m.start()
        content, end = _block_content(text, m.start(), bracketed)
        other = END_LABEL.search(content)
        labelled = content[other.start():] if other else ""
        blocks.append(UnitBlock(start, end, _pair(content[:len(content) - len(labelled)]), labelled,
                                bracketed and text[end - 1] not in _CLOSE))
        pos = end
    return blocks


def _block_content(text: str, begin: int, bracketed: bool) -> tuple[str, int]:
    """The labelled lists from ``begin`` and the end of the block.

    A block ends at its closing bracket (also when the opening one is missing, as in fuzhou
    measure 2), at 。, at the end of the text, and, if it is not bracketed, at the end of its
    line, after "根据职责落实", or where a heading or the next measure was glued on
    ("…县政府各有关部门8 .加强…", a number the backbone could not place). A line that opens
    with another label goes on with the block: plans that give 牵头单位, 责任单位 and 完成时限 a
    line each name one pair and its deadline.
    """
    depth = 0
    for i in range(begin, len(text)):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            if depth == 0:
                return text[begin:i], i + 1
            depth -= 1
        elif ch == "。" or (ch == "\n" and not bracketed and not _LABEL_AT.match(text, i + 1)):
            return _trim_run_on(text[begin:i], begin, bracketed)
    return _trim_run_on(text[begin:], begin, bracketed)


def _trim_run_on(content: str, begin: int, bracketed: bool) -> tuple[str, int]:
    heading = None if bracketed else MID_LINE_MARKER.search(content)
    if heading:
        content = content[:heading.start()]
    duty = DUTY_PHRASE.search(content)
    if duty and not bracketed:
        return content[:duty.end()], begin + duty.end()
    if bracketed:  # the closing bracket is missing: keep only an organisation name at the end
        cut = max(content.rfind(sep) for sep in _SEPARATORS) + 1
        name = _ORG_NAME.match(content, cut)
        if name:
            content = content[:name.end()]
    return content, begin + len(content)


def _pair(content: str) -> UnitPair:
    parts = UNIT_LABEL.split(content)  # ["", label, list, label, list, ...]
    lead, responsible = [], []
    for label, names in zip(parts[1::2], parts[2::2], strict=False):
        (lead if label in _LEAD_LABELS else responsible).extend(split_units(names))
    return UnitPair(lead, responsible)
