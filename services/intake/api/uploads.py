"""Uploaded files: read within a size limit, and refused with a problem document naming the field."""

from fastapi import UploadFile
from pydantic import ValidationError

from shared.problems import Problem, validation_errors

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


async def read_upload(upload: UploadFile, field: str = "file") -> bytes:
    content = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise Problem(413, "File too large", f"{field}: larger than {MAX_UPLOAD_BYTES // 2**20} MB",
                      slug="file-too-large")
    return content


def invalid_file(field: str, detail: str) -> Problem:
    return Problem(422, "Invalid file", f"{field}: {detail}", slug="invalid-file",
                   errors=[{"field": field, "message": detail, "code": "invalid_file"}])


def contract_violation(error: ValidationError, what: str, within: str | None = None) -> Problem:
    """A document that parsed but breaks a contract; each error names its field `within` the upload field."""
    errors = validation_errors(error)
    if within:
        errors = [{**item, "field": within if item["field"] == "body" else f"{within}.{item['field']}"}
                  for item in errors]
    fields = ", ".join(sorted({item["field"] for item in errors}))
    return Problem(422, "Invalid request", f"{what} does not match the contract: {fields}",
                   slug="validation-error", errors=errors)
