"""A unit's assignments, from the tracker's HTTP API (`GET /v1/units/{unit}/assignments`): intake owns no
assignments, and services meet only over HTTP and Kafka. Failures are 503 problem documents with Retry-After:
the tracker unreachable or timing out (tracker-unavailable), or answering anything but a list (tracker-error)."""

from urllib.parse import quote

import httpx

from shared.problems import Problem


async def unit_assignments(tracker_url: str, unit: str, timeout: float, retry_after: int) -> list[dict]:
    url = f"{tracker_url.rstrip('/')}/v1/units/{quote(unit, safe='')}/assignments"
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.get(url)
    except httpx.HTTPError as error:
        raise Problem(503, "Tracker unavailable", f"the tracker did not answer ({type(error).__name__}); "
                      "try again shortly", slug="tracker-unavailable",
                      headers={"Retry-After": str(retry_after)}) from error
    if response.status_code == 404:
        return []  # a unit the tracker's registry lacks: no assignments (the caller answers 404)
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
    if response.status_code != 200 or not isinstance(body, list):
        raise Problem(503, "Tracker error", f"the tracker answered HTTP {response.status_code} for the unit's "
                      "assignments; try again shortly", slug="tracker-error", headers={"Retry-After": str(retry_after)})
    return body
