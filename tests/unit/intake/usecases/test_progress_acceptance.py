"""Accepting progress reports (usecases/progress_acceptance.py) on in-memory fakes: what is published, where,
under which id, and what is refused before anything is."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pymongo.errors import ConnectionFailure

from services.intake.domain.admission import Refused
from services.intake.domain.registry_file import DEMO_REGISTRY, load_registry
from services.intake.storage.catalogue import Catalogue
from services.intake.storage.idempotency import KeyReused
from services.intake.storage.publisher import BrokerUnavailable
from services.intake.usecases.progress_acceptance import ProgressAcceptance
from shared.contracts import Measure, ProgressReport, ProgressWithdrawal, Registry, RegistryPublished, Topics
from tests.support.samples import REPORT
from tests.unit.intake.usecases.fakes import FakeIdempotency, FakePublisher, catalogue

REGISTRY = load_registry(DEMO_REGISTRY)
CITY_ONLY = Registry(regions=[region for region in REGISTRY.regions if region.code == "361000"])
TOPICS = Topics()
SOURCE = "/duban/intake"
MEASURE = Measure(measure_id=REPORT["measure_id"], plan_id="p", region_code="361000", number=17, title="t",
                  lead_units=["临川区政府"], start_date=date(2026, 1, 1))


def report(**changes) -> ProgressReport:
    now = datetime.now(UTC)
    return ProgressReport(**{**REPORT, "reported_at": now.isoformat(), "period": str(now.year), **changes})


def acceptance(known: Catalogue, fallback: Registry | None = REGISTRY, publisher: FakePublisher | None = None,
               ) -> ProgressAcceptance:
    return ProgressAcceptance(known, lambda: fallback, publisher or FakePublisher(), FakeIdempotency(), TOPICS,
                              timedelta(minutes=10))


def knowing(*measures: Measure, caught_up: bool = True) -> Catalogue:
    known = catalogue(caught_up)
    for measure in measures:
        known.add(measure)
    return known


async def test_an_admitted_report_is_published_on_progress_reported_keyed_by_its_assignment():
    publisher = FakePublisher()
    accepting = acceptance(knowing(MEASURE), publisher=publisher)
    sent = report()
    event = await accepting.admit(sent, SOURCE)
    await accepting.publish(event)
    assert publisher.published == [(TOPICS.progress_reported, event, "fuzhou-2022-17|临川区政府")]
    assert (event.source, event.subject, event.data) == (SOURCE, sent.period_key, sent)


async def test_a_report_on_a_measure_intake_knows_not_to_exist_is_refused_and_claims_no_idempotency_key():
    accepting = acceptance(knowing(caught_up=True))
    with pytest.raises(Refused) as refused:
        await accepting.admit(report(), SOURCE, ("/v1/progress", "k-1"))
    assert [error["code"] for error in refused.value.errors] == ["unknown-measure"]
    assert accepting.idempotency.claims == {}


async def test_a_report_on_a_measure_not_read_yet_is_admitted_for_the_tracker_to_judge():
    assert await acceptance(knowing(caught_up=False)).refusals(report(measure_id="not-read-yet")) == []


async def test_the_catalogues_registry_wins_over_the_fallback_and_a_unit_is_judged_again_after_catching_up():
    known = knowing(MEASURE, caught_up=False)
    assert [e["code"] for e in await acceptance(known, fallback=CITY_ONLY).refusals(report())] == ["unknown-unit"]
    known.add_registry(RegistryPublished.wrap(REGISTRY, source=SOURCE, subject="registry"))
    assert await acceptance(known, fallback=CITY_ONLY).refusals(report()) == []

    async def read_the_topics() -> bool:  # catching up reads the registry that has the unit
        newer.add_registry(RegistryPublished.wrap(REGISTRY, source=SOURCE, subject="registry"))
        return True

    newer = Catalogue(read_the_topics)
    newer.add(MEASURE)
    assert await acceptance(newer, fallback=CITY_ONLY).refusals(report()) == []


async def test_a_registry_unit_the_measure_does_not_assign_is_refused():
    errors = await acceptance(knowing(MEASURE)).refusals(report(unit="361002.justice"))
    assert [(e["code"], e["assigned_units"]) for e in errors] == [("unit-not-assigned", ["361002.government"])]


async def test_a_retry_with_the_same_key_gets_the_first_event_id_and_another_body_under_it_is_refused():
    accepting = acceptance(knowing(MEASURE))
    sent = report()
    first = await accepting.admit(sent, SOURCE, ("/v1/progress", "k-1"))
    assert (await accepting.admit(sent, SOURCE, ("/v1/progress", "k-1"))).id == first.id
    assert (await accepting.admit(sent, SOURCE, ("/v1/progress", "k-2"))).id != first.id
    with pytest.raises(KeyReused):
        await accepting.admit(sent.model_copy(update={"percent_complete": 90}), SOURCE, ("/v1/progress", "k-1"))


async def test_a_batch_expands_each_measure_once_and_claims_its_admitted_reports_keys_in_one_call(expansions):
    first = MEASURE.model_copy()  # not yet expanded by another test
    other = MEASURE.model_copy(update={"measure_id": "fuzhou-2022-18", "lead_units": ["临川区政府", "东乡区政府"]})
    accepting = acceptance(knowing(first, other))
    batch = {i: report(measure_id=measure.measure_id, percent_complete=i)
             for i, measure in enumerate([first, other] * 20)}
    batch[40] = report(unit="361002.justice")  # not a unit of MEASURE: refused, its key never claimed
    outcomes = await accepting.admit_all(batch, SOURCE, ("/v1/progress:batch", "m12"))

    assert sorted(expansions) == ["fuzhou-2022-17", "fuzhou-2022-18"]
    assert accepting.idempotency.calls == 1 and len(accepting.idempotency.claims) == 40
    assert list(outcomes) == list(range(41)) and isinstance(outcomes[40], Refused)
    assert [event.data for event in list(outcomes.values())[:40]] == list(batch.values())[:40]

    batch[3] = batch[3].model_copy(update={"percent_complete": 99})  # the same key promised another report
    again = await accepting.admit_all(batch, SOURCE, ("/v1/progress:batch", "m12"))
    assert isinstance(again[3], KeyReused) and isinstance(again[40], Refused)
    assert all(again[i].id == outcomes[i].id for i in range(40) if i != 3)
    assert accepting.idempotency.calls == 2 and len(expansions) == 2


async def test_when_the_idempotency_store_fails_each_admitted_report_of_the_batch_answers_its_error():
    class Unreachable(FakeIdempotency):
        async def event_ids_for(self, scope, bodies):
            raise ConnectionFailure("no server")

    accepting = ProgressAcceptance(knowing(MEASURE), lambda: REGISTRY, FakePublisher(), Unreachable(), TOPICS,
                                   timedelta(minutes=10))
    outcomes = await accepting.admit_all({0: report(), 1: report(unit="361002.justice")}, SOURCE, ("/b", "k"))
    assert isinstance(outcomes[0], ConnectionFailure) and isinstance(outcomes[1], Refused)


async def test_publishing_a_batch_answers_each_event_and_stops_at_none_when_kafka_refuses_some():
    publisher = FakePublisher(takes=2)
    accepting = acceptance(knowing(MEASURE), publisher=publisher)
    events = [await accepting.admit(report(percent_complete=percent), SOURCE) for percent in (10, 20, 30)]
    outcomes = await accepting.publish_all(events)
    assert outcomes[:2] == [None, None] and isinstance(outcomes[2], BrokerUnavailable)
    assert [event.id for event in publisher.on(TOPICS.progress_reported)] == [event.id for event in events[:2]]


async def test_a_withdrawal_is_published_on_progress_withdrawn_keyed_by_its_assignment():
    publisher = FakePublisher()
    withdrawal = ProgressWithdrawal(event_id="e-1", measure_id=MEASURE.measure_id, unit="临川区政府",
                                    region_code="361002", period="2026", reason="sent twice", by="operator")
    event = await acceptance(knowing(), publisher=publisher).withdraw(withdrawal, SOURCE)
    assert publisher.published == [(TOPICS.progress_withdrawn, event, withdrawal.assignment_key)]
    assert event.subject == f"{withdrawal.assignment_key}|2026"
