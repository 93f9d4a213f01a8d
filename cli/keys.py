"""`duban keys create | list | revoke`: the credentials of the clients file every service loads
(shared/web/clients.py). A key's token is printed once, when created; the file keeps its SHA-256 only. The services
read the file again within a second of it changing, so a revoked or expired key is refused from then on."""

import os
import re
import secrets
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from shared.web.clients import (
    ClientEntry,
    ClientsFileError,
    Role,
    conflicts,
    new_token,
    read_entries,
    token_hash,
    write_entries,
)

DURATION = re.compile(r"^([0-9]{1,4})([dh])$")


def add_commands(subparsers) -> None:
    keys = subparsers.add_parser("keys", help="credentials: create, list, revoke").add_subparsers(
        dest="action", required=True)
    create = keys.add_parser("create", help="a new key for a region and role(s); its token is shown once")
    create.add_argument("--region", required=True, help="the region it acts for, and everything below (e.g. 361002)")
    create.add_argument("--role", required=True, action="append", choices=[role.value for role in Role],
                        help="repeat for several (admin holds the others within its region)")
    create.add_argument("--name", help="who or what holds it (default: the roles and region)")
    create.add_argument("--id", help="a short name used in events' source (default: generated)")
    create.add_argument("--kafka-source", action="append", dest="kafka_sources", metavar="SOURCE",
                        help="a CloudEvents source its system publishes under straight to Kafka (repeat for several): "
                             "the tracker holds those events to this key's region and roles")
    create.add_argument("--expires", help="a day (2027-06-30, the key works through it, China time) or a "
                                          "duration (90d, 12h)")
    create.set_defaults(handler=run_create)
    listing = keys.add_parser("list", help="every key: id, name, region, roles, created, expires, state")
    listing.set_defaults(handler=run_list)
    revoke = keys.add_parser("revoke", help="refuse a key from now on (kept in the file, marked revoked)")
    revoke.add_argument("id")
    revoke.set_defaults(handler=run_revoke)
    for command in (create, listing, revoke):
        command.add_argument("--file", default=os.environ.get("DUBAN_CLIENTS_FILE"),
                             help="the clients file (default: $DUBAN_CLIENTS_FILE)")


def clients_file(args) -> Path:
    if not args.file:
        sys.exit("duban: name the clients file with --file or DUBAN_CLIENTS_FILE")
    return Path(args.file)


def existing(path: Path) -> list[ClientEntry]:
    try:
        return read_entries(path) if path.exists() else []
    except ClientsFileError as error:
        sys.exit(f"duban: {error}")


def expiry(text: str | None, now: datetime) -> datetime | None:
    """`2027-06-30` -> the end of that day in China; `90d` / `12h` -> that long from now."""
    if text is None:
        return None
    if found := DURATION.match(text):
        amount, unit = int(found[1]), found[2]
        return now + (timedelta(days=amount) if unit == "d" else timedelta(hours=amount))
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        sys.exit(f"duban: --expires {text!r}: give a day (2027-06-30) or a duration (90d, 12h)")
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC) - timedelta(hours=8)  # midnight, UTC+8


def future_expiry(text: str | None, now: datetime) -> datetime | None:
    """`expiry`, refused (exit 1) when it is not after `now`: a key that never works is a mistake, not a key."""
    expires = expiry(text, now)
    if expires is not None and expires <= now:
        sys.exit(f"duban: --expires {text!r} has passed already: the key would never work")
    return expires


def run_create(args) -> None:
    path, now = clients_file(args), datetime.now(UTC)
    entries = existing(path)
    roles = list(dict.fromkeys(Role(role) for role in args.role))
    token = new_token()
    key_id = args.id or f"key-{secrets.token_hex(6)}"
    if any(entry.id == key_id for entry in entries):
        sys.exit(f"duban: a key {key_id!r} exists already")
    try:
        entry = ClientEntry(id=key_id, name=args.name or f"{'/'.join(roles)} {args.region}", region_code=args.region,
                            token_sha256=token_hash(token), roles=roles, created_at=now,
                            expires_at=future_expiry(args.expires, now), kafka_sources=args.kafka_sources)
    except ValueError as error:
        sys.exit(f"duban: {error}")
    if conflict := conflicts([*entries, entry]):  # a Kafka source another key lists already
        sys.exit(f"duban: {conflict}")
    write_entries(path, [*entries, entry])
    print(f"key {entry.id} ({', '.join(roles)} for {entry.region_code} and below"
          f"{', until ' + entry.expires_at.isoformat() if entry.expires_at else ''}) added to {path}.\n"
          f"token (shown once; send it as `Authorization: Bearer <token>`):\n{token}")


def state(entry: ClientEntry, now: datetime) -> str:
    if entry.revoked_at is not None:
        return f"revoked {entry.revoked_at:%Y-%m-%d %H:%M}"
    return "expired" if entry.expires_at is not None and entry.expires_at <= now else "active"


def run_list(args) -> None:
    now = datetime.now(UTC)
    print("id\tname\tregion\troles\tcreated\texpires\tstate\tkafka sources")
    for entry in existing(clients_file(args)):
        print("\t".join([entry.id, entry.name, entry.region_code, ",".join(entry.roles),
                         f"{entry.created_at:%Y-%m-%d}" if entry.created_at else "-",
                         entry.expires_at.isoformat() if entry.expires_at else "never", state(entry, now),
                         ",".join(entry.kafka_sources or ()) or "-"]))


def run_revoke(args) -> None:
    path = clients_file(args)
    entries = existing(path)
    if not any(entry.id == args.id for entry in entries):
        sys.exit(f"duban: no key {args.id!r} in {path}")
    now = datetime.now(UTC)
    write_entries(path, [entry.model_copy(update={"revoked_at": entry.revoked_at or now}) if entry.id == args.id
                         else entry for entry in entries])
    print(f"key {args.id} revoked; the services refuse it within a second of reading {path}.")
