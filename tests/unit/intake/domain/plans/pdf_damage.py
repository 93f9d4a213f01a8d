"""Synthetic PDF-extraction damage applied to the clean sample plans.

Lines are cut every ``width`` characters (a Chinese A4 page holds 28 per line), each page of
``page_lines`` lines ends with a running header and a page number, some page numbers are glued
to the neighbouring text, and measure numbers get the stray space of ``19 .``.
"""
import re


def damage(text: str, width: int = 28, page_lines: int = 22, header: str = "法治政府建设实施方案") -> str:
    text = re.sub(r"^(\d{1,2})\.", r"\1 .", text, flags=re.M)
    lines = []
    for paragraph in text.splitlines():
        lines += [paragraph[i:i + width] for i in range(0, len(paragraph), width)] or [""]
    out = []
    for number, start in enumerate(range(0, len(lines), page_lines), 1):
        page = lines[start:start + page_lines]
        if number % 3 == 0 and page:  # glued to the last line of the page
            page[-1] += f"— {number} —"
        elif number % 3 == 1 and page:  # glued to the first line of the page
            page[0] = f"-{number} -" + page[0]
        else:
            page.append(f"- {number} -")
        out += [header, *page, ""]
    return "\n".join(out)


def full_width(text: str) -> str:
    """The same text with the full-width punctuation most published plans use."""
    return text.translate(str.maketrans("(),:;%", "（），：；％"))
