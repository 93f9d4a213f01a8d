"""`duban alerts rebuild`: alerts' inputs (registry, measures, assignments) read again from the topics into a fresh
database, and compared with the live ones."""

import argparse
import asyncio
import sys

from cli.dlq import add_kafka_options, kafka_overrides


def add_commands(subparsers) -> None:
    alerts = subparsers.add_parser("alerts", help="the alerts service").add_subparsers(dest="action", required=True)
    rebuild = alerts.add_parser("rebuild", help="read registry-published, measure-created and assignment-updated "
                                                "from their start into a fresh database and compare alerts' inputs "
                                                "with the live ones")
    rebuild.add_argument("--into", metavar="DATABASE",
                         help="the database to rebuild into, dropped first (default: <live database>-alerts-rebuild)")
    rebuild.add_argument("--compare", action=argparse.BooleanOptionalAction, default=True,
                         help="compare the rebuilt collections with the live ones (default: yes)")
    rebuild.add_argument("--mongodb-url", help="default: DUBAN_MONGODB_URL")
    rebuild.add_argument("--database", help="the live database (default: DUBAN_MONGODB_DATABASE)")
    add_kafka_options(rebuild)
    rebuild.set_defaults(handler=run_rebuild)


def run_rebuild(args) -> None:
    from services.alerts.settings import AlertsSettings
    from services.alerts.usecases.rebuild import RefusedRebuild, rebuild_inputs, report

    overrides = kafka_overrides(args) | {
        name: value for name, value in (("mongodb_url", args.mongodb_url), ("mongodb_database", args.database))
        if value is not None}
    try:
        result = asyncio.run(rebuild_inputs(AlertsSettings(**overrides), into=args.into, compare=args.compare))
    except RefusedRebuild as error:
        sys.exit(f"duban: {error}")
    print("\n".join(report(result)))
    if result.identical is False:
        sys.exit(1)
