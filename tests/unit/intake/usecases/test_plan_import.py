"""Importing a parsed plan (usecases/plan_import.py) on an in-memory publisher: a preview publishes nothing, an
import one measure-created per measure under ids that repeat on a re-import, and a refused plan nothing."""

import pytest

from services.intake.domain.plans.measures import DuplicateMeasureIds, UnknownRegion
from services.intake.domain.plans.parser import parse_plan
from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
from services.intake.storage.publisher import BrokerUnavailable
from services.intake.usecases.plan_import import NotAPlan, PlanImports
from shared.contracts import Topics
from tests.unit.intake.domain.plans.plan_test_helpers import sample_text
from tests.unit.intake.usecases.fakes import FakePublisher

TOPICS = Topics()
FUZHOU = parse_plan(sample_text("fuzhou-city-2022"))
REGISTRY = load_registry(DEMO_REGISTRY)


async def run(publisher: FakePublisher, plan=FUZHOU, *, preview=False, region_code="361000", registry=REGISTRY):
    return await PlanImports(publisher, TOPICS).run(plan, "fuzhou-2022", region_code, preview=preview,
                                                    registry=registry, registry_source="uploaded",
                                                    source="/duban/intake")


async def test_a_preview_publishes_nothing_and_names_the_unit_names_the_registry_does_not_resolve():
    publisher = FakePublisher()
    answer = await run(publisher, preview=True)
    assert publisher.published == [] and answer.measures == [] and answer.topic is None
    assert answer.plan == FUZHOU.to_json() and answer.registry == "uploaded"
    assert answer.unresolved and all(name.measure_ids for name in answer.unresolved)
    assert (await run(publisher, preview=True, registry=None)).unresolved is None  # not checked without one


async def test_an_import_publishes_one_measure_created_per_measure_keyed_by_its_id_and_again_under_the_same_ids():
    publisher = FakePublisher()
    answer = await run(publisher)
    assert answer.topic == TOPICS.measure_created and len(answer.measures) == len(FUZHOU.measures)
    assert [(topic, event.id, key) for topic, event, key in publisher.published] == [
        (TOPICS.measure_created, m.event_id, m.measure_id) for m in answer.measures]
    assert [m.event_id for m in (await run(FakePublisher())).measures] == [m.event_id for m in answer.measures]


async def test_a_plan_refused_for_what_it_holds_publishes_nothing():
    publisher = FakePublisher()
    with pytest.raises(NotAPlan):
        await run(publisher, parse_plan("会议通知\n请各单位于下周一参加会议。\n"))
    twice = parse_plan("某市法治政府建设实施方案\n一、任务\n"
                       "1.甲任务。〔牵头单位:市司法局〕\n1.乙任务。〔牵头单位:市司法局〕\n")
    with pytest.raises(DuplicateMeasureIds):
        await run(publisher, twice)
    with pytest.raises(UnknownRegion):
        await run(publisher, region_code="999999")
    assert publisher.published == []


async def test_kafka_refusing_midway_raises_after_the_measures_it_took():
    publisher = FakePublisher(takes=3)
    with pytest.raises(BrokerUnavailable):
        await run(publisher)
    assert [event.data.number for event in publisher.on(TOPICS.measure_created)] == [1, 2, 3]
