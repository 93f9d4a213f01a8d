"""`duban keys create | list | revoke` on a clients file the services load (shared/web/clients.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from cli.main import main
from shared.web.clients import Clients, Role, read_entries


def test_a_key_is_shown_once_stored_hashed_listed_and_revoked(tmp_path, capsys):
    path = tmp_path / "clients.yaml"
    main(["keys", "create", "--file", str(path), "--region", "361002", "--role", "viewer", "--role", "reporter",
          "--name", "临川区督查室", "--expires", "30d"])
    token = capsys.readouterr().out.strip().splitlines()[-1]
    [entry] = read_entries(path)
    assert token not in path.read_text(encoding="utf-8") and entry.roles == [Role.viewer, Role.reporter]
    assert timedelta(days=29) < entry.expires_at - datetime.now(UTC) <= timedelta(days=30)
    caller = Clients.load(path).identify(token)
    assert (caller.name, caller.region_code, caller.roles) == ("临川区督查室", "361002", {Role.viewer, Role.reporter})

    main(["keys", "list", "--file", str(path)])
    listed = capsys.readouterr().out
    assert entry.id in listed and "viewer,reporter" in listed and "active" in listed and token not in listed

    main(["keys", "revoke", entry.id, "--file", str(path)])
    assert Clients.load(path).identify(token) is None
    main(["keys", "list", "--file", str(path)])
    assert "revoked" in capsys.readouterr().out


def test_a_day_of_expiry_lasts_through_that_day_in_china(tmp_path, capsys):
    path = tmp_path / "clients.yaml"
    main(["keys", "create", "--file", str(path), "--region", "361000", "--role", "admin", "--expires", "2027-06-30"])
    assert read_entries(path)[0].expires_at == datetime(2027, 6, 30, 16, tzinfo=UTC)  # 2027-07-01 00:00 UTC+8


@pytest.mark.parametrize("arguments", [["--region", "3610", "--role", "viewer"],
                                       ["--region", "３６１００２", "--role", "viewer"],  # full-width digits
                                       ["--region", "361002", "--role", "viewer", "--expires", "soon"],
                                       ["--region", "361002", "--role", "viewer", "--expires", "2020-01-01"],
                                       ["--region", "361002", "--role", "viewer", "--expires", "0d"]])
def test_a_key_that_cannot_be_made_is_refused_and_nothing_written(tmp_path, arguments):
    path = tmp_path / "clients.yaml"
    with pytest.raises(SystemExit):
        main(["keys", "create", "--file", str(path), *arguments])
    assert not path.exists()


def test_a_key_lists_the_kafka_sources_its_system_publishes_under_and_no_source_names_two_keys(tmp_path, capsys):
    path = tmp_path / "clients.yaml"
    create = ["keys", "create", "--file", str(path), "--role", "reporter", "--kafka-source", "/external/linchuan-zwfw"]
    main([*create, "--region", "361002", "--id", "linchuan-zwfw", "--kafka-source", "urn:linchuan"])
    assert Clients.load(path).publisher("urn:linchuan", "/duban/intake").id == "linchuan-zwfw"
    with pytest.raises(SystemExit, match="a Kafka source may name one credential only"):
        main([*create, "--region", "361003"])
    assert [entry.id for entry in read_entries(path)] == ["linchuan-zwfw"]
    capsys.readouterr()
    main(["keys", "list", "--file", str(path)])
    assert capsys.readouterr().out.splitlines()[1].endswith("\tactive\t/external/linchuan-zwfw,urn:linchuan")
