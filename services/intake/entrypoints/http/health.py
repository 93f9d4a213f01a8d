"""intake's readiness: it accepts input only while Kafka takes events and its database (idempotency keys)
answers; a ready answer also says whether callers must present a client's token."""

from faststream.kafka import KafkaBroker
from pymongo.asynchronous.database import AsyncDatabase

from shared.web.health import Readiness, database_check, kafka_check


def intake_readiness(broker: KafkaBroker, database: AsyncDatabase, is_open: bool) -> Readiness:
    async def details() -> dict:
        return {"authentication": "open" if is_open else "bearer tokens"}

    return Readiness("intake", {"kafka": kafka_check(broker), "database": database_check(database)}, details)
