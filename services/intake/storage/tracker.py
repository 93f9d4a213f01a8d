"""A unit's assignments, from the tracker's HTTP API (`GET /v1/units/{unit}/assignments`): intake owns no
assignments, and services meet only over HTTP and Kafka."""

from urllib.parse import quote

import httpx


class TrackerUnavailable(Exception):
    """The tracker unreachable or timing out (`slug` tracker-unavailable), or answering anything but a list
    (tracker-error); intake answers 503 with Retry-After."""

    def __init__(self, title: str, detail: str, slug: str):
        super().__init__(detail)
        self.title, self.slug = title, slug


class TrackerAssignments:
    def __init__(self, tracker_url: str, timeout: float):
        """`timeout`: seconds for the whole call."""
        self.tracker_url, self.timeout = tracker_url.rstrip("/"), timeout

    async def of_unit(self, unit: str) -> list[dict]:
        """The unit's assignments as the tracker lists them; [] for a unit the tracker's registry lacks."""
        url = f"{self.tracker_url}/v1/units/{quote(unit, safe='')}/assignments"
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.get(url)
        except httpx.HTTPError as error:
            raise TrackerUnavailable("Tracker unavailable", f"the tracker did not answer ({type(error).__name__}); "
                                     "try again shortly", "tracker-unavailable") from error
        if response.status_code == 404:
            return []
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
        if response.status_code != 200 or not isinstance(body, list):
            raise TrackerUnavailable("Tracker error", f"the tracker answered HTTP {response.status_code} for the "
                                     "unit's assignments; try again shortly", "tracker-error")
        return body
