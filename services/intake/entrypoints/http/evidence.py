"""Evidence files (佐证材料) in and out (usecases/evidence.py): uploaded once per content, listed per assignment,
downloaded, and previewed inline when a browser shows them (images, PDF). Every route needs a credential in a role
(like every intake route); a file is for the regions that uploaded or cited it: their clients, and those of the
regions above, may fetch it."""

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Query, UploadFile, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, StringConstraints

from services.intake.domain.documents.kinds import WrongKind
from services.intake.domain.documents.packages import UnsafePackage
from services.intake.domain.evidence import StoredEvidence, file_name, media_type
from services.intake.entrypoints.http.dependencies import Evidence, Settings
from services.intake.entrypoints.http.problems import answering
from services.intake.entrypoints.http.uploads import in_worker, invalid_file, read_upload, upload_body
from services.intake.usecases.evidence import ActsFor, EvidenceFiles, Infected, ScanFailed, readable
from shared.contracts.evidence import MAX_EVIDENCE
from shared.contracts.measures import Identifier, Name, RegionCode
from shared.web.authentication import Caller, authorise, outside_region, requires
from shared.web.clients import Client, Role
from shared.web.openapi import problem_responses
from shared.web.problems import Problem

EvidenceId = Annotated[str, Path(min_length=1, max_length=64, description="the id POST /v1/evidence answered")]
# What a report or completion request sends to cite stored files: the ids POST /v1/evidence answered.
EvidenceIds = Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=64)]], Field(
    default_factory=list, max_length=MAX_EVIDENCE,
    description="佐证材料: ids of files stored by POST /v1/evidence; the event carries their references")]


class EvidenceFile(BaseModel):
    """A stored evidence file: `id` for reports and completion requests (`evidence_ids`), `sha256` of the content
    (lower-case hex), `content_type` told by the content, `size` in bytes, `uploaded_at` of the first upload."""

    id: str
    sha256: str
    name: str
    content_type: str
    size: int
    uploaded_at: datetime

    @classmethod
    def of(cls, evidence: StoredEvidence) -> "EvidenceFile":
        return cls(id=evidence.id, sha256=evidence.sha256, name=evidence.name, content_type=evidence.content_type,
                   size=evidence.size, uploaded_at=evidence.uploaded_at)


def acts_for(caller: Client | None) -> ActsFor:
    """Whether the caller acts for a region, as the evidence use case asks it."""
    return None if caller is None else caller.may_act_for


async def cited(body: BaseModel, evidence: EvidenceFiles, caller: Client | None, exclude: frozenset = frozenset(),
                ) -> dict:
    """What the caller sent (the fields it set, but `exclude`), its `evidence_ids` replaced by the references
    (`evidence_files`) of the files they name. Raises a 422 Problem naming each id not stored for the caller."""
    sent = body.model_dump(exclude_unset=True, exclude={"evidence_ids", "evidence_files", *exclude})
    if body.evidence_ids:
        sent["evidence_files"] = await evidence.references(body.evidence_ids, acts_for(caller))
    return sent


