"""Talking to intake from the command line: one request, the answer as JSON, problems on stderr."""

import json
import sys
from pathlib import Path

import httpx

DEFAULT_INTAKE = "http://127.0.0.1:8000"


def add_intake_option(parser) -> None:
    parser.add_argument("--intake", default=DEFAULT_INTAKE, help=f"intake's URL (default {DEFAULT_INTAKE})")


def upload(path: str) -> tuple[str, bytes]:
    file = Path(path)
    if not file.is_file():
        sys.exit(f"duban: {path}: no such file")
    return file.name, file.read_bytes()


def call(intake: str, method: str, path: str, **request) -> httpx.Response:
    """The response when it succeeded; otherwise the problem document on stderr and exit status 1."""
    try:
        with httpx.Client(base_url=intake, timeout=120) as client:
            response = client.request(method, path, **request)
    except httpx.HTTPError as error:
        sys.exit(f"duban: intake at {intake} cannot be reached: {error}")
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
