"""alerts' stores on the real database behave as the in-memory fakes the use-case tests run on
(tests/unit/alerts/usecases/fakes.py): the newest input wins whatever the order, a removed assignment stays
forgotten, and a transition written from a stale read changes nothing."""

import dataclasses
from datetime import UTC, datetime, timedelta

from services.alerts.domain.alerts import Alert, Kind, Severity
from services.alerts.domain.lights import Light, Lit
from services.alerts.storage.inputs import Inputs
from services.alerts.storage.repository import AlertStore
from shared.contracts import MeasureCreated
from tests.integration.test_alerts_api import COURT
from tests.support.alerts_inputs import assignment_updated

AT = datetime(2026, 7, 1, 8, tzinfo=UTC)


def published(title: str, at: datetime, event_id: str) -> MeasureCreated:
    event = MeasureCreated.wrap(COURT.model_copy(update={"title": title}), source="/test", event_id=event_id)
    return event.model_copy(update={"time": at})


async def test_the_latest_publication_and_the_highest_revision_win_in_any_order(database):
    inputs = Inputs(database)
    await inputs.save_measures([published("新", AT + timedelta(seconds=1), "a")])
    await inputs.save_measures([published("旧", AT, "z"), published("同时较小", AT + timedelta(seconds=1), "0")])
    assert (await inputs.measures())["p-1"]["title"] == "新"
    await inputs.save_measures([published("同时较大", AT + timedelta(seconds=1), "b")])  # same time, larger id
    assert (await inputs.measures(["p-1"]))["p-1"]["title"] == "同时较大"

    await inputs.save_assignments([assignment_updated(COURT, "u", 3, percent_complete=30),
                                   assignment_updated(COURT, "u", 2, percent_complete=20)])
    await inputs.save_assignments([assignment_updated(COURT, "u", 1, percent_complete=10)])
    [view] = await inputs.assignments(measure_ids=["p-1"])
    assert (view["unit"], view["percent_complete"], view["status"]) == ("u", 30, "not_started")
    await inputs.save_assignments([assignment_updated(COURT, "u", 4, removed=True, assigned=False)])
    await inputs.save_assignments([assignment_updated(COURT, "u", 3, percent_complete=30)])
    assert await inputs.assignments() == []
    assert (await database["alerts_assignments"].find_one({"_id": "p-1|u"}))["revision"] == 4


async def test_a_transition_from_a_stale_read_changes_nothing_and_published_events_leave_by_id(database):
    store = AlertStore(database)
    warning = Alert(kind=Kind.OVERDUE, severity=Severity.WARNING, measure_id="p-1", unit="u", unit_name="u",
                    region_code="361000", reason="r", figures={"days_overdue": 3}, plan_id="p")
    critical = dataclasses.replace(warning, severity=Severity.CRITICAL)
    await store.raise_alerts([(warning, "e1", {"id": "e1.raised", "time": AT})], AT)
    await store.raise_alerts([(warning, "e2", {"id": "e2.raised", "time": AT})], AT)  # the loser: nothing written
    read = (await store.open_alerts())[warning.key]
    assert (read["episode"], [e["id"] for e in read["outbox"]]) == ("e1", ["e1.raised"])
    [raised] = await store.pending(10)

    await store.update_alerts([(critical, read, {"id": "e1.severity-1", "time": AT})], AT)
    await store.update_alerts([(critical, read, {"id": "e1.severity-1", "time": AT})], AT)  # the same stale read
    stored = (await store.open_alerts())[warning.key]
    assert [e["id"] for e in stored["outbox"]] == ["e1.raised", "e1.severity-1"]
    assert len(stored["severity_changes"]) == 1

    # Every event read was sent, but the change came after the raise was read: only the raise leaves.
    await store.published({"open": {warning.key: ["e1.raised"]}}, [raised])
    [changed] = await store.pending(10)
    assert [e["id"] for e in changed.outbox] == ["e1.severity-1"]

    await store.clear_alerts([(read, {"id": "e1.cleared", "time": AT}, AT)])  # read before the severity change
    [cleared] = await store.pending(10)
    assert (cleared.collection, cleared.id, await store.open_alerts()) == ("history", "e1", {})
    assert sorted(e["id"] for e in cleared.outbox) == ["e1.cleared", "e1.raised", "e1.severity-1"]
    await store.published({"history": {"e1": [e["id"] for e in cleared.outbox]}}, [cleared])
    assert await store.pending(10) == []
    assert "pending" not in await database["alert_history"].find_one({"_id": "e1"})


