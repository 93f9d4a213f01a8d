"""The region and unit registry in: published as one registry-published event (usecases/registry_publication)."""

from fastapi import APIRouter, Request, status
from pydantic import ValidationError

from services.intake.domain.documents.kinds import WrongKind, expect_kind
from services.intake.domain.registry_file import RegistryFileError, parse_registry
from services.intake.entrypoints.http.dependencies import EventSource, Registries, Settings
from services.intake.entrypoints.http.problems import Accepted, answering
from services.intake.entrypoints.http.uploads import contract_violation, invalid_file, read_upload, upload_body
from shared.contracts import Registry
from shared.web.authentication import Caller, authorise
from shared.web.openapi import problem_responses

router = APIRouter(prefix="/v1/registry", tags=["registry"])

_BODY = {"requestBody": {"required": True, "content": {
    # The contract itself (its definitions join the document's components: shared/web/openapi.py).
    "application/json": {"schema": Registry.model_json_schema(ref_template="#/components/schemas/{model}")},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary",
                                                               "description": "the registry as YAML"}}}},
}}}


# A city's or province's registry as JSON (thousands of units) may pass the JSON default: it takes an upload's size.
@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             openapi_extra={**_BODY, **upload_body()}, responses=problem_responses(403, 413, 503))
async def publish_registry(request: Request, registries: Registries, settings: Settings, caller: Caller,
                           source: EventSource) -> Accepted:
    """Accept the registry (JSON, or a YAML file upload as `file`) and publish it as registry-published. It
    replaces the whole registry, so the caller must act for every region in it (the city's client)."""
    registry = await _registry_in(request)
    for region in registry.regions:
        authorise(caller, region.code, "单位名录")
    with answering(settings.retry_after_seconds):
        event = await registries.run(registry, source)
    return Accepted.of(event, registries.topics.registry_published)


async def _registry_in(request: Request) -> Registry:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        upload = (await request.form()).get("file")
        if upload is None or isinstance(upload, str):
            raise invalid_file("file", "a YAML file is required")
        return registry_from_upload(await read_upload(upload))
    try:
        return Registry.model_validate_json(await request.body())
    except ValidationError as error:
        raise contract_violation(error, "The registry") from error


def registry_from_upload(content: bytes, field: str = "file") -> Registry:
    try:
        expect_kind("registry.yaml", content)
        return parse_registry(content.decode("utf-8-sig"))
    except WrongKind as error:
        raise invalid_file(field, f"the registry file must be YAML text: {error}") from error
    except UnicodeDecodeError as error:
        raise invalid_file(field, "the registry file must be UTF-8 text") from error
    except RegistryFileError as error:
        raise invalid_file(field, str(error)) from error
    except ValidationError as error:
        raise contract_violation(error, "The registry file", within=field) from error
