"""When an open alert owes a reminder, and the rule that makes each reminder reach a channel once a day.

催办 in the supervision loop (督查督办: 临近提醒, 到期催办): a unit is reminded `days_before` days before a deadline
(a due-soon alert whose days left are one of those), on the first day it is overdue and every
`overdue_every_days` days after, and whenever the supervising office urges (Occasion.URGE, any open alert).
Days are counted on the day asked for from the alert's `due` date, so a reminder does not depend on when the
last sweep refreshed the alert's figures.

Dedupe: one notification per (alert, channel, China day), whatever the occasion; an urge on a day a reminder
already went out is recorded but sends nothing more to that channel.

Hold-off: a reminder waits until its alert has stayed open `hold_off_seconds` (while a district's data arrives,
an assignment may be flagged and cleared seconds later: nobody should be told of that). So an alert opened less
than that before midnight owes no reminder for that day. A notification whose alert closes before it is sent is
withdrawn, not sent. Urges are the office's own decision and are not held off.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class Occasion(StrEnum):
    DUE_SOON = "due_soon"  # 临近提醒
    OVERDUE = "overdue"  # 逾期催办
    URGE = "urge"  # 督办催办: the supervising office asked for it


@dataclass(frozen=True)
class ReminderPolicy:
    days_before: frozenset[int] = frozenset({7, 3, 1, 0})
    overdue_every_days: int = 7  # 0: only on the first day overdue
    hold_off_seconds: float = 600.0  # an alert open for less than this owes no reminder yet


def held_off(stored: dict, now: datetime, policy: ReminderPolicy) -> bool:
    """Whether an open alert (as AlertStore keeps it: `opened_at` aware) is too fresh to remind of (module doc)."""
    return stored["opened_at"] > now - timedelta(seconds=policy.hold_off_seconds)


def days_to_due(alert: dict, today: date) -> int | None:
    """Days from today to the alert's due date (negative once past); None for an alert without one."""
    due = (alert.get("figures") or {}).get("due")
    return (date.fromisoformat(due) - today).days if due else None


def occasion_on(alert: dict, today: date, policy: ReminderPolicy) -> Occasion | None:
    """The reminder an open alert (Alert.to_json()) owes today, if any."""
    days = days_to_due(alert, today)
    if days is None:
        return None
    if alert["kind"] == "due_soon" and days in policy.days_before:
        return Occasion.DUE_SOON
    if alert["kind"] == "overdue" and days < 0:
        late = -days
        every = policy.overdue_every_days
        if late == 1 or (every > 0 and (late - 1) % every == 0):
            return Occasion.OVERDUE
    return None


def notification_id(alert_key: str, channel_id: str, day: date) -> str:
    """The notification's identity: a second one for the same alert, channel and day is the same one."""
    return f"{alert_key}|{channel_id}|{day.isoformat()}"
