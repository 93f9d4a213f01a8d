"""The demo loader's HTTP clients (deploy/demo/load.py): a rate limit is waited out, nothing else is retried."""

import httpx

from deploy.demo.load import patient


def serving(answers: list[httpx.Response]) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    return httpx.MockTransport(answer), seen


def test_a_request_answered_429_is_sent_again_after_retry_after_until_it_is_taken():
    limited = httpx.Response(429, headers={"Retry-After": "0"}, json={"type": "/problems/rate-limited"})
    transport, seen = serving([limited, limited, httpx.Response(202, json={"event_id": "e-1"})])
    with httpx.Client(base_url="http://intake", transport=patient(transport)) as intake:
        answer = intake.post("/v1/progress", json={"percent_complete": 40}, headers={"Idempotency-Key": "k"})
    assert answer.status_code == 202 and len(seen) == 3
    assert {request.content for request in seen} == {b'{"percent_complete":40}'}  # the same body each time


def test_a_refusal_or_an_unavailable_service_is_answered_at_once():
    for status in (422, 503):
        transport, seen = serving([httpx.Response(status, json={}), httpx.Response(202, json={})])
        with httpx.Client(base_url="http://intake", transport=patient(transport)) as intake:
            assert intake.post("/v1/progress", json={}).status_code == status and len(seen) == 1
