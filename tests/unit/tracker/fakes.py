"""In-memory fakes of the tracker's repositories, behaving as the real ones do (tests/integration/tracker proves
those): conditional writes fail when the document changed, and a hook lets a test run "another tracker" at the
moment a race would hurt."""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, date, datetime

from services.tracker.domain.assignments import Assignment, UnitLookup
from services.tracker.domain.loop import Step
from services.tracker.domain.states import split_key
from services.tracker.storage.repository import CURRENT_COLLECTIONS, current_key, current_report, stored_version
from services.tracker.storage.states import Change, StoredState
from services.tracker.usecases.context import Tracker
from shared.contracts import ProgressReport

Hook = Callable[[], Awaitable[None]] | None


def report_document(event_id: str, unit: str, period: str, percent: float, hour: int, measure_id: str = "m-1") -> dict:
    """A history document as the tracker stores one (storage/repository.progress_document)."""
    report = ProgressReport(measure_id=measure_id, unit=unit, region_code="361002", period=period,
                            percent_complete=percent, status="in_progress",
                            reported_at=datetime(2026, 10, 1, hour, tzinfo=UTC))
    return {**report.model_dump(mode="json", exclude={"reported_at"}), "reported_at": report.reported_at,
            "completed_at": None, "event_id": event_id}


class FakeRepository:
    def __init__(self):
        self.assignments: dict[str, Assignment] = {}
        self.history: dict[str, dict] = {}  # event id -> document, with `withdrawn` / `unresolved_unit` marks
        self.current: dict[str, dict[str, dict]] = {name: {} for name in CURRENT_COLLECTIONS}
        self.before_compare_and_set: Hook = None  # runs once, just before the next compare-and-set
        self.starts: dict[str, date | None] = {}  # measure id -> its start date, for the measures created
        self.lookup = UnitLookup()  # the registry and mappings: none published

    async def unit_lookup(self) -> UnitLookup:
        return self.lookup

    def newest(self, collection: str, document: dict) -> None:
        """A versioned upsert (writes.write_newest): only ever to a newer report."""
        key = current_key(document, collection)
        stored = self.current[collection].get(key)
        if stored is None or stored_version(document).supersedes(stored_version(stored)):
            self.current[collection][key] = document

    def receive(self, document: dict) -> None:
        """A report as usecases/progress.py applies it: history, then the current reports."""
        self.history[document["event_id"]] = document
        for collection in CURRENT_COLLECTIONS:
            self.newest(collection, document)

    async def measure_starts(self, measure_ids: set[str]) -> dict[str, date | None]:
        return {measure_id: self.starts[measure_id] for measure_id in measure_ids if measure_id in self.starts}

    async def stored_reports(self, event_ids: Iterable[str]) -> dict[str, dict]:
        return {event_id: self.history[event_id] for event_id in event_ids if event_id in self.history}

    async def mark_withdrawn(self, report_id: str, withdrawal: dict) -> None:
        self.history[report_id].setdefault("withdrawn", withdrawal)

    async def state_inputs(self, keys: list[str], given: Mapping[str, Iterable[str]] | None = None):
        assignment = self.current["assignment_progress"]
        periods: dict[str, list[str]] = {key: list(found) for key, found in (given or {}).items()}
        for document in self.current["period_progress"].values():
            if (key := f"{document['measure_id']}|{document['unit']}") not in (given or {}):
                periods.setdefault(key, []).append(document["period"])
        return {key: (self.assignments.get(key), current_report(assignment[key]) if key in assignment else None,
                      periods.get(key, [])) for key in keys}

    async def assignment_keys(self, measure_ids: Iterable[str] | None) -> set[str]:
        keys = self.assignments.keys() | self.current["assignment_progress"].keys()
        return {key for key in keys if measure_ids is None or split_key(key)[0] in measure_ids}

    async def current_documents(self, measure_id: str, unit: str) -> dict[str, dict[str, dict]]:
        return {name: {key: d for key, d in documents.items() if (d["measure_id"], d["unit"]) == (measure_id, unit)}
                for name, documents in self.current.items()}

    async def counted_history(self, measure_id: str, unit: str) -> list[dict]:
        return [dict(d) for d in self.history.values() if (d["measure_id"], d["unit"]) == (measure_id, unit)
                and not {"withdrawn", "unresolved_unit"} & d.keys()]

    async def compare_and_set_current(self, collection: str, key: str, seen: dict | None,
                                      document: dict | None) -> bool:
        if self.before_compare_and_set:
            hook, self.before_compare_and_set = self.before_compare_and_set, None
            await hook()
        stored = self.current[collection].get(key)
        if (stored and stored["event_id"]) != (seen and seen["event_id"]):
            return False
        if document is None:
            self.current[collection].pop(key, None)
        else:
            self.current[collection][key] = document
        return True


