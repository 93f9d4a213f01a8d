"""The in-memory read model each reporting instance answers from, refreshed incrementally from its collections.

The first refresh loads every document of reporting's own collections (collections.py); each later one reads
only the documents stamped `updated_at` after the moment the previous refresh began, less `overlap` (a write
stamped by a writer whose clock runs up to `overlap` behind, or committed up to `overlap` after its stamp, is still
read; reading a document twice is harmless: it replaces the fact for its key). So a refresh reads what changed
since the last one plus what changed in the `overlap` before it, whatever the collections hold.
What changed is applied to:
- the views per assignment (a `removed` tombstone forgets one), the measures, the regions;
- the alerts: open ones by key (a closed episode read later drops the open alert of that episode), closed
  episodes by episode, as flags (flags.Flag, every kind) per assignment;
- the light changes (domain/lights.py), per assignment;
- today's figures (domain/live.py): only the assignments whose view, flags or light changed, and every assignment of a
  measure that changed, are evaluated again, and only their region codes' leaf tallies change. A new China day
  evaluates everything again (deadlines and the alerts' judgements are evaluated at the day).
So a refresh costs what changed, not the number of assignments, open alerts or closed episodes
(bench/reporting_rollup.py measures both). Each refresh hands out a new Snapshot (domain/snapshot.py) holding
today's evaluation; the ones handed out before never change.

Past days (a History, domain/history.py) are rebuilt from reporting_revisions with the model's assignments,
measures, regions and flags.

Snapshots (storage/snapshots.py) decide when to refresh: at most every max_age seconds, in the
background, while requests are answered from the snapshot in hand.
"""

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from services.reporting.domain.assignments import key_of, view_of
from services.reporting.domain.flags import Flag, aware
from services.reporting.domain.history import History
from services.reporting.domain.lights import LightChange
from services.reporting.domain.live import LiveFigures
from services.reporting.domain.periods import Cadence
from services.reporting.domain.snapshot import Snapshot
from services.reporting.storage.collections import ReportingStore
from shared.domain.calendar import today_in_china

# What the model reads of each collection: never the narratives, evidence or whole alerts it does not use.
OPEN_ALERT_FIELDS = {"episode": 1, "kind": 1, "severity": 1, "measure_id": 1, "unit": 1, "region_code": 1,
                     "opened_at": 1, "due": 1, "updated_at": 1}
ASSIGNMENT_FIELDS = {"evidence": 0, "evidence_files": 0, "narrative": 0, "event_id": 0}
LIGHT_CHANGE_FIELDS = {"measure_id": 1, "unit": 1, "region_code": 1, "light": 1, "judged_on": 1, "changed_at": 1}
DEFAULT_CADENCE: Cadence = "quarter"


def regions_of(registry: dict | None) -> dict[str, dict]:
    return {r["code"]: r for r in ((registry or {}).get("registry") or {}).get("regions", [])}


