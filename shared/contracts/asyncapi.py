"""The AsyncAPI 3.0 document of duban's Kafka topics, and the JSON Schema of each event, both generated from the
contract models in this package (the same ones producers build and consumers validate with).

Built from the models rather than by FastStream's generator: the subscribers take raw record batches (they read
both CloudEvents content modes and dead-letter what breaks the contract, shared/kafka/consuming.py), so FastStream sees
no payload type and would publish empty schemas.

One document describes the platform: every topic is a channel, and each service's part is an operation tagged
with the service's name (intake sends what it accepts over HTTP; tracker and alerts receive; alerts sends the
alert events; tracker and alerts send what they cannot apply to the dead-letter topic). Every service serves the
same document, so an integrator reading any of them sees the whole contract.

Event schemas are pydantic's JSON Schema (draft 2020-12) in validation mode; in the AsyncAPI document their
definitions live under `components/schemas`, which AsyncAPI's own schema format (a superset of JSON Schema
draft 07) reads the same way for the keywords pydantic emits here.
"""

from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from shared.contracts.alerts import AlertCleared, AlertRaised, AlertSeverityChanged
from shared.contracts.assignments import AssignmentUpdated
from shared.contracts.cloudevents import CloudEvent
from shared.contracts.lights import AssignmentLightChanged
from shared.contracts.loop import LOOP_EVENTS
from shared.contracts.measures import MeasureCreated
from shared.contracts.progress import ProgressReported, ProgressWithdrawn
from shared.contracts.registry import RegistryPublished
from shared.contracts.topics import Topics
from shared.contracts.urges import AssignmentUrged

ASYNCAPI_VERSION = "3.0.0"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# What duban publishes carries this content type (shared/kafka/broker.py); consumers also read binary mode.
CLOUDEVENTS_JSON = "application/cloudevents+json"

# event type -> its CloudEvent model; the event type is also the topic's name (after the deployment's prefix).
EVENT_MODELS: dict[str, type[CloudEvent]] = {
    "measure-created": MeasureCreated,
    "progress-reported": ProgressReported,
    "progress-withdrawn": ProgressWithdrawn,
    "registry-published": RegistryPublished,
    **LOOP_EVENTS,
    "assignment-updated": AssignmentUpdated,
    "alert-raised": AlertRaised,
    "alert-severity-changed": AlertSeverityChanged,
    "alert-cleared": AlertCleared,
    "assignment-light-changed": AssignmentLightChanged,
    "assignment-urged": AssignmentUrged,
}

EVENT_SUMMARIES = {
    "measure-created": "A measure of a plan, with its units, deadlines and quantitative targets.",
    "progress-reported": "One unit's report on one measure for one period; the last report per key wins.",
    "progress-withdrawn": "An operator takes a report out of the state (bad data); the next latest becomes current.",
    "registry-published": "The regions (GB/T 2260 codes) and the units of each; the whole registry each time.",
    "assignment-signed": "签收: a unit signed for its assignment (who, when).",
    "completion-requested": "办结申请: a unit asks for its assignment to be closed out, with a narrative and evidence.",
    "completion-verified": "核查销号: the lead unit or the supervising office checked the request and closed it out.",
    "completion-returned": "退回: the request sent back to the unit, with the reason.",
    "assignment-reopened": "A closed-out assignment opened again, with the reason.",
    "assignment-updated": "The tracker's current state of one assignment (unit, role, current report, periods "
                          "reported), whole, once per change; the highest revision wins.",
    "alert-raised": "An alert opened (overdue, due soon, lagging, silent, unsigned, awaiting verification).",
    "alert-severity-changed": "An open alert became more or less serious.",
    "alert-cleared": "An alert closed.",
    "assignment-light-changed": "亮灯: an assignment's light turned green, yellow or red (with the previous light and "
                                "the reasons), once per change.",
    "assignment-urged": "督办催办: the supervising office urged an open alert's unit by hand (who, the comment, the "
                        "channels it was queued for), once per urge.",
}

