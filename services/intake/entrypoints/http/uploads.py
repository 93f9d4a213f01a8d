"""Uploaded files: read within a size limit, parsed in a worker process within limits on inflated size, memory
and time, and refused with a problem document naming the field or the limit.

Parsing runs off the event loop in a process of its own, so a document that takes long (or a parser stuck in
native code) holds up neither intake's other requests nor its health check, and can be killed: a thread could
not be. Worker processes fork from a forkserver that has imported the parsers once (the first upload starts
it, about 0.5 s), so starting one costs about 10 ms; at most `WORKERS` run at a time, each under an
address-space limit.
"""

import asyncio
import multiprocessing
import resource
from collections.abc import Callable

import structlog
from fastapi import UploadFile
from pydantic import ValidationError

from services.intake.domain.documents import LIMITS, LimitExceeded, Limits
from shared.web.limits import KiB, body_limit
from shared.web.problems import Problem, validation_errors

log = structlog.get_logger()

MAX_UPLOAD_BYTES = LIMITS.upload_bytes
# The form fields and multipart framing around the files of one upload request.
FORM_OVERHEAD_BYTES = 64 * KiB
WORKERS = 2  # of the machine's cores, the share uploads may take at once
_CONTEXT = multiprocessing.get_context("forkserver")
# The parsers the workers run: plans (domain/documents) and ledgers (domain/ledgers/files.py).
_CONTEXT.set_forkserver_preload(["services.intake.entrypoints.http.uploads", "services.intake.domain.ledgers.files"])
_SLOTS = asyncio.Semaphore(WORKERS)


def upload_body(files: int = 1, max_file_bytes: int = MAX_UPLOAD_BYTES) -> dict:
    """`openapi_extra` of a route taking up to `files` uploads: its body limit (shared/web/limits.py), so an
    oversized request is refused before it is spooled, and each file is then held to `max_file_bytes`."""
    return body_limit(files * max_file_bytes + FORM_OVERHEAD_BYTES)


async def read_upload(upload: UploadFile, field: str = "file", max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    content = await upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        size = f"{max_bytes // 2**20} MB" if max_bytes % 2**20 == 0 else f"{max_bytes} bytes"
        raise limit_problem(field, LimitExceeded("upload_bytes", f"larger than {size}"))
    return content


def invalid_file(field: str, detail: str) -> Problem:
    return Problem(422, "Invalid file", f"{field}: {detail}", slug="invalid-file",
                   errors=[{"field": field, "message": detail, "code": "invalid_file"}])


def limit_problem(field: str, error: LimitExceeded) -> Problem:
    """413 (or the limit's own status) naming the limit in `limit` and in the errors' code."""
    return Problem(error.status, "File too large to read", f"{field}: {error}", slug="file-too-large",
                   limit=error.limit,
                   errors=[{"field": field, "message": str(error), "code": f"limit_{error.limit}"}])


async def in_worker(function: Callable, *args, refusals: tuple[type[Exception], ...], field: str = "file",
                    limits: Limits = LIMITS):
    """`function(*args)` in a worker process: its result, or a Problem.

    An exception of a `refusals` type is the document's fault: 422 with its message. A passed limit is 413
    naming it (time: killed after `limits.seconds`; memory: the worker's address space). Anything else the
    parser raises is also about this file (libraries raise many kinds on malformed input): 422, logged."""
    async with _SLOTS:
        outcome = await asyncio.to_thread(_run, function, args, refusals, limits)
    kind, *detail = outcome
    if kind == "done":
        return detail[0]
    if kind == "limit":
        raise limit_problem(field, LimitExceeded(*detail))
    if kind == "failed":
        log.warning("upload unreadable", field=field, parser=function.__name__, error=detail[0])
        raise invalid_file(field, f"the file cannot be read ({detail[0]})")
    raise invalid_file(field, detail[0])


def _run(function: Callable, args: tuple, refusals: tuple, limits: Limits) -> tuple:
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    worker = _CONTEXT.Process(target=_work, args=(sender, limits, function, args, refusals), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(limits.seconds):
            return "limit", "seconds", f"reading took longer than {limits.seconds:g} s"
        return receiver.recv()
    except EOFError:  # the worker died without answering: killed by the kernel, or a crash in native code
        worker.join(1)
        return "failed", f"the reader stopped with exit code {worker.exitcode}"
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receiver.close()


def _work(sender, limits: Limits, function: Callable, args: tuple, refusals: tuple) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    try:
        outcome = ("done", function(*args))
    except LimitExceeded as error:
        outcome = ("limit", error.limit, str(error), error.status)
    except MemoryError:
        outcome = ("limit", "memory_bytes", f"reading needs more than {limits.memory_bytes // 2**20} MB of memory")
    except refusals as error:
        outcome = ("refused", str(error))
    except Exception as error:  # noqa: BLE001 - whatever a parser raises on a malformed file is answered 422
        outcome = ("failed", f"{type(error).__name__}: {error}"[:500])
    sender.send(outcome)


def contract_violation(error: ValidationError, what: str, within: str | None = None) -> Problem:
    """A document that parsed but breaks a contract; each error names its field `within` the upload field."""
    errors = validation_errors(error)
    if within:
        errors = [{**item, "field": within if item["field"] == "body" else f"{within}.{item['field']}"}
                  for item in errors]
    fields = ", ".join(sorted({item["field"] for item in errors}))
    return Problem(422, "Invalid request", f"{what} does not match the contract: {fields}",
                   slug="validation-error", errors=errors)
