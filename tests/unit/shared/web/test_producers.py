"""Whose events the services apply (shared/web/producers.py) at every edge: the role, the region (own, child, sibling,
parent), a source naming no credential, a credential expired or revoked before or after the event's time; the
admission looking the source up in the clients file as it is now, open without one."""

from datetime import UTC, datetime

import pytest

from shared.contracts import (
    AssignmentSigned,
    AssignmentSigning,
    AssignmentState,
    AssignmentUpdated,
    AssignmentUrge,
    AssignmentUrged,
    CompletionVerification,
    CompletionVerified,
    Measure,
    MeasureCreated,
    ProgressReport,
    ProgressReported,
    ProgressWithdrawal,
    ProgressWithdrawn,
    Region,
    Registry,
    RegistryPublished,
)
from shared.web import clients as clients_module
from shared.web.clients import ClientEntry, Clients, Role, read_entries, write_entries
from shared.web.producers import OUT_OF_SCOPE, producer_scopes, refusal
from tests.support.samples import REPORT

SOURCE = "/external/linchuan-zwfw"
EVENT_TIME = datetime(2026, 10, 8, 1, 30, tzinfo=UTC)


def credential(region: str, *roles: Role, **validity) -> ClientEntry:
    return ClientEntry(id="linchuan-zwfw", name="临川区政务服务平台", region_code=region, token_sha256="0" * 64,
                       kafka_sources=[SOURCE], **({"roles": list(roles)} if roles else {}), **validity)


def sent(event_type, data, source: str = SOURCE):
    return event_type.wrap(data, source=source).model_copy(update={"time": EVENT_TIME})


def report(region: str = "361002"):
    return sent(ProgressReported, ProgressReport(**{**REPORT, "region_code": region}))


def withdrawal():
    return sent(ProgressWithdrawn, ProgressWithdrawal(
        event_id="e1", measure_id="fuzhou-2022-17", unit="临川区政府", region_code="361002", period="2026-Q3",
        reason="填错了", by="临川区"))


def signing():
    return sent(AssignmentSigned, AssignmentSigning(measure_id="fuzhou-2022-17", unit="临川区政府",
                                                    region_code="361002", by="张三"))


def verification():
    return sent(CompletionVerified, CompletionVerification(
        measure_id="fuzhou-2022-17", unit="临川区政府", region_code="361002", by="市司法局",
        verifier="lead_unit", verifier_unit="市司法局"))


def measure(region: str = "361002"):
    return sent(MeasureCreated, Measure(measure_id="m-1", plan_id="p-1", region_code=region, number=1, title="措施",
                                        lead_units=["区司法局"]))


def registry(*codes: str):
    regions = [Region(code="361000", name="抚州市", level="city"),
               *(Region(code=code, name=f"县{code}", level="county", parent_code="361000") for code in codes)]
    return sent(RegistryPublished, Registry(regions=regions))


@pytest.mark.parametrize("event", [report(), report("361002101"), withdrawal(), signing()],
                         ids=["report", "a township's report", "withdrawal", "signing"])
def test_a_reporter_publishes_progress_and_loop_steps_for_its_region_and_below(event):
    assert refusal(event, credential("361002", Role.reporter)) is None
    assert refusal(event, credential("361000", Role.reporter)) is None  # the city's reach every county


@pytest.mark.parametrize("region", ["361003", "361000", "361003101"], ids=["sibling", "parent", "sibling's child"])
def test_a_report_for_a_region_outside_the_credentials_is_refused_naming_source_region_and_scope(region):
    reason = refusal(report(region), credential("361002", Role.reporter))
    assert reason == (f"{OUT_OF_SCOPE}: source '{SOURCE}' is credential 'linchuan-zwfw' (region 361002), which acts "
                      f"for region 361002 and below: progress-reported for region {region} is outside it")


def test_the_role_an_event_needs_is_named_when_missing():
    viewer, reporter = credential("361002", Role.viewer), credential("361002", Role.reporter)
    assert refusal(report(), viewer).endswith(
        "which holds viewer: progress-reported for region 361002 needs the reporter role")
    assert refusal(signing(), credential("361002", Role.planner)).endswith(
        "assignment-signed for region 361002 needs the reporter role")
    assert refusal(measure(), reporter).endswith("measure-created for region 361002 needs the planner role")
    # A unit's own system may not close out its own work: checking a completion is the supervising side's.
    assert refusal(verification(), reporter).endswith("completion-verified for region 361002 needs the planner role")
    assert refusal(verification(), credential("361000", Role.planner)) is None
    assert refusal(measure(), credential("361002", Role.planner)) is None
    assert refusal(report(), credential("361002")) is None  # an entry without roles: admin, every role


