"""Service processes for end-to-end tests, each on a database of its own (issue 11: no service reads or writes a
collection another service owns, so each may run on its own database; one that still reads another's finds
nothing there).

DUBAN_TEST_ONE_DATABASE=1 puts every service on one database instead, as before issue 11: running the e2e tests
both ways tells a fault at a service boundary from any other.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from deploy.local.stack import SERVICES, LocalStack
from shared.contracts import Topics


def one_database() -> bool:
    return os.environ.get("DUBAN_TEST_ONE_DATABASE", "").strip().lower() in ("1", "true", "yes")


def database_names(namespace: str) -> dict[str, str]:
    """Each service's database name: `<namespace>_<service>` (e.g. t1a2b_tracker), or `namespace` for all with
    DUBAN_TEST_ONE_DATABASE."""
    return {name: namespace if one_database() else f"{namespace}_{name}" for name in SERVICES}


@dataclass(frozen=True)
class Stack:
    """The running services' URLs by name, the Kafka they use, their topics and their database names."""

    urls: dict[str, str]
    bootstrap: str
    topics: Topics
    databases: dict[str, str]



@contextmanager
def services_running(infrastructure, tmp_path_factory, **settings: str) -> Iterator[Stack]:
    """The four services as processes (as `make run` starts them) on the session's Kafka and database, with topics
    of their own, each service on its own database, with these settings besides (e.g. `alerts_sweep_interval_seconds`).
    """
    namespace = tmp_path_factory.mktemp("e2e").name.replace("-", "")[:20]
    databases = database_names(namespace)
    local = LocalStack(tmp_path_factory.mktemp("services"), default_ports=False, tie_to_parent=True)
    try:
        urls = local.start_services(infrastructure, {name: {"mongodb_database": database}
                                                     for name, database in databases.items()},
                                    topic_prefix=f"{namespace}.", **settings)
        yield Stack(urls, infrastructure.kafka_bootstrap_servers, Topics(f"{namespace}."), databases)
    finally:
        local.stop()
