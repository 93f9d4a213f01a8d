"""Generated event streams, and the state they must produce, computed directly from the events."""

import random
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer

from services.tracker.domain.reports import newest_per_key
from shared.contracts import Measure, MeasureCreated, ProgressReport, ProgressReported

COUNTIES = ["361002", "361003", "361021", "361022", "361023", "361024", "361025", "361026", "361027", "361028"]


def measures(count: int, units_per_measure: int) -> list[MeasureCreated]:
    return [
        MeasureCreated.wrap(Measure(
            measure_id=f"m{number:03d}", plan_id="generated", region_code="361000", number=number,
            title=f"措施{number}", lead_units=["市司法局"],
            responsible_units=[f"{code}政府" for code in COUNTIES[: units_per_measure - 1]],
        ), source="/test")
        for number in range(1, count + 1)
    ]


def reports(measure_events: list[MeasureCreated], count: int, seed: int = 7) -> list[ProgressReported]:
    """Reports on random assignments and quarters; times collide now and then to exercise the tie-break."""
    rng = random.Random(seed)
    assignments = [(m.data.measure_id, unit) for m in measure_events
                   for unit in [*m.data.lead_units, *m.data.responsible_units]]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    events = []
    for _ in range(count):
        measure_id, unit = rng.choice(assignments)
        events.append(ProgressReported.wrap(ProgressReport(
            measure_id=measure_id, unit=unit, region_code=unit[:6] if unit[0].isdigit() else "361000",
            period=f"2026-Q{rng.randint(1, 4)}", percent_complete=float(rng.randint(0, 100)),
            status=rng.choice(["in_progress", "completed", "blocked"]),
            reported_at=start + timedelta(minutes=rng.randint(0, 5_000)),
        ), source="/test"))
    return events


def expected_state(events: list[ProgressReported]) -> dict[str, dict[str, str]]:
    """Event id of the current report per key, as the tracker's collections must hold it."""
    return {
        "period_progress": {k: e.id for k, e in newest_per_key(events, lambda r: r.period_key).items()},
        "assignment_progress": {k: e.id for k, e in newest_per_key(events, lambda r: r.assignment_key).items()},
    }


async def stored_state(database) -> dict[str, dict[str, str]]:
    return {
        name: {d["_id"]: d["event_id"] async for d in database[name].find({}, {"event_id": 1})}
        for name in ("period_progress", "assignment_progress")
    }


async def produce(bootstrap: str, topic: str, events, key) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, acks="all")
    await producer.start()
    try:
        for event in events:
            await producer.send(topic, event.model_dump_json().encode(), key=key(event).encode())
        await producer.flush()
    finally:
        await producer.stop()
