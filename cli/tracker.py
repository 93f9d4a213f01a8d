"""`duban tracker rebuild`: the tracker's state recomputed from the topics, and compared with the live one (its
assignment_states by state: services/tracker/usecases/rebuild.py)."""

from cli.rebuilding import add_rebuild_command, run, settings_overrides


def add_commands(subparsers) -> None:
    tracker = subparsers.add_parser("tracker", help="the tracker's state").add_subparsers(dest="action",
                                                                                          required=True)
    add_rebuild_command(tracker, "recompute the state (and the published assignment states) from registry-published, "
                                 "measure-created, progress-reported, progress-withdrawn and the supervision loop's "
                                 "topics into a fresh database and compare it with the live one",
                       "<live database>-rebuild", run_rebuild)


def run_rebuild(args) -> None:
    from services.tracker.settings import TrackerSettings
    from services.tracker.usecases.rebuild import rebuild, report

    run(rebuild(TrackerSettings(**settings_overrides(args)), into=args.into, compare=args.compare), report)
