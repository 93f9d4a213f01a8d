"""In-memory stand-ins for what intake's use cases tell (usecases/ports.py, usecases/evidence.py): the broker, the
idempotency keys, the evidence files, the scan hook and the tracker's assignments. The catalogue is the real read model
(storage/catalogue.py), given a `caught_up` the test decides."""

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from pydantic import BaseModel

from services.intake.domain.evidence import ScanOutcome, StoredEvidence
from services.intake.storage.catalogue import Catalogue
from services.intake.storage.idempotency import KeyReused, fingerprint
from services.intake.storage.publisher import BrokerUnavailable
from shared.contracts import CloudEvent, new_event_id


@dataclass
class FakePublisher:
    """Records what it publishes as (topic, event, key); refuses every event after `takes` of them."""

    connected: bool = True
    takes: int | None = None
    published: list[tuple[str, CloudEvent, str]] = field(default_factory=list)

    async def publish(self, topic: str, event: CloudEvent, key: str) -> None:
        if not self.connected or (self.takes is not None and len(self.published) >= self.takes):
            raise BrokerUnavailable("Kafka did not confirm the event: KafkaTimeoutError")
        self.published.append((topic, event, key))

    def on(self, topic: str) -> list[CloudEvent]:
        return [event for published_topic, event, _ in self.published if published_topic == topic]


@dataclass
class FakeIdempotency:
    """storage/idempotency.IdempotencyKeys in a dict: the first claim of (scope, key) wins. `calls`: how many
    times the store was asked (a batch's keys are claimed in one call)."""

    claims: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    calls: int = 0

    async def event_id_for(self, scope: str, key: str, body: BaseModel) -> str:
        outcome = (await self.event_ids_for(scope, {key: body}))[key]
        if isinstance(outcome, KeyReused):
            raise outcome
        return outcome

    async def event_ids_for(self, scope: str, bodies: dict[str, BaseModel]) -> dict[str, str | KeyReused]:
        self.calls += 1
        outcomes: dict[str, str | KeyReused] = {}
        for key, body in bodies.items():
            sent, event_id = self.claims.setdefault((scope, key), (fingerprint(body), new_event_id()))
            outcomes[key] = event_id if sent == fingerprint(body) else KeyReused(key)
        return outcomes


def catalogue(caught_up: bool = True) -> Catalogue:
    """A catalogue that has (or has not yet) read what the topics hold: nothing, until the test adds to it."""
    async def read_all() -> bool:
        return caught_up

    return Catalogue(read_all)


@dataclass
class FakeEvidenceStore:
    """storage/evidence.EvidenceStore in dicts: one file per content, shared with the regions and assignments
    that upload or cite it."""

    files: dict[str, StoredEvidence] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict)

    async def add(self, name: str, content: bytes, sha256: str, content_type: str, region_code: str,
                  assignment: str | None) -> StoredEvidence:
        existing = next((each for each in self.files.values() if each.sha256 == sha256), None)
        if existing is None:
            existing = StoredEvidence(id=new_event_id(), name=name, sha256=sha256, content_type=content_type,
                                      size=len(content), uploaded_at=datetime.now(UTC))
            self.files[existing.id], self.contents[existing.id] = existing, content
        await self.share(existing.id, region_code, [assignment] if assignment else [])
        return self.files[existing.id]

    async def share(self, evidence_id: str, region_code: str | None, assignments) -> None:
        stored = self.files[evidence_id]
        self.files[evidence_id] = replace(
            stored, region_codes=tuple(dict.fromkeys([*stored.region_codes, *([region_code] if region_code else [])])),
            assignments=tuple(dict.fromkeys([*stored.assignments, *assignments])))

    async def get(self, evidence_id: str) -> StoredEvidence | None:
        return self.files.get(evidence_id)

    async def found(self, evidence_ids) -> dict[str, StoredEvidence]:
        return {each: self.files[each] for each in evidence_ids if each in self.files}

    async def of_assignment(self, assignment: str) -> list[StoredEvidence]:
        return [each for each in self.files.values() if assignment in each.assignments]

    async def content(self, evidence_id: str):
        async def chunks():
            yield self.contents[evidence_id]
        return chunks()


@dataclass
class FakeScanner:
    """Answers `outcome` for every file, counting the files it was shown."""

    outcome: ScanOutcome
    scanned: int = 0

    async def scan(self, content: bytes) -> ScanOutcome:
        self.scanned += 1
        return self.outcome


@dataclass
class FakeAssignments:
    """storage/tracker.TrackerAssignments: each assignment (`measure_id|unit`) the tracker has, with its region
    (None: a name the registry does not resolve, listed under its measure's region)."""

    regions: dict[str, str | None] = field(default_factory=lambda: {
        "m-1|临川区政府": "361002", "m-2|东乡区政府": "361003", "m-3|立法项目起草部门": None})
    asked: int = 0

    async def assignment(self, measure_id: str, unit: str) -> dict | None:
        self.asked += 1
        key = f"{measure_id}|{unit}"
        if key not in self.regions:
            return None
        region = self.regions[key]
        return {"measure_id": measure_id, "unit": unit, "region_code": region or "361000", "resolved": bool(region)}
