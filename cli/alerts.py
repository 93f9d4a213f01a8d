"""`duban alerts rebuild`: alerts' inputs (registry, measures, assignments) read again from the topics into a fresh
database, and compared with the live ones (services/alerts/usecases/rebuild.py)."""

from cli.rebuilding import add_rebuild_command, run, settings_overrides


def add_commands(subparsers) -> None:
    alerts = subparsers.add_parser("alerts", help="the alerts service").add_subparsers(dest="action", required=True)
    add_rebuild_command(alerts, "read registry-published, measure-created and assignment-updated from their start "
                                "into a fresh database and compare alerts' inputs with the live ones",
                        "<live database>-alerts-rebuild", run_rebuild)


def run_rebuild(args) -> None:
    from services.alerts.settings import AlertsSettings
    from services.alerts.usecases.rebuild import rebuild_inputs, report

    run(rebuild_inputs(AlertsSettings(**settings_overrides(args)), into=args.into, compare=args.compare), report)
