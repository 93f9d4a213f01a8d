"""The read model refreshed incrementally gives the figures a full load of the same documents gives."""

import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.reporting.storage.read_model import ReadModel
from tests.unit.reporting.generated import generate_city

TODAY = date(2026, 11, 22)
CITY = generate_city(townships=13, measures=12, assignments=400, departments=(6, 3, 1), seed=8, today=TODAY)
REGIONS = ("361000", "361002", "361002101", "361071")
KINDS = ("overdue", "due_soon", "lagging", "silent")


def assignment_documents() -> dict[str, dict]:
    return {view_key(view): {"_id": view_key(view), **view, "revision": 1} for view in CITY.views()}


def view_key(view: dict) -> str:
    return f"{view['measure_id']}|{view['unit']}"


def model() -> ReadModel:
    return ReadModel(store=None, today=lambda: TODAY)


def full_load(assignments: dict, measures: dict, open_alerts: dict, episodes: dict,
              lights: dict | None = None) -> ReadModel:
    loaded = model()
    loaded.apply({"registry": [{"_id": "current", "registry": CITY.registry}], "measures": list(measures.values()),
                  "assignments": [a for a in assignments.values() if not a.get("removed")],
                  "open_alerts": list(open_alerts.values()), "alert_episodes": list(episodes.values()),
                  "light_changes": list((lights or {}).values())}, "")
    return loaded


def answers(read_model: ReadModel) -> list:
    snapshot = read_model.snapshot
    found = []
    for code in REGIONS:
        found.append(snapshot.region_report(code, TODAY))
        for by in ("units", "measures", "chapters", "lead_units"):
            found.append(snapshot.grouped_report(code, TODAY, "quarter", by))
        found.append(snapshot.ranking(code, TODAY, "quarter", "units"))
        found.append(snapshot.alert_rows(code, limit=1000))
        found.append(snapshot.light_history(code, TODAY.year, TODAY))
    return found


def light_change(rng: random.Random, assignment: dict, number: int) -> dict:
    """A stored assignment-light-changed (reporting_light_changes), the n-th of its assignment by `number`."""
    judged = date(2026, rng.randrange(1, 12), rng.randrange(1, 28))
    return {"_id": f"{assignment['_id']}#light-{number}", "measure_id": assignment["measure_id"],
            "unit": assignment["unit"], "region_code": assignment["region_code"],
            "light": rng.choice(("red", "yellow", "green")), "judged_on": judged.isoformat(),
            "changed_at": datetime(judged.year, judged.month, judged.day, 16, tzinfo=UTC)}


def alert(rng: random.Random, assignment: dict, number: int) -> dict:
    kind = rng.choice(KINDS)
    opened = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=number)
    return {"_id": f"{kind}|{assignment['_id']}|progress", "episode": f"ep{number}", "kind": kind,
            "severity": rng.choice(("info", "warning", "critical")), "measure_id": assignment["measure_id"],
            "unit": assignment["unit"], "region_code": assignment["region_code"], "opened_at": opened}


@settings(max_examples=12, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_an_incremental_refresh_equals_a_full_load_of_the_same_documents(seed):
    rng = random.Random(seed)
    assignments, measures = assignment_documents(), {m["_id"]: m for m in CITY.measures}
    open_alerts, episodes, lights = {}, {}, {}
    live = full_load(assignments, measures, open_alerts, episodes)
    for step in range(rng.randrange(1, 6)):
        changed: dict[str, list] = {"assignments": [], "open_alerts": [], "alert_episodes": [], "measures": [],
                                    "light_changes": []}
        for key in rng.sample(sorted(assignments), rng.randrange(0, 40)):
            document = dict(assignments[key], revision=assignments[key]["revision"] + 1)
            change = rng.random()
            if change < 0.15:
                document["removed"] = True
            elif change < 0.3:
                document["region_code"] = rng.choice(("361002101", "361003", "361000"))
            else:
                document.update(status=rng.choice(("completed", "in_progress", "blocked", "not_started")),
                                percent_complete=float(rng.randrange(0, 101)), periods_reported=["2026-Q4"],
                                reported_at=datetime(2026, 11, rng.randrange(1, 22), tzinfo=UTC),
                                completed_at=datetime(2026, rng.randrange(1, 12), 1, tzinfo=UTC),
                                loop_state=rng.choice(("signed", "in_progress", "completion_requested", "closed_out")))
                document.pop("removed", None)
            assignments[key] = document
            changed["assignments"].append(document)
        for number in range(rng.randrange(0, 15)):
            raised = alert(rng, assignments[rng.choice(sorted(assignments))], step * 100 + number)
            if raised["_id"] in open_alerts:  # a key has one episode open at a time: close the old one first
                continue
            open_alerts[raised["_id"]] = raised
            changed["open_alerts"].append(raised)
        for key in rng.sample(sorted(open_alerts), min(len(open_alerts), rng.randrange(0, 6))):
            closing = open_alerts.pop(key)
            episode = {"_id": closing["episode"], "key": key, **{k: closing[k] for k in (
                "kind", "measure_id", "unit", "region_code", "opened_at")},
                "closed_at": closing["opened_at"] + timedelta(days=rng.choice((1, 40)))}
            episodes[episode["_id"]] = episode
            changed["alert_episodes"].append(episode)
        for number in range(rng.randrange(0, 15)):
            changed_light = light_change(rng, assignments[rng.choice(sorted(assignments))], step * 100 + number)
            lights[changed_light["_id"]] = changed_light
            changed["light_changes"].append(changed_light)
        if rng.random() < 0.3:
            measure_id = rng.choice(sorted(measures))
            measures[measure_id] = {**measures[measure_id], "deadlines": [
                {"text": "按期完成", "date": "2026-01-31", "recurrence": None}]}
            changed["measures"].append(measures[measure_id])
        # The overlap: documents read by an earlier refresh come again, harmlessly.
        changed["assignments"] += rng.sample(list(assignments.values()), 5)
        changed["light_changes"] += rng.sample(list(lights.values()), min(len(lights), 3))
        live.apply(changed, "")
    assert answers(live) == answers(full_load(assignments, measures, open_alerts, episodes, lights))


def test_a_new_day_evaluates_everything_again():
    days = [TODAY]
    read_model = ReadModel(store=None, today=lambda: days[0])
    read_model.apply({"registry": [{"_id": "current", "registry": CITY.registry}], "measures": CITY.measures,
                      "assignments": list(assignment_documents().values())}, "")
    first = read_model.live
    days[0] = TODAY + timedelta(days=1)
    read_model.apply({}, "")
    assert read_model.live is not first and read_model.live.as_of == days[0]


def test_a_refresh_without_changes_evaluates_nothing_again_and_keeps_the_lists():
    read_model = model()
    read_model.apply({"registry": [{"_id": "current", "registry": CITY.registry}], "measures": CITY.measures,
                      "assignments": list(assignment_documents().values())}, "")
    before = read_model.snapshot
    after = read_model.apply({}, "")
    assert after is not before
    assert after.assignments is before.assignments and after.flags is before.flags
    assert after.evaluation(TODAY) is before.evaluation(TODAY)