def content_disposition(kind: str, name: str) -> str:
    """`attachment` or `inline` with the file name: an ASCII fallback, and the name itself in RFC 5987's
    `filename*=UTF-8''…` (RFC 6266), which every current browser reads for a Chinese name."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def router(max_file_bytes: int) -> APIRouter:
    """The routes, the upload's body limit following `max_file_bytes` (DUBAN_EVIDENCE_MAX_BYTES). Uploading needs a
    reporter; listing and fetching a reporter, planner or viewer (the region checks come on top)."""
    routes = APIRouter(prefix="/v1/evidence", tags=["evidence"])
    readers = [requires(Role.reporter, Role.planner, Role.viewer)]

    @routes.post("", status_code=status.HTTP_201_CREATED, response_model=EvidenceFile,
                 responses=problem_responses(403, 404, 413, 503),
                 openapi_extra=upload_body(max_file_bytes=max_file_bytes),
                 dependencies=[requires(Role.reporter)])
    async def upload(
        file: UploadFile, evidence: Evidence, settings: Settings, caller: Caller,
        region_code: Annotated[RegionCode, Form(description="the region of the unit the evidence is for")],
        measure_id: Annotated[Identifier | None, Form(description="the assignment's measure, with `unit`")] = None,
        unit: Annotated[Name | None, Form(description="the assignment's unit, as the tracker keys it")] = None,
    ) -> EvidenceFile:
        """Store an evidence file (multipart `file`) for a region (the caller's or below), optionally for one
        assignment (`measure_id` and `unit`). Accepted: JPEG, PNG, PDF, .docx, .xlsx, plain text, told by the
        content; at most DUBAN_EVIDENCE_MAX_BYTES (413 beyond); scanned by DUBAN_EVIDENCE_SCAN_COMMAND when set
        (422 `infected-file`, 503 `scan-failed`). The same content uploaded again answers the stored file (its id
        and first name). 422 for another type (naming what it is), a zip bomb or an empty file. For an assignment the
        tracker does not have: 404 `unknown-assignment`; for one outside the caller's region: 403 `outside-region`
        (503 while the tracker does not answer); nothing is stored then."""
        authorise(caller, region_code, "该佐证材料")
        if (measure_id is None) != (unit is None):
            raise Problem(422, "Invalid request", "measure_id 与 unit 共同指明一项任务：两者须同时填写或同时不填。",
                          slug="validation-error", errors=[{"field": "unit" if unit is None else "measure_id",
                                                            "message": "须与另一项同时填写或同时不填",
                                                            "code": "missing"}])
        content = await read_upload(file, max_bytes=max_file_bytes)
        if not content:
            raise invalid_file("file", "文件为空")
        content_type = await in_worker(media_type, content, refusals=(WrongKind, UnsafePackage))
        try:
            with answering(settings.retry_after_seconds):
                stored = await evidence.upload(file_name(file.filename), content, content_type, region_code,
                                               None if measure_id is None else f"{measure_id}|{unit}",
                                               acts_for(caller))
        except Infected as error:
            raise Problem(422, "Infected file", f"病毒扫描发现文件带毒：{error}。未保存任何内容。",
                          slug="infected-file",
                          errors=[{"field": "file", "message": str(error), "code": "infected"}]) from error
        except ScanFailed as error:
            raise Problem(503, "Virus scan failed", f"文件未能完成病毒扫描（{error}），未保存任何内容，请稍后重试。",
                          slug="scan-failed",
                          headers={"Retry-After": str(settings.retry_after_seconds)}) from error
        return EvidenceFile.of(stored)

    @routes.get("", response_model=list[EvidenceFile], responses=problem_responses(403), dependencies=readers)
    async def listing(evidence: Evidence, caller: Caller, measure_id: Annotated[Identifier, Query()],
                      unit: Annotated[Name, Query(description="as the tracker keys it")]) -> list[EvidenceFile]:
        """The evidence files uploaded for or cited by the assignment's reports and completion requests, oldest
        first; those of regions outside the caller's are left out."""
        return [EvidenceFile.of(each) for each in await evidence.of_assignment(measure_id, unit, acts_for(caller))]

    async def served(evidence_id: str, evidence: Evidence, caller: Caller, inline: bool) -> StreamingResponse:
        stored = await evidence.get(evidence_id)
        if stored is None:
            raise Problem(404, "Unknown evidence", f"没有编号为 {evidence_id!r} 的佐证材料。", slug="unknown-evidence")
        if not readable(stored, acts_for(caller)):
            raise Problem(403, "Outside your region", outside_region(caller, f"佐证材料 {evidence_id}",
                                                                     "、".join(stored.region_codes)),
                          slug="outside-region")
        disposition = content_disposition("inline" if inline and stored.previewable else "attachment", stored.name)
        return StreamingResponse(await evidence.content(evidence_id), media_type=stored.content_type, headers={
            "Content-Disposition": disposition, "Content-Length": str(stored.size),
            "X-Content-Type-Options": "nosniff", "ETag": f'"{stored.sha256}"'})

    @routes.get("/{evidence_id}", response_class=StreamingResponse, responses=problem_responses(403, 404),
                dependencies=readers)
    async def download(evidence_id: EvidenceId, evidence: Evidence, caller: Caller) -> StreamingResponse:
        """The file as uploaded, with its content type and its name (`Content-Disposition: attachment`)."""
        return await served(evidence_id, evidence, caller, inline=False)

    @routes.get("/{evidence_id}/preview", response_class=StreamingResponse, responses=problem_responses(403, 404),
                dependencies=readers)
    async def preview(evidence_id: EvidenceId, evidence: Evidence, caller: Caller) -> StreamingResponse:
        """The file for a browser to show: `inline` for images and PDF, an attachment (downloaded) otherwise."""
        return await served(evidence_id, evidence, caller, inline=True)

    return routes
