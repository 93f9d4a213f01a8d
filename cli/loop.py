"""`duban loop`: the supervision loop's steps on one assignment, through intake (its routes judge and publish them):
sign, request (completion, with evidence), verify, return, reopen."""

from urllib.parse import quote

from cli.intake import add_intake_option, call, print_json

# command -> (intake's action, help)
STEPS = {
    "sign": ("sign", "签收: the unit signs for its assignment"),
    "request": ("request-completion", "办结申请: the unit asks to close its assignment, with a narrative and evidence"),
    "verify": ("verify", "核查销号: the lead unit or the supervising office closes it out"),
    "return": ("return", "退回: send the completion request back, with the reason"),
    "reopen": ("reopen", "reopen a closed-out assignment, with the reason"),
}
CHECKING = ("verify", "return", "reopen")


def add_commands(subparsers) -> None:
    loop = subparsers.add_parser("loop", help="the supervision loop of an assignment (督办闭环)").add_subparsers(
        dest="action", required=True)
    for command, (_, summary) in STEPS.items():
        step = loop.add_parser(command, help=summary)
        step.add_argument("--measure", required=True, help="the measure id, e.g. fuzhou-2022-17")
        step.add_argument("--unit", required=True, help="the assigned unit, as the tracker keys it (registry id)")
        step.add_argument("--region", required=True, help="the unit's region code, e.g. 361002")
        step.add_argument("--by", required=True, help="who takes the step, e.g. 张三")
        step.add_argument("--at", help="when (ISO 8601 with a zone; default now)")
        step.add_argument("--idempotency-key", help="a retry with the same key returns the first event id")
        if command == "request":
            step.add_argument("--narrative", required=True, help="what was done")
            step.add_argument("--evidence", action="append", default=[], help="a supporting file's link or name "
                                                                                "(repeat for several)")
            step.add_argument("--evidence-id", action="append", default=[], help="a file stored on intake (`duban "
                              "evidence upload` prints its id; repeat for several)")
        if command in CHECKING:
            step.add_argument("--verifier", required=True, choices=["lead_unit", "supervising_office"])
            step.add_argument("--verifier-unit", required=True, help="the lead unit's or the office's registry id")
        if command == "verify":
            step.add_argument("--remark", default="", help="the verifier's remark")
        if command in ("return", "reopen"):
            step.add_argument("--reason", required=True)
        add_intake_option(step)
        step.set_defaults(handler=run_step, command=command)


def step_body(args) -> dict:
    """The step as intake's route takes it, from the command's options."""
    at_field = {"sign": "signed_at", "request": "requested_at", "verify": "verified_at", "return": "returned_at",
                "reopen": "reopened_at"}[args.command]
    body = {"region_code": args.region, "by": args.by, **({at_field: args.at} if args.at else {})}
    if args.command == "request":
        body |= {"narrative": args.narrative, "evidence": args.evidence,
                 **({"evidence_ids": args.evidence_id} if args.evidence_id else {})}
    if args.command in CHECKING:
        body |= {"verifier": args.verifier, "verifier_unit": args.verifier_unit}
    if args.command == "verify":
        body["remark"] = args.remark
    if args.command in ("return", "reopen"):
        body["reason"] = args.reason
    return body


def run_step(args) -> None:
    action = STEPS[args.command][0]
    headers = {"Idempotency-Key": args.idempotency_key} if args.idempotency_key else {}
    path = f"/v1/measures/{quote(args.measure, safe='')}/units/{quote(args.unit, safe='')}:{action}"
    print_json(call(args, "POST", path, json=step_body(args), headers=headers).json())
