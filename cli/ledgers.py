"""`duban ledger import` and `duban ledger template`: Excel and WPS ledgers (台账) through intake, or read
here without a stack (`--preview`)."""

import sys
from pathlib import Path

from cli.intake import add_intake_option, call, print_json, upload


def add_commands(subparsers) -> None:
    ledger = subparsers.add_parser("ledger", help="Excel ledgers (台账) of progress reports").add_subparsers(
        dest="action", required=True)
    load = ledger.add_parser("import", help="publish each good row as progress-reported; bad rows are listed")
    load.add_argument("file", help="an .xlsx or .xls workbook (see `duban ledger template`)")
    load.add_argument("--preview", action="store_true",
                      help="read the ledger here, without intake: each row's report or its reason; publish nothing")
    load.add_argument("--json", action="store_true", help="with --preview: the rows as JSON instead of a summary")
    add_intake_option(load)
    load.set_defaults(handler=run_import)
    template = ledger.add_parser("template", help="download the ledger template workbook")
    template.add_argument("file", nargs="?", default="ledger-template.xlsx")
    template.add_argument("--unit", help="pre-fill with this unit's assignments (its registry unit id)")
    template.add_argument("--period", help="with --unit: the period the rows report on (default the current quarter)")
    add_intake_option(template)
    template.set_defaults(handler=run_template)


def run_import(args) -> None:
    if args.preview:
        run_preview(args)
        return
    answer = call(args, "POST", "/v1/ledgers:import", files={"file": upload(args.file)}).json()
    print_json(answer)
    print(f"{len(answer['accepted'])} rows published, {len(answer['rejected'])} rejected")


def run_preview(args) -> None:
    """The reader's verdict on each row; intake's own checks (the caller's region, the registry) come on import."""
    from services.intake.ledgers import LedgerError, read_workbook

    name, content = upload(args.file)
    try:
        good, bad = read_workbook(content, name)
    except LedgerError as error:
        sys.exit(f"duban: {error}")
    if args.json:
        print_json({"file": name, "preview": True, "accepted": [row.to_json() for row in good],
                    "rejected": [row.to_json() for row in bad]})
        return
    sheets = list(dict.fromkeys(row.sheet for row in [*good, *bad]))

    def where(row) -> tuple[int, int, str]:  # "row 5", or "sheet 东乡区 row 5" when several sheets hold ledgers
        return sheets.index(row.sheet), row.row, f"sheet {row.sheet} row {row.row}" if len(sheets) > 1 else (
            f"row {row.row}")

    lines = [(*where(row), f"{_summary(row.report)} (time from the {row.reported_at_from})") for row in good]
    lines += [(*where(row), f"refused: {row.reason}") for row in bad]
    for _, _, place, text in sorted(lines):
        print(f"{place}: {text}")
    print(f"{len(good)} rows would be published, {len(bad)} refused; nothing published")


def _summary(report) -> str:
    return (f"{report.measure_id} {report.unit} ({report.region_code}) {report.period}: {report.percent_complete:g}% "
            f"{report.status} at {report.reported_at.isoformat()}")


def run_template(args) -> None:
    params = {key: value for key, value in (("unit", args.unit), ("period", args.period)) if value}
    Path(args.file).write_bytes(call(args, "GET", "/v1/ledgers/template.xlsx", params=params).content)
    print(f"template written to {args.file}")
