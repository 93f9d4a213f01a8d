"""An item's timeline (督办事项时间线): every step of one assignment's supervision loop with who and when, its reports,
its alerts and its light, in the order they happened, from reporting's own collections (storage/collections.py
`of_assignment`):

- `assigned` (交办): when the measure was published (measure-created's time, the moment the alerts count the
  signing limit from);
- the loop's steps as their unit or verifier published them (`assignment-signed` 签收, `completion-requested`
  办结申请 with its narrative and evidence, `completion-verified` 核查销号 with the remark, `completion-returned`
  退回 and `assignment-reopened` 重新打开 with the reason; the verifier's kind and unit): whether the tracker counted
  a step is its rule, not restated here; where the loop stands is the state the tracker published
  (assignment-updated's loop fields, at the top);
- `progress-reported` (进展报送): each report that was the assignment's current one at some revision, with its period,
  status, percent, narrative and evidence, `withdrawn` when taken back;
- `alert-raised` and `alert-cleared` (the alerts service's reminders and urgings: 临期提醒, 逾期催办, 滞后, 未按期报送,
  未签收, 核查超时), with the kind, severity and reason;
- `urged` (督办催办): each urge the supervising office sent by hand (assignment-urged), with who (`by`), the
  `comment`, the kind of the alert urged and the channels it went to (`queued`, `already_notified`);
- `light-changed` (亮灯): each change of the assignment's light, with the reasons.

Entries are ordered by their time, then by the loop's order of types (a step and the alert it closes at one instant:
the step first; an alert before an urge of it), then by id; each time is an instant (the dashboard shows it in
China's time).
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime

from services.reporting.domain.flags import aware
from services.reporting.domain.inbox import assignment_row
from services.reporting.domain.rollup import standing
from services.reporting.domain.snapshot import Snapshot

ORDER = ("assigned", "assignment-signed", "progress-reported", "completion-requested", "completion-returned",
         "completion-verified", "assignment-reopened", "alert-cleared", "alert-raised", "urged", "light-changed")
STEP_FIELDS = ("narrative", "evidence", "evidence_files", "verifier", "verifier_unit", "remark", "reason")
REPORT_FIELDS = ("period", "status", "percent_complete", "narrative", "evidence", "evidence_files")


def timeline(snapshot: Snapshot, view: dict, found: dict[str, list[dict]], today: date,
             link: Callable[[list[dict]], list[dict]] = list) -> dict:
    """The item's head (its measure, unit, region with the trail, where the loop stands as the tracker published
    it, `standing` as the figures count it (rollup.standing: completed only once closed out), its light and
    overdue flag today, the measure's lead units) and its `entries` (below)."""
    evaluation = snapshot.evaluation(today)
    measure_id, unit, code = view["measure_id"], view["unit"], view["region_code"]
    fact = next((f for f in evaluation.facts_by_code.get(code, ()) if f.measure_id == measure_id and f.unit == unit),
                None)
    return {**assignment_row(snapshot, view, fact), "standing": standing(view), "as_of": today.isoformat(),
            "trail": snapshot.trail(code),
            "completion_requested_at": view.get("completion_requested_at"), "closed_out_at": view.get("closed_out_at"),
            "lead_units": [{"unit": lead, "unit_name": name} for lead, name in evaluation.leads.get(measure_id, [])],
            "entries": entries(snapshot.measures.get(measure_id) or {}, found, unit_names(snapshot.regions), link)}


def entries(measure: dict, found: dict[str, list[dict]], unit_names: dict[str, str],
            link: Callable[[list[dict]], list[dict]] = list) -> list[dict]:
    """The timeline's entries (the module's rules) from the measure as reporting keeps it and what
    `of_assignment` found (`loop_events`, `revisions`, `open_alerts`, `alert_episodes`, `light_changes`, `urges`);
    `unit_names` names a verifier's unit (registry id -> name), `link` gives evidence references their addresses."""
    made = [*_assigned(measure), *(_step(step, unit_names, link) for step in found.get("loop_events", ())),
            *(_report(revision, link) for revision in found.get("revisions", ())),
            *_alerts(found.get("open_alerts", ()), found.get("alert_episodes", ())),
            *(_light(change) for change in found.get("light_changes", ())),
            *(_urged(urge) for urge in found.get("urges", ()))]
    return sorted(made, key=lambda e: (aware(e["at"]), ORDER.index(e["type"]), e["id"]))


def _assigned(measure: dict) -> list[dict]:
    at = measure.get("published_at")
    return [{"type": "assigned", "id": measure.get("event_id") or "", "at": at, "by": None}] if at else []


def _step(document: dict, unit_names: dict[str, str], link) -> dict:
    step = document["step"]
    entry = {"type": document["type"], "id": document["_id"], "at": document["at"], "by": step.get("by"),
             **{name: step[name] for name in STEP_FIELDS if name in step}}
    if "evidence_files" in entry:
        entry["evidence_files"] = link(entry["evidence_files"])
    if "verifier_unit" in entry:
        entry["verifier_unit_name"] = unit_names.get(entry["verifier_unit"], entry["verifier_unit"])
    return entry


def _report(revision: dict, link) -> dict:
    return {"type": "progress-reported", "id": revision["_id"], "at": revision["reported_at"], "by": None,
            **{name: revision.get(name) for name in REPORT_FIELDS}, "evidence_files": link(
                revision.get("evidence_files") or []), "evidence": revision.get("evidence") or [],
            "withdrawn": bool(revision.get("withdrawn")), "withdrawn_by": revision.get("withdrawn_by")}


def _alerts(open_alerts: Iterable[dict], episodes: Iterable[dict]) -> list[dict]:
    """A raise per episode (open or closed), a clear per closed one; an episode read both open and closed (the
    collections are read one after the other) once, closed."""
    made, closed = [], set()
    for episode in episodes:
        closed.add(episode["_id"])
        made.append(_raised(episode["_id"], episode["kind"], episode.get("severity"), episode.get("reason"),
                            episode["opened_at"]))
        made.append({"type": "alert-cleared", "id": f"{episode['_id']}.cleared", "at": episode["closed_at"],
                     "by": None, "kind": episode["kind"]})
    for alert in open_alerts:
        if alert["episode"] not in closed:
            whole = alert.get("alert") or {}
            made.append(_raised(alert["episode"], alert["kind"], alert["severity"], whole.get("reason"),
                                alert["opened_at"]))
    return made


def _raised(episode: str, kind: str, severity: str | None, reason: str | None, at: datetime) -> dict:
    return {"type": "alert-raised", "id": f"{episode}.raised", "at": at, "by": None, "kind": kind,
            "severity": severity, "reason": reason}


def _light(change: dict) -> dict:
    return {"type": "light-changed", "id": change["_id"], "at": change["changed_at"], "by": None,
            "light": change["light"], "previous": change.get("previous"), "reasons": change.get("reasons") or [],
            "judged_on": change.get("judged_on")}


def _urged(urge: dict) -> dict:
    return {"type": "urged", "id": urge["_id"], "at": urge["urged_at"], "by": urge.get("by"),
            "comment": urge.get("comment"), "kind": urge["alert_kind"], "queued": urge.get("queued") or [],
            "already_notified": urge.get("already_notified") or []}


def unit_names(regions: dict[str, dict]) -> dict[str, str]:
    """Every registry unit's name by its id (a verifier is named by its unit's id)."""
    return {unit["unit_id"]: unit["name"] for region in regions.values() for unit in region.get("units", ())}
