"""What every `duban <service> rebuild` shares: its options, the service's settings they override, and how the
outcome is printed (IDENTICAL, or the differences and exit status 1)."""

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine

from cli.dlq import add_kafka_options, kafka_overrides


def add_rebuild_command(commands, help: str, default_into: str, handler: Callable) -> None:
    """`rebuild` under a service's `commands`; `default_into` says the default database rebuilt into."""
    rebuild = commands.add_parser("rebuild", help=help)
    rebuild.add_argument("--into", metavar="DATABASE",
                         help=f"the database to rebuild into, dropped first (default: {default_into})")
    rebuild.add_argument("--compare", action=argparse.BooleanOptionalAction, default=True,
                         help="compare the rebuilt collections with the live ones (default: yes)")
    rebuild.add_argument("--mongodb-url", help="default: DUBAN_MONGODB_URL")
    rebuild.add_argument("--database", help="the live database (default: DUBAN_MONGODB_DATABASE, else the "
                                            "service's own, duban_<service>)")
    add_kafka_options(rebuild)
    rebuild.set_defaults(handler=handler)


def settings_overrides(args) -> dict:
    """The service settings the command line overrides (the rest come from DUBAN_* as for the service)."""
    return kafka_overrides(args) | {
        name: value for name, value in (("mongodb_url", args.mongodb_url), ("mongodb_database", args.database))
        if value is not None}


def run(rebuilding: Coroutine, report: Callable[..., list[str]]) -> None:
    """Runs a rebuild and prints its report; exits 1 when the rebuilt collections differ from the live ones."""
    from shared.logging import configure_logging
    from shared.rebuilding import RefusedRebuild

    configure_logging("WARNING")  # the consumer's per-batch lines would drown the summary
    try:
        result = asyncio.run(rebuilding)
    except RefusedRebuild as error:
        sys.exit(f"duban: {error}")
    print("\n".join(report(result)))
    if result.identical is False:
        sys.exit(1)
