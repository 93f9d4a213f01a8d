"""The permission matrix against the running services (four processes with a clients file, the demo city loaded
through intake with a city admin's key): every role x (own region, child, sibling, parent) x the routes, allowed or
refused as the README's table says, reads showing the caller's region only; and the audit trail.

The county keys act for 临川区 (361002): its township 临川演示镇 (361002901) is the child, 东乡区 (361003) the
sibling, 抚州市 (361000) the parent. Allowed means past authentication and authorisation (the route may still
answer 404 or 422 for what the request asks); refused means 403, as a problem document naming why.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest

from deploy.demo.load import load_demo
from deploy.local.stack import LocalStack
from shared.domain.regions import within
from shared.web.clients import Role, new_token, token_hash
from tests.support.browser import FLAGS, chromium_or_skip
from tests.support.stacks import database_names

R, P, V, A = Role.reporter, Role.planner, Role.viewer, Role.admin
COUNTY, REGIONS = "361002", {"own": "361002", "child": "361002901", "sibling": "361003", "parent": "361000"}
# A unit of each region with assignments in the demo (市司法局 leads much of the city's plan).
UNITS = {"361002": "361002.government", "361002901": "361002901.government", "361003": "361003.government",
         "361000": "361000.justice"}
KEYS = {**{f"county-{role}": (COUNTY, [role]) for role in Role}, "city-admin": ("361000", [A]),
        "city-viewer": ("361000", [V]), "dongxiang-admin": ("361003", [A]), "intake": ("361000", [R])}
TOKENS = {name: new_token() for name in KEYS}
UNRESOLVED = "立法项目起草部门"  # the demo's one name the registry lacks


@dataclass(frozen=True)
class Stack:
    urls: dict[str, str]
    measures: dict[str, str]  # region -> a measure assigned to its unit in UNITS


def bearer(name: str) -> dict:
    return {"Authorization": f"Bearer {TOKENS[name]}"}


def wait_for(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"not true after {timeout} s: {what}"
        time.sleep(0.5)
    return found


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("permissions")
    clients = folder / "clients.yaml"
    clients.write_text("clients:\n" + "".join(
        f"  - {{id: {name}, name: {name}, region_code: '{region}', token_sha256: {token_hash(TOKENS[name])}, "
        f"roles: [{', '.join(roles)}]}}\n" for name, (region, roles) in KEYS.items()), encoding="utf-8")
    namespace = folder.name.replace("-", "")[:20]
    local = LocalStack(tmp_path_factory.mktemp("services"), default_ports=False, tie_to_parent=True)
    try:
        urls = local.start_services(infrastructure, {name: {"mongodb_database": database}
                                                     for name, database in database_names(namespace).items()},
                                    topic_prefix=f"{namespace}.", clients_file=str(clients), rate_limit="",
                                    tracker_token=TOKENS["intake"])
        load_demo(urls["intake"], urls["tracker"], token=TOKENS["city-admin"])
        with httpx.Client(timeout=60, headers=bearer("city-admin")) as http:
            def assigned(region: str):
                found = http.get(f"{urls['tracker']}/v1/units/{UNITS[region]}/assignments")
                return found.status_code == 200 and found.json() and found.json()[0]["measure_id"]

            measures = {region: wait_for(lambda r=region: assigned(r), 120, f"assignments of {region}")
                        for region in REGIONS.values()}

            def reported_everywhere():
                figures = [http.get(f"{urls['reporting']}/v1/reports/regions/{code}").json()
                           for code in REGIONS.values()]
                alerts = http.get(f"{urls['alerts']}/v1/alerts", params={"limit": 1000}).json()["items"]
                return all(f.get("assignments") for f in figures) and {a["region_code"][:6] for a in alerts} >= {
                    "361002", "361003"}

            wait_for(reported_everywhere, 180, "figures and alerts in every region")
        yield Stack(urls, measures)
    finally:
        local.stop()


@dataclass(frozen=True)
class Route:
    """A route as the matrix calls it: `request(region, stack)` -> (method, path, options); `scoped`: the region
    decides (else only the role does); `shows(body, region)`: the read's content is filtered to the caller."""

    service: str
    roles: set[Role]
    request: Callable[[str, Stack], tuple[str, str, dict]]
    scoped: bool = True
    filtered: bool = False  # allowed in every region, its content cut to the caller's
    shows: Callable[[object, str], bool] | None = None
    name: str = field(default="", compare=False)


