"""`duban dlq list` and `duban dlq replay`: the dead-letter topic, read (cli/dead_letter_listing.py) and re-driven
(cli/dead_letter_replay.py)."""

import asyncio
import json
import sys

from cli.dead_letter_listing import list_dead_letters, short_reason
from cli.dead_letter_replay import UnknownDeadLetter, replay
from shared.settings import ServiceSettings


def add_kafka_options(parser) -> None:
    parser.add_argument("--bootstrap", help="Kafka bootstrap servers (default: DUBAN_KAFKA_BOOTSTRAP_SERVERS)")
    parser.add_argument("--topic-prefix", help="the deployment's topic prefix (default: DUBAN_TOPIC_PREFIX)")


def kafka_overrides(args) -> dict:
    overrides = {"kafka_bootstrap_servers": args.bootstrap, "topic_prefix": args.topic_prefix}
    return {name: value for name, value in overrides.items() if value is not None}


def add_commands(subparsers) -> None:
    dlq = subparsers.add_parser("dlq", help="the dead-letter topic").add_subparsers(dest="action", required=True)
    listing = dlq.add_parser("list", help="every dead letter: where it failed, why, and whether it was replayed")
    listing.add_argument("--json", action="store_true", help="a JSON array, with the full reasons")
    add_kafka_options(listing)
    listing.set_defaults(handler=run_list)

    again = dlq.add_parser("replay", help="publish dead letters again to the topic they failed on")
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument("--offset", nargs="+", metavar="PARTITION:OFFSET",
                       help="the dead letters at these addresses (as `dlq list` prints them; a bare offset "
                            "will do where only one partition has it)")
    which.add_argument("--all", action="store_true",
                       help="every dead letter not replayed before and not itself a failed replay")
    again.add_argument("--dry-run", action="store_true", help="say what would be replayed; publish nothing")
    add_kafka_options(again)
    again.set_defaults(handler=run_replay)


def run_list(args) -> None:
    letters = asyncio.run(list_dead_letters(ServiceSettings(**kafka_overrides(args))))
    if args.json:
        print(json.dumps(letters, ensure_ascii=False, indent=2))
        return
    for letter in letters:
        print(line(letter))
    print(f"{len(letters)} dead letters, {sum(1 for letter in letters if letter['replayed'])} replayed")


def line(letter: dict) -> str:
    replayed = letter["replayed"]
    status = (f"replayed to {replayed['partition']}:{replayed['offset']}" if replayed
              else f"not replayed (replay of {letter['replay_of']})" if letter["replay_of"] else "not replayed")
    event = (f"{letter['event_type']} {letter['event_id']}" if letter["event_id"] or letter["event_type"]
             else "(not a CloudEvent)")
    group = letter["consumer_group"] or "group unknown"
    return (f"{letter['address']:>8}  {letter['source_topic']} {letter['source_partition']}:{letter['source_offset']}"
            f"  {letter['failed_at']}  [{group}]  {event}  {status}  {short_reason(letter['reason'])}")


def run_replay(args) -> None:
    settings = ServiceSettings(**kafka_overrides(args))
    try:
        outcome = asyncio.run(replay(settings, None if args.all else args.offset, dry_run=args.dry_run))
    except UnknownDeadLetter as error:
        sys.exit(f"duban: {error}")
    verb = "would replay" if args.dry_run else "replayed"
    for letter, target in outcome.replayed:
        where = f" → {target['partition']}:{target['offset']}" if "offset" in target else ""
        print(f"{verb} {letter.address} to {target['topic']}{where}")
    for letter, why in outcome.skipped:
        print(f"skipped {letter.address}: {why}")
    print(f"{len(outcome.replayed)} {verb}, {len(outcome.skipped)} skipped")
