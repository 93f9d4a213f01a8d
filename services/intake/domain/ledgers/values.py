"""One ledger cell as the contract's value: times, percents, statuses, periods and numbers in the forms
Chinese offices type them in Excel and WPS. Each reader returns the value or raises ValueError naming the
forms it accepts; none guesses a value for a cell it cannot read.

Cells arrive as workbooks.py gives them: str, int/float, bool, datetime/date/time, or a `Percent` for a
number in a percent-formatted cell (what the unit sees: 0.85 shown as 85 % arrives as Percent(85.0)).
"""

import datetime as dt
import re
import unicodedata

from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel

from shared.domain.calendar import CHINA

# Excel and WPS store times without a zone; a Chinese office's ledger means China Standard Time (a fixed
# UTC+8: the tz database's Asia/Shanghai gives local mean time, +08:05:43, to dates before 1901).
LEDGER_ZONE = CHINA
# Before any plan this platform tracks (the first national rule-of-law government outline is 2004's);
# a time earlier than this is a misread cell (1970 is the Unix epoch, 1900 Excel's), not a report.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=LEDGER_ZONE)
# A clock a few minutes fast on the unit's machine is not an error; a report from the future is.
CLOCK_SKEW = dt.timedelta(minutes=10)

TIME_FORMS = ("an Excel date or time cell, 2026-10-09, 2026-10-09 10:00, 2026/10/9, 2026.10.9, 2026年10月9日, "
              "2026年10月9日10时30分, 20261009, or ISO 8601 with a zone")
PERCENT_FORMS = "85, 85%, 85.5 %, ８５％, 百分之八十五, or 0.85 in a cell formatted as a percentage"
PERIOD_FORMS = ("2026, 2026年(度), 2026-H1, 2026年上半年, 2026-Q3, 2026Q3, 2026年第三季度, 2026年三季度, 2026-10, "
                "2026年10月")

# Status words and their usual synonyms in 督查督办 ledgers. Decisions (docs/ledgers.md):
# 滞后 ("behind schedule") is still being done: in_progress; the platform judges lag itself against the
# expected progress (序时进度), so the unit's own word for it is not needed to flag it. 暂停/搁置/中止
# mean the work stopped: blocked.
STATUS_WORDS = {
    "completed": ("已完成", "完成", "已办结", "办结", "已结束", "已落实", "已销号", "完成销号", "全部完成"),
    "in_progress": ("进行中", "推进中", "正在推进", "持续推进", "正在进行", "有序推进", "按计划推进", "按序时推进",
                    "序时推进", "正常推进", "办理中", "正在办理", "在办", "已启动", "实施中", "滞后", "进度滞后",
                    "推进滞后"),
    "not_started": ("未开始", "未启动", "尚未开始", "尚未启动", "待启动", "未实施"),
    "blocked": ("受阻", "停滞", "暂停", "搁置", "中止", "推进受阻"),
}
_STATUS = {word: status for status, words in STATUS_WORDS.items() for word in (status, *words)}

_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                   "八": 8, "九": 9}


class Percent(float):
    """A number from a percent-formatted cell, already scaled to what the unit sees (0.85 -> 85.0)."""


