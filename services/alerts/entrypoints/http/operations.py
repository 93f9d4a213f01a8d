"""Operators' actions on the alerts: sweep now, acknowledge an alert. With a clients file, both need a client's
token, and an alert is acknowledged only by a client acting for its region (shared/web/authentication.py)."""

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query

from services.alerts.entrypoints.http.dependencies import AlertStoreDep, ServiceDep
from shared.domain.calendar import DAY_SPAN
from shared.web.authentication import Caller, authorise
from shared.web.openapi import problem_responses
from shared.web.problems import Problem

router = APIRouter(tags=["alerts"])


@router.post("/v1/alerts:sweep")
async def sweep(service: ServiceDep, as_of: Annotated[date | None, Query(
        description="the day to judge on (default: today in China)", **DAY_SPAN)] = None
                ) -> dict:
    """Judges every assignment now, records what opened, closed or changed severity, and publishes
    alert-raised / alert-severity-changed / alert-cleared for each transition and assignment-light-changed for
    each assignment whose light changed (and any event an earlier failure left unpublished):
    `{as_of, assignments, open, raised, cleared, changed, lights_changed, published}`. The episodes a past day's
    sweep opens and closes carry that day's last second (China) as their `opened_at` and `closed_at`."""
    return (await service.sweep(as_of)).to_json()


@router.post("/v1/alerts/{key}:acknowledge", responses=problem_responses(403, 404))
async def acknowledge(
    key: str, store: AlertStoreDep, caller: Caller,
    comment: Annotated[str, Body(embed=True, min_length=1, max_length=2000)],
    by: Annotated[str | None, Body(embed=True, max_length=200,
                                   description="who acknowledges (default: the calling client's name)")] = None,
) -> dict:
    """Acknowledges an open alert with a comment; the acknowledgement stays on the alert, into its history."""
    found = (await store.open_by_keys([key])).get(key)
    if found is not None:
        authorise(caller, found["region_code"], f"预警 {key}")
    stored = found and await store.acknowledge(
        key, {"at": datetime.now(UTC), "comment": comment, "by": by or (caller and caller.name)})
    if stored is None:
        raise alert_not_open(key)
    return stored_view(stored, "open")


def alert_not_open(key: str) -> Problem:
    """404 for an alert key with no open alert (never judged yet, or closed)."""
    return Problem(404, "Alert not open", f"没有未关闭的预警 {key!r}(可先研判一次，或该预警已关闭)。",
                   slug="not-found")


def stored_view(document: dict, status: str) -> dict:
    """A stored alert as the API shows it: the alert, its status, and its life."""
    return {
        **document["alert"], "status": status, "episode": document.get("episode", document["_id"]),
        "opened_at": document["opened_at"], "closed_at": document.get("closed_at"),
        "severity_changes": document.get("severity_changes", []),
        "acknowledgements": document.get("acknowledgements", []),
    }