class ReadModel:
    def __init__(self, store: ReportingStore, overlap: timedelta = timedelta(seconds=10),
                 today: Callable[[], date] = today_in_china, cadence: Cadence = DEFAULT_CADENCE):
        self.store, self.overlap, self.today, self.cadence = store, overlap, today, cadence
        self.since: datetime | None = None  # what the next refresh reads: documents stamped after this
        self.views: dict[str, dict] = {}
        self.measures: dict[str, dict] = {}
        self.regions: dict[str, dict] = {}
        self.open_alerts: dict[str, dict] = {}  # key -> the alert row (domain/snapshot.py's open_alerts)
        self.episodes: dict[str, Flag] = {}  # closed episodes
        self.flags: dict[tuple[str, str], dict[str, Flag]] = {}  # (measure, unit) -> flag id -> flag
        self.lights: dict[tuple[str, str], dict[str, LightChange]] = {}  # (measure, unit) -> event id -> change
        self.live: LiveFigures | None = None
        self.snapshot: Snapshot | None = None
        self.documents_read, self.read_seconds, self.apply_seconds = 0, 0.0, 0.0  # what the last refresh cost
        self.refreshing = asyncio.Lock()  # one refresh at a time: an older read must not be applied after a newer

    async def refresh(self) -> Snapshot:
        """Read what changed and hand out the snapshot of the state now. Open alerts are read before closed
        episodes, so an alert closed between the two reads is seen closed."""
        async with self.refreshing:
            started, clock = datetime.now(UTC), time.perf_counter()
            changed = {name: await self.store.changed(name, self.since, projection) for name, projection in (
                ("measures", None), ("registry", None), ("assignments", ASSIGNMENT_FIELDS),
                ("open_alerts", OPEN_ALERT_FIELDS), ("alert_episodes", None),
                ("light_changes", LIGHT_CHANGE_FIELDS))}
            self.since = started - self.overlap
            self.documents_read = sum(len(docs) for docs in changed.values())
            self.read_seconds = time.perf_counter() - clock
            snapshot = self.apply(changed, started.isoformat())
            self.apply_seconds = time.perf_counter() - clock - self.read_seconds
            return snapshot

    def apply(self, changed: dict[str, list[dict]], read_at: str) -> Snapshot:
        """Apply documents read (by collection name) and make the next snapshot. Pure: no I/O."""
        measures_changed = {m["_id"] for m in changed.get("measures", ())}
        self.measures.update({m["_id"]: m for m in changed.get("measures", ())})
        for registry in changed.get("registry", ()):
            self.regions = regions_of(registry)
        keys = set()
        for state in changed.get("assignments", ()):
            keys.add(state["_id"])
            if state.get("removed"):
                self.views.pop(state["_id"], None)
            else:
                self.views[state["_id"]] = view_of(state)
        alerts_changed = False
        for alert in changed.get("open_alerts", ()):
            self._open(alert)
            keys.add(key_of(alert["measure_id"], alert["unit"]))
            alerts_changed = True
        for episode in changed.get("alert_episodes", ()):
            self._close(episode)
            keys.add(key_of(episode["measure_id"], episode["unit"]))
            alerts_changed = True
        lights_changed = False
        for document in changed.get("light_changes", ()):
            change = light_change_of(document)
            self.lights.setdefault(change.key, {})[change.event_id] = change
            keys.add(key_of(change.measure_id, change.unit))
            lights_changed = True
        return self._snapshot(keys, measures_changed, alerts_changed or self.snapshot is None, read_at,
                              lights_changed)

    def _open(self, alert: dict) -> None:
        closed = self.episodes.get(alert["episode"])
        if closed is not None:  # read after its closing (the overlap): the episode stays closed
            return
        self.open_alerts[alert["_id"]] = {
            "key": alert["_id"], "episode": alert["episode"], "kind": alert["kind"], "severity": alert["severity"],
            "measure_id": alert["measure_id"], "unit": alert["unit"], "region_code": alert["region_code"],
            "opened_at": alert["opened_at"].isoformat()}
        self._flags(alert)[f"open:{alert['_id']}"] = Flag(alert["kind"], alert["measure_id"], alert["unit"],
                                                         alert["opened_at"], due=due_date(alert))

    def _close(self, episode: dict) -> None:
        flag = Flag(episode["kind"], episode["measure_id"], episode["unit"], episode["opened_at"],
                    episode["closed_at"], due_date(episode))
        self.episodes[episode["_id"]] = flag
        flags = self._flags(episode)
        flags[f"closed:{episode['_id']}"] = flag
        if (current := self.open_alerts.get(episode["key"])) and current["episode"] == episode["_id"]:
            del self.open_alerts[episode["key"]]
            flags.pop(f"open:{episode['key']}", None)

    def _flags(self, alert: dict) -> dict[str, Flag]:
        return self.flags.setdefault((alert["measure_id"], alert["unit"]), {})

    def flags_of(self, measure_id: str, unit: str) -> list[Flag]:
        return list(self.flags.get((measure_id, unit), {}).values())

    def lights_of(self, measure_id: str, unit: str) -> list[LightChange]:
        return list(self.lights.get((measure_id, unit), {}).values())

    def _snapshot(self, keys: set[str], measures_changed: set[str], alerts_changed: bool, read_at: str,
                  lights_changed: bool = False) -> Snapshot:
        today, previous = self.today(), self.snapshot
        if self.live is None or self.live.as_of != today:
            self.live = LiveFigures(today, self.cadence, self.views, self.measures, self.flags_of, self.lights_of)
        elif keys or measures_changed:
            self.live.update(keys, self.views, self.measures, self.flags_of, measures_changed)
        # The lists a snapshot holds are made again only when what they list changed.
        assignments = (list(self.views.values()) if previous is None or keys
                       else previous.assignments)
        flags, open_alerts = ((self.all_flags(), list(self.open_alerts.values())) if alerts_changed or previous is None
                              else (previous.flags, previous.open_alerts))
        light_changes = ([change for changes in self.lights.values() for change in changes.values()]
                         if lights_changed or previous is None else previous.light_changes)
        self.snapshot = Snapshot(assignments, dict(self.measures), self.regions, read_at, flags, open_alerts,
                                 light_changes)
        self.snapshot.keep(self.live.evaluation, self.cadence)
        return self.snapshot

    def all_flags(self) -> list[Flag]:
        return [flag for flags in self.flags.values() for flag in flags.values()]

    async def history(self) -> History:
        """What past days are rebuilt from: the counted revisions, with the model's state (read first if the model
        was never refreshed)."""
        snapshot = self.snapshot or await self.refresh()
        revisions = await self.store.revisions_counted()
        return History(snapshot.assignments, revisions, snapshot.measures, snapshot.regions, snapshot.flags,
                       snapshot.light_changes)


def light_change_of(document: dict) -> LightChange:
    """A stored light change (reporting_light_changes) as lights.py reads it."""
    return LightChange(document["_id"], document["measure_id"], document["unit"], document["region_code"],
                       document["light"], date.fromisoformat(document["judged_on"]), aware(document["changed_at"]))


def due_date(alert: dict) -> date | None:
    """The stored `due` (ISO date) of an overdue alert or episode; None for other kinds and older documents."""
    return date.fromisoformat(alert["due"]) if alert.get("due") else None