def text_of(value) -> str:
    """A cell's text with full-width forms folded (８５％ -> 85%, （ -> ( ) and the ends trimmed."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def read_time(value, *, now: dt.datetime, epoch: dt.datetime = CALENDAR_WINDOWS_1900) -> dt.datetime:
    """A 填报时间 cell -> an aware time (China time when the cell has no zone), within [EARLIEST, now + skew].

    Numbers are Excel serials in the workbook's date system (`epoch`: 1899-12-30, or 1904-01-01 for
    workbooks saved in the 1904 system), whatever number format the cell carries."""
    if isinstance(value, bool):
        raise ValueError(f"expected a date, got {value}; accepted: {TIME_FORMS}")
    if isinstance(value, int | float):
        value = _serial(value, epoch)
    if isinstance(value, dt.time):
        raise ValueError(f"a time of day ({value}) without a date; accepted: {TIME_FORMS}")
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        moment = _text_time(text_of(value))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=LEDGER_ZONE)
    if moment < EARLIEST:
        raise ValueError(f"{moment.isoformat()} is before {EARLIEST.date()}: not a report time "
                         "(a misread or empty date cell?)")
    if moment > now + CLOCK_SKEW:
        now_here = now.astimezone(LEDGER_ZONE).isoformat(timespec="seconds")
        raise ValueError(f"{moment.isoformat()} is in the future (now {now_here})")
    return moment


def _serial(value: float, epoch: dt.datetime):
    """An Excel serial, or a whole 8-digit number read as yyyymmdd (20261009 typed into a number cell).

    Excel's serials end at 2958465, so an 8-digit number can't be one: reading it as yyyymmdd is unambiguous."""
    if value == int(value) and 10_000_000 <= value <= 99_999_999:
        digits = str(int(value))
        return dt.datetime.combine(_date(digits[:4], digits[4:6], digits[6:]), dt.time())
    if not 0 < value < 2958466:  # Excel's last day is 9999-12-31 (serial 2958465)
        raise ValueError(f"{value} is neither an Excel date serial nor an 8-digit yyyymmdd date; "
                         f"accepted: {TIME_FORMS}")
    return from_excel(value, epoch)


_DATE = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*[日号]?")
_CLOCK = re.compile(r"(上午|下午)?\s*(\d{1,2})\s*(?:[时点:]\s*(?:(\d{1,2})\s*(?:分|:)?\s*(?:(\d{1,2})\s*秒?)?)?)")


def _text_time(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)  # 2026-10-09, 2026-10-09 10:00, 2026-10-09T10:00:00+08:00
    except ValueError:
        pass
    if re.fullmatch(r"\d{8}", text):
        date, clock = _date(text[:4], text[4:6], text[6:]), ""
    else:
        found = _DATE.match(text)
        if not found:
            raise ValueError(f"{text!r} is not a date; accepted: {TIME_FORMS}")
        date, clock = _date(*found.groups()), text[found.end():].strip().lstrip("T").strip()
    if not clock:
        return dt.datetime.combine(date, dt.time())
    found = _CLOCK.fullmatch(clock)
    if not found:
        raise ValueError(f"{text!r}: the time of day {clock!r} is not read; accepted: {TIME_FORMS}")
    half, hour, minute, second = found.groups()
    hour = int(hour) + (12 if half == "下午" and int(hour) < 12 else 0)
    try:
        return dt.datetime.combine(date, dt.time(hour, int(minute or 0), int(second or 0)))
    except ValueError:
        raise ValueError(f"{text!r}: no such time of day; accepted: {TIME_FORMS}") from None


def _date(year: str, month: str, day: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"{year}-{month}-{day} is no such day; accepted: {TIME_FORMS}") from None


def read_percent(value) -> float:
    """A 完成百分比 cell -> the percent the unit means, 0-100 checked by the contract.

    A bare number strictly between 0 and 1 (0.85) is refused: it may mean 0.85 % or 85 %, and the unit
    sees which only in a percent-formatted cell (which arrives as a Percent)."""
    if isinstance(value, Percent):
        return float(value)
    if isinstance(value, bool):
        raise ValueError(f"expected a percent, got {value}; accepted: {PERCENT_FORMS}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = re.sub(r"\s+", "", text_of(value))
        if text.startswith("百分之"):
            return _chinese_number(text[3:], value)
        marked = text.endswith("%")
        try:
            number = float(text.removesuffix("%"))
        except ValueError:
            raise ValueError(f"{value!r} is not a percent; accepted: {PERCENT_FORMS}") from None
        if marked:
            return number
    if 0 < number < 1:
        raise ValueError(f"{value} is ambiguous (0.85 % or 85 %?): write 85 or 85%, or format the cell as a "
                         "percentage")
    return number


def _chinese_number(text: str, original) -> float:
    """八十五 / 一百 / 八十五点五 / 五 -> 85 / 100 / 85.5 / 5 (the numbers a percent is written with)."""
    whole, point, fraction = text.partition("点")
    found = re.fullmatch(r"(?:([一二三四五六七八九])?百)?(?:([一二三四五六七八九])?十)?([零〇一二三四五六七八九])?",
                         whole)
    digits = [_CHINESE_DIGITS.get(char) for char in fraction]
    if not whole or not found or None in digits or (point and not fraction):
        raise ValueError(f"{original!r} is not a percent; accepted: {PERCENT_FORMS}")
    hundreds, tens, ones = found.groups()
    number = (100 * _CHINESE_DIGITS.get(hundreds, 1) if "百" in whole else 0) + (
        10 * _CHINESE_DIGITS.get(tens, 1) if "十" in whole else 0) + _CHINESE_DIGITS.get(ones, 0)
    return float(f"{number}.{''.join(map(str, digits)) or 0}")


def read_status(value) -> str:
    """A 状态 cell -> not_started / in_progress / completed / blocked (see STATUS_WORDS)."""
    word = re.sub(r"\s+", "", text_of(value))
    if word.lower() in _STATUS:
        return _STATUS[word.lower()]
    accepted = "; ".join(f"{status}: {'/'.join(words)}" for status, words in STATUS_WORDS.items())
    raise ValueError(f"{word!r} is not a status; accepted: {accepted}")


_SEASONS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def read_period(value) -> str:
    """A 周期 / 报告期 cell -> the contract's period: 2026, 2026-H1, 2026-Q3 or 2026-10.

    A date cell is the month it falls in: Excel turns a typed 2026-10 into the date 2026-10-01."""
    if isinstance(value, dt.date):
        return f"{value.year}-{value.month:02d}"
    if isinstance(value, float):
        if not value.is_integer():  # 2026.10 typed into a number cell is stored as 2026.1
            raise ValueError(f"the number {value} is not a period (type 2026-10 or 2026年10月 as text); "
                             f"accepted: {PERIOD_FORMS}")
        value = int(value)
    text = re.sub(r"\s+", "", text_of(value)).upper()
    patterns = [
        (r"(\d{4})(?:年度?|年全年|全年)?", lambda year: year),
        (r"(\d{4})(?:年|-)?(上|下|H1|H2)(?:半年度?)?",
         lambda year, half: f"{year}-H{1 if half in ('上', 'H1') else 2}"),
        (r"(\d{4})(?:年|-)?(?:第?([一二三四1-4])季度?|Q([1-4]))",
         lambda year, season, q: f"{year}-Q{_SEASONS[season or q]}"),
        (r"(\d{4})(?:年|[-./])(0?[1-9]|1[0-2])月?份?", lambda year, month: f"{year}-{int(month):02d}"),
    ]
    for pattern, period in patterns:
        if found := re.fullmatch(pattern, text):
            return period(*found.groups())
    raise ValueError(f"{value!r} is not a period; accepted: {PERIOD_FORMS}")


def read_number(value) -> float:
    """An indicator cell -> a number (96.5, "96.5%", "1,234", full-width digits)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value}")
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(re.sub(r"[\s,]", "", text_of(value)).removesuffix("%"))
    except ValueError:
        raise ValueError(f"expected a number, got {value!r}") from None
