from collections.abc import Iterator

import pytest

from deploy.local.stack import LocalStack
from shared.contracts import Topics
from tests.support.stacks import Stack, database_names


@pytest.fixture(scope="module")
def running_stack(infrastructure, tmp_path_factory) -> Iterator[Stack]:
    """The four services as processes (as `make run` starts them) on the session's Kafka and database, with topics
    of the module's own, each service on its own database (tests/support/stacks.py)."""
    namespace = tmp_path_factory.mktemp("e2e").name.replace("-", "")[:20]
    databases = database_names(namespace)
    local = LocalStack(tmp_path_factory.mktemp("services"), default_ports=False, tie_to_parent=True)
    try:
        urls = local.start_services(infrastructure, {name: {"mongodb_database": database}
                                                     for name, database in databases.items()},
                                    topic_prefix=f"{namespace}.")
        yield Stack(urls, infrastructure.kafka_bootstrap_servers, Topics(f"{namespace}."), databases)
    finally:
        local.stop()
