"""A rebuilt database continues the live revisions (usecases/rebuild.continue_live_revisions), so serving it
publishes exactly the corrections."""

from services.tracker.domain.assignments import Assignment
from services.tracker.usecases.rebuild import continue_live_revisions
from services.tracker.usecases.states import refresh_states
from tests.unit.tracker.fakes import fake_tracker, report_document


def assigned(unit: str) -> Assignment:
    return Assignment("m-1", unit, unit, "lead", "361000", False)


async def test_equal_states_take_the_live_revision_and_only_differences_are_left_to_publish():
    live, rebuilt = fake_tracker(), fake_tracker()
    for t in (live, rebuilt):
        t.repository.assignments |= {"m-1|same": assigned("same"), "m-1|differs": assigned("differs")}
        await refresh_states(t, ["m-1|same", "m-1|differs"])
    for hour in (9, 10, 11):  # the live tracker met three reports in three batches: revisions 2, 3, 4
        live.repository.receive(report_document(f"e{hour}", "same", "2026-Q3", hour, hour))
        await refresh_states(live, ["m-1|same"])
    rebuilt.repository.receive(report_document("e11", "same", "2026-Q3", 11, 11))  # the rebuild met only the last
    rebuilt.repository.receive(report_document("x", "differs", "2026-Q3", 5, 9))  # and one the live one lacks
    await refresh_states(rebuilt, ["m-1|same", "m-1|differs"])
    live.repository.assignments["m-1|only-live"] = assigned("only-live")
    await refresh_states(live, ["m-1|only-live"])

    assert await continue_live_revisions(live.states, rebuilt.states) == 2
    documents = rebuilt.states.documents
    assert (documents["m-1|same"]["revision"], documents["m-1|same"]["outbox"]) == (4, [])
    [correction] = documents["m-1|differs"]["outbox"]
    assert (correction["id"], correction["data"]["report_event_id"]) == ("m-1|differs#2", "x")
    [gone] = documents["m-1|only-live"]["outbox"]
    assert (gone["id"], gone["data"]["removed"]) == ("m-1|only-live#2", True)
