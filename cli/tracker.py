"""`duban tracker rebuild`: the tracker's state recomputed from the topics, and compared with the live one (its
assignment_states by state: services/tracker/usecases/rebuild.py)."""

import argparse
import asyncio
import sys

from cli.dlq import add_kafka_options, kafka_overrides


def add_commands(subparsers) -> None:
    tracker = subparsers.add_parser("tracker", help="the tracker's state").add_subparsers(dest="action",
                                                                                          required=True)
    rebuild = tracker.add_parser("rebuild", help="recompute the state (and the published assignment states) from "
                                                 "registry-published, measure-created, progress-reported and "
                                                 "progress-withdrawn into a fresh database and compare it with the "
                                                 "live one")
    rebuild.add_argument("--into", metavar="DATABASE",
                         help="the database to rebuild into, dropped first (default: <live database>-rebuild)")
    rebuild.add_argument("--compare", action=argparse.BooleanOptionalAction, default=True,
                         help="compare the rebuilt collections with the live ones (default: yes)")
    rebuild.add_argument("--mongodb-url", help="default: DUBAN_MONGODB_URL")
    rebuild.add_argument("--database", help="the live database (default: DUBAN_MONGODB_DATABASE)")
    add_kafka_options(rebuild)
    rebuild.set_defaults(handler=run_rebuild)


def run_rebuild(args) -> None:
    from services.tracker.settings import TrackerSettings
    from services.tracker.usecases.rebuild import RefusedRebuild, rebuild, report
    from shared.logging import configure_logging

    overrides = kafka_overrides(args) | {
        name: value for name, value in (("mongodb_url", args.mongodb_url), ("mongodb_database", args.database))
        if value is not None}
    settings = TrackerSettings(**overrides)
    configure_logging("WARNING")  # the consumer's per-batch lines would drown the summary
    try:
        result = asyncio.run(rebuild(settings, into=args.into, compare=args.compare))
    except RefusedRebuild as error:
        sys.exit(f"duban: {error}")
    print("\n".join(report(result)))
    if result.identical is False:
        sys.exit(1)
