"""The numbers Word draws in front of automatically numbered paragraphs, as text.

Word keeps such a number out of the paragraph's text: the paragraph (or its style, following basedOn)
carries numbering properties ``w:numPr`` (a list instance ``w:numId`` and a level ``w:ilvl``); the list
instance ``w:num`` points at an abstract definition ``w:abstractNum`` whose levels ``w:lvl`` give the start
value, the number format ``w:numFmt`` and the label template ``w:lvlText`` ("%1、", "（%1）", "%1.%2."), and may
override levels or start values (``w:lvlOverride``/``w:startOverride``). Rules from ECMA-376 Part 1 §17.9:
- one counter per abstract list and level: list instances of one definition continue each other, except
  that an instance with a startOverride starts that level again when first used (§17.9.27);
- numbering a level restarts the levels below it, unless a level's ``w:lvlRestart`` says otherwise (§17.9.10);
- an abstract list with ``w:numStyleLink`` defines nothing itself: its levels are those of the list the
  numbering style of that name points at (§17.9.21);
- ``w:isLgl`` draws every level's number in decimal (§17.9.4); a ``bullet`` or ``none`` format draws no number
  that the plan parser could read, so such paragraphs stay as they are.
"""

from docx.oxml.ns import qn

# Counting forms of Word's Chinese number formats (§17.18.59).
_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


def _counting(n: int, digits: str = _CN_DIGITS, ten: str = "十", hundred: str = "百") -> str:
    """1 → 一, 10 → 十, 15 → 十五, 20 → 二十, 105 → 一百零五, 115 → 一百一十五 (up to 999)."""
    if n < 10:
        return digits[n]
    if n < 100:
        tens, units = divmod(n, 10)
        return (digits[tens] if tens > 1 else "") + ten + (digits[units] if units else "")
    hundreds, rest = divmod(n, 100)
    tail = "" if not rest else ("零" + digits[rest] if rest < 10 else _counting(rest, digits, ten, hundred))
    if 10 <= rest < 20:
        tail = digits[1] + tail  # 一百一十五, not 一百十五
    return digits[hundreds] + hundred + tail


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, n = divmod(n, value)
        out += letters * count
    return out


def _letter(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


FORMATS = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: "".join(chr(0xFF10 + int(d)) for d in str(n)),
    "decimalHalfWidth": str,
    "decimalEnclosedCircle": lambda n: chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n),
    "decimalEnclosedCircleChinese": lambda n: chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n),
    "decimalEnclosedParen": lambda n: chr(0x2474 + n - 1) if 1 <= n <= 20 else f"({n})",
    "decimalEnclosedFullstop": lambda n: chr(0x2488 + n - 1) if 1 <= n <= 20 else f"{n}.",
    "chineseCounting": _counting,
    "chineseCountingThousand": _counting,
    "japaneseCounting": _counting,
    "taiwaneseCounting": _counting,
    "ideographDigital": lambda n: "".join(_CN_DIGITS[int(d)] for d in str(n)),
    "taiwaneseDigital": lambda n: "".join(_CN_DIGITS[int(d)] for d in str(n)),
    "chineseLegalSimplified": lambda n: _counting(n, _CN_LEGAL, "拾", "佰"),
    "ideographLegalTraditional": lambda n: _counting(n, _CN_LEGAL, "拾", "佰"),
    "ideographTraditional": lambda n: _HEAVENLY_STEMS[(n - 1) % 10],
    "ideographZodiac": lambda n: _EARTHLY_BRANCHES[(n - 1) % 12],
    "lowerLetter": _letter,
    "upperLetter": lambda n: _letter(n).upper(),
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
}


def _val(element, tag: str, default=None):
    child = element.find(qn(tag)) if element is not None else None
    return child.get(qn("w:val"), default) if child is not None else default


class _Level:
    def __init__(self, lvl):
        self.start = int(_val(lvl, "w:start", "1"))
        self.format = _val(lvl, "w:numFmt", "decimal")
        self.text = _val(lvl, "w:lvlText", "")
        self.style = _val(lvl, "w:pStyle")
        restart = _val(lvl, "w:lvlRestart")
        self.restart_after = None if restart is None else int(restart) - 1  # restarts after this level; -1: never
        legal = lvl.find(qn("w:isLgl"))
        self.legal = legal is not None and legal.get(qn("w:val"), "true") not in ("0", "false", "off")


