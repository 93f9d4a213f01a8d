"""When an alert owes a reminder, the once-a-day identity, the message in Chinese, the robots' send window, and the
sealed credentials."""

from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from services.alerts.notifications.messages import compose, status_phrase
from services.alerts.notifications.occasions import Occasion, ReminderPolicy, held_off, notification_id, occasion_on
from services.alerts.notifications.ratelimit import RateWindow
from services.alerts.notifications.secrets import Sealer
from services.alerts.storage.notifications import covering
from shared.secrets import SecretBox

POLICY = ReminderPolicy(days_before=frozenset({7, 3, 1, 0}), overdue_every_days=7)


def alert(kind: str, due: str, **figures) -> dict:
    return {"key": f"{kind}|p-1|361002.government|", "kind": kind, "measure_id": "p-1", "unit": "361002.government",
            "unit_name": "临川区政府", "region_code": "361002", "reason": "……", "figures": {"due": due, **figures}}


@pytest.mark.parametrize(("today", "expected"), [
    (date(2026, 6, 23), Occasion.DUE_SOON), (date(2026, 6, 24), None), (date(2026, 6, 27), Occasion.DUE_SOON),
    (date(2026, 6, 29), Occasion.DUE_SOON), (date(2026, 6, 30), Occasion.DUE_SOON), (date(2026, 6, 28), None),
])
def test_before_a_deadline_on_the_configured_days(today, expected):
    assert occasion_on(alert("due_soon", "2026-06-30"), today, POLICY) == expected


@pytest.mark.parametrize(("today", "expected"), [
    (date(2026, 7, 1), Occasion.OVERDUE), (date(2026, 7, 2), None), (date(2026, 7, 7), None),
    (date(2026, 7, 8), Occasion.OVERDUE), (date(2026, 7, 15), Occasion.OVERDUE), (date(2026, 7, 16), None),
])
def test_overdue_on_the_first_day_and_every_n_days_after(today, expected):
    assert occasion_on(alert("overdue", "2026-06-30"), today, POLICY) == expected


def test_overdue_only_once_when_not_repeated_and_other_kinds_never_by_themselves():
    once = ReminderPolicy(overdue_every_days=0)
    assert occasion_on(alert("overdue", "2026-06-30"), date(2026, 7, 1), once) == Occasion.OVERDUE
    assert occasion_on(alert("overdue", "2026-06-30"), date(2026, 7, 8), once) is None
    assert occasion_on(alert("lagging", "2026-06-30"), date(2026, 7, 1), POLICY) is None
    assert occasion_on({**alert("silent", ""), "figures": {}}, date(2026, 7, 1), POLICY) is None


def test_an_alert_is_reminded_of_only_once_it_has_stayed_open_the_hold_off():
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    policy = ReminderPolicy(hold_off_seconds=600)
    assert held_off({"opened_at": now - timedelta(seconds=599)}, now, policy)
    assert not held_off({"opened_at": now - timedelta(seconds=600)}, now, policy)
    assert not held_off({"opened_at": now}, now, ReminderPolicy(hold_off_seconds=0))


def test_one_notification_per_alert_channel_and_china_day():
    key = alert("overdue", "2026-06-30")["key"]
    assert notification_id(key, "c1", date(2026, 7, 1)) == notification_id(key, "c1", date(2026, 7, 1))
    assert notification_id(key, "c1", date(2026, 7, 1)) != notification_id(key, "c1", date(2026, 7, 2))
    assert notification_id(key, "c1", date(2026, 7, 1)) != notification_id(key, "c2", date(2026, 7, 1))


def test_the_message_says_who_which_measure_how_late_and_what_to_do():
    overdue = {**alert("overdue", "2026-06-30", days_overdue=15),
               "reason": "已超过期限“2026年6月底前”(2026-06-30) 15 天，当前进度 20%"}
    message = compose(Occasion.URGE, overdue, "加强行政应诉工作", {"person": "张三", "mobile": "13800138000"},
                      urged_by="市依法治市办", comment="请本周内报送")
    assert message.title == "【督办催办】临川区政府"
    assert message.lines[0] == "责任单位：临川区政府（联系人：张三）"
    assert message.lines[1] == "工作措施：p-1「加强行政应诉工作」"
    assert "15 天" in message.lines[2] and "逾期原因" in message.lines[3]
    assert message.lines[4] == "督办单位：市依法治市办，督办意见：请本周内报送"
    assert message.mobiles == ("13800138000",) and message.wecom_userids == ()
    assert message.template_params["status"] == "已逾期15天"
    plain = compose(Occasion.DUE_SOON, alert("due_soon", "2026-06-30", days_left=0), None, None)
    assert plain.mobiles == () and plain.lines[1] == "工作措施：p-1" and "联系人" not in plain.text
    assert status_phrase(alert("due_soon", "2026-06-30", days_left=3)) == "还有3天到期"


def test_the_send_window_holds_twenty_a_minute():
    window = RateWindow(limit=20, seconds=60)
    for second in range(20):
        assert window.wait(float(second)) == 0
        window.take(float(second))
    assert window.wait(30.0) == 30.0  # the first send leaves the window at 60 s
    assert window.wait(60.0) == 0


def test_credentials_are_sealed_and_need_the_key():
    key = Fernet.generate_key().decode()
    sealed = Sealer(SecretBox(key)).seal({"key": "robot-key"})
    assert "robot-key" not in sealed and Sealer(SecretBox(key)).open(sealed) == {"key": "robot-key"}
    with pytest.raises(ValueError, match="no configured key"):
        Sealer(SecretBox(Fernet.generate_key().decode())).open(sealed)
    rotated = SecretBox(f"{Fernet.generate_key().decode()},{key}")  # a new key first: the old one still opens
    assert Sealer(rotated).open(sealed) == {"key": "robot-key"}


def test_a_channel_covers_its_region_and_everything_below():
    regions = {"city": "361000", "linchuan": "361002", "town": "361002901", "dongxiang": "361003"}
    assert covering(regions, "361002901") == ["city", "linchuan", "town"]
    assert covering(regions, "361003") == ["city", "dongxiang"]
    assert covering(regions, "362000") == []
