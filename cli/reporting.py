"""`duban reporting rebuild`: reporting's collections read again from the topics it consumes into a fresh
database, and compared with the live ones (services/reporting/usecases/rebuild.py)."""

from cli.rebuilding import add_rebuild_command, run, settings_overrides


def add_commands(subparsers) -> None:
    reporting = subparsers.add_parser("reporting", help="the reporting service").add_subparsers(dest="action",
                                                                                                required=True)
    add_rebuild_command(reporting, "read measure-created, registry-published, assignment-updated, progress-withdrawn "
                                   "and the alert events from their start into a fresh database and compare "
                                   "reporting's collections with the live ones", "<live database>-reporting-rebuild",
                        run_rebuild)


def run_rebuild(args) -> None:
    from services.reporting.settings import ReportingSettings
    from services.reporting.usecases.rebuild import rebuild, report

    run(rebuild(ReportingSettings(**settings_overrides(args)), into=args.into, compare=args.compare), report)
