"""The `duban` command: the local stack and the operator's tasks."""

import argparse
import json
import os
import time
from pathlib import Path

import httpx

from cli import (
    alerts,
    dlq,
    evidence,
    intake,
    keys,
    ledgers,
    loop,
    plans,
    registry,
    reporting,
    reports,
    simulate,
    tracker,
)
from deploy.local.browser import install_browser
from deploy.local.helm import install_helm
from deploy.local.install import install
from deploy.local.office import install_office
from deploy.local.stack import PROJECT, LocalStack, describe

STATE_DIR = PROJECT / ".state" / "run"


def run_install(args) -> None:
    started = time.monotonic()
    installation = install()
    print(f"Kafka jars: {installation.kafka_libs}\nSecantusDB: {installation.database_python}")
    if args.browser:
        print(f"Browser:    {install_browser() or 'not installable here (the dashboard browser test will skip)'}")
    if args.office:
        print(f"LibreOffice: {install_office() or 'not installable here (the document rendering test will skip)'}")
    if args.helm:
        print(f"Helm:       {install_helm() or 'not buildable here, no Go toolchain (the Helm chart test will skip)'}")
    print(f"install checked in {time.monotonic() - started:.1f} s")


DEMO_MARK = "demo-loaded"  # in a stack's state folder: it holds the demo city


def run_up(args) -> None:
    from deploy.demo.load import ALERT_RULES, load_demo

    stack = LocalStack(Path(args.state_dir))
    started = time.monotonic()
    try:
        endpoints = stack.start_infrastructure()
        # The demo's alert rules judge its plan as this year's work (deploy/demo/alert-rules.yaml), also when a
        # stack that holds the demo starts again without loading it (--no-demo): judged by the defaults, its first
        # sweep would clear and raise hundreds of alerts with no data changed.
        already = (stack.state_dir / DEMO_MARK).exists()
        holds_demo = args.demo or already
        urls = stack.start_services(endpoints, **({"alert_rules_file": str(ALERT_RULES)} if holds_demo else {}))
    except BaseException:
        stack.stop()  # a half-started stack is worse than none
        raise
    elapsed = time.monotonic() - started
    # With a clients file (DUBAN_CLIENTS_FILE), the demo is loaded and checked with a city admin's DUBAN_TOKEN.
    # A stack that holds the demo keeps it: loading it again would publish every event of it again (the services
    # would drop them as repeats) and date the measures' 交办 to this start.
    loaded = (load_demo(urls["intake"], urls["tracker"], token=os.environ.get("DUBAN_TOKEN"))
              if args.demo and not already else None)
    held = demo_state(urls, loaded) if loaded else None
    if loaded:
        (stack.state_dir / DEMO_MARK).write_text("the demo city was loaded into this stack\n", encoding="utf-8")
    print(f"\nduban is running (started in {elapsed:.0f} s; state and logs in {stack.state_dir}).")
    if loaded:
        print(f"Demo city 抚州市 loaded through intake: {loaded['measures']} measures "
              f"({loaded['township_measures']} of them the counties' for their townships), "
              f"{loaded['progress_reports']} progress reports.")
        print(f"Supervision loop: {loaded['signed']} assignments signed for, {loaded['completion_requested']} asked "
              f"to close: {loaded['closed_out']} closed out, {loaded['awaiting_verification']} awaiting "
              f"verification, {loaded['returned']} returned.")
        print(f"The tracker holds {held['assignments']} assignments; "
              f"{held['unresolved']} unit names await mapping (GET {urls['tracker']}/v1/unresolved-units).")
    elif holds_demo:
        print("The demo city 抚州市 was loaded into this stack before and is kept (not published again; a stack "
              "started in a new --state-dir loads it afresh).")
    print(f"\n  Dashboard        {urls['reporting']}/")
    if holds_demo:
        # The city's verification queue (待核查) and the inbox (待办) of 市司法局, a unit with many assignments.
        print(f"  Verifying queue  {urls['reporting']}/#/queue/361000")
        print(f"  A unit's inbox   {urls['reporting']}/#/inbox/361000/361000.justice")
    for name, url in urls.items():
        print(f"  {name:<16} {url}/docs")
    print(f"  Kafka            {endpoints.kafka_bootstrap_servers}")
    print(f"  MongoDB (wire)   {endpoints.mongodb_url}")
    own_place = Path(args.state_dir).resolve() != Path(STATE_DIR).resolve()
    print("\nStop everything with " + (f"`duban stack down --state-dir {args.state_dir}`." if own_place
                                       else "`make stop` (or `duban stack down`)."))


def demo_state(urls: dict[str, str], loaded: dict[str, int], timeout: float = 60) -> dict[str, int]:
    """Waits until the tracker has applied the demo's reports, and says what it holds."""
    deadline = time.monotonic() + timeout
    token = os.environ.get("DUBAN_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    while True:
        figures = httpx.get(f"{urls['reporting']}/v1/reports/regions/361000", timeout=10, headers=headers).json()
        reported = (figures["completed"] + figures["awaiting_verification"] + figures["in_progress"]
                    + figures["blocked"])
        if reported >= loaded["assignments_reported"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    unresolved = httpx.get(f"{urls['tracker']}/v1/unresolved-units", timeout=10, headers=headers).json()
    return {"assignments": figures["assignments"], "unresolved": len(unresolved)}


def run_down(args) -> None:
    stopped = LocalStack(Path(args.state_dir)).stop()
    print("stopped: " + (", ".join(stopped) or "nothing was running"))


def run_status(args) -> None:
    print(json.dumps(describe(LocalStack(Path(args.state_dir))), indent=2, ensure_ascii=False))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="duban", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    installing = commands.add_parser("install", help="install Kafka and SecantusDB into the cache (idempotent)")
    installing.add_argument("--browser", action="store_true", help="also Debian's chromium, for the browser test")
    installing.add_argument("--office", action="store_true",
                            help="also Debian's LibreOffice Writer, for the test rendering the .docx documents to PDF")
    installing.add_argument("--helm", action="store_true",
                            help="also helm, built with Go from the module proxy, for the Helm chart's test")
    installing.set_defaults(handler=run_install)
    stack = commands.add_parser("stack", help="the local stack").add_subparsers(dest="action", required=True)
    up = stack.add_parser("up", help="start Kafka, the database and the four services")
    up.add_argument("--no-demo", dest="demo", action="store_false", help="do not load the demo city")
    up.set_defaults(handler=run_up)
    stack.add_parser("down", help="stop everything `up` started").set_defaults(handler=run_down)
    stack.add_parser("status", help="what runs, with pids, ports and logs").set_defaults(handler=run_status)
    for command in stack.choices.values():
        command.add_argument("--state-dir", default=str(STATE_DIR))
    for module in (plans, ledgers, registry, intake, evidence, keys, loop, dlq, tracker, alerts, reporting, reports,
                   simulate):
        module.add_commands(commands)
    args = parser.parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