def rows_within(key: str = "region_code", rows: str | None = None) -> Callable[[object, str], bool]:
    def check(body, _region) -> bool:
        listed = body[rows] if rows else body
        return all(within(row[key], COUNTY) for row in listed)

    return check


def report_in(body, region) -> bool:
    return body["region_code"] == region and all(within(child["region_code"], region)
                                                 for child in body.get("children", []))


def progress(region, stack):
    return "POST", "/v1/progress", {"json": {
        "measure_id": stack.measures[region], "unit": UNITS[region], "region_code": region,
        "period": "2026-Q3", "percent_complete": 50, "status": "in_progress"}}


def step(region, stack):
    return ("POST", f"/v1/measures/{stack.measures[region]}/units/{UNITS[region]}:sign",
            {"json": {"region_code": region, "by": "测试"}})


def measure(region, _stack):
    return "POST", "/v1/measures", {"json": {
        "measure_id": f"permissions-{region}-{time.monotonic_ns()}", "plan_id": "permissions", "region_code": region,
        "number": 1, "title": "权限矩阵测试措施", "lead_units": ["测试单位"], "start_date": "2026-01-01"}}


def report(tail: str = "", **params):
    return lambda region, _stack: ("GET", f"/v1/reports/regions/{region}{tail}", {"params": params})


