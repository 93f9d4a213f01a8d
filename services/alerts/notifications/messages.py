"""The reminder's words, in Chinese: who, which measure, how late, what to do; and whom it @-mentions.

Channels render the same Message: group robots as text or markdown (messages.py gives the lines), SMS through a
template whose variables are `template_params` (short values: vendors cap a variable's length).
"""

from dataclasses import dataclass, field

from services.alerts.notifications.occasions import Occasion

HEADINGS = {Occasion.DUE_SOON: "临近期限提醒", Occasion.OVERDUE: "逾期催办", Occasion.URGE: "督办催办"}
# What the unit is asked to do, by the alert's kind.
ACTIONS = {
    "due_soon": "请在期限前办结并报送进展；确实无法按期完成的，请书面说明原因。",
    "overdue": "请立即报送办理进展，书面说明逾期原因和整改措施、完成时限。",
    "lagging": "请加快推进，报送最新进展和下一步措施。",
    "silent": "请按期报送本期办理进展。",
}


@dataclass(frozen=True)
class Message:
    title: str
    lines: tuple[str, ...]
    mobiles: tuple[str, ...] = ()
    wecom_userids: tuple[str, ...] = ()
    dingtalk_userids: tuple[str, ...] = ()
    template_params: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def text(self) -> str:
        return "\n".join((self.title, *self.lines))


def status_phrase(alert: dict) -> str:
    """How late, briefly: 已逾期 15 天 / 还有 3 天到期 / 今天到期 / the alert's own reason otherwise."""
    figures = alert.get("figures") or {}
    if alert["kind"] == "overdue" and "days_overdue" in figures:
        return f"已逾期{figures['days_overdue']}天"
    if alert["kind"] == "due_soon" and "days_left" in figures:
        return "今天到期" if figures["days_left"] == 0 else f"还有{figures['days_left']}天到期"
    return {"lagging": "进度滞后", "silent": "未按期报送"}.get(alert["kind"], "需办理")


def compose(occasion: Occasion, alert: dict, measure_title: str | None, contact: dict | None,
            urged_by: str | None = None, comment: str | None = None) -> Message:
    """The message for one alert (Alert.to_json()) to its unit's contact (UnitContact as a dict, or None)."""
    contact = contact or {}
    measure = f"{alert['measure_id']}「{measure_title}」" if measure_title else alert["measure_id"]
    person = f"（联系人：{contact['person']}）" if contact.get("person") else ""
    lines = [f"责任单位：{alert['unit_name']}{person}", f"工作措施：{measure}", f"办理情况：{alert['reason']}",
             f"办理要求：{ACTIONS.get(alert['kind'], ACTIONS['overdue'])}"]
    if occasion is Occasion.URGE:
        lines.append(f"督办单位：{urged_by or '督办机构'}" + (f"，督办意见：{comment}" if comment else ""))
    return Message(
        title=f"【{HEADINGS[occasion]}】{alert['unit_name']}",
        lines=tuple(lines),
        mobiles=(contact["mobile"],) if contact.get("mobile") else (),
        wecom_userids=(contact["wecom_userid"],) if contact.get("wecom_userid") else (),
        dingtalk_userids=(contact["dingtalk_userid"],) if contact.get("dingtalk_userid") else (),
        template_params={"unit": alert["unit_name"][:20], "measure": alert["measure_id"][:20],
                         "occasion": HEADINGS[occasion], "status": status_phrase(alert)},
    )
