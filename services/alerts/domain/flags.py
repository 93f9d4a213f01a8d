"""Units and regions flagged from the open alerts.

A unit is flagged with its worst open alert: highest severity, then overdue > lagging > silent > due soon, then
the larger figure (days overdue, points behind, periods missed). A region (county, township, or the city) is
flagged when the share of its units, its descendants' included, that have an open alert of at least
`min_severity` (warning: a due-soon reminder is not a problem) reaches the threshold. An alert addressed to the
verifier (awaiting verification: the unit has done its part) flags neither.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.alerts.domain.alerts import VERIFIER_KINDS, Alert, Severity
from shared.domain.regions import within

_MAGNITUDE = ("days_overdue", "behind_points", "missed_periods")


def badness(alert: Alert) -> tuple:
    """Orders alerts from least to most serious."""
    magnitude = next((alert.figures[f] for f in _MAGNITUDE if isinstance(alert.figures.get(f), int | float)), 0)
    return (*alert.rank, magnitude)


def worst(alerts: Iterable[Alert]) -> Alert | None:
    return max(alerts, key=badness, default=None)


def unit_flags(alerts: Iterable[Alert]) -> dict[str, Alert]:
    """Each unit with an open alert, and its worst."""
    flags: dict[str, Alert] = {}
    for alert in alerts:
        if alert.kind in VERIFIER_KINDS:
            continue
        current = flags.get(alert.unit)
        if current is None or badness(alert) > badness(current):
            flags[alert.unit] = alert
    return flags


@dataclass(frozen=True)
class RegionFlag:
    region_code: str
    units: int
    units_alerted: int
    share: float
    flagged: bool

    def to_json(self) -> dict:
        return {"region_code": self.region_code, "units": self.units, "units_alerted": self.units_alerted,
                "share": round(self.share, 4), "flagged": self.flagged}


def region_flags(alerts: Iterable[Alert], units_by_region: Mapping[str, Iterable[str]], threshold: float,
                 min_severity: Severity = Severity.WARNING) -> list[RegionFlag]:
    """One flag per region of `units_by_region` (each region's own units), counting its descendants' units too.
    Flagged when at least one unit has an alert and the share is at or above the threshold."""
    alerted = {a.unit for a in alerts if a.severity.rank >= min_severity.rank and a.kind not in VERIFIER_KINDS}
    own = {region: set(units) for region, units in units_by_region.items()}
    flags = []
    for region in sorted(own):
        units = set().union(*(u for code, u in own.items() if within(code, region)))
        hit = len(units & alerted)
        share = hit / len(units) if units else 0.0
        flags.append(RegionFlag(region, len(units), hit, share, hit > 0 and share >= threshold))
    return flags
