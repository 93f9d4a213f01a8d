"""`duban loop`: each command's options become the body intake's route takes (the contract validates it)."""

import argparse

import pytest

from cli.loop import add_commands, step_body
from services.intake.entrypoints.http.loop import RequestBody
from shared.contracts import (
    AssignmentReopening,
    AssignmentSigning,
    CompletionRequest,
    CompletionReturn,
    CompletionVerification,
)

ASSIGNMENT = ["--measure", "m-1", "--unit", "u-1", "--region", "361002", "--by", "张三"]
CHECKER = ["--verifier", "lead_unit", "--verifier-unit", "u-lead"]


def parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command_group", required=True))
    return parser.parse_args(["loop", *argv])


@pytest.mark.parametrize(("argv", "contract"), [
    (["sign", *ASSIGNMENT, "--at", "2026-10-01T09:00:00+08:00"], AssignmentSigning),
    (["request", *ASSIGNMENT, "--narrative", "已完成", "--evidence", "f-1", "--evidence", "台账.xlsx"],
     CompletionRequest),
    (["verify", *ASSIGNMENT, *CHECKER, "--remark", "材料齐全"], CompletionVerification),
    (["return", *ASSIGNMENT, *CHECKER, "--reason", "材料不全"], CompletionReturn),
    (["reopen", *ASSIGNMENT, *CHECKER, "--reason", "复核未完成"], AssignmentReopening),
])
def test_each_command_sends_a_body_its_contract_accepts(argv, contract):
    body = step_body(parsed(*argv))
    step = contract.model_validate({**body, "measure_id": "m-1", "unit": "u-1"})
    assert (step.by, step.region_code) == ("张三", "361002")


def test_the_options_say_what_the_step_carries():
    assert step_body(parsed("request", *ASSIGNMENT, "--narrative", "已完成", "--evidence", "f-1")) == {
        "region_code": "361002", "by": "张三", "narrative": "已完成", "evidence": ["f-1"]}
    assert step_body(parsed("sign", *ASSIGNMENT, "--at", "2026-10-01T09:00:00+08:00"))["signed_at"] == (
        "2026-10-01T09:00:00+08:00")


def test_a_request_cites_stored_files_by_id_as_intakes_route_takes_them():
    body = step_body(parsed("request", *ASSIGNMENT, "--narrative", "已完成", "--evidence-id", "66aa",
                            "--evidence-id", "66bb"))
    assert RequestBody.model_validate(body).evidence_ids == ["66aa", "66bb"]