KAFKA_KEYS = {
    "measure-created": "the measure id",
    "progress-reported": "`<measure_id>|<unit>`: one assignment's reports stay in order on one partition",
    "progress-withdrawn": "`<measure_id>|<unit>`, keyed like the report it withdraws",
    "registry-published": "a constant: the registry is one record, the latest wins",
    **dict.fromkeys(LOOP_EVENTS, "`<measure_id>|<unit>`, like the assignment's reports"),
    "assignment-updated": "`<measure_id>|<unit>`, like the assignment's reports",
    "alert-raised": "the alert's key (kind, measure, unit, subject)",
    "alert-severity-changed": "the alert's key (kind, measure, unit, subject)",
    "alert-cleared": "the alert's key (kind, measure, unit, subject)",
    "assignment-light-changed": "`<measure_id>|<unit>`, like the assignment's reports",
    "assignment-urged": "`<measure_id>|<unit>`, like the assignment's reports",
}

# (service, action, channel): who sends and who receives on each topic.
OPERATIONS: list[tuple[str, str, str]] = [
    ("intake", "send", "measure-created"),
    ("intake", "send", "progress-reported"),
    ("intake", "send", "progress-withdrawn"),
    ("intake", "send", "registry-published"),
    *(("intake", "send", step) for step in LOOP_EVENTS),
    ("tracker", "receive", "measure-created"),
    ("tracker", "receive", "progress-reported"),
    ("tracker", "receive", "progress-withdrawn"),
    ("tracker", "receive", "registry-published"),
    *(("tracker", "receive", step) for step in LOOP_EVENTS),
    ("tracker", "send", "assignment-updated"),
    ("alerts", "receive", "measure-created"),
    ("alerts", "receive", "registry-published"),
    ("alerts", "receive", "assignment-updated"),
    ("alerts", "send", "alert-raised"),
    ("alerts", "send", "alert-severity-changed"),
    ("alerts", "send", "alert-cleared"),
    ("alerts", "send", "assignment-light-changed"),
    ("alerts", "send", "assignment-urged"),
    ("reporting", "receive", "measure-created"),
    ("reporting", "receive", "registry-published"),
    ("reporting", "receive", "assignment-updated"),
    ("reporting", "receive", "progress-withdrawn"),
    ("reporting", "receive", "alert-raised"),
    ("reporting", "receive", "alert-severity-changed"),
    ("reporting", "receive", "alert-cleared"),
    ("reporting", "receive", "assignment-light-changed"),
    ("reporting", "receive", "assignment-urged"),
    *(("reporting", "receive", step) for step in LOOP_EVENTS),
    ("tracker", "send", "dead-letter"),
    ("alerts", "send", "dead-letter"),
    ("reporting", "send", "dead-letter"),
]

SERVICES = {
    "intake": "Accepts measures, progress reports, the supervision loop's steps and the registry over HTTP and "
              "publishes them as CloudEvents.",
    "tracker": "Keeps the state of every measure and assignment (its supervision loop too) from the events.",
    "alerts": "Judges overdue, due-soon, lagging, silent, unsigned and unverified assignments and publishes the "
              "alerts, each assignment's light and the urges sent by hand.",
    "reporting": "Consolidates the figures of every region from the tracker's and the alerts' events, and keeps "
                 "each item's timeline from the supervision loop's steps and urges.",
}


