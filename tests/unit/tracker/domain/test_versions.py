"""Versions ordered at the stored precision, in memory and as the one string the database compares."""

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from services.tracker.domain.versions import Version

BASE = datetime(2026, 3, 31, 8, tzinfo=UTC)
versions = st.builds(
    Version,
    st.integers(0, 10**12).map(lambda us: BASE + timedelta(microseconds=us)),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12),
)


def test_two_times_within_one_millisecond_are_ordered_by_event_id_alone():
    earlier_id_later_time = Version(BASE + timedelta(microseconds=900), "a")
    later_id_earlier_time = Version(BASE + timedelta(microseconds=100), "b")
    assert later_id_earlier_time.supersedes(earlier_id_later_time)
    assert later_id_earlier_time.at == earlier_id_later_time.at == BASE


def test_a_time_in_another_zone_gives_the_same_key_as_the_same_instant_in_utc():
    china = timezone(timedelta(hours=8))
    assert Version(BASE.astimezone(china), "e").key == Version(BASE, "e").key == "2026-03-31T08:00:00.000+00:00|e"


@given(versions, versions)
def test_the_key_orders_as_the_versions_do(one, other):
    # MongoDB compares strings by their UTF-8 bytes; that is the order the write's `$lt` on the key applies.
    assert (one < other) == (one.key.encode() < other.key.encode())
    assert (one == other) == (one.key == other.key)