def test_a_registry_needs_a_planner_acting_for_every_region_in_it():
    county = credential("361002", Role.planner)
    assert refusal(registry("361002"), credential("361000", Role.planner)) is None
    assert refusal(registry("361002"), county).endswith("registry-published for region 361000 is outside it")
    codes = [f"3610{n:02}" for n in range(3, 10)]
    assert refusal(registry(*codes), county).endswith(
        "registry-published for region 361000, 361003, 361004, 361005, 361006 and 3 more is outside it")


def test_a_source_naming_no_credential_is_refused_saying_so():
    assert refusal(report(), None) == (
        f"{OUT_OF_SCOPE}: source '{SOURCE}' names no credential of the clients file (no entry lists it in "
        "kafka_sources), so nobody may publish progress-reported for region 361002 under it")


@pytest.mark.parametrize("validity", [{"revoked_at": EVENT_TIME}, {"expires_at": datetime(2026, 10, 1, tzinfo=UTC)}])
def test_a_credential_expired_or_revoked_by_the_events_time_is_refused_and_one_ended_later_was_valid(validity):
    assert refusal(report(), credential("361002", Role.reporter, **validity)).endswith(
        "which was expired or revoked at the event's time 2026-10-08T01:30:00+00:00: progress-reported for region "
        "361002 needs a valid credential")
    later = {field: datetime(2026, 10, 9, tzinfo=UTC) for field in validity}
    assert refusal(report(), credential("361002", Role.reporter, **later)) is None


def test_the_services_own_events_are_not_held_to_a_producers_scope():
    state = AssignmentState(measure_id="fuzhou-2022-17", unit="361002.government", unit_name="临川区政府",
                            role="responsible", region_code="361002", revision=1)
    assert refusal(sent(AssignmentUpdated, state, source="/duban/tracker"), None) is None
    # an urge: alerts' route authorised the planner for the alert's region before it was published
    urge = AssignmentUrge(alert_key="overdue|fuzhou-2022-17|361002.government|", alert_kind="overdue", episode="e1",
                          measure_id="fuzhou-2022-17", unit="361002.government", region_code="361002",
                          by="市依法治市办", comment=None, urged_at=EVENT_TIME, day=EVENT_TIME.date(), queued=[],
                          already_notified=[])
    assert refusal(sent(AssignmentUrged, urge, source="/duban/alerts"), None) is None


INTAKE = "/duban/intake"


def test_without_a_clients_file_every_event_is_admitted():
    assert producer_scopes(None, INTAKE) is None


def test_intakes_events_for_a_client_and_a_systems_own_are_held_to_their_credentials(tmp_path, monkeypatch):
    monkeypatch.setattr(clients_module, "RELOAD_SECONDS", 0)
    path = tmp_path / "clients.yaml"
    write_entries(path, [
        ClientEntry(id="linchuan-office", name="临川区督查室", region_code="361002", token_sha256="1" * 64,
                    roles=[Role.reporter]),
        ClientEntry(id="dongxiang-zwfw", name="东乡区政务服务平台", region_code="361003", token_sha256="2" * 64,
                    roles=[Role.reporter], kafka_sources=[SOURCE])])
    admit = producer_scopes(Clients.load(path), INTAKE)
    assert admit(report().model_copy(update={"source": f"{INTAKE}/clients/linchuan-office"})) is None
    assert admit(report().model_copy(update={"source": INTAKE})) is None  # an open intake's, from before the keys
    assert "names no credential" in admit(report().model_copy(update={"source": "/duban/simulate"}))
    assert admit(report().model_copy(update={"source": f"{INTAKE}/clients/oidc:5f0c2a7e"})) is None  # a token's
    assert admit(report("361003")) is None
    assert "(region 361003)" in admit(report())
    write_entries(path, [entry.model_copy(update={"region_code": "361000"}) for entry in read_entries(path)])
    assert admit(report()) is None  # the file as it is now