ROUTES = {
    # intake
    "progress": Route("intake", {R}, progress),
    "progress batch": Route("intake", {R}, lambda region, stack: (
        "POST", "/v1/progress:batch", {"json": {"reports": [progress(region, stack)[2]["json"]]}}),
        # A batch is taken whatever its reports' regions; each report outside the caller's is refused alone.
        filtered=True, shows=lambda body, region: (body["items"][0]["status"] == 403) != within(region, COUNTY)),
    "withdraw": Route("intake", {R}, lambda region, stack: (
        "POST", "/v1/progress/nothing-of-the-kind:withdraw", {"json": {}}), scoped=False),
    "sign": Route("intake", {R}, step),
    # Checking a completion is the supervising side's: a unit's own reporter may not close out its own work.
    "verify": Route("intake", {P}, lambda region, stack: (
        "POST", f"/v1/measures/{stack.measures[region]}/units/{UNITS[region]}:verify", {"json": {
            "region_code": region, "by": "测试", "verifier": "supervising_office", "verifier_unit": "361000.office"}})),
    "ledger template": Route("intake", {R}, lambda region, _stack: (
        "GET", "/v1/ledgers/template.xlsx", {"params": {"unit": UNITS[region]}})),
    "ledger import": Route("intake", {R}, lambda *_: ("POST", "/v1/ledgers:import", {}), scoped=False),
    "measure": Route("intake", {P}, measure),
    "plan parse": Route("intake", {P}, lambda *_: ("POST", "/v1/plans:parse", {}), scoped=False),
    "plan import": Route("intake", {P}, lambda *_: ("POST", "/v1/plans:import", {}), scoped=False),
    "registry": Route("intake", {P}, lambda *_: ("POST", "/v1/registry", {}), scoped=False),
    "evidence upload": Route("intake", {R}, lambda region, _stack: ("POST", "/v1/evidence", {
        "data": {"region_code": region}, "files": {"file": ("会议纪要.txt", f"{region}的会议纪要".encode())}})),
    "evidence list": Route("intake", {R, P, V}, lambda region, stack: ("GET", "/v1/evidence", {"params": {
        "measure_id": stack.measures[region], "unit": UNITS[region]}}), filtered=True),
    "evidence file": Route("intake", {R, P, V}, lambda *_: ("GET", "/v1/evidence/nothing", {}), scoped=False),
    "evidence preview": Route("intake", {R, P, V}, lambda *_: ("GET", "/v1/evidence/nothing/preview", {}),
                              scoped=False),
    # tracker
    "measure state": Route("tracker", {V, R}, lambda region, stack: (
        "GET", f"/v1/measures/{stack.measures[region]}", {}), filtered=True, shows=rows_within(rows="assignments")),
    "unit assignments": Route("tracker", {V, R}, lambda region, _stack: (
        "GET", f"/v1/units/{UNITS[region]}/assignments", {}), shows=rows_within()),
    "report history": Route("tracker", {V, R}, lambda region, stack: (
        "GET", f"/v1/measures/{stack.measures[region]}/units/{UNITS[region]}/reports", {})),
    "timeline": Route("tracker", {V, R}, lambda region, stack: (
        "GET", f"/v1/measures/{stack.measures[region]}/units/{UNITS[region]}/timeline", {})),
    "region": Route("tracker", {V, P, R}, lambda region, _stack: ("GET", f"/v1/regions/{region}", {}),
                    shows=lambda body, region: body["code"] == region),
    "unresolved": Route("tracker", {P}, lambda *_: ("GET", "/v1/unresolved-units", {}), scoped=False),
    "unit mapping": Route("tracker", {P}, lambda region, _stack: (
        "PUT", f"/v1/unit-mappings/{UNRESOLVED}", {"json": {"unit_ids": [UNITS[region]]}})),
    "judge": Route("tracker", {R}, lambda *_: ("POST", "/v1/loop-steps:judge", {"json": {}}), scoped=False),
    # alerts
    "alerts": Route("alerts", {V}, lambda region, _stack: ("GET", "/v1/alerts", {"params": {
        "region_code": region, "limit": 1000}}), shows=lambda body, region: all(
        within(item["region_code"], region) for item in body["items"])),
    "flagged units": Route("alerts", {V}, lambda region, _stack: (
        "GET", "/v1/alerts/units", {"params": {"region_code": region}}), shows=rows_within()),
    "flagged regions": Route("alerts", {V}, lambda region, _stack: (
        "GET", "/v1/alerts/regions", {"params": {"region_code": region}})),
    "overdue": Route("alerts", {V}, lambda region, _stack: (
        "GET", "/v1/alerts/overdue", {"params": {"region_code": region}}), shows=rows_within()),
    "lights": Route("alerts", {V}, lambda region, _stack: ("GET", "/v1/lights", {"params": {
        "region_code": region, "limit": 1000}}), shows=lambda body, region: all(
        within(item["region_code"], region) for item in body["items"])),
    "sweep": Route("alerts", {P}, lambda *_: ("POST", "/v1/alerts:sweep", {"params": {"as_of": "not a day"}}),
                   scoped=False),
    "acknowledge": Route("alerts", {P}, lambda *_: (
        "POST", "/v1/alerts/nothing:acknowledge", {"json": {"comment": "已阅"}}), scoped=False),
    "urge": Route("alerts", {P}, lambda *_: ("POST", "/v1/alerts/nothing:urge", {"json": {}}), scoped=False),
    "urges": Route("alerts", {V}, lambda *_: ("GET", "/v1/alerts/nothing/urges", {}), scoped=False),
    "subscribe": Route("alerts", {A}, lambda region, _stack: (
        "POST", "/v1/subscriptions", {"json": {"region_code": region, "url": "http://127.0.0.1:9/hook"}})),
    "subscriptions": Route("alerts", {A}, lambda *_: ("GET", "/v1/subscriptions", {}), scoped=False,
                           shows=rows_within()),
    "add channel": Route("alerts", {A}, lambda region, _stack: ("POST", "/v1/channels", {"json": {
        "region_code": region, "name": "测试群", "kind": "wecom", "key": "k"}})),
    "channels": Route("alerts", {A}, lambda region, _stack: (
        "GET", "/v1/channels", {"params": {"region_code": region}}), shows=rows_within()),
    # reporting
    "region report": Route("reporting", {V}, report(), shows=report_in),
    "region units": Route("reporting", {V}, report("/units"), shows=lambda body, region: all(
        within(row["region_code"], region) for row in body)),
    "region measures": Route("reporting", {V}, report("/measures")),
    "region chapters": Route("reporting", {V}, report("/chapters")),
    "region lead units": Route("reporting", {V}, report("/lead-units")),
    "region ranking": Route("reporting", {V}, report("/ranking")),
    "region alerts": Route("reporting", {V}, report("/alerts")),
    "region unit": Route("reporting", {V}, lambda region, _stack: (
        "GET", f"/v1/reports/regions/{region}/units/{UNITS[region]}", {})),
    "region as of": Route("reporting", {V}, report("/as-of/2026-06-30")),
    "region history": Route("reporting", {V}, report("/history", since="2026-09-01")),
    "workbook": Route("reporting", {V}, report(".xlsx")),
    "csv": Route("reporting", {V}, report(".csv")),
    "bulletin": Route("reporting", {V}, report("/bulletin.docx", period="2026-10")),
    "measure report": Route("reporting", {V}, lambda region, stack: (
        "GET", f"/v1/reports/measures/{stack.measures[region]}", {"params": {"region_code": region}})),
    "annual": Route("reporting", {V}, lambda region, _stack: (
        "GET", "/v1/reports/annual", {"params": {"region_code": region, "year": 2026}})),
    "annual workbook": Route("reporting", {V}, lambda region, _stack: (
        "GET", "/v1/reports/annual.xlsx", {"params": {"region_code": region, "year": 2026}})),
    "annual document": Route("reporting", {V}, lambda region, _stack: (
        "GET", "/v1/reports/annual.docx", {"params": {"region_code": region, "year": 2026}})),
    "annual page": Route("reporting", {V}, lambda region, _stack: ("GET", f"/reports/annual/{region}/2026", {})),
    "documents": Route("reporting", {V}, lambda region, _stack: (
        "GET", "/v1/reports/documents", {"params": {"region_code": region}})),
    "document": Route("reporting", {V}, lambda *_: ("GET", "/v1/reports/documents/nothing.docx", {}), scoped=False),
    "operations": Route("reporting", {A}, lambda *_: ("GET", "/v1/operations", {}), scoped=False),
    "region lights": Route("reporting", {V}, report("/lights", year=2026)),
    "inbox": Route("reporting", {V, R, P}, lambda region, _stack: ("GET", f"/v1/units/{UNITS[region]}/inbox", {})),
    "verification queue": Route("reporting", {V, R, P}, lambda region, _stack: (
        "GET", f"/v1/regions/{region}/verification-queue", {})),
    "item timeline": Route("reporting", {V, R, P}, lambda region, stack: (
        "GET", f"/v1/measures/{stack.measures[region]}/units/{UNITS[region]}/timeline", {})),
    "scores": Route("reporting", {V}, lambda region, _stack: ("GET", "/v1/scores", {"params": {
        "region_code": region}}), shows=lambda body, region: all(
        within(row["region_code"], region) for row in body["unit_ranking"])),
    "unit score": Route("reporting", {V}, lambda region, _stack: ("GET", f"/v1/scores/units/{UNITS[region]}", {})),
    "scoring rules": Route("reporting", {V}, lambda *_: ("GET", "/v1/scores/rules", {}), scoped=False),
    # the audit trail, on each service
    **{f"{service} audit": Route(service, {A}, lambda region, _stack: (
        "GET", "/v1/audit", {"params": {"region_code": region}}), shows=lambda body, region: all(
        within(record["region_code"], region) for record in body)) for service in
       ("intake", "tracker", "alerts", "reporting")},
}


