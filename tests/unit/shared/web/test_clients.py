"""Intake's clients: who they are by token, and which regions they act for."""

from datetime import UTC, datetime

import pytest

from shared.web import clients as clients_module
from shared.web.clients import (
    Clients,
    ClientsFileError,
    Role,
    client_source,
    new_token,
    read_entries,
    token_hash,
    write_entries,
)

CITY, LINCHUAN = new_token(), new_token()


def clients_file(tmp_path, entries: str) -> str:
    path = tmp_path / "clients.yaml"
    path.write_text(entries, encoding="utf-8")
    return str(path)


def entry(client_id: str, region: str, token: str) -> str:
    digest = token_hash(token)
    return f"  - {{id: {client_id}, name: 系统{client_id}, region_code: '{region}', token_sha256: {digest}}}\n"


def test_a_client_is_known_by_its_token_and_acts_for_its_region_and_below(tmp_path):
    clients = Clients.load(clients_file(tmp_path, "clients:\n" + entry("fuzhou", "361000", CITY)
                                        + entry("linchuan", "361002", LINCHUAN)))
    linchuan, city = clients.identify(LINCHUAN), clients.identify(CITY)
    assert (linchuan.client_id, linchuan.name, linchuan.region_code) == ("linchuan", "系统linchuan", "361002")
    assert clients.identify("not-a-token") is None and clients.identify(token_hash(CITY)) is None
    assert [linchuan.may_act_for(code) for code in ("361002", "361002101", "361003", "361000")] == [
        True, True, False, False]
    assert all(city.may_act_for(code) for code in ("361000", "361003", "361071", "361002101"))


@pytest.mark.parametrize("entries", [
    "clients:\n" + entry("a", "361002", CITY) + entry("a", "361003", LINCHUAN),  # one id twice
    "clients:\n" + entry("a", "361002", CITY) + entry("b", "361003", CITY),  # one token twice
    "clients:\n  - {id: a, name: x, region_code: '361002', token_sha256: not-a-hash}\n",
    "clients:\n  - {id: a, name: x, region_code: '3610', token_sha256: " + "0" * 64 + "}\n",
    "clients: [\n",
])
def test_a_clients_file_that_cannot_be_trusted_is_refused_at_start(tmp_path, entries):
    with pytest.raises(ClientsFileError):
        Clients.load(clients_file(tmp_path, entries))
    with pytest.raises(ClientsFileError):
        Clients.load(tmp_path / "missing.yaml")


def test_a_token_pasted_where_its_hash_belongs_is_refused_without_being_repeated(tmp_path):
    path = clients_file(tmp_path, f"clients:\n  - {{id: a, name: x, region_code: '361002', token_sha256: {CITY}}}\n")
    with pytest.raises(ClientsFileError, match="token_sha256") as refused:
        Clients.load(path)
    assert CITY not in str(refused.value) and refused.value.__cause__ is None


def test_an_entry_without_roles_keeps_every_role_in_its_region_and_roles_narrow_it(tmp_path):
    clients = Clients.load(clients_file(tmp_path, "clients:\n" + entry("old", "361002", CITY) + entry(
        "viewer", "361003", LINCHUAN).replace("}", ", roles: [viewer, reporter]}")))
    old, viewer = clients.identify(CITY), clients.identify(LINCHUAN)
    assert old.roles == {Role.admin} and all(old.holds(role) for role in Role)
    assert [viewer.holds(role) for role in Role] == [True, False, True, False]  # reporter, planner, viewer, admin


def test_an_expired_or_revoked_key_is_refused_like_an_unknown_one(tmp_path):
    past, future = "2020-01-01T00:00:00+08:00", "2999-01-01T00:00:00+08:00"
    lines = [entry("expired", "361002", "a"), entry("revoked", "361002", "b"), entry("later", "361002", "c")]
    lines[0] = lines[0].replace("}", f", expires_at: '{past}'}}")
    lines[1] = lines[1].replace("}", f", revoked_at: '{past}'}}")
    lines[2] = lines[2].replace("}", f", expires_at: '{future}'}}")
    clients = Clients.load(clients_file(tmp_path, "clients:\n" + "".join(lines)))
    assert [clients.identify(token) for token in "ab"] == [None, None]
    assert clients.identify("c").client_id == "later"


def test_a_changed_file_is_followed_and_a_broken_one_keeps_the_last_credentials(tmp_path, monkeypatch):
    monkeypatch.setattr(clients_module, "RELOAD_SECONDS", 0)
    path = clients_file(tmp_path, "clients:\n" + entry("linchuan", "361002", LINCHUAN))
    clients = Clients.load(path)
    assert clients.identify(LINCHUAN) is not None
    entries = read_entries(path)
    write_entries(path, [entries[0].model_copy(update={"revoked_at": datetime.now(UTC)})])
    assert clients.identify(LINCHUAN) is None  # revoked: refused at the next request
    write_entries(path, [*read_entries(path), read_entries(path)[0].model_copy(update={
        "id": "city", "token_sha256": token_hash(CITY), "revoked_at": None})])
    assert clients.identify(CITY).client_id == "city"
    (tmp_path / "clients.yaml").write_text("clients: [\n", encoding="utf-8")
    assert clients.identify(CITY).client_id == "city"


def test_an_events_source_names_the_credential_listing_it_or_the_client_intake_published_for(tmp_path, monkeypatch):
    monkeypatch.setattr(clients_module, "RELOAD_SECONDS", 0)
    path = clients_file(tmp_path, "clients:\n" + entry("fuzhou", "361000", CITY) + with_sources(
        "linchuan", "361002", LINCHUAN, "[/external/linchuan-zwfw, 'urn:linchuan:zwfw']"))
    clients = Clients.load(path)
    assert [getattr(clients.publisher(source, "/duban/intake"), "id", None) for source in (
        "/external/linchuan-zwfw", "urn:linchuan:zwfw", client_source("/duban/intake", "fuzhou"),
        "/duban/intake/clients/linchuan", "/duban/intake", "/duban/intake/clients/nobody", "/external/linchuan",
        "/other-intake/clients/fuzhou")] == ["linchuan", "linchuan", "fuzhou", "linchuan", None, None, None, None]
    write_entries(path, [entry.model_copy(update={"kafka_sources": None}) for entry in read_entries(path)])
    assert clients.publisher("/external/linchuan-zwfw", "/duban/intake") is None  # followed, as the tokens are
    assert "kafka_sources" not in (tmp_path / "clients.yaml").read_text(encoding="utf-8")  # none: left out


def with_sources(client_id: str, region: str, token: str, sources: str) -> str:
    return entry(client_id, region, token).replace("}", f", kafka_sources: {sources}}}")


@pytest.mark.parametrize("lines", [
    with_sources("a", "361002", CITY, "[/external/a]") + with_sources("b", "361003", LINCHUAN, "[/external/a]"),
    with_sources("a", "361002", CITY, "['has space']"),
    with_sources("a", "361002", CITY, "['']"),
])
def test_a_kafka_source_naming_two_credentials_or_no_uri_is_refused(tmp_path, lines):
    with pytest.raises(ClientsFileError):
        Clients.load(clients_file(tmp_path, "clients:\n" + lines))
