"""The documents reporting files (督办通报), kept where an operator lists and downloads them.

Collection `reporting_documents`, one record per document: `_id` `bulletin-<region>-<period>`, kind, region_code,
period, filename, created_at, size, content (the .docx bytes). The id makes generation idempotent: several
reporting replicas, or a restart on the same day, store each bulletin once (the second insert is refused as a
duplicate and ignored).

Filed on a schedule by usecases/bulletins.py. Listing: `GET /v1/reports/documents`; download: `GET
/v1/reports/documents/{id}.docx` (entrypoints/http/documents.py).
"""

from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

COLLECTION = "reporting_documents"
LISTED = {"content": 0}


class DocumentStore:
    def __init__(self, database: AsyncDatabase) -> None:
        self.documents = database[COLLECTION]

    async def add(self, document_id: str, kind: str, region_code: str, period: str, content: bytes) -> bool:
        """Store a document; False when one with this id is stored already (it is left as it was)."""
        try:
            await self.documents.insert_one({
                "_id": document_id, "kind": kind, "region_code": region_code, "period": period,
                "filename": f"{document_id}.docx", "created_at": datetime.now(UTC), "size": len(content),
                "content": content})
        except DuplicateKeyError:
            return False
        return True

    async def has(self, document_id: str) -> bool:
        return await self.documents.count_documents({"_id": document_id}, limit=1) > 0

    async def listing(self, region_code: str | None = None, kind: str | None = None) -> list[dict]:
        """The stored documents without their content, the newest first."""
        query = {key: value for key, value in (("region_code", region_code), ("kind", kind)) if value}
        cursor = self.documents.find(query, LISTED).sort([("created_at", -1), ("_id", 1)])
        return [{"id": d.pop("_id"), **d, "created_at": d["created_at"].isoformat()} async for d in cursor]

    async def content(self, document_id: str) -> tuple[str, bytes] | None:
        """The document's region and content; None for an unknown id."""
        found = await self.documents.find_one({"_id": document_id}, {"content": 1, "region_code": 1})
        return None if found is None else (found.get("region_code") or "", bytes(found["content"]))
