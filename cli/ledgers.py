"""`duban ledger import` and `duban ledger template`: Excel ledgers (台账) through intake."""

from pathlib import Path

from cli.intake import add_intake_option, call, print_json, upload


def add_commands(subparsers) -> None:
    ledger = subparsers.add_parser("ledger", help="Excel ledgers (台账) of progress reports").add_subparsers(
        dest="action", required=True)
    load = ledger.add_parser("import", help="publish each good row as progress-reported; bad rows are listed")
    load.add_argument("file", help="an .xlsx workbook (see `duban ledger template`)")
    add_intake_option(load)
    load.set_defaults(handler=run_import)
    template = ledger.add_parser("template", help="download the ledger template workbook")
    template.add_argument("file", nargs="?", default="ledger-template.xlsx")
    add_intake_option(template)
    template.set_defaults(handler=run_template)


def run_import(args) -> None:
    answer = call(args, "POST", "/v1/ledgers:import", files={"file": upload(args.file)}).json()
    print_json(answer)
    print(f"{len(answer['accepted'])} rows published, {len(answer['rejected'])} rejected")


def run_template(args) -> None:
    Path(args.file).write_bytes(call(args, "GET", "/v1/ledgers/template.xlsx").content)
    print(f"template written to {args.file}")
