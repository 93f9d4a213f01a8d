"""The order alerts' inputs keep (storage/inputs.py): a publication's order string sorts as (time, id) does, the
newest event per key is taken from a batch, and a stored assignment is read in the Evaluator's shape."""

from datetime import UTC, datetime, timedelta, timezone

from services.alerts.storage.inputs import VIEW_FIELDS, newest, publication, view

AT = datetime(2026, 7, 1, 8, 0, 0, 123456, tzinfo=UTC)


def test_a_publication_string_sorts_as_its_time_then_its_id_whatever_the_time_zone():
    china = AT.astimezone(timezone(timedelta(hours=8)))
    assert publication(china, "a") == publication(AT, "a")
    ordered = [(AT - timedelta(days=400), "z"), (AT, "a"), (AT, "b"), (AT + timedelta(microseconds=1), "0")]
    assert sorted(ordered, key=lambda v: publication(*v)) == ordered


def test_the_newest_event_per_key_is_kept_from_a_batch_in_any_order():
    events = [("k1", 2), ("k2", 1), ("k1", 3), ("k1", 1)]
    assert sorted(newest(events, key=lambda e: e[0], order=lambda e: e[1])) == [("k1", 3), ("k2", 1)]


def test_a_stored_assignment_is_read_in_the_evaluators_shape():
    stored = {"_id": "m|u", "measure_id": "m", "unit": "u", "revision": 2, "assigned": True, "narrative": None,
              "event_id": "m|u#2", "periods_reported": ["2026-Q2"]}
    shaped = view(stored)
    assert set(shaped) == set(VIEW_FIELDS)
    assert (shaped["indicator_values"], shaped["narrative"], shaped["status"], shaped["percent_complete"]) == (
        {}, "", "not_started", 0)
