"""Deciding an assignment's current reports again from its counted history: after a withdrawal, or after a
re-resolution changed which unit its reports are under or whether they count.

No lock: per assignment, in rounds, read the stored current reports FIRST, then the counted history; where they
disagree, compare-and-set each key (replace or delete only the document seen, by its version key; insert only
where none was seen), and read both again. It ends on a round whose reads agree. Why that is exact beside a
concurrent report (usecases/progress.py writes the history, then the current report with a versioned upsert that
only ever moves to a newer report): if the report reached the history before our history read, we count it; if
not, its versioned upsert comes after our read of the current reports, so either it changes them (our
compare-and-set fails and we read again) or it finds a newer one stored, which we replace only in a later round
whose history read, made after our write, includes the report. A concurrent withdrawal or re-resolution runs
this same loop after its own mark; whichever writes last read the history after every mark before it.
"""

from collections.abc import Iterable

from services.tracker.storage.repository import CURRENT_COLLECTIONS, current_key, stored_version
from services.tracker.usecases.context import Tracker


def newest_by_key(counted: list[dict], collection: str) -> dict[str, dict]:
    newest: dict[str, dict] = {}
    for document in counted:
        key = current_key(document, collection)
        if key not in newest or stored_version(document).supersedes(stored_version(newest[key])):
            newest[key] = document
    return newest


async def recompute_current(tracker: Tracker, assignments: Iterable[tuple[str, str]]) -> set[str]:
    """The current reports of these (measure, unit) assignments decided again; returns their keys."""
    repository = tracker.repository
    for measure_id, unit in sorted(set(assignments)):
        while True:
            stored = await repository.current_documents(measure_id, unit)
            counted = await repository.counted_history(measure_id, unit)
            agreed = True
            for collection in CURRENT_COLLECTIONS:
                wanted, seen = newest_by_key(counted, collection), stored[collection]
                for key in sorted(wanted.keys() | seen.keys()):
                    document, current = wanted.get(key), seen.get(key)
                    if (document and document["event_id"]) == (current and current["event_id"]):
                        continue
                    agreed = False
                    await repository.compare_and_set_current(collection, key, current, document)
            if agreed:
                break
    return {f"{measure_id}|{unit}" for measure_id, unit in assignments}