class FakeStates:
    def __init__(self):
        self.documents: dict[str, dict] = {}  # key -> {revision, state, outbox}
        self.before_write: Hook = None  # runs once, just before the next write

    async def load(self, keys: Iterable[str]) -> dict[str, StoredState]:
        return {key: StoredState(d["revision"], d["state"]) for key, d in self.documents.items() if key in set(keys)}

    async def keys(self, measure_ids: Iterable[str] | None) -> set[str]:
        return {key for key, d in self.documents.items() if not d["state"]["removed"]
                and (measure_ids is None or d["state"]["measure_id"] in measure_ids)}

    async def write(self, changes: list[Change]) -> list[str]:
        if self.before_write:
            hook, self.before_write = self.before_write, None
            await hook()
        lost = []
        for change in changes:
            stored = self.documents.get(change.key)
            if (stored["revision"] if stored else 0) != change.revision - 1:
                lost.append(change.key)
                continue
            outbox = stored["outbox"] if stored else []
            self.documents[change.key] = {"revision": change.revision, "state": change.state,
                                          "outbox": [*outbox, change.event]}
        return lost

    async def everything(self) -> dict[str, StoredState]:
        return await self.load(self.documents)

    async def overwrite(self, key: str, revision: int, state: dict, outbox: list[dict]) -> None:
        self.documents[key] = {"revision": revision, "state": state, "outbox": outbox}

    async def pending(self, limit: int) -> list[tuple[str, int, list[dict]]]:
        return [(key, d["revision"], list(d["outbox"])) for key, d in self.documents.items() if d["outbox"]][:limit]

    async def published(self, sent: dict[str, list[str]], whole: dict[str, int]) -> None:
        for key, ids in sent.items():
            self.documents[key]["outbox"] = [e for e in self.documents[key]["outbox"] if e["id"] not in ids]


class FakeLoopSteps:
    """storage/loop.LoopSteps in memory: steps kept once per event id; the assignments are the repository's."""

    def __init__(self, repository: FakeRepository):
        self.repository = repository
        self.steps: dict[str, tuple[str, Step]] = {}  # event id -> (key, step)

    async def add(self, key_steps: Iterable[tuple[str, Step]]) -> None:
        for key, step in key_steps:
            self.steps.setdefault(step.event_id, (key, step))

    async def of(self, keys: Iterable[str]) -> dict[str, list[Step]]:
        wanted, found = set(keys), {}
        for key, step in self.steps.values():
            if key in wanted:
                found.setdefault(key, []).append(step)
        return found

    async def lead_units(self, measure_ids: Iterable[str]) -> dict[str, set[str]]:
        wanted, leads = set(measure_ids), {}
        for a in self.repository.assignments.values():
            if a.measure_id in wanted and a.role == "lead":
                leads.setdefault(a.measure_id, set()).add(a.unit)
        return leads

    async def assigned(self, keys: Iterable[str]) -> dict[str, str | None]:
        return {key: a.region_code if a.resolved else None for key in set(keys)
                if (a := self.repository.assignments.get(key))}


def fake_tracker(states_written=None) -> Tracker:
    """A tracker on these fakes (woken by `states_written`, when given)."""
    repository = FakeRepository()
    loops = FakeLoopSteps(repository)
    return Tracker(repository, FakeStates(), loops, states_written) if states_written else Tracker(
        repository, FakeStates(), loops)
