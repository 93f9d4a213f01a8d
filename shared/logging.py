"""Every log line one JSON object on the process's stderr (stdout stays a command's own output): duban's own
(structlog) and the libraries' (uvicorn, aiokafka, FastStream, PyMongo: stdlib logging) alike, through structlog's
ProcessorFormatter. Each line carries the context bound where it was written: `request_id` during an HTTP request
(the `X-Request-ID` header, or one generated, echoed in the response), `event_id` and `traceparent` while a
consumer applies an event (shared/kafka/consuming.py).
"""

import logging
import re
import sys

import structlog
from asgi_correlation_id import CorrelationIdMiddleware
from asgi_correlation_id.context import correlation_id
from fastapi import FastAPI

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept when it is printable ASCII of a sane length (a district system's own ids are rarely
# UUIDs); anything else is replaced by a generated one, so no header can forge or flood a log line.
REQUEST_ID = re.compile(r"[!-~]{1,128}")
# Libraries that configure handlers of their own (uvicorn's dictConfig): their lines go to the root's instead.
LIBRARY_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "aiokafka", "faststream", "faststream.access",
                   "pymongo")

# httpx writes every request's full URL at INFO, and a webhook's URL carries its secret (WeCom's `?key=…`,
# DingTalk's access_token): only its warnings are written.
QUIET_LOGGERS = ("httpx", "httpcore")


def add_request_id(logger, method_name: str, event_dict: dict) -> dict:
    if (request_id := correlation_id.get()) is not None:
        event_dict.setdefault("request_id", request_id)
    return event_dict


def configure_logging(level: str = "INFO") -> None:
    shared_processors = [
        structlog.contextvars.merge_contextvars,
        add_request_id,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared_processors, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared_processors],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer(ensure_ascii=False)],
    )
    # The process's own stderr, not whatever sys.stderr is when a service is built: a command run in the same
    # process (the CLI in a test) keeps its streams to itself.
    handler = logging.StreamHandler(sys.__stderr__)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        # Levels too: a uvicorn.Config built earlier in the process (a test's server) leaves its own on them.
        library.handlers, library.propagate = [], True
        library.setLevel(logging.NOTSET)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def install_request_ids(app: FastAPI) -> None:
    """Every request gets an id (the caller's `X-Request-ID` when acceptable), bound to its log lines and
    echoed in the response's `X-Request-ID` header."""
    app.add_middleware(CorrelationIdMiddleware, header_name=REQUEST_ID_HEADER,
                       validator=lambda value: REQUEST_ID.fullmatch(value) is not None)