def allowed(route: Route, role: Role, relation: str) -> bool:
    in_scope = relation in ("own", "child") or not route.scoped or route.filtered
    return (role in route.roles or role is A) and in_scope


def test_every_role_in_every_region_on_every_route(stack):
    wrong = []
    with httpx.Client(timeout=120) as http:
        for name, route in ROUTES.items():
            for role in Role:
                for relation, region in REGIONS.items():
                    if not route.scoped and relation != "own":
                        continue  # the region plays no part: once per role
                    method, path, options = route.request(region, stack)
                    answer = http.request(method, f"{stack.urls[route.service]}{path}",
                                          headers=bearer(f"county-{role}"), **options)
                    expected = allowed(route, role, relation)
                    got = answer.status_code not in (401, 403)
                    if got != expected or answer.status_code >= 500:
                        wrong.append((name, str(role), relation, answer.status_code, answer.text[:200]))
                    elif not expected and not answer.json()["type"].endswith(
                            "missing-role" if role not in route.roles and role is not A else "outside-region"):
                        wrong.append((name, str(role), relation, "refused for the wrong reason", answer.json()))
                    elif expected and route.shows and answer.status_code == 200 and not route.shows(
                            answer.json(), region):
                        wrong.append((name, str(role), relation, "shows outside the caller's region"))
    assert wrong == []


