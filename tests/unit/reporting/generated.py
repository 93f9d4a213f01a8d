"""A generated city for reporting tests and the benchmark: registry, measures, assignments, progress.

Documents are shaped as the tracker stores them (collections `registry`, `measures`, `assignments`,
`assignment_progress`: what the alerts service's sweep still reads in some tests); `views()` joins them as the
tracker's assignment-updated carries them (the pure tests), and `events()` gives the events reporting learns the
city from (the integration tests and bench/reporting_rollup.py record them into reporting's own collections).
Counties use 抚州市's GB/T 2260 codes and its two development zones' own codes (361071, 361072); township
codes and every township and department name are synthetic (demo data).
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from services.reporting.domain.assignments import as_reported
from services.reporting.domain.flags import FLAGGED_KINDS, Flag, open_flags
from shared.contracts import (
    AlertCleared,
    AlertNotice,
    AlertRaised,
    AssignmentLightChanged,
    AssignmentSigned,
    AssignmentUpdated,
    CompletionRequested,
    CompletionVerified,
    MeasureCreated,
    RegistryPublished,
)
from shared.domain.calendar import CHINA

CITY = "361000"
COUNTIES = ["361002", "361003", "361021", "361022", "361023", "361024", "361025", "361026", "361027", "361028",
            "361030", "361071", "361072"]
ZONES = ("361071", "361072")  # development zones: codes of our own
CHAPTERS = ["一、依法全面履行政府职能", "二、健全依法行政制度体系", "三、健全行政决策制度体系",
            "四、健全行政执法工作体系", "五、健全突发事件应对体系", "六、健全社会矛盾纠纷行政预防调处化解体系"]
STATUSES = ["not_started", "in_progress", "in_progress", "completed", "completed", "blocked"]
# Deadlines as (years before `today`'s year, month, day): with today in 2026, 2023-12-31 … 2026-12-31, so that
# some have passed and some run on whatever day the tests run.
DEADLINES = [(3, 12, 31), (2, 6, 30), (2, 12, 31), (1, 3, 1), (1, 12, 31), (0, 6, 30), (0, 12, 31)]


@dataclass
class GeneratedCity:
    registry: dict  # shared/contracts/registry.py's Registry, as JSON
    measures: list[dict]
    assignments: list[dict]
    progress: list[dict]

    def views(self) -> list[dict]:
        """The assignments joined with their progress, as the tracker's assignment-updated carries them."""
        progress = {p["_id"]: p for p in self.progress}
        return [as_reported(a, progress.get(a["_id"])) for a in self.assignments]

    def events(self, reports: list[dict] | None = None, at: datetime = datetime(2026, 1, 1, tzinfo=UTC)) -> list:
        """The events reporting learns the city from: the registry, the measures, each assignment's state (its
        first revision, with its current report: `reports`, by default the city's progress, each with its event
        id under `event_id`), as the intake and the tracker publish them."""
        progress = {f"{p['measure_id']}|{p['unit']}": p for p in (self.progress if reports is None else reports)}
        events: list = [RegistryPublished(id="registry-1", source="test", time=at, data=self.registry)]
        events += [MeasureCreated(id=f"measure-{m['_id']}", source="test", time=at,
                                  data={k: v for k, v in m.items() if k != "_id"}) for m in self.measures]
        for assignment in self.assignments:
            report = progress.get(assignment["_id"])
            state = {**as_reported(assignment, report), "revision": 1,
                     "evidence": (report or {}).get("evidence") or [],
                     "evidence_files": (report or {}).get("evidence_files") or [],
                     "report_event_id": report["event_id"] if report else None}
            state["loop_state"] = state["loop_state"] or "assigned"  # nothing reported: not signed for
            state["signed_at"] = state["signed_at"] or signed_at(state)
            events.append(AssignmentUpdated(id=f"{assignment['_id']}#1", source="test", time=at, data=state))
        return events

    def loop_events(self, reports: list[dict] | None = None) -> list:
        """The supervision loop's steps behind the states `events(reports)` carries: every assignment reported on
        was signed for by its unit a day before its report; a completion requested or closed out was requested at
        its completion_requested_at with the report's narrative and evidence; a closed-out one was verified by
        the city's supervising office (its government, demo data) at its closed_out_at."""
        progress = {f"{p['measure_id']}|{p['unit']}": p for p in (self.progress if reports is None else reports)}
        events: list = []
        for assignment in self.assignments:
            report = progress.get(assignment["_id"])
            view = as_reported(assignment, report)
            if report is None or view["loop_state"] is None:
                continue
            who = {"measure_id": view["measure_id"], "unit": view["unit"], "region_code": view["region_code"]}
            contact, signed = f"{view['unit_name']}联络员", signed_at(view)
            events.append(AssignmentSigned(id=f"{assignment['_id']}#signed", source="test", time=signed,
                                           data={**who, "by": contact, "signed_at": signed}))
            if view["loop_state"] in ("completion_requested", "closed_out"):
                requested = view["completion_requested_at"]
                events.append(CompletionRequested(id=f"{assignment['_id']}#requested", source="test", time=requested,
                                                  data={**who, "by": contact, "requested_at": requested,
                                                        "narrative": report.get("narrative") or "已按要求完成,申请办结",
                                                        "evidence": report.get("evidence") or [],
                                                        "evidence_files": report.get("evidence_files") or []}))
            if view["loop_state"] == "closed_out":
                verified = view["closed_out_at"]
                events.append(CompletionVerified(id=f"{assignment['_id']}#verified", source="test", time=verified,
                                                 data={**who, "by": "市督查室", "verified_at": verified,
                                                       "verifier": "supervising_office", "remark": "核查属实,予以销号",
                                                       "verifier_unit": f"{CITY}.government"}))
        return events

    @property
    def regions(self) -> dict[str, dict]:
        return {region["code"]: region for region in self.registry["regions"]}

    def open_alerts(self, today: date) -> list[dict]:
        """The alerts the alerts service's own rules raise on `today`, opened the day before, as the reporting
        snapshot holds them (storage.read_alerts), so the reports' flags come from the real judgement."""
        opened = datetime.combine(today - timedelta(days=1), time(9), CHINA).isoformat()
        return [{**alert.to_json(), "opened_at": opened, "acknowledged": False} for alert in self.judged(today)]

    def judged(self, day: date) -> list:
        """The alerts service's judgement of the current state on `day` (its rules, default thresholds)."""
        from services.alerts.domain.evaluate import evaluate_all  # the alerts service's rules, for test data

        return evaluate_all({m["_id"]: m for m in self.measures}, self.views(), day)

    def alert_flags(self, today: date, earlier: Iterable[date] = ()) -> list[Flag]:
        """The flags of the alerts open on `today`, and the episodes of the alerts judged on `earlier` days."""
        return open_flags(self.open_alerts(today)) + self.episodes(earlier)

    def episodes(self, days: Iterable[date]) -> list[Flag]:
        """For each day, an episode of each alert of a flagged kind judged that day, open through its end (opened
        just after midnight, cleared just after the next), with an overdue alert's due date."""
        flags = []
        for day in days:
            opened, cleared = (datetime.combine(d, time(0, 1), CHINA) for d in (day, day + timedelta(days=1)))
            flags += [Flag(str(a.kind), a.measure_id, a.unit, opened, cleared, a.figures.get("due") and
                           date.fromisoformat(a.figures["due"])) for a in self.judged(day) if a.kind in FLAGGED_KINDS]
        return flags

    def alert_events(self, days: Iterable[date]) -> list:
        """The alerts service's events of the episodes `episodes(days)` describes: each alert of a flagged kind
        judged on a day, raised just after that day's midnight and cleared just after the next."""
        events: list = []
        for day in days:
            opened, cleared = (datetime.combine(d, time(0, 1), CHINA) for d in (day, day + timedelta(days=1)))
            for alert in self.judged(day):
                if alert.kind not in FLAGGED_KINDS:
                    continue
                episode = f"{alert.key}@{day.isoformat()}"
                raised = AlertNotice.of(alert.to_json(), episode, opened, day.isoformat())
                events.append(AlertRaised(id=f"{episode}.raised", source="test", time=opened, data=raised))
                closed = AlertNotice.of(alert.to_json(), episode, opened, day.isoformat(), cleared)
                events.append(AlertCleared(id=f"{episode}.cleared", source="test", time=cleared, data=closed))
        return events


    def light_events(self, days: Iterable[date]) -> list:
        """assignment-light-changed for each assignment on each day, as test data lights it from the alerts judged
        that day (red: overdue; yellow: another alert open; green: none; the alerts service's own light rule is not
        reporting's to restate): one event per change, `<key>#light-<n>`, judged at the day's 18:00 in China."""
        events: list = []
        last: dict[str, tuple[str, int]] = {}
        for day in days:
            kinds: dict[str, set[str]] = {}
            for alert in self.judged(day):
                kinds.setdefault(f"{alert.measure_id}|{alert.unit}", set()).add(str(alert.kind))
            at = datetime.combine(day, time(18), CHINA)
            for assignment in self.assignments:
                key = assignment["_id"]
                found = kinds.get(key, set())
                light = "red" if "overdue" in found else "yellow" if found else "green"
                previous, n = last.get(key, (None, 0))
                if light == previous:
                    continue
                last[key] = (light, n + 1)
                events.append(AssignmentLightChanged(id=f"{key}#light-{n + 1}", source="test", time=at, data={
                    "measure_id": assignment["measure_id"], "unit": assignment["unit"],
                    "region_code": assignment["region_code"], "light": light, "previous": previous,
                    "reasons": sorted(found), "judged_on": day, "changed_at": at}))
        return events


