"""`duban ledger import` and `duban ledger template`: Excel and WPS ledgers (台账) through intake, or read
here without a stack (`--preview`)."""

import os
import sys
from pathlib import Path

from cli.intake import DEFAULT_INTAKE, add_intake_option, call, print_json, upload

# What an offline preview leaves out: intake's admission needs the measures it reads from Kafka.
READER_ONLY = "reader only: measures, units and the plan's start are checked by intake"


def add_commands(subparsers) -> None:
    ledger = subparsers.add_parser("ledger", help="Excel ledgers (台账) of progress reports").add_subparsers(
        dest="action", required=True)
    load = ledger.add_parser("import", help="publish each good row as progress-reported; bad rows are listed")
    load.add_argument("file", help="an .xlsx or .xls workbook (see `duban ledger template`)")
    load.add_argument("--preview", action="store_true",
                      help="each row's report or its reason, publishing nothing: intake's own preview when --intake or "
                           "$DUBAN_INTAKE_URL is given, else the reader's alone (measures and plan start unchecked)")
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
    """Intake's preview (POST preview=true: every check an import makes) when an intake URL is given, else the
    reader's verdict on each row, marked `checked: READER_ONLY` since admission needs intake's measures."""
    from services.intake.domain.ledgers import LedgerError, read_workbook

    url = os.environ.get("DUBAN_INTAKE_URL") if args.intake == DEFAULT_INTAKE else args.intake
    if url:
        args.intake = url
        answer = call(args, "POST", "/v1/ledgers:import", files={"file": upload(args.file)},
                      data={"preview": "true"}).json()
        print_json({**answer, "checked": "by intake, as an import would"})
        print(f"{len(answer['accepted'])} rows would be published, {len(answer['rejected'])} refused; "
              "nothing published", file=sys.stderr)
        return
    name, content = upload(args.file)
    try:
        good, bad = read_workbook(content, name)
    except LedgerError as error:
        sys.exit(f"duban: {error}")
    if args.json:
        print_json({"file": name, "preview": True, "checked": READER_ONLY,
                    "accepted": [row.to_json() for row in good], "rejected": [row.to_json() for row in bad]})
        return
    sheets = list(dict.fromkeys(row.sheet for row in [*good, *bad]))

    def where(row) -> tuple[int, int, str]:  # "row 5", or "sheet 东乡区 row 5" when several sheets hold ledgers
        return sheets.index(row.sheet), row.row, f"sheet {row.sheet} row {row.row}" if len(sheets) > 1 else (
            f"row {row.row}")

    lines = [(*where(row), f"{_summary(row.report)} (time from the {row.reported_at_from})") for row in good]
    lines += [(*where(row), f"refused: {row.reason}") for row in bad]
    for _, _, place, text in sorted(lines):
        print(f"{place}: {text}")
    print(f"{len(good)} rows pass the reader, {len(bad)} refused; nothing published ({READER_ONLY})")


def _summary(report) -> str:
    return (f"{report.measure_id} {report.unit} ({report.region_code}) {report.period}: {report.percent_complete:g}% "
            f"{report.status} at {report.reported_at.isoformat()}")


def run_template(args) -> None:
    params = {key: value for key, value in (("unit", args.unit), ("period", args.period)) if value}
    Path(args.file).write_bytes(call(args, "GET", "/v1/ledgers/template.xlsx", params=params).content)
    print(f"template written to {args.file}")