def test_a_county_sees_its_county_and_the_city_sees_every_county(stack):
    with httpx.Client(timeout=60) as http:
        def read(key: str, service: str, path: str, **params):
            return http.get(f"{stack.urls[service]}{path}", params=params, headers=bearer(key))

        county_alerts = read("county-viewer", "alerts", "/v1/alerts", limit=1000).json()["items"]
        city_alerts = read("city-viewer", "alerts", "/v1/alerts", limit=1000).json()["items"]
        assert county_alerts and all(within(a["region_code"], COUNTY) for a in county_alerts)
        assert {a["region_code"][:6] for a in city_alerts} >= {"361002", "361003"}
        city = read("city-viewer", "reporting", "/v1/reports/regions/361000").json()
        assert {"361002", "361003"} <= {child["region_code"] for child in city["children"]}
        county = read("county-viewer", "reporting", "/v1/reports/regions/361002").json()
        assert {child["region_code"] for child in county["children"]} >= {"361002901"}
        assert read("county-viewer", "reporting", "/v1/reports/credential").json()["region_code"] == COUNTY
        measure = read("county-viewer", "tracker", f"/v1/measures/{stack.measures[REGIONS['parent']]}").json()
        everywhere = read("city-viewer", "tracker", f"/v1/measures/{stack.measures[REGIONS['parent']]}").json()
        assert all(within(a["region_code"], COUNTY) for a in measure["assignments"])
        assert len(measure["assignments"]) < len(everywhere["assignments"])
        refused = read("county-viewer", "reporting", "/v1/reports/regions/361000")
        assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"


def test_the_audit_trail_keeps_a_sequence_of_changes_in_order_for_admins_in_scope_only(stack):
    intake = stack.urls["intake"]
    with httpx.Client(timeout=60) as http:
        sent = []
        for percent in (10, 20, 30):
            _, path, options = progress("361002901", stack)
            options["json"]["percent_complete"] = percent
            answer = http.post(f"{intake}{path}", headers=bearer("county-reporter"), **options)
            assert answer.status_code == 202, answer.text
            sent.append(answer.json()["event_id"])
        before_refusal = datetime.now(UTC).isoformat()
        _, path, options = progress("361003", stack)
        refused = http.post(f"{intake}{path}", headers=bearer("county-reporter"), **options)
        assert refused.status_code == 403

        def audit(**params) -> list[dict]:
            return http.get(f"{intake}/v1/audit", params={"client": "county-reporter", "limit": 1000, **params},
                            headers=bearer("county-admin")).json()

        # a record is stored once its answer is sent: a moment after the client has it
        def stored() -> list[dict] | None:
            trail = audit()
            changes = [r for r in trail if r["outcome"] == "accepted" and r["event_ids"][:1] in ([e] for e in sent)]
            return changes if len(changes) == 3 and audit(outcome="refused", since=before_refusal) else None

        changes = wait_for(stored, 30, "the three changes and the refusal in the trail")
        assert [r["event_ids"] for r in changes] == [[event_id] for event_id in sent]
        assert all((r["client_id"], r["roles"], r["scope"], r["role"], r["region_code"], r["method"], r["route"])
                   == ("county-reporter", ["reporter"], COUNTY, "reporter", "361002901", "POST", "/v1/progress")
                   and r["address"] == "127.0.0.1" and r["at"] for r in changes)
        assert [r["at"] for r in changes] == sorted(r["at"] for r in changes)
        [last] = audit(outcome="refused", since=before_refusal)
        assert last["status"] == 403 and "361003" in last["reason"] and last["path"] == "/v1/progress"

        other = http.get(f"{intake}/v1/audit", params={"region_code": COUNTY}, headers=bearer("dongxiang-admin"))
        assert other.status_code == 403 and other.json()["type"] == "/problems/outside-region"
        own = http.get(f"{intake}/v1/audit", params={"limit": 1000}, headers=bearer("dongxiang-admin")).json()
        assert not {event_id for r in own for event_id in r["event_ids"]} & set(sent)


def test_the_dashboard_signs_in_with_a_key_and_shows_the_keys_county(stack):
    chromium = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page.goto(f"{stack.urls['reporting']}/")
            page.wait_for_selector("#sign-in:not([hidden])", timeout=30_000)  # its first call was asked for a key
            assert not page.is_visible("#sign-out")
            page.fill("#key", TOKENS["county-viewer"])
            page.click("#sign-in button")
            page.wait_for_selector("body[data-ready='#/region/361002']", timeout=60_000)  # the key's county
            assert page.is_visible("#sign-out") and not page.is_visible("#sign-in")
            assert page.evaluate("sessionStorage.getItem('duban-key')") == TOKENS["county-viewer"]
            shown = page.inner_text("#view")
            assert "临川区" in shown and "东乡区" not in shown and "加载失败" not in shown
        finally:
            browser.close()
