"""`duban evidence`: the upload's form as intake's route takes it, and a download's file name from its
Content-Disposition (the one intake writes, RFC 5987)."""

import argparse

import pytest

from cli.evidence import add_commands, name_of, upload_form
from services.intake.entrypoints.http.evidence import content_disposition


def parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command_group", required=True))
    return parser.parse_args(["evidence", *argv])


def test_an_upload_names_its_region_and_optionally_its_assignment():
    assert upload_form(parsed("upload", "a.pdf", "--region", "361002")) == {"region_code": "361002"}
    assert upload_form(parsed("upload", "a.pdf", "--region", "361002", "--measure", "m-1", "--unit", "u-1")) == {
        "region_code": "361002", "measure_id": "m-1", "unit": "u-1"}
    with pytest.raises(SystemExit, match="give both or neither"):
        upload_form(parsed("upload", "a.pdf", "--region", "361002", "--measure", "m-1"))


@pytest.mark.parametrize("name", ["临川区出庭应诉台账（2026年）.xlsx", "report 1.pdf", "a;b\"c.txt"])
def test_a_download_is_written_under_the_name_intake_gives(name):
    assert name_of(content_disposition("attachment", name)) == name


def test_a_name_cannot_lead_out_of_the_folder():
    assert name_of("attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd") == "passwd"
