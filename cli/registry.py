"""`duban registry import`: the region and unit registry (YAML) through intake."""

from cli.intake import add_intake_option, call, print_json, upload


def add_commands(subparsers) -> None:
    registry = subparsers.add_parser("registry", help="the region and unit registry").add_subparsers(
        dest="action", required=True)
    load = registry.add_parser("import", help="validate a registry YAML and publish it as registry-published")
    load.add_argument("file", help="e.g. deploy/demo/registry.yaml")
    add_intake_option(load)
    load.set_defaults(handler=run_import)


def run_import(args) -> None:
    print_json(call(args, "POST", "/v1/registry", files={"file": upload(args.file)}).json())
