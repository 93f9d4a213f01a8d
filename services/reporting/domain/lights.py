"""亮灯: the green / yellow / red light of assignments, as the alerts service lights them, and of units and regions.

An assignment's light is the alerts service's judgement (its assignment-light-changed events; the rule that lights
an assignment lives there), never restated here. Reporting keeps every change and reads:
- an assignment's light on a day: the light of its latest change (the highest `<n>` of its id `<key>#light-<n>`,
  as the contract says; then `changed_at`) among those judged on or before that day, the same whatever order the
  events came in; no change by then: unlit (None, "no data");
- a unit's or a region's light: from the lit assignments beneath it (a unit's own; a region's, its units' and every
  region below), by `overall`:
  - red (红灯) when at least RED_SHARE of them (one in five) are red;
  - yellow (黄灯) when any is red, or at least YELLOW_SHARE of them (one in five) are red or yellow;
  - green (绿灯) otherwise; None when none is lit.
  So one red item among many makes a unit or region yellow, not red: the light says how much of it is in
  trouble, and the red, yellow and green counts beside it say exactly what;
- the history: the light at each month end (`month_lights`); the current month's is today's, a later month's None.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from shared.domain.calendar import month_end

Light = Literal["green", "yellow", "red"]
LIGHTS: tuple[Light, ...] = ("red", "yellow", "green")
LIGHT_NAMES = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
RED_SHARE = 0.2
YELLOW_SHARE = 0.2
Key = tuple[str, str]  # (measure_id, unit)


@dataclass(frozen=True)
class LightChange:
    """One assignment-light-changed event, as reporting keeps it."""
    event_id: str
    measure_id: str
    unit: str
    region_code: str
    light: Light
    judged_on: date
    changed_at: datetime

    @property
    def key(self) -> Key:
        return self.measure_id, self.unit

    @property
    def order(self) -> tuple:
        return sequence_of(self.event_id), self.changed_at, self.event_id


def sequence_of(event_id: str) -> int:
    """n of an id `<key>#light-<n>` (the assignment's n-th change); 0 for an id not of that form."""
    _, _, n = event_id.rpartition("#light-")
    return int(n) if n.isdigit() else 0


def lights_on(changes: Iterable[LightChange], day: date) -> dict[Key, LightChange]:
    """Each assignment's latest change judged on or before `day`: its light that day."""
    latest: dict[Key, LightChange] = {}
    for change in changes:
        if change.judged_on <= day and (
                (current := latest.get(change.key)) is None or change.order > current.order):
            latest[change.key] = change
    return latest


def overall(red: int, yellow: int, green: int) -> Light | None:
    """The light of a unit or region with these counts of red, yellow and green assignments (see above)."""
    lit = red + yellow + green
    if not lit:
        return None
    if red >= RED_SHARE * lit:
        return "red"
    if red or red + yellow >= YELLOW_SHARE * lit:
        return "yellow"
    return "green"


def counts(lights: Iterable[Light | None]) -> dict[str, int]:
    """How many of each light (unlit ones left out)."""
    found = dict.fromkeys(LIGHTS, 0)
    for light in lights:
        if light is not None:
            found[light] += 1
    return found


def month_ends_of(year: int, today: date) -> list[tuple[str, date | None]]:
    """("YYYY-MM", the day its light is read at) for each month of `year`: its last day, today for the month in
    progress, None for a month not begun."""
    months = []
    for month in range(1, 13):
        end = month_end(year, month)
        day = end if end < today else today if date(year, month, 1) <= today else None
        months.append((f"{year}-{month:02d}", day))
    return months


def month_lights(changes: Iterable[LightChange], year: int, today: date) -> list[tuple[str, dict[Key, LightChange]]]:
    """Each month of `year` with every assignment's light at its end ({} for a month not begun)."""
    changes = list(changes)
    return [(month, lights_on(changes, day) if day else {}) for month, day in month_ends_of(year, today)]


def light_figures(lights: Iterable[Light | None]) -> dict:
    """The counts and the overall light of a set of assignments' lights."""
    found = counts(lights)
    return {"light": overall(found["red"], found["yellow"], found["green"]),
            **{f"lights_{light}": found[light] for light in LIGHTS}}
