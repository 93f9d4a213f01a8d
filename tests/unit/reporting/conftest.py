"""A generated city and the snapshot over it, shared by the report and export tests."""

from datetime import date

import pytest

from services.reporting.domain.snapshot import Snapshot
from tests.unit.reporting.generated import generate_city


@pytest.fixture(scope="module")
def city():
    return generate_city(townships=40, measures=24, assignments=3_000, seed=11)


@pytest.fixture(scope="module")
def open_alerts(city):
    return city.open_alerts(date(2026, 11, 22))


@pytest.fixture
def snapshot(city, open_alerts):
    # The alerts open today, and those judged on the past days the tests evaluate at (the annual report's 2025).
    return Snapshot(city.views(), {m["_id"]: m for m in city.measures}, city.regions,
                    flags=city.alert_flags(date(2026, 11, 22), [date(2025, 12, 31)]), open_alerts=open_alerts)
