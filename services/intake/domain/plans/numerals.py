"""Chinese numerals as they appear in plan numbering, counts and dates (一 … 九十九, 两, 〇)."""

DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUMERAL_CHARS = "".join(DIGITS) + "十百"


def cn_to_int(text: str) -> int:
    """Value of a Chinese numeral such as 一, 十, 十九, 二十一, 一百零二 (ValueError otherwise)."""
    if not text or any(ch not in CN_NUMERAL_CHARS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total, current = 0, 0
    for ch in text:
        if ch in DIGITS:
            current = DIGITS[ch]
        else:  # 十 or 百 multiplies the digit before it; a bare 十 means 10
            total += (current or 1) * (10 if ch == "十" else 100)
            current = 0
    return total + current


def to_number(text: str) -> int | float:
    """Arabic or Chinese numeral to a number: '60' -> 60, '2.5' -> 2.5, '两' -> 2."""
    if text.isdigit():
        return int(text)
    try:
        return float(text)
    except ValueError:
        return cn_to_int(text)
