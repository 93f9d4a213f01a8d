"""A small generated city for the document tests (a .docx of a 3,000-assignment city takes seconds to build)."""

from datetime import date

import pytest

from services.reporting.domain.snapshot import Snapshot
from tests.unit.reporting.generated import generate_city

TODAY = date(2026, 11, 22)
PAST_DAYS = (date(2026, 10, 31),)  # the October bulletin's day


@pytest.fixture(scope="package")
def small_city():
    return generate_city(townships=12, measures=14, assignments=500, departments=(6, 3, 1), seed=5, today=TODAY)


@pytest.fixture(scope="package")
def small_snapshot(small_city):
    # The alerts judged on the days the documents are evaluated at (a month's end, a year's) and open today.
    return Snapshot(small_city.views(), {m["_id"]: m for m in small_city.measures}, small_city.regions,
                    flags=small_city.alert_flags(TODAY, PAST_DAYS), open_alerts=small_city.open_alerts(TODAY))
