"""The thresholds of the alert rules, per plan: defaults, and each plan's overrides (rules.yaml)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.rules_files import PerPlan, RulesError, per_plan


class AlertRules(BaseModel):
    """The thresholds one plan's assignments are judged by. Every field has a sane default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # due soon: a deadline (occurrence) at most this many days ahead, the deadline's own day included.
    due_soon_days: int = Field(14, ge=0)
    # overdue: warning, then critical once more than this many days late.
    overdue_critical_days: int = Field(30, ge=0)
    # lagging: percent complete more than this many points below 序时进度 (exactly at it is not lagging) …
    lagging_tolerance_points: float = Field(15, ge=0, le=100)
    # … and critical when more than this many points below it.
    lagging_critical_points: float = Field(40, ge=0, le=100)
    # lagging on a quantitative target: how far short of its trajectory (a count or an amount) or of the target
    # itself (a rate or a time limit) a value may be, as a share of the target.
    indicator_tolerance: float = Field(0, ge=0, le=1)
    # Each indicator's value at the measure's start, where the trajectory starts (default: 0 for a rising target;
    # a falling target, such as 败诉率 ≤ 5%, without a baseline is not judged before the deadline).
    indicator_baselines: dict[str, float] = Field(default_factory=dict)
    # silent: units report once per period; a period's report is late after its end plus the grace window.
    reporting_cadence: Literal["monthly", "quarterly"] = "quarterly"
    silent_grace_days: int = Field(10, ge=0)
    # silent for this many periods in a row: critical.
    silent_critical_periods: int = Field(2, ge=1)
    # unsigned: an assignment not signed for (签收) within this many working days after its measure was issued
    # (domain/loop.py; working days: domain/workdays.py).
    sign_within_working_days: int = Field(3, ge=0)
    # awaiting verification: a completion request (办结申请) neither verified nor returned within this many working
    # days after it was made.
    verify_within_working_days: int = Field(5, ge=0)
    # The deadline of measures that name no dated one-off deadline (typically the plan's last day, 2025-12-31):
    # it makes them due, overdue and lagging like the others. None: such measures are only judged as silent.
    plan_deadline: date | None = None


@dataclass(frozen=True)
class RulesBook(PerPlan[AlertRules]):
    """The defaults, each plan's rules (the defaults with the plan's overrides), and the share of a region's
    units with open alerts at which the region is flagged."""

    defaults: AlertRules = field(default_factory=AlertRules)
    region_flag_share: float = 0.3

    @classmethod
    def from_mapping(cls, data: Mapping | None) -> "RulesBook":
        """From the settings file's content: `defaults`, `plans: {plan_id: overrides}`, `region_flag_share`.
        Unknown keys and bad values are refused (RulesError), naming where they are (shared/rules_files.py)."""
        defaults, plans, rest = per_plan(AlertRules, data, top_level=("region_flag_share",))
        share = rest.get("region_flag_share", 0.3)
        if not isinstance(share, int | float) or not 0 <= share <= 1:
            raise RulesError(f"region_flag_share: a share between 0 and 1, not {share!r}")
        return cls(defaults, plans, float(share))
