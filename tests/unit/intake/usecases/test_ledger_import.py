"""Importing a ledger's read rows (usecases/ledger_import.py) on in-memory fakes: each good row admitted like a
report sent alone, rejections by row in workbook order, and a preview that publishes nothing."""

from datetime import UTC, date, datetime, timedelta

from services.intake.domain.ledgers import LedgerRow, RejectedRow
from services.intake.usecases.ledger_import import import_rows
from services.intake.usecases.progress_acceptance import ProgressAcceptance
from shared.contracts import Measure, ProgressReport, Topics
from shared.web.clients import Client
from tests.support.samples import REPORT
from tests.unit.intake.usecases.fakes import FakeIdempotency, FakePublisher, catalogue

TOPICS = Topics()
NOW = datetime.now(UTC)


def row(number: int, sheet: str = "台账", **changes) -> LedgerRow:
    report = ProgressReport(**{**REPORT, "reported_at": NOW.isoformat(), "period": str(NOW.year), **changes})
    return LedgerRow(row=number, report=report, event_id=f"row-{sheet}-{number}", sheet=sheet)


def acceptance(publisher: FakePublisher) -> ProgressAcceptance:
    known = catalogue(caught_up=True)
    known.add(Measure(measure_id=REPORT["measure_id"], plan_id="p", region_code="361000", number=17, title="t",
                      start_date=date(2026, 1, 1)))
    return ProgressAcceptance(known, lambda: None, publisher, FakeIdempotency(), TOPICS, timedelta(minutes=10))


async def test_good_rows_are_published_under_their_ids_and_the_rest_rejected_by_row_in_workbook_order():
    publisher = FakePublisher()
    good = [row(3), row(4, measure_id="no-such-measure"), row(2, sheet="二季度", region_code="361003")]
    bad = [RejectedRow(row=5, reason="百分比 is not a number", sheet="二季度")]
    county = Client(client_id="linchuan", name="临川区", region_code="361002")
    answer = await import_rows(good, bad, acceptance(publisher), county, "/duban/intake", preview=False)
    assert [(r.sheet, r.row, r.event_id) for r in answer.accepted] == [("台账", 3, "row-台账-3")]
    assert [(r.sheet, r.row) for r in answer.rejected] == [("台账", 4), ("二季度", 2), ("二季度", 5)]
    assert "outside 临川区's region 361002" in answer.rejected[1].reason
    assert [(topic, event.id) for topic, event, _ in publisher.published] == [(TOPICS.progress_reported, "row-台账-3")]


async def test_a_preview_answers_each_rows_report_and_publishes_nothing():
    publisher = FakePublisher(connected=False)  # a preview needs no broker
    answer = await import_rows([row(3)], [], acceptance(publisher), None, "/duban/intake", preview=True)
    assert answer.preview and answer.accepted[0].report == row(3).report and publisher.published == []
