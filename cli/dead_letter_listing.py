"""`duban dlq list`'s content: every dead letter (shared/kafka/dead_letters.py), where it failed, why, and whether it
was replayed (the replay record, cli/dead_letter_replay.py)."""

import re

from cli.dead_letter_replay import record_key, replay_record
from shared.kafka.dead_letters import REPLAYED_FROM, DeadLetter, dead_letters
from shared.settings import ServiceSettings


async def list_dead_letters(settings: ServiceSettings) -> list[dict]:
    """Every dead letter, oldest first per partition, with its replay if it has been replayed."""
    replays = await replay_record(settings)
    letters = sorted(await dead_letters(settings), key=lambda letter: (letter.timestamp_ms, letter.address))
    return [describe(letter, replays.get(record_key(letter))) for letter in letters]


def describe(letter: DeadLetter, replay: dict | None) -> dict:
    """The dead letter as `duban dlq list --json` gives it, with `replay`: where it was replayed, or None."""
    source_partition, source_offset = letter.header("dlq-source-partition"), letter.header("dlq-source-offset")
    event = letter.event
    return {
        "address": letter.address,
        "source_topic": letter.source_topic,
        "source_partition": int(source_partition) if source_partition else None,
        "source_offset": int(source_offset) if source_offset else None,
        "consumer_group": letter.header("dlq-consumer-group"),
        "failed_at": letter.header("dlq-failed-at"),
        "reason": letter.reason,
        "event_id": event.get("id") if isinstance(event.get("id"), str) else None,
        "event_type": event.get("type") if isinstance(event.get("type"), str) else None,
        "key": letter.key.decode(errors="replace") if letter.key is not None else None,
        "replay_of": letter.header(REPLAYED_FROM),  # this dead letter is a replay that failed again
        "replayed": replay,
    }


def short_reason(reason: str, width: int = 100) -> str:
    """One line: whitespace collapsed (pydantic's errors span lines), cut at `width` with an ellipsis."""
    line = re.sub(r"\s+", " ", reason).strip()
    return line if len(line) <= width else line[: width - 1] + "…"
