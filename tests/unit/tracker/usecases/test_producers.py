"""The tracker's admission (usecases/producers.py): open without a clients file; with one, each event's source looked
up in the file as it is now (intake's `/clients/<id>` and the systems' kafka_sources) and judged by the domain."""

from services.tracker.usecases.producers import producer_scopes
from shared.web import clients as clients_module
from shared.web.clients import ClientEntry, Clients, Role, read_entries, write_entries
from tests.unit.tracker.domain.test_producers import SOURCE, report

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
    assert "names no credential" in admit(report().model_copy(update={"source": INTAKE}))
    assert admit(report("361003")) is None
    assert "(region 361003)" in admit(report())
    write_entries(path, [entry.model_copy(update={"region_code": "361000"}) for entry in read_entries(path)])
    assert admit(report()) is None  # the file as it is now
