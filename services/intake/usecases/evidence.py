"""Evidence files (佐证材料): stored after the scan hook passes them, once per content; resolved to the references
progress reports and completion requests carry; listed per assignment; fetched by the regions that uploaded or
cited them. What a file may be is domain/evidence.py's rule (checked by the route, in a worker process, before
this use case sees the bytes)."""

import hashlib
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Protocol

from services.intake.domain.evidence import ScanOutcome, StoredEvidence, Verdict
from shared.contracts.evidence import EvidenceReference
from shared.web.problems import Problem


class Store(Protocol):
    """storage/evidence.EvidenceStore."""

    async def add(self, name: str, content: bytes, sha256: str, content_type: str, region_code: str,
                  assignment: str | None) -> StoredEvidence: ...

    async def share(self, evidence_id: str, region_code: str | None, assignments: Iterable[str]) -> None: ...

    async def get(self, evidence_id: str) -> StoredEvidence | None: ...

    async def found(self, evidence_ids: Iterable[str]) -> dict[str, StoredEvidence]: ...

    async def of_assignment(self, assignment: str) -> list[StoredEvidence]: ...

    async def content(self, evidence_id: str) -> AsyncIterator[bytes]: ...


class Assignments(Protocol):
    """storage/tracker.TrackerAssignments: the tracker owns the assignments; raises TrackerUnavailable."""

    async def assignment(self, measure_id: str, unit: str) -> dict | None: ...


class Scanner(Protocol):
    """storage/scanner.CommandScanner."""

    async def scan(self, content: bytes) -> ScanOutcome: ...


class Infected(Exception):
    """The scan hook reported the file infected: nothing was stored."""


class ScanFailed(Exception):
    """The scan hook could not scan the file: nothing was stored; the client may retry."""


# Whether the caller acts for a region (shared/web/clients.Client.may_act_for); None: anyone (no clients file).
ActsFor = Callable[[str], bool] | None


def readable(evidence: StoredEvidence, acts_for: ActsFor) -> bool:
    """A file is for the regions that uploaded or cited it, and the regions above them."""
    return acts_for is None or any(acts_for(region) for region in evidence.region_codes)


def unknown_evidence(missing: Sequence[tuple[int, str]], field: str) -> Problem:
    """422 naming each evidence id (by its position in `field`) that intake does not hold."""
    ids = "、".join(evidence_id for _, evidence_id in missing)
    return Problem(422, "Unknown evidence", f"没有编号为 {ids} 的佐证材料：请先上传（POST /v1/evidence），再填写上传"
                   "返回的编号。", slug="unknown-evidence",
                   errors=[{"field": f"{field}.{index}", "message": f"没有佐证材料 {evidence_id!r}",
                            "code": "unknown_evidence"} for index, evidence_id in missing])


class EvidenceFiles:
    def __init__(self, store: Store, scanner: Scanner | None, assignments: Assignments):
        """`scanner` None: files are stored unscanned (no scan command configured)."""
        self.store, self.scanner, self.assignments = store, scanner, assignments

    async def upload(self, name: str, content: bytes, content_type: str, region_code: str,
                     assignment: str | None = None, acts_for: ActsFor = None) -> StoredEvidence:
        """Store a file whose type was checked (`content_type`), for `region_code` and optionally an assignment
        (`measure_id|unit`), uploaded by a caller who `acts_for` some regions. Same content stored before: that file
        (its id and first name), now shared. Raises, storing nothing: a 404 Problem for an assignment the tracker
        does not have, a 403 Problem for one outside the caller's regions (a file would be listed on another
        district's assignment), TrackerUnavailable, Infected or ScanFailed."""
        if assignment is not None:
            await self.check_assignment(assignment, acts_for)
        if self.scanner is not None:
            outcome = await self.scanner.scan(content)
            if outcome.verdict is Verdict.INFECTED:
                raise Infected(outcome.detail)
            if outcome.verdict is Verdict.FAILED:
                raise ScanFailed(outcome.detail)
        sha256 = hashlib.sha256(content).hexdigest()
        return await self.store.add(name, content, sha256, content_type, region_code, assignment)

    async def check_assignment(self, assignment: str, acts_for: ActsFor) -> None:
        measure_id, _, unit = assignment.partition("|")
        found = await self.assignments.assignment(measure_id, unit)
        if found is None:
            raise Problem(404, "Unknown assignment", f"督办系统中没有措施 {measure_id!r} 交办给 {unit!r} 的任务，"
                          "佐证材料未保存。", slug="unknown-assignment")
        # A name the registry does not resolve has no region of its own (the tracker's loop judges it so too): the
        # region the caller named, which it acts for, is all there is.
        region = found["region_code"] if found.get("resolved") else None
        if region is not None and acts_for is not None and not acts_for(region):
            raise Problem(403, "Outside your region", f"措施 {measure_id!r} 交办给 {unit!r} 的任务属于区划 {region}，"
                          "不在你可办理的区划内，佐证材料未保存。", slug="outside-region")

    async def references(self, evidence_ids: Sequence[str], acts_for: ActsFor,
                         field: str = "evidence_ids") -> list[EvidenceReference]:
        """The references of `evidence_ids`, in order, each once. Raises a 422 Problem naming every id not stored,
        or stored for regions the caller does not act for (a report cannot reach another district's files)."""
        unique = list(dict.fromkeys(evidence_ids))
        found = {key: each for key, each in (await self.store.found(unique)).items() if readable(each, acts_for)}
        missing = [(index, each) for index, each in enumerate(evidence_ids) if each not in found]
        if missing:
            raise unknown_evidence(missing, field)
        return [found[each].reference for each in unique]

    async def cite(self, references: Iterable[EvidenceReference], region_code: str, assignment: str) -> None:
        """Record that a report or completion request of `assignment`, for `region_code`, cites these files (the
        assignment's listing shows them; the region's clients may fetch them)."""
        for reference in references:
            await self.store.share(reference.id, region_code, [assignment])

    async def get(self, evidence_id: str) -> StoredEvidence | None:
        return await self.store.get(evidence_id)

    async def content(self, evidence_id: str) -> AsyncIterator[bytes]:
        return await self.store.content(evidence_id)

    async def of_assignment(self, measure_id: str, unit: str, acts_for: ActsFor) -> list[StoredEvidence]:
        """The assignment's files the caller may read, oldest first."""
        return [each for each in await self.store.of_assignment(f"{measure_id}|{unit}") if readable(each, acts_for)]
