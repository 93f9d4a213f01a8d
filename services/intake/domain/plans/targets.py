"""Quantitative targets in a measure's text.

A target needs a comparator word or a percentage: ``出庭应诉率达95%以上`` (>= 95 %),
``覆盖率100%`` (= 100 %), ``占比提高到30%以上`` (>= 30 %), ``不少于60学时`` (>= 60 学时),
``5小时内发布`` (<= 5 小时). 达/达到/提高到 mean "reach at least", so ``办复率达100%`` is >= 100.
A count under a frequency, ``每年举办2期``, is a floor: >= 2 期; but ``每季度更新一次`` only says how
often (the deadline's recurrence), so it is no target. Bare counts (``一次办``, ``三级``,
``15分钟便民服务圈``) are names, not targets.

The indicator is the phrase the number qualifies: the words that follow it when the sentence goes
on (``每年举办2期[政府领导班子法治专题讲座]``, ``不少于60学时的[业务知识和法律法规培训]``), otherwise
the words before it back to the previous punctuation (``[行政机关负责人出庭应诉率]达95%以上``).

The kind says how a target is judged (by alerts: services/alerts/domain/lagging.py):
- ``rate``: a level in percent, a rate, share or coverage (出庭应诉率达95%以上, 覆盖率100%, 占比提高到30%以上):
  it must hold whenever the unit reports it.
- ``time_limit``: a duration each case keeps within (5小时内发布, 压缩至1个工作日以内): it holds whenever reported.
- ``count``: occurrences to reach (每年举办2期, 至少1次): they accumulate, so they may follow a trajectory.
- ``amount``: a quantity that accumulates (不少于60学时; 每年…不少于10天), or a change by a percentage to reach by
  the deadline (涉企检查事项压减30%以上, 提高20%): also a trajectory.
"""
import re
from dataclasses import dataclass

from .numerals import to_number

_AT_LEAST = ("不少于", "不低于", "至少", "达到", "达", "提高到", "提高至", "提升到", "提升至")
_AT_MOST = ("不超过", "不高于", "不多于", "控制在", "降低到", "降低至", "降到", "降至")
_COMPARATOR = {**dict.fromkeys(_AT_LEAST, ">="), **dict.fromkeys(_AT_MOST, "<="),
               "超过": ">", "高于": ">", "低于": "<", "少于": "<",
               "以上": ">=", "及以上": ">=", "以下": "<=", "以内": "<=", "内": "<="}
_CN_NUM = "一二两三四五六七八九十"
_DELIMITERS = ",;。:!?\n()"
_DURATIONS = ("小时", "分钟", "个工作日", "天", "日")
_HOURS_OF_STUDY = ("学时", "课时")
# A percentage to cut or raise BY (压减30%), not TO (降低到5%): the verb right before the number.
_CHANGE = re.compile(r"(?:压减|压缩|减少|降低|下降|缩短|提高|提升|增长|增加) *$")
_PER_PERIOD = re.compile(r"每(?:年|半年|季度|月)")
_PRE = "|".join(sorted((*_AT_LEAST, *_AT_MOST, "超过", "高于", "低于", "少于"), key=len, reverse=True))
_TARGET = re.compile(
    rf"(?:(?P<pre>{_PRE})|(?P<freq>至少|每年|每半年|每季度|每月)[^\d{_CN_NUM}{_DELIMITERS}、]{{0,4}}?)?"
    rf" *(?P<value>\d+(?:\.\d+)?|[{_CN_NUM}]+) *"
    r"(?P<unit>%|个工作日|学时|课时|小时|分钟|期|次|项|件|天|日|家|人次|名|场|篇)"
    r"(?P<post>及以上|以上|以下|以内|内)?")
_FOLLOWING = re.compile(rf" *的?([^{_DELIMITERS} ][^{_DELIMITERS}]*)")
# A deadline opening the clause is no part of the indicator: "2024年9月底前[赋权事项评估完成率]100%".
_DATE_OPENING = re.compile(r"(?:(?:到|至)? *20\d\d *年(?: *\d{1,2} *月(?: *\d{1,2} *日)?| *第?[一二三四1-4] *季度"
                           r"| *上半年| *年中)? *(?:底|末)? *(?:之?前)? *)?")
_FRAME_WORDS = re.compile(r" *(?:并|且|要|实现|确保|力争|保证|使|对|其中|推动)*")


@dataclass(frozen=True)
class Target:
    text: str
    indicator: str
    comparator: str  # ">=", "<=", "=", ">" or "<"
    value: int | float
    unit: str
    kind: str  # "rate", "time_limit", "count" or "amount" (see above)

    def to_json(self) -> dict:
        return {"text": self.text, "indicator": self.indicator, "comparator": self.comparator,
                "value": self.value, "unit": self.unit, "kind": self.kind}


def target_kind(before: str, unit: str) -> str:
    """How a target is judged, from its unit and the words of its clause before its number (`before`): a change
    verb right before it, a frequency (每年…: what the number counts restarts each period)."""
    if unit == "%":
        return "amount" if _CHANGE.search(before) else "rate"
    if unit in _DURATIONS:
        return "amount" if _PER_PERIOD.search(before) else "time_limit"
    return "amount" if unit in _HOURS_OF_STUDY else "count"


def find_targets(text: str) -> list[Target]:
    targets, previous_end = [], 0
    for m in _TARGET.finditer(text):
        pre, freq, post, unit = m.group("pre"), m.group("freq"), m.group("post"), m.group("unit")
        if not (pre or freq or post or unit == "%"):
            continue
        if freq and freq.startswith("每") and not post and m.group("value") in ("1", "一") and unit == "次":
            continue  # 每季度更新一次: how often, which is the deadline's recurrence, not a count to reach
        comparator = _COMPARATOR.get(post or pre or "", ">=" if freq else "=")
        following = _FOLLOWING.match(text, m.end())
        if following:  # the sentence goes on: the number qualifies what follows
            indicator, span = following.group(1).strip(), (m.start(), following.end())
        else:  # the number closes its clause: the indicator is the words before it
            start = max(previous_end, *(text.rfind(d, 0, m.start()) + 1 for d in _DELIMITERS))
            start = _FRAME_WORDS.match(text, _DATE_OPENING.match(text, start).end()).end()
            indicator, span = text[start:m.start()].strip(), (start, m.end())
        clause = max(text.rfind(d, 0, m.start()) for d in _DELIMITERS) + 1
        targets.append(Target(text[span[0]:span[1]].strip(), indicator, comparator, to_number(m.group("value")),
                              unit, target_kind(text[clause:m.start("value")], unit)))
        previous_end = span[1]
    return targets
