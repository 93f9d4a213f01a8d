"""The duban commands against an intake served over HTTP: registry, plan preview and import, ledger."""

import json

import httpx
import pytest

from cli.main import main
from services.intake.domain.registry_file import DEMO_REGISTRY
from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.support.apps import serving
from tests.support.intake import publish_sample_measures, topic
from tests.support.kafka import read_topic
from tests.support.waiting import eventually
from tests.unit.intake.domain.plans.plan_test_helpers import SAMPLES

FUZHOU = str(SAMPLES / "fuzhou-city-2022.txt")


@pytest.fixture
def intake_url(settings_values):
    with serving(create_app(IntakeSettings(**settings_values)),
                 lambda url: httpx.get(f"{url}/readyz").status_code == 200) as url:
        yield url


async def test_registry_then_plan_preview_then_import_then_ledger(intake_url, settings_values, capsys, tmp_path):
    main(["registry", "import", str(DEMO_REGISTRY), "--intake", intake_url])
    assert json.loads(capsys.readouterr().out)["type"] == "registry-published"

    main(["plan", "import", FUZHOU, "--plan-id", "fuzhou-2022", "--region", "361000", "--preview",
          "--intake", intake_url])
    preview = capsys.readouterr().out
    assert "立法项目起草部门  in fuzhou-2022-5" in preview and " 17. 加强行政应诉工作" in preview

    main(["plan", "import", FUZHOU, "--plan-id", "fuzhou-2022", "--region", "361000", "--intake", intake_url])
    assert capsys.readouterr().out.startswith("26 measures published")

    template = tmp_path / "ledger.xlsx"
    main(["ledger", "template", str(template), "--intake", intake_url])
    main(["ledger", "import", str(template), "--intake", intake_url])
    assert "1 rows published, 0 rejected" in capsys.readouterr().out
    records = await read_topic(settings_values["kafka_bootstrap_servers"], topic(settings_values, "measure-created"),
                               expected=26)
    assert len(records) == 26


def test_a_refused_request_prints_the_problem_and_exits_1(intake_url, capsys):
    with pytest.raises(SystemExit) as exit_status:
        main(["plan", "import", FUZHOU, "--plan-id", "fuzhou 2022", "--region", "361000", "--intake", intake_url])
    assert exit_status.value.code == 1
    assert json.loads(capsys.readouterr().err)["errors"][0]["field"] == "plan_id"


def test_a_client_made_by_duban_intake_client_imports_with_its_token_and_nothing_without(
        settings_values, capsys, tmp_path, monkeypatch):
    main(["intake", "client", "--id", "fuzhou-office", "--name", "抚州市依法治市办", "--region", "361000"])
    printed = capsys.readouterr().out.splitlines()
    token = printed[0].rsplit(": ", 1)[1]
    clients = tmp_path / "clients.yaml"
    clients.write_text("clients:\n" + "\n".join(printed[2:]) + "\n", encoding="utf-8")
    settings = IntakeSettings(**settings_values, clients_file=str(clients))
    with serving(create_app(settings), lambda url: httpx.get(f"{url}/readyz").status_code == 200) as url:
        with pytest.raises(SystemExit) as refused:
            main(["registry", "import", str(DEMO_REGISTRY), "--intake", url])
        assert refused.value.code == 1 and json.loads(capsys.readouterr().err)["status"] == 401
        main(["registry", "import", str(DEMO_REGISTRY), "--intake", url, "--token", token])
        assert json.loads(capsys.readouterr().out)["type"] == "registry-published"
        monkeypatch.setenv("DUBAN_INTAKE_TOKEN", token)  # read when the options are built
        main(["registry", "import", str(DEMO_REGISTRY), "--intake", url])
        assert json.loads(capsys.readouterr().out)["type"] == "registry-published"


async def test_a_ledger_preview_given_intake_answers_as_an_import_would_and_publishes_nothing(
        intake_url, settings_values, capsys, tmp_path, monkeypatch):
    """Offline the reader passes a row on a measure intake has never seen; intake's own preview refuses it."""
    import datetime as dt

    from tests.integration.intake.test_ledger_import import workbook

    monkeypatch.delenv("DUBAN_INTAKE_URL", raising=False)
    await publish_sample_measures(settings_values)
    ledger = tmp_path / "台账.xlsx"
    ledger.write_bytes(workbook(
        ["fuzhou-2022-17", "临川区政府", "361002", "2026-Q3", 80, "进行中", dt.datetime(2026, 10, 8, 9, 30)],
        ["fuzhou-2022-999", "临川区政府", "361002", "2026-Q3", 80, "进行中", dt.datetime(2026, 10, 8, 9, 30)],
        headers=["措施编号", "单位", "区划代码", "周期", "完成百分比", "状态", "填报时间"]))

    async def intakes_preview():
        main(["ledger", "import", str(ledger), "--preview", "--json", "--intake", intake_url])
        answer = json.loads(capsys.readouterr().out)
        return answer if answer["rejected"] else None  # until intake has read the measures' topic

    answer = await eventually(intakes_preview)
    assert answer["checked"] == "by intake, as an import would" and answer["preview"] is True
    assert [row["row"] for row in answer["accepted"]] == [2]
    assert "fuzhou-2022-999" in answer["rejected"][0]["reason"]
    main(["ledger", "import", str(ledger), "--preview", "--json"])
    offline = json.loads(capsys.readouterr().out)
    assert offline["checked"].startswith("reader only") and len(offline["accepted"]) == 2
    assert await read_topic(settings_values["kafka_bootstrap_servers"], topic(settings_values, "progress-reported"),
                            expected=1, timeout_ms=2_000) == []