class ListNumbering:
    """The rendered number labels of one document's paragraphs, taken in document order.

    ``label(paragraph_element)`` must be called for every paragraph in order, since counters run on;
    it answers None for a paragraph Word draws no readable number for."""

    def __init__(self, numbering_root, styles_root):
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._style_links: dict[str, str] = {}  # abstractNumId -> numbering style id
        self._instances: dict[str, tuple[str, dict[int, int], dict[int, _Level]]] = {}
        self._style_numbering: dict[str, tuple[str | None, str | None]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[tuple[str, int]] = set()
        # numbered paragraphs whose list or level numbering.xml does not define (a damaged part): their
        # numbers are lost, so chapters, sections and measures could no longer be told apart
        self.dangling: list[str] = []
        if numbering_root is not None:
            self._read_numbering(numbering_root)
        if styles_root is not None:
            self._read_styles(styles_root)

    def _read_numbering(self, root) -> None:
        for abstract in root.iterfind(qn("w:abstractNum")):
            levels = {int(lvl.get(qn("w:ilvl"), "0")): _Level(lvl) for lvl in abstract.iterfind(qn("w:lvl"))}
            self._abstract[abstract.get(qn("w:abstractNumId"))] = levels
            link = _val(abstract, "w:numStyleLink")
            if link:
                self._style_links[abstract.get(qn("w:abstractNumId"))] = link
        for num in root.iterfind(qn("w:num")):
            starts, levels = {}, {}
            for override in num.iterfind(qn("w:lvlOverride")):
                level = int(override.get(qn("w:ilvl"), "0"))
                start = _val(override, "w:startOverride")
                if start is not None:
                    starts[level] = int(start)
                lvl = override.find(qn("w:lvl"))
                if lvl is not None:
                    levels[level] = _Level(lvl)
            self._instances[num.get(qn("w:numId"))] = (_val(num, "w:abstractNumId"), starts, levels)

    def _read_styles(self, root) -> None:
        based_on, own = {}, {}
        for style in root.iterfind(qn("w:style")):
            style_id = style.get(qn("w:styleId"))
            based_on[style_id] = _val(style, "w:basedOn")
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if num_pr is not None:
                own[style_id] = (_val(num_pr, "w:numId"), _val(num_pr, "w:ilvl"))
        for style_id in based_on:
            seen, current = set(), style_id
            while current is not None and current not in own and current not in seen:
                seen.add(current)
                current = based_on.get(current)
            if current in own:
                self._style_numbering[style_id] = own[current]

    def _levels(self, num_id: str) -> tuple[str, dict[int, _Level]] | None:
        if num_id not in self._instances:
            return None
        abstract_id, _, overrides = self._instances[num_id]
        linked_num = self._style_numbering.get(self._style_links.get(abstract_id), (None, None))[0]
        if linked_num in self._instances and linked_num != num_id:
            abstract_id = self._instances[linked_num][0]
        return abstract_id, {**self._abstract.get(abstract_id, {}), **overrides}

    def label(self, paragraph) -> str | None:
        """The number Word draws for this ``w:p`` element ("一、", "（二）", "3."), or None."""
        style = _val(paragraph.find(qn("w:pPr")), "w:pStyle")
        num_pr = paragraph.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        num_id, ilvl = (_val(num_pr, "w:numId"), _val(num_pr, "w:ilvl")) if num_pr is not None else (None, None)
        style_num_id, style_ilvl = self._style_numbering.get(style, (None, None))
        num_id = num_id or style_num_id
        if num_id is None or num_id == "0":
            return None
        if (found := self._levels(num_id)) is None or not found[1]:
            self.dangling.append(f"list {num_id} is not defined")
            return None
        abstract_id, levels = found
        if ilvl is None:
            ilvl = style_ilvl
        if ilvl is None:  # a style tied to a level names it in the level's own w:pStyle
            ilvl = next((str(n) for n, level in levels.items() if level.style == style), "0")
        level = int(ilvl)
        if level not in levels:
            self.dangling.append(f"level {level} of list {num_id} is not defined")
            return None
        return self._count(num_id, abstract_id, level, levels)

    def _count(self, num_id: str, abstract_id: str, level: int, levels: dict[int, _Level]) -> str | None:
        counters = self._counters.setdefault(abstract_id, {})
        starts = self._instances[num_id][1]
        if level in starts and (num_id, level) not in self._started:
            counters[level] = starts[level] - 1
        self._started.add((num_id, level))
        counters[level] = counters.get(level, levels[level].start - 1) + 1
        for deeper in [n for n in counters if n > level]:
            restart_after = levels[deeper].restart_after if deeper in levels else None
            if restart_after is None or (restart_after >= 0 and level <= restart_after):
                del counters[deeper]
        this = levels[level]
        if this.format in ("bullet", "none") or not this.text:
            return None
        label = this.text
        for n in range(9):
            if f"%{n + 1}" in label:
                shown = levels.get(n)
                value = counters.get(n, shown.start if shown else 1)
                form = "decimal" if this.legal or shown is None else shown.format
                label = label.replace(f"%{n + 1}", FORMATS.get(form, str)(value))
        return label