async def test_an_outbox_pushed_onto_after_it_was_read_keeps_the_new_event_and_only_then_pending(database):
    store = AlertStore(database)
    warning = Alert(kind=Kind.OVERDUE, severity=Severity.WARNING, measure_id="p-1", unit="u", unit_name="u",
                    region_code="361000", reason="r", figures={"days_overdue": 3}, plan_id="p")
    await store.raise_alerts([(warning, "e1", {"id": "e1.raised", "time": AT})], AT)
    await database["alert_history"].insert_one({"_id": "e0", "key": "k", "outbox": [{"id": "e0.cleared"}],
                                                "pending": True})
    read = await store.pending(10)
    stored = (await store.open_alerts())[warning.key]
    figures = dataclasses.replace(warning, figures={"days_overdue": 4})
    await store.update_alerts([(figures, stored, None)], AT)  # figures only: nothing pushed
    await database["alert_history"].update_one({"_id": "e0"}, {"$push": {"outbox": {"id": "e0.late"}}})
    await store.published({"history": {"e0": ["e0.cleared"]}, "open": {warning.key: ["e1.raised"]}}, read)
    [left] = await store.pending(10)
    assert (left.collection, [e["id"] for e in left.outbox]) == ("history", ["e0.late"])


async def test_outboxes_stored_before_the_pending_flag_are_flagged_once_and_found(database):
    store = AlertStore(database)
    await database["open_alerts"].insert_many([{"_id": "old", "version": 2, "outbox": [{"id": "e0.raised"}]},
                                               {"_id": "sent", "version": 1, "outbox": []}])
    await database["alert_history"].insert_one({"_id": "e9", "key": "k", "outbox": [{"id": "e9.cleared"}]})
    assert await store.pending(10) == []
    await store.ensure_indexes()
    await store.flag_pending()
    await store.flag_pending()  # a second start: nothing more to do
    assert sorted((doc.collection, doc.id) for doc in await store.pending(10)) == [("history", "e9"), ("open", "old")]


def light_event(key: str, number: int, judged_on: str = "2026-07-15") -> dict:
    return {"id": f"{key}#light-{number}", "time": AT, "data": {"judged_on": judged_on}}


async def test_a_light_change_is_written_once_by_the_writer_that_read_the_light_it_changes(database):
    store = AlertStore(database)
    yellow = Lit("p-1", "u", "361000", Light.YELLOW, ("unsigned",))
    red = dataclasses.replace(yellow, light=Light.RED, reasons=("overdue",))
    await store.change_lights([(yellow, None, light_event(yellow.key, 1))], AT)
    await store.change_lights([(red, None, light_event(yellow.key, 1))], AT)  # a second first light: nothing
    read = (await store.stored_lights({"p-1"}))[yellow.key]
    assert (read["light"], read["changes"], read["changed_at"], set(read)) == (
        "yellow", 1, AT, {"_id", "light", "changes", "changed_at"})

    later = AT + timedelta(hours=1)
    await store.change_lights([(red, read, light_event(yellow.key, 2))], later)
    await store.change_lights([(red, read, light_event(yellow.key, 2))], later)  # the same stale read: nothing
    stored = await database["alerts_lights"].find_one({"_id": yellow.key})
    assert (stored["light"], stored["reasons"], stored["changes"], stored["changed_at"], stored["region_code"]) == (
        "red", ["overdue"], 2, later, "361000")
    assert [e["id"] for e in stored["outbox"]] == [f"{yellow.key}#light-1", f"{yellow.key}#light-2"]
    assert await store.stored_lights({"p-2"}) == {}

    [pending] = await store.pending(10)
    assert (pending.collection, pending.id) == ("lights", yellow.key)
    await store.published({"lights": {yellow.key: [e["id"] for e in pending.outbox]}}, [pending])
    assert await store.pending(10) == []
    assert "pending" not in await database["alerts_lights"].find_one({"_id": yellow.key})