class DeadLetterHeaders(BaseModel):
    """The Kafka headers of a dead letter (shared/kafka/broker.py publish_dead_letter, read back by
    shared/kafka/dead_letters.py): why and where the original record failed. The original record's own headers travel
    beside these, under their own names, unless `dlq-dropped` says they were too large to carry."""

    dlq_reason: str = Field(alias="dlq-reason", description="why the consumer group could not apply the record")
    dlq_consumer_group: str = Field(alias="dlq-consumer-group", description="the group that dead-lettered it")
    dlq_source_topic: str = Field(alias="dlq-source-topic")
    dlq_source_partition: str = Field(alias="dlq-source-partition", pattern=r"^[0-9]+$")
    dlq_source_offset: str = Field(alias="dlq-source-offset", pattern=r"^[0-9]+$")
    dlq_source_timestamp: str = Field(alias="dlq-source-timestamp", description="the original record's, in ms")
    dlq_failed_at: str = Field(alias="dlq-failed-at", description="when it was dead-lettered (ISO 8601)")
    dlq_headers: str | None = Field(None, alias="dlq-headers",
                                    description="a JSON list of the original headers' names")
    dlq_base64_headers: str | None = Field(None, alias="dlq-base64-headers",
                                           description="a JSON list of the original headers carried base64-encoded")
    dlq_null_headers: str | None = Field(None, alias="dlq-null-headers",
                                         description="a JSON list of the original headers whose value was null")
    dlq_dropped: str | None = Field(None, alias="dlq-dropped", description="what was left out for Kafka's size "
                                    "limit: the original headers, or the headers and the value")
    dlq_replayed_from: str | None = Field(None, alias="dlq-replayed-from",
                                          description="`<partition>:<offset>` of the dead letter this replays")


def event_schema(event_type: str) -> dict[str, Any]:
    """The standalone JSON Schema (draft 2020-12) of one event type's CloudEvent; KeyError for an unknown type."""
    model = EVENT_MODELS[event_type]
    return {"$schema": JSON_SCHEMA_DIALECT, **model.model_json_schema(mode="validation")}


def asyncapi_document(topics: Topics, bootstrap_servers: str, version: str) -> dict[str, Any]:
    """The AsyncAPI 3.0 document: a channel per topic (addresses with the deployment's prefix), a message per
    event type with its payload schema under `components/schemas`, an operation per service and direction."""
    keyed = [(model, "validation") for model in [*EVENT_MODELS.values(), DeadLetterHeaders]]
    names, definitions = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
    schemas = definitions["$defs"]
    addresses = {event_type: f"{topics.prefix}{event_type}" for event_type in [*EVENT_MODELS, "dead-letter"]}
    channels = {name: {"address": address, "title": name, "messages": {name: {"$ref": f"#/components/messages/{name}"}},
                       "bindings": {"kafka": {"bindingVersion": "0.5.0"}}}
                for name, address in addresses.items()}
    messages = {
        event_type: {
            "name": event_type, "title": model.__name__, "summary": EVENT_SUMMARIES[event_type],
            "contentType": CLOUDEVENTS_JSON,
            "payload": names[(model, "validation")],
            "bindings": {"kafka": {"bindingVersion": "0.5.0",
                                   "key": {"type": "string", "description": KAFKA_KEYS[event_type]}}},
        }
        for event_type, model in EVENT_MODELS.items()
    }
    messages["dead-letter"] = {
        "name": "dead-letter", "title": "Dead letter",
        "summary": "A record a consumer group could not apply: the original value, key and headers, unchanged.",
        "description": "Listed and replayed with `duban dead-letters`; the payload is the original record's "
                       "bytes, whatever they were, so it has no schema of its own.",
        "contentType": "application/octet-stream",
        "headers": names[(DeadLetterHeaders, "validation")],
        "payload": {},
    }
    operations = {
        f"{service}-{action}s-{channel}": {
            "action": action, "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"{service} {action}s {channel}",
            "messages": [{"$ref": f"#/channels/{channel}/messages/{channel}"}],
            "tags": [{"name": service}],
        }
        for service, action, channel in OPERATIONS
    }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "duban events", "version": version,
            "description": "CloudEvents 1.0 (structured JSON mode) on Kafka; consumers also read binary mode. "
                           "An event that breaks its contract goes to the dead-letter topic with the reason.",
            "tags": [{"name": service, "description": text} for service, text in SERVICES.items()],
        },
        "defaultContentType": CLOUDEVENTS_JSON,
        "servers": {"kafka": {"host": bootstrap_servers.split(",")[0].strip(), "protocol": "kafka",
                              "description": "the deployment's Kafka (DUBAN_KAFKA_BOOTSTRAP_SERVERS)"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
