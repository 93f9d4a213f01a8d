from collections.abc import Iterator

import pytest

from tests.support.stacks import Stack, services_running


@pytest.fixture(scope="module")
def running_stack(infrastructure, tmp_path_factory) -> Iterator[Stack]:
    """The four services as processes on the session's Kafka and database (tests/support/stacks.py)."""
    with services_running(infrastructure, tmp_path_factory) as stack:
        yield stack
