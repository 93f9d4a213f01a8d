"""Fixtures intake's unit tests share."""

import pytest

from shared.contracts import Measure
from shared.domain.resolution import Directory


@pytest.fixture
def expansions(monkeypatch) -> list[str]:
    """The measure ids Directory.expand is asked for, in order (the real expansion still runs): admission works a
    measure's units out once, not for every report."""
    asked: list[str] = []
    expand = Directory.expand

    def counted(directory: Directory, measure: Measure):
        asked.append(measure.measure_id)
        return expand(directory, measure)

    monkeypatch.setattr(Directory, "expand", counted)
    return asked
