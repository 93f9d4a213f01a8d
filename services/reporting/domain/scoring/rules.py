"""The 考核 scoring rules, per plan: defaults and each plan's overrides (services/reporting/scoring.yaml).

Loaded like the alerts' thresholds (shared/rules_files.py): every key optional, an unknown key or a bad value
refused at start-up naming where it is. Points are given as positive numbers; deductions are subtracted.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.rules_files import PerPlan, RulesError, per_plan

Points = Annotated[float, Field(ge=0, le=1000)]


class ScoringRules(BaseModel):
    """How one plan's assignments score in a year (China's calendar). See scoring.yaml for each rule's wording."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Added per assignment closed out (销号) in the year with no overdue alert open at its closing out.
    closed_out_on_time: Points = 2
    # Deducted per overdue alert episode opened in the year (one missed deadline occurrence, however long).
    overdue: Points = 2
    # Deducted per completion request returned (退回) in the year.
    returned_completion: Points = 1
    # Deducted per reporting period of the year reported only after its end plus report_grace_days …
    late_report: Points = 0.5
    # … and per period whose report, due by then, never came.
    missing_report: Points = 1
    # Deducted per report (the last one on each period) in the year with a rate or time-limit target not met.
    unmet_rate_target: Points = 1
    # Indicator → points deducted per unit of its reported value, summed over the year's periods (the last report
    # on each period), e.g. {未出庭应诉案件数: 2}.
    indicator_deductions: dict[str, Points] = Field(default_factory=dict)
    # The periods a unit reports on, and the days after a period's end its report may still come on time.
    reporting_cadence: Literal["month", "quarter", "half", "year"] = "quarter"
    report_grace_days: int = Field(10, ge=0, le=366)


@dataclass(frozen=True)
class ScoringBook(PerPlan[ScoringRules]):
    """The defaults, each plan's rules (the defaults with its overrides) and every unit's base points."""

    defaults: ScoringRules = field(default_factory=ScoringRules)
    base_points: float = 100.0

    @classmethod
    def from_mapping(cls, data: Mapping | None) -> "ScoringBook":
        """From the rules file's content: `defaults`, `plans: {plan_id: overrides}`, `base_points`. RulesError
        for an unknown key or a bad value, naming where it is."""
        defaults, plans, rest = per_plan(ScoringRules, data, top_level=("base_points",))
        base = rest.get("base_points", 100)
        if isinstance(base, bool) or not isinstance(base, int | float) or not 0 <= base <= 10_000:
            raise RulesError(f"base_points: a number of points from 0 to 10000, not {base!r}")
        return cls(defaults, plans, float(base))
