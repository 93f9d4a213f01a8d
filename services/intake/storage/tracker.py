"""The tracker's HTTP API, as intake asks it: a unit's assignments (`GET /v1/units/{unit}/assignments`, for the
pre-filled ledger template) and the judgement of a supervision-loop step before it is published
(`POST /v1/loop-steps:judge`). Intake owns no assignments and no loop, and services meet only over HTTP and Kafka."""

from urllib.parse import quote

import httpx

from shared.contracts import CloudEvent


class TrackerUnavailable(Exception):
    """The tracker unreachable or timing out (`slug` tracker-unavailable), or answering something unexpected
    (tracker-error); intake answers 503 with Retry-After."""

    def __init__(self, title: str, detail: str, slug: str):
        super().__init__(detail)
        self.title, self.slug = title, slug


class TrackerClient:
    def __init__(self, tracker_url: str, timeout: float, token: str | None = None):
        """`timeout`: seconds for the whole call; `token`: intake's credential at the tracker, if it needs one."""
        self.tracker_url, self.timeout = tracker_url.rstrip("/"), timeout
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def request(self, method: str, path: str, what: str, **options) -> httpx.Response:
        """The tracker's answer; raises TrackerUnavailable when it does not answer, or answers neither 404 nor JSON
        with 200 (`what`: what was asked, for the message)."""
        try:
            async with httpx.AsyncClient(timeout=self.timeout, headers=self.headers) as client:
                response = await client.request(method, f"{self.tracker_url}{path}", **options)
        except httpx.HTTPError as error:
            raise TrackerUnavailable("Tracker unavailable", f"督办跟踪服务未应答（{type(error).__name__}），"
                                     "请稍后重试", "tracker-unavailable") from error
        json_answer = response.headers.get("content-type", "").startswith("application/json")
        if response.status_code != 404 and (response.status_code != 200 or not json_answer):
            raise TrackerUnavailable("Tracker error", f"督办跟踪服务就{what}答复了 HTTP "
                                     f"{response.status_code}，请稍后重试", "tracker-error")
        return response


class TrackerAssignments(TrackerClient):
    async def of_unit(self, unit: str) -> list[dict]:
        """The unit's assignments as the tracker lists them; [] for a unit the tracker's registry lacks."""
        response = await self.request("GET", f"/v1/units/{quote(unit, safe='')}/assignments", "该单位的任务")
        if response.status_code == 404:
            return []
        if not isinstance(body := response.json(), list):
            raise TrackerUnavailable("Tracker error", "督办跟踪服务未答复该单位的任务清单，请稍后"
                                     "重试", "tracker-error")
        return body

    async def assignment(self, measure_id: str, unit: str) -> dict | None:
        """The unit's assignment on the measure as the tracker lists it (`region_code`, `resolved`, …); None when
        the tracker has no such assignment."""
        return next((each for each in await self.of_unit(unit) if each.get("measure_id") == measure_id), None)


class TrackerLoop(TrackerClient):
    async def judgement(self, event: CloudEvent, acting_for: str | None = None) -> dict | None:
        """The tracker's judgement of a loop step (`{counts, kind, reason}`) taken by a caller acting for
        `acting_for` (a region code; None: an open service), None for an assignment it lacks."""
        response = await self.request("POST", "/v1/loop-steps:judge", "督办环节的判断",
                                      json=event.model_dump(mode="json"),
                                      params={} if acting_for is None else {"acting_for": acting_for})
        return None if response.status_code == 404 else response.json()
