"""`duban plan parse` (locally, no service needed) and `duban plan import` (through intake)."""

import sys

from cli.intake import add_intake_option, call, print_json, upload


def add_commands(subparsers) -> None:
    plan = subparsers.add_parser("plan", help="plan documents (.txt, .docx, .pdf)").add_subparsers(dest="action",
                                                                                             required=True)
    parse = plan.add_parser("parse", help="print a plan's measures, units, deadlines and targets")
    parse.add_argument("file")
    parse.add_argument("--json", action="store_true", help="the parser's JSON instead of a summary")
    parse.set_defaults(handler=run_parse)

    load = plan.add_parser("import", help="publish a plan's measures as measure-created through intake")
    load.add_argument("file")
    load.add_argument("--plan-id", required=True, help="e.g. fuzhou-2022; measure ids are <plan-id>-<number>")
    load.add_argument("--region", required=True, help="the issuing region's code (GB/T 2260), e.g. 361000")
    load.add_argument("--preview", action="store_true", help="show the parse and unresolved units; publish nothing")
    load.add_argument("--registry", help="a registry YAML to resolve unit names against (default: intake's)")
    load.add_argument("--start-date", help="ISO date work starts (default: 1 January of the plan's first year)")
    add_intake_option(load)
    load.set_defaults(handler=run_import)


def run_parse(args) -> None:
    from services.intake.domain.documents import LimitExceeded, UnreadableDocument, parse_document

    name, content = upload(args.file)
    try:
        plan = parse_document(name, content)
    except (UnreadableDocument, LimitExceeded) as error:
        sys.exit(f"duban: {error}")
    if args.json:
        print_json(plan.to_json())
    elif not plan.is_plan:
        print(plan.reason)
    else:
        for measure in plan.measures:
            print(summary(measure.to_json()))
        print(f"{len(plan.measures)} measures")
    if not plan.is_plan:
        sys.exit(1)


def summary(measure: dict) -> str:
    lead, responsible = "、".join(measure["lead_units"]) or "—", "、".join(measure["responsible_units"]) or "—"
    lines = [f"{measure['number']:>3}. {measure['title']}", f"     牵头 {lead}  责任 {responsible}"]
    lines += [f"     deadline {d['text']} → {d['date'] or ''} {d['recurrence'] or ''}"
              f"{' ongoing' if d.get('ongoing') else ''}".rstrip()
              for d in measure["deadlines"]]
    lines += [f"     target {t['indicator']} {t['comparator']} {t['value']}{t['unit']}" for t in measure["targets"]]
    if measure.get("confidence", "high") != "high":  # the parser's doubts, so a person checks this one
        lines.append(f"     check ({measure['confidence']}): {'; '.join(measure['notes'])}")
    return "\n".join(lines)


def run_import(args) -> None:
    form = {"plan_id": args.plan_id, "region_code": args.region, "preview": str(args.preview).lower()}
    if args.start_date:
        form["start_date"] = args.start_date
    files = {"file": upload(args.file)}
    if args.registry:
        files["registry_file"] = upload(args.registry)
    answer = call(args, "POST", "/v1/plans:import", data=form, files=files).json()
    if args.preview:
        for measure in answer["plan"]["measures"]:
            print(summary(measure))
    else:
        print(f"{len(answer['measures'])} measures published to {answer['topic']} "
              f"(event ids are stable: importing again changes nothing)")
    _print_unresolved(answer)


def _print_unresolved(answer: dict) -> None:
    if answer["unresolved"] is None:
        print("unit names not checked: intake knows no registry yet (`duban registry import`, or --registry)")
    elif answer["unresolved"]:
        print(f"unresolved unit names (registry: {answer['registry']}):")
        for item in answer["unresolved"]:
            print(f"  {item['name']}  in {', '.join(item['measure_ids'])}")
    else:
        print(f"every unit name resolves (registry: {answer['registry']})")
