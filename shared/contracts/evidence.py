"""A reference to a piece of evidence (佐证材料): a file stored by intake (services/intake, GridFS), as progress
reports, completion requests and assignment states carry it. The bytes stay in intake; events carry only what a
reader needs to list, check and fetch the file (`GET /v1/evidence/{id}` on intake)."""

from typing import Annotated

from pydantic import Field, StringConstraints

from shared.contracts.cloudevents import ContractModel, NonEmpty
from shared.contracts.measures import Name

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
MAX_EVIDENCE = 50  # pieces of evidence one report or completion request may name
# The content types intake's `GET /v1/evidence/{id}/preview` answers inline, for a browser to show: images and PDF.
PREVIEWABLE = frozenset({"image/jpeg", "image/png", "application/pdf"})


class EvidenceReference(ContractModel):
    id: NonEmpty = Field(description="intake's id of the stored file")
    name: Name = Field(description="the file name as uploaded (the first upload's, for identical content)")
    sha256: Sha256 = Field(description="SHA-256 of the content, lower-case hex")
    content_type: NonEmpty = Field(description="the media type told by the content's first bytes")
    size: int = Field(ge=0, description="bytes")


# Left out of an event when there are none, so an event without files is, byte for byte, what it was before the
# field existed: consumers built before it (which refuse unknown fields) still read it, digests and stored states
# compare equal.
EvidenceFiles = Annotated[list[EvidenceReference], Field(
    default_factory=list, max_length=MAX_EVIDENCE, exclude_if=lambda files: not files,
    description="佐证材料 stored by intake, checked to exist when the event was accepted; absent: none")]
