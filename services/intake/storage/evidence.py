"""Evidence files in intake's own database, in a GridFS bucket (`intake_evidence.files`, `intake_evidence.chunks`),
through PyMongo's async GridFS API.

A file is stored once per content: the files collection holds a unique index on the content's SHA-256
(`metadata.sha256`), so two uploads of the same bytes, even at the same moment, keep one copy: the loser's files
document is refused (GridFS says FileExists) and its chunks, which GridFS leaves behind, are removed here. Its
metadata: `sha256`, `content_type`, `region_codes` (the regions whose clients uploaded or cited it) and
`assignments` (`measure_id|unit` it was uploaded for or cited by), both added to, never replaced.
"""

from collections.abc import AsyncIterator, Iterable

from bson import ObjectId
from bson.errors import InvalidId
from gridfs import AsyncGridFSBucket
from gridfs.errors import FileExists, NoFile
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from services.intake.domain.evidence import StoredEvidence

BUCKET = "intake_evidence"
FILES = "intake_evidence.files"
CHUNKS = "intake_evidence.chunks"


def stored(document: dict) -> StoredEvidence:
    metadata = document["metadata"]
    return StoredEvidence(
        id=str(document["_id"]), name=document["filename"], sha256=metadata["sha256"],
        content_type=metadata["content_type"], size=document["length"], uploaded_at=document["uploadDate"],
        region_codes=tuple(metadata.get("region_codes", ())), assignments=tuple(metadata.get("assignments", ())))


def object_id(evidence_id: str) -> ObjectId | None:
    try:
        return ObjectId(evidence_id)
    except (InvalidId, TypeError):
        return None


class EvidenceStore:
    def __init__(self, database: AsyncDatabase):
        self.bucket = AsyncGridFSBucket(database, bucket_name=BUCKET)
        self.files, self.chunks = database[FILES], database[CHUNKS]

    async def prepare(self) -> None:
        """The indexes: one copy per content, files found by the assignments citing them."""
        await self.files.create_index([("metadata.sha256", ASCENDING)], unique=True, name="one_copy_per_content")
        await self.files.create_index([("metadata.assignments", ASCENDING)], name="by_assignment")

    async def by_sha256(self, sha256: str) -> StoredEvidence | None:
        document = await self.files.find_one({"metadata.sha256": sha256})
        return None if document is None else stored(document)

    async def add(self, name: str, content: bytes, sha256: str, content_type: str, region_code: str,
                  assignment: str | None) -> StoredEvidence:
        """Store the file; when the same content is stored already (or is stored meanwhile), that one, now also
        shared with `region_code` and `assignment`."""
        if (existing := await self.by_sha256(sha256)) is None:
            metadata = {"sha256": sha256, "content_type": content_type, "region_codes": [region_code],
                        "assignments": [assignment] if assignment else []}
            file_id = ObjectId()
            try:
                await self.bucket.upload_from_stream_with_id(file_id, name, content, metadata=metadata)
                return stored(await self.files.find_one({"_id": file_id}))
            except FileExists:  # the same bytes stored by a concurrent upload
                await self.chunks.delete_many({"files_id": file_id})
                existing = await self.by_sha256(sha256)
                if existing is None:
                    raise
        await self.share(existing.id, region_code, [assignment] if assignment else [])
        return await self.get(existing.id)

    async def share(self, evidence_id: str, region_code: str | None, assignments: Iterable[str]) -> None:
        """Record that `region_code` (None: none new) and `assignments` cite the file too."""
        additions = {"metadata.assignments": {"$each": list(assignments)}}
        if region_code is not None:
            additions["metadata.region_codes"] = region_code
        await self.files.update_one({"_id": object_id(evidence_id)}, {"$addToSet": additions})

    async def get(self, evidence_id: str) -> StoredEvidence | None:
        if (oid := object_id(evidence_id)) is None:
            return None
        document = await self.files.find_one({"_id": oid})
        return None if document is None else stored(document)

    async def found(self, evidence_ids: Iterable[str]) -> dict[str, StoredEvidence]:
        """The stored files among `evidence_ids`, by id (ids not stored, or not ids at all, are absent)."""
        oids = [oid for each in evidence_ids if (oid := object_id(each)) is not None]
        return {str(document["_id"]): stored(document) async for document in self.files.find({"_id": {"$in": oids}})}

    async def of_assignment(self, assignment: str) -> list[StoredEvidence]:
        """The files uploaded for or cited by the assignment `measure_id|unit`, oldest first."""
        cursor = self.files.find({"metadata.assignments": assignment}).sort([("uploadDate", ASCENDING),
                                                                               ("_id", ASCENDING)])
        return [stored(document) async for document in cursor]

    async def content(self, evidence_id: str) -> AsyncIterator[bytes]:
        """The file's bytes, chunk by chunk. Raises KeyError when it is not stored."""
        try:
            stream = await self.bucket.open_download_stream(object_id(evidence_id))
        except NoFile as error:
            raise KeyError(evidence_id) from error
        return _chunks(stream)


async def _chunks(stream) -> AsyncIterator[bytes]:
    try:
        while chunk := await stream.readchunk():
            yield chunk
    finally:
        await stream.close()
