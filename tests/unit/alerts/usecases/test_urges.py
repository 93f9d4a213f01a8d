"""Urging an open alert by hand, on in-memory stores: the urge is recorded with its assignment-urged event, published
keyed by the assignment; what Kafka refuses stays pending and goes out with the next evaluation, under the same id;
a retried request is the first urge again, and publishes nothing new."""

import asyncio
from datetime import date

import pytest

from services.alerts.usecases.urges import Urging, urge_id
from shared.contracts import AssignmentUrged, CloudEvent
from shared.domain.calendar import today_in_china
from tests.unit.alerts.usecases.fakes import FakeAlertStore, FakeInputs, FakeNotificationStore
from tests.unit.alerts.usecases.test_evaluate import KEY, WARNING_DAY, Published, refuse, service_on, take_in, updated


class Keyed(list):
    """What was published, with its Kafka key."""

    async def __call__(self, event: CloudEvent, key: str) -> None:
        await asyncio.sleep(0)
        self.append((event, key))


class Notifier:
    """The delivery loop's wake-up, which an urge that queued anything sets."""

    def __init__(self):
        self.wake = asyncio.Event()


@pytest.fixture
def world():
    """Fake stores, and a service that publishes (the raised alert its sweep owes before any urge)."""
    inputs, store = FakeInputs(), FakeAlertStore()
    return inputs, store, service_on(inputs, store, Published())


async def test_an_urge_refused_by_kafka_stays_pending_and_a_retry_is_the_same_urge(world):
    inputs, store, service = world
    await take_in(inputs, service, updated(1))
    await service.sweep(WARNING_DAY)
    notifications, notifier = FakeNotificationStore({"c-city": "361000", "c-other": "361003"}, store.urges), Notifier()
    stored = store.open[KEY]

    refused = Urging(notifications, notifier, service_on(inputs, store, refuse))
    urge = await refused.urge(stored, "市依法治市办", "请本周内报送")
    assert (urge["queued"], urge["already_notified"], notifier.wake.is_set()) == (["c-city"], [], True)
    assert urge["_id"] == urge_id(stored["episode"], today_in_china(), "市依法治市办", "请本周内报送")
    assert [event["type"] for event in store.urges[urge["_id"]]["outbox"]] == ["assignment-urged"]

    keyed = Keyed()
    assert (await service_on(inputs, store, keyed).sweep(WARNING_DAY)).published == 1
    [(event, key)] = keyed
    assert isinstance(event, AssignmentUrged) and (event.id, key) == (urge["_id"], "m-1|361000.justice")
    assert (event.data.alert_key, event.data.alert_kind, event.data.by, event.data.comment, event.data.queued) == (
        KEY, "overdue", "市依法治市办", "请本周内报送", ["c-city"])
    assert store.urges[urge["_id"]]["outbox"] == [] and "pending" not in store.urges[urge["_id"]]

    urging = Urging(notifications, notifier, service_on(inputs, store, keyed))
    again = await urging.urge(stored, "市依法治市办", "请本周内报送")  # a retried request: the first urge
    assert (again["_id"], again["queued"], again["at"]) == (urge["_id"], ["c-city"], urge["at"])
    assert len(keyed) == 1
    other = await urging.urge(stored, "市依法治市办", None)  # other words: another urge, the channel reminded today
    assert (other["queued"], other["already_notified"]) == ([], ["c-city"])
    assert [event.id for event, _ in keyed] == [urge["_id"], other["_id"]]


def test_an_urges_id_is_one_per_episode_day_person_and_words():
    day = date(2026, 11, 30)
    first = urge_id("ep-1", day, "张三", "请报送")
    assert first == urge_id("ep-1", day, "张三", "请报送") and first.startswith("ep-1.urge-2026-11-30-")
    assert len({first, urge_id("ep-2", day, "张三", "请报送"), urge_id("ep-1", date(2026, 12, 1), "张三", "请报送"),
                urge_id("ep-1", day, "李四", "请报送"), urge_id("ep-1", day, "张三", None),
                urge_id("ep-1", day, None, "张三请报送")}) == 6
