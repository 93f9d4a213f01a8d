"""Every plan text layout under tests/data/plans with its right values.

tests/data/plans holds copies of ../shared/samples' plan texts (site-extraction-county-2022 and the
plan-*.txt cases; the three real plans are tested in test_sample_plans.py) and layouts written for
this corpus in the shapes real documents take. NAME.txt comes with NAME.expected.json in the form
of site-extraction-county-2022.expected.json and is compared the way its "how_to_compare" says: every
measure once by number, units exactly and in order, a dated deadline by its date, a recurring one by
its recurrence, an ongoing one by its wording, a target by indicator, value and unit (100% with '='
or '>=' alike), and chapter and section where the expectation names them.
"""
import json
import re
from pathlib import Path

import pytest

from services.intake.domain.plans import layout
from services.intake.domain.plans.parser import parse_plan

PLANS = Path(__file__).resolve().parents[4] / "data" / "plans"
EXPECTED = sorted(PLANS.glob("*.expected.json"))


def _deadline_key(deadline: dict):
    if deadline.get("ongoing"):
        return ("ongoing", deadline["text"])
    return ("recurring", deadline["recurrence"]) if deadline["recurrence"] else ("dated", deadline["date"])


def _target_key(target: dict):
    comparator = ">=" if target["value"] == 100 and target["unit"] == "%" and target["comparator"] == "=" \
        else target["comparator"]
    return target["indicator"], comparator, target["value"], target["unit"]


def differences(got: dict, want: dict) -> list[str]:
    """Plain-words differences between a parse and an expectation, compared as said above."""
    problems = []
    if "start_year" in want and got["start_year"] != want["start_year"]:
        problems.append(f"start_year {got['start_year']}, expected {want['start_year']}")
    numbers = [m["number"] for m in got["measures"]]
    if numbers != [m["number"] for m in want["measures"]]:
        problems.append(f"measures numbered {numbers}, expected {[m['number'] for m in want['measures']]}")
    for g, w in zip(got["measures"], want["measures"], strict=False):
        where = f"measure {w['number']} {w['title']}"
        for key in ("title", "lead_units", "responsible_units", "chapter", "section"):
            if key in w and g[key] != w[key]:
                problems.append(f"{where}: {key} {g[key]!r}, expected {w[key]!r}")
        if "deadlines" in w and list(map(_deadline_key, g["deadlines"])) != list(map(_deadline_key, w["deadlines"])):
            problems.append(f"{where}: deadlines {g['deadlines']}, expected {w['deadlines']}")
        if "targets" in w and list(map(_target_key, g["targets"])) != list(map(_target_key, w["targets"])):
            problems.append(f"{where}: targets {g['targets']}, expected {w['targets']}")
    return problems


@pytest.mark.parametrize("expected_file", EXPECTED, ids=lambda path: path.name.removesuffix(".expected.json"))
def test_plan_text_parses_to_its_expected_measures(expected_file):
    text = expected_file.with_name(expected_file.name.removesuffix(".expected.json") + ".txt").read_text(
        encoding="utf-8")
    want = json.loads(expected_file.read_text(encoding="utf-8"))
    got = parse_plan(text).to_json()
    assert got["is_plan"], got["reason"]
    problems = differences(got, want)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("text_file", sorted(PLANS.glob("*.txt")), ids=lambda path: path.stem)
def test_no_heading_label_or_date_ends_up_as_a_unit_name(text_file):
    for measure in parse_plan(text_file.read_text(encoding="utf-8")).measures:
        for name in measure.lead_units + measure.responsible_units:
            assert not layout.marker(name) and not backbone_candidate(name), (measure.number, name)
            assert not re.search(r"完成|时限|时间|要求|\d{4}年|单位:", name), (measure.number, name)


def backbone_candidate(name: str) -> bool:
    """A chapter or section heading glued behind a unit name: "乡(镇、街道)四、健全…"."""
    return bool(re.search(r"[一二三四五六七八九十]、|\([一二三四五六七八九十]\)", name))
