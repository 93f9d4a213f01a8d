"""The region and unit registry: published as one registry-published event, remembered for plan previews."""

from fastapi import APIRouter, Request, status
from pydantic import ValidationError

from services.intake.api.acceptance import Accepted, publish_or_problem
from services.intake.api.dependencies import EventSource, Publisher, TopicNames
from services.intake.api.uploads import contract_violation, invalid_file, read_upload
from services.intake.registry import RegistryFileError, load_registry, parse_registry
from shared.authentication import Caller, authorise
from shared.contracts import Registry, RegistryPublished
from shared.web.openapi import problem_responses

router = APIRouter(prefix="/v1/registry", tags=["registry"])

REGISTRY_KEY = "registry"  # one key: the latest registry is the last record of its partition

_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "required": ["regions"],
                                    "description": "the Registry contract, shared/contracts/registry.py"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary",
                                                               "description": "the registry as YAML"}}}},
}}}


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted, openapi_extra=_BODY,
             responses=problem_responses(403, 413, 503))
async def publish_registry(request: Request, publisher: Publisher, topics: TopicNames, caller: Caller,
                           source: EventSource) -> Accepted:
    """Accept the registry (JSON, or a YAML file upload as `file`) and publish it as registry-published. It
    replaces the whole registry, so the caller must act for every region in it (the city's client)."""
    registry = await _registry_in(request)
    for region in registry.regions:
        authorise(caller, region.code, "the registry")
    event = RegistryPublished.wrap(registry, source=source, subject=REGISTRY_KEY)
    accepted = await publish_or_problem(publisher, topics.registry_published, event, key=REGISTRY_KEY)
    request.app.state.registry = registry  # what plan previews resolve against from now on
    return accepted


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
        return parse_registry(content.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise invalid_file(field, "the registry file must be UTF-8 text") from error
    except RegistryFileError as error:
        raise invalid_file(field, str(error)) from error
    except ValidationError as error:
        raise contract_violation(error, "The registry file", within=field) from error


def known_registry(request: Request) -> tuple[Registry | None, str | None]:
    """The registry intake last published, else the file DUBAN_REGISTRY_FILE names; and which it was."""
    state = request.app.state
    if getattr(state, "registry", None) is not None:
        return state.registry, "last published"
    path = state.publisher.settings.registry_file
    if path and getattr(state, "configured_registry", None) is None:
        state.configured_registry = load_registry(path)
    return (state.configured_registry, f"file {path}") if path else (None, None)