def signed_at(view: dict) -> datetime | None:
    """When the unit signed for an assignment it reported on (test data): a day before its report."""
    return view["reported_at"] - timedelta(days=1) if view.get("loop_state") and view.get("reported_at") else None


def generate_city(*, townships: int = 200, measures: int = 90, assignments: int = 50_000,
                  departments: tuple[int, int, int] = (40, 15, 2), seed: int = 6,
                  today: date = date(2026, 11, 22)) -> GeneratedCity:
    """`departments`: departments per city, county and township (beside each region's government)."""
    rng = random.Random(seed)
    year = today.year
    regions = [_region(CITY, "演示市", "city", None, departments[0])]
    for number, county in enumerate(COUNTIES):
        regions.append(_region(county, f"演示县{number + 1}", "county", CITY, departments[1]))
    for index in range(townships):
        county = COUNTIES[index % len(COUNTIES)]
        code = f"{county}{101 + index // len(COUNTIES):03d}"
        regions.append(_region(code, f"演示镇{index + 1}", "township", county, departments[2]))
    units = [(unit, region["code"]) for region in regions for unit in region["units"]]
    city_departments = [unit for unit in regions[0]["units"] if unit["kind"] == "department"]

    measure_docs, assignment_docs, progress_docs = [], [], []
    per_measure = [assignments // measures + (i < assignments % measures) for i in range(measures)]
    for number in range(1, measures + 1):
        lead = city_departments[number % len(city_departments)]
        measure_id = f"gen-{number}"
        back, month, day = rng.choice(DEADLINES)
        deadlines = [{"text": "按期完成", "date": date(year - back, month, day).isoformat(), "recurrence": None}]
        if number % 7 == 0:
            deadlines = [{"text": "每年3月1日前", "date": f"{year - 3}-03-01", "recurrence": "yearly"}]
        elif number % 13 == 0:
            deadlines = [{"text": "每季度", "date": None, "recurrence": "quarterly"},
                         {"text": f"{year - 1}年底前", "date": f"{year - 1}-12-31", "recurrence": None}]
        elif number % 11 == 0:
            deadlines = []
        targets = ([{"text": "覆盖率达95%以上", "indicator": f"指标{number}", "comparator": ">=", "value": 95.0,
                     "unit": "%"}] if number % 3 == 0 else [])
        measure_docs.append({
            "_id": measure_id, "measure_id": measure_id, "plan_id": "gen", "region_code": CITY, "number": number,
            "title": f"演示措施{number}", "text": "", "chapter": CHAPTERS[(number - 1) * len(CHAPTERS) // measures],
            "lead_units": [lead["name"]], "responsible_units": [], "start_date": f"{year - 4}-01-01",
            "deadlines": deadlines, "targets": targets})
        others = [u for u in units if u[0]["unit_id"] != lead["unit_id"]]
        chosen = [(lead, CITY), *rng.sample(others, per_measure[number - 1] - 1)]
        for unit, region_code in chosen:
            key = f"{measure_id}|{unit['unit_id']}"
            assignment_docs.append({"_id": key, "measure_id": measure_id, "unit": unit["unit_id"],
                                    "unit_name": unit["name"], "role": "lead" if unit is lead else "responsible",
                                    "region_code": region_code, "resolved": True})
            if rng.random() < 0.75:
                progress_docs.append(_progress(rng, key, measure_id, unit["unit_id"], region_code, targets, today))
    return GeneratedCity({"regions": regions}, measure_docs, assignment_docs, progress_docs)


def _region(code: str, name: str, level: str, parent: str | None, departments: int) -> dict:
    units = [{"unit_id": f"{code}.government", "name": f"{name}政府", "kind": "government", "aliases": []}]
    units += [{"unit_id": f"{code}.d{k}", "name": f"{name}部门{k}", "kind": "department", "aliases": []}
              for k in range(1, departments + 1)]
    return {"code": code, "name": name, "level": level, "parent_code": parent,
            "gbt": level != "township" and code not in ZONES, "synthetic": True, "units": units}


def _progress(rng: random.Random, key: str, measure_id: str, unit: str, region_code: str, targets: list[dict],
              today: date) -> dict:
    status = rng.choice(STATUSES)
    percent = 100.0 if status == "completed" else float(rng.choice(range(0, 100, 5)))
    reported_at = datetime(today.year, today.month, today.day, 10, tzinfo=UTC) - timedelta(
        days=rng.randrange(0, 1200), hours=rng.randrange(0, 24))
    values = {t["indicator"]: float(rng.choice([80, 90, 95, 99])) for t in targets if rng.random() < 0.8}
    return {"_id": key, "measure_id": measure_id, "unit": unit, "region_code": region_code,
            "period": f"{reported_at.year}-Q{(reported_at.month - 1) // 3 + 1}", "percent_complete": percent,
            "status": status, "reported_at": reported_at,
            "completed_at": reported_at if status == "completed" else None,
            "narrative": "", "indicator_values": values, "evidence": [], "event_id": f"e-{key}",
            "periods_reported": [f"{reported_at.year}-Q{(reported_at.month - 1) // 3 + 1}"], **_loop(key, status,
                                                                                                  reported_at)}


def _loop(key: str, status: str, reported_at: datetime) -> dict:
    """The supervision loop of a report: a completion is requested with it, and three in four are verified (closed
    out) two days later, the rest still waiting (chosen by the key, not the random stream, so the figures of the
    rest are as before)."""
    if status != "completed":
        return {"loop_state": "in_progress"}
    requested = {"loop_state": "completion_requested", "completion_requested_at": reported_at}
    if sum(map(ord, key)) % 4:
        return {**requested, "loop_state": "closed_out", "closed_out_at": reported_at + timedelta(days=2)}
    return requested
