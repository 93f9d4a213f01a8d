"""Talking to intake from the command line: one request, the answer as JSON, problems on stderr; and
`duban intake client`, which makes a client's token and its entry for the clients file."""

import json
import os
import sys
from pathlib import Path

import httpx

from shared.web.clients import ClientEntry, Role, new_token, token_hash

DEFAULT_INTAKE = "http://127.0.0.1:8000"


def add_intake_option(parser) -> None:
    parser.add_argument("--intake", default=DEFAULT_INTAKE, help=f"intake's URL (default {DEFAULT_INTAKE})")
    parser.add_argument("--token", default=os.environ.get("DUBAN_INTAKE_TOKEN") or os.environ.get("DUBAN_TOKEN"),
                        help="your key's token, when the services have a clients file (default: $DUBAN_INTAKE_TOKEN, "
                             "else $DUBAN_TOKEN)")


def add_commands(subparsers) -> None:
    intake = subparsers.add_parser("intake", help="intake's clients").add_subparsers(dest="action", required=True)
    client = intake.add_parser("client", help="make a client's token and the entry to add to the clients file")
    client.add_argument("--id", required=True, help="a short name in events' source, e.g. linchuan-zwfw")
    client.add_argument("--name", required=True, help="e.g. 临川区政务服务平台")
    client.add_argument("--region", required=True, help="the region it acts for (and below), e.g. 361002")
    client.add_argument("--role", action="append", choices=[role.value for role in Role],
                        help="repeat for several (default: none written, which the services read as admin); "
                             "`duban keys create` writes the file itself")
    client.set_defaults(handler=run_new_client)


def run_new_client(args) -> None:
    token = new_token()
    entry = ClientEntry(id=args.id, name=args.name, region_code=args.region, token_sha256=token_hash(token),
                        **({"roles": args.role} if args.role else {}))
    print(f"token (give it to the client; it is not stored anywhere): {token}\n"
          "entry for the clients file (DUBAN_CLIENTS_FILE), under `clients:`:\n"
          f"  - id: {entry.id}\n    name: {json.dumps(entry.name, ensure_ascii=False)}\n"
          f"    region_code: \"{entry.region_code}\"\n    token_sha256: {entry.token_sha256}"
          + (f"\n    roles: [{', '.join(entry.roles)}]" if args.role else ""))


def upload(path: str) -> tuple[str, bytes]:
    file = Path(path)
    if not file.is_file():
        sys.exit(f"duban: {path}: no such file")
    return file.name, file.read_bytes()


def call(args, method: str, path: str, **request) -> httpx.Response:
    """The response when it succeeded; otherwise the problem document on stderr and exit status 1. `args`
    carries add_intake_option's intake URL and token."""
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    try:
        with httpx.Client(base_url=args.intake, timeout=120, headers=headers) as client:
            response = client.request(method, path, **request)
    except httpx.HTTPError as error:
        sys.exit(f"duban: intake at {args.intake} cannot be reached: {error}")
    if response.is_error:
        print(json.dumps(_problem(response), ensure_ascii=False, indent=2), file=sys.stderr)
        sys.exit(1)
    return response


def _problem(response: httpx.Response) -> dict:
    try:
        return response.json()
    except ValueError:
        return {"status": response.status_code, "detail": response.text}


def print_json(document) -> None:
    print(json.dumps(document, ensure_ascii=False, indent=2))
