"""Shared helpers for the plan-parser tests: sample paths and measure-by-measure comparison."""
import json
from pathlib import Path

# The three real plans of ../shared/samples/plans, kept in the repository as the demo and test documents.
SAMPLES = Path(__file__).resolve().parents[5] / "deploy" / "demo" / "plans"
HERE = Path(__file__).parent
EXPECTED = HERE / "expected"
PLAN_NAMES = ("bazhong-city-2017", "fuzhou-city-2022", "tongan-district-2022")
FIELDS = ("number", "number_text", "title", "chapter", "section", "lead_units",
          "responsible_units", "unit_pairs", "deadlines", "targets")


def sample_text(name: str) -> str:
    return (SAMPLES / f"{name}.txt").read_text(encoding="utf-8")


def expected(name: str) -> dict:
    return json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))


def measure_differences(got: list[dict], want: list[dict]) -> list[str]:
    """Plain-words differences between parsed and expected measures, one line each."""
    problems = []
    if len(got) != len(want):
        problems.append(f"{len(got)} measures parsed, {len(want)} expected: parsed numbers "
                        f"{[m['number'] for m in got]}")
    for g, w in zip(got, want, strict=False):
        where = f"measure {w['number_text']} {w['title']}"
        for key in FIELDS:
            if g[key] != w[key]:
                problems.append(f"{where}: {key} is {g[key]!r}, expected {w[key]!r}")
        if "text_head" in w and not g["text"].startswith(w["text_head"]):
            problems.append(f"{where}: text starts {g['text'][:20]!r}, expected {w['text_head']!r}")
        if "text_tail" in w and not g["text"].endswith(w["text_tail"]):
            problems.append(f"{where}: text ends {g['text'][-20:]!r}, expected {w['text_tail']!r}")
    return problems
