"""`duban evidence`: evidence files (佐证材料) on intake: upload one (its id is what `duban loop request
--evidence-id` and a report's `evidence_ids` cite), list an assignment's, download one."""

import sys
from pathlib import Path
from urllib.parse import quote, unquote

from cli.intake import add_intake_option, call, print_json, upload


def add_commands(subparsers) -> None:
    evidence = subparsers.add_parser("evidence", help="evidence files (佐证材料) on intake").add_subparsers(
        dest="action", required=True)
    sending = evidence.add_parser("upload", help="store a file (JPEG, PNG, PDF, .docx, .xlsx or text); prints its id")
    sending.add_argument("file")
    sending.add_argument("--region", required=True, help="the region of the unit it is for, e.g. 361002")
    sending.add_argument("--measure", help="the assignment's measure (with --unit)")
    sending.add_argument("--unit", help="the assignment's unit, as the tracker keys it (with --measure)")
    sending.set_defaults(handler=run_upload)
    listing = evidence.add_parser("list", help="an assignment's files")
    listing.add_argument("--measure", required=True)
    listing.add_argument("--unit", required=True)
    listing.set_defaults(handler=run_list)
    fetching = evidence.add_parser("download", help="a file by its id, under its own name (or --out)")
    fetching.add_argument("id")
    fetching.add_argument("--out", help="where to write it (default: its name, in this folder)")
    fetching.set_defaults(handler=run_download)
    for command in (sending, listing, fetching):
        add_intake_option(command)


def upload_form(args) -> dict:
    """The form fields of `duban evidence upload` as intake's route takes them."""
    if (args.measure is None) != (args.unit is None):
        sys.exit("duban: --measure and --unit name an assignment together: give both or neither")
    return {"region_code": args.region, **({"measure_id": args.measure, "unit": args.unit} if args.measure else {})}


def run_upload(args) -> None:
    print_json(call(args, "POST", "/v1/evidence", data=upload_form(args), files={"file": upload(args.file)}).json())


def run_list(args) -> None:
    print_json(call(args, "GET", "/v1/evidence", params={"measure_id": args.measure, "unit": args.unit}).json())


def name_of(disposition: str) -> str:
    """The file name a Content-Disposition gives in RFC 5987's `filename*=UTF-8''…`, as intake writes it."""
    _, _, encoded = disposition.partition("filename*=UTF-8''")
    return Path(unquote(encoded.split(";")[0])).name or "evidence"


def run_download(args) -> None:
    response = call(args, "GET", f"/v1/evidence/{quote(args.id, safe='')}")
    out = Path(args.out or name_of(response.headers.get("content-disposition", "")))
    out.write_bytes(response.content)
    print(f"{out} ({len(response.content)} bytes, {response.headers.get('content-type')})")
