"""Writes Grafana's provisioned dashboard and alert rules from one description, so they stay in step:
`python -m deploy.grafana.build` (tests/unit/deploy/test_docker_compose.py fails when the files are stale).

- dashboards/duban.json: the operations dashboard (districts' freshness, consumer lag, throughput, latency,
  errors, dead letters, alerts, webhooks, the read model's age), on the datasource of
  provisioning/datasources/prometheus.yml.
- provisioning/alerting/duban.yml: Prometheus' rules (deploy/prometheus/rules.yml) as Grafana-managed rules, each
  `<query> <comparison> <threshold>` split into a query and a threshold expression (Grafana's alerting
  provisioning format, apiVersion 1).
"""

import json
import re
from pathlib import Path

import yaml

GRAFANA = Path(__file__).parent
RULES = GRAFANA.parent / "prometheus" / "rules.yml"
DASHBOARD = GRAFANA / "dashboards" / "duban.json"
ALERTING = GRAFANA / "provisioning" / "alerting" / "duban.yml"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
THRESHOLD = re.compile(r"^(?P<query>.+?)\s*(?P<op>>|<)\s*(?P<value>[0-9.]+)\s*$", re.DOTALL)
EVALUATORS = {">": "gt", "<": "lt"}

# (title, unit, kind, [(query, legend)]): kind is a Grafana panel type.
PANELS = [
    ("各区县距最近一次报送 (districts: time since the last event)", "s", "bargauge",
     [("sort_desc(time() - duban_district_last_event_timestamp_seconds)", "{{region_code}}")]),
    ("服务在线 (services up)", "none", "stat", [("up", "{{job}}")]),
    ("服务就绪 (services ready, per dependency)", "none", "stat",
     [("min by (service, dependency) (duban_ready)", "{{service}} {{dependency}}")]),
    ("消费积压 (consumer lag, records)", "none", "timeseries",
     [("sum by (group, topic) (duban_consumer_lag_messages)", "{{group}} {{topic}}")]),
    ("消费吞吐 (events consumed per second, per topic)", "ops", "timeseries",
     [("sum by (handler) (rate(faststream_received_messages_total[5m]))", "{{handler}}")]),
    ("发布吞吐 (events published per second, per topic)", "ops", "timeseries",
     [("sum by (destination) (rate(faststream_published_messages_total[5m]))", "{{destination}}")]),
    ("处理耗时 p95 (handler latency)", "s", "timeseries",
     [("histogram_quantile(0.95, sum by (handler, le) "
       "(rate(faststream_received_processed_messages_duration_seconds_bucket[5m])))", "{{handler}}")]),
    ("HTTP 请求 (requests per second)", "reqps", "timeseries",
     [("sum by (job, status) (rate(http_requests_total[5m]))", "{{job}} {{status}}")]),
    ("HTTP 耗时 p95 (request latency)", "s", "timeseries",
     [("histogram_quantile(0.95, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m])))",
       "{{job}}")]),
    ("错误 (errors per second)", "ops", "timeseries",
     [("sum by (job) (rate(http_requests_total{status=\"5xx\"}[5m]))", "{{job}} HTTP 5xx"),
      ("sum by (handler) (rate(faststream_received_processed_messages_exceptions_total[5m]))",
       "{{handler}} handler errors"),
      ("sum by (job) (rate(faststream_published_messages_total{destination=~\".*dead-letter\"}[5m]))",
       "{{job}} dead letters")]),
    ("未关闭的预警 (open alerts)", "none", "timeseries",
     [("sum by (kind, severity) (duban_open_alerts)", "{{kind}} {{severity}}")]),
    ("Webhook 投递 (deliveries pending and failed)", "none", "timeseries",
     [("sum by (status) (duban_webhook_deliveries)", "{{status}}")]),
    ("报表快照时长 (read model age)", "s", "timeseries", [("duban_read_model_age_seconds", "reporting")]),
]


def dashboard() -> dict:
    panels = []
    for number, (title, unit, kind, targets) in enumerate(PANELS):
        width = 24 if number == 0 else 12
        panels.append({
            "id": number + 1, "type": kind, "title": title, "datasource": DATASOURCE,
            "gridPos": {"x": 0 if number == 0 else 12 * ((number - 1) % 2), "y": 8 * ((number + 1) // 2),
                        "w": width, "h": 8},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "options": {"legend": {"showLegend": True, "displayMode": "list", "placement": "bottom"}},
            "targets": [{"refId": chr(ord("A") + index), "datasource": DATASOURCE, "expr": query,
                         "legendFormat": legend} for index, (query, legend) in enumerate(targets)],
        })
    return {"uid": "duban-operations", "title": "duban 运行监控 (operations)", "tags": ["duban"],
            "timezone": "browser", "schemaVersion": 39, "version": 1, "refresh": "30s",
            "time": {"from": "now-6h", "to": "now"}, "panels": panels}


def grafana_rule(rule: dict) -> dict:
    """A Prometheus alerting rule as a Grafana-managed one: query A, threshold C on it."""
    match = THRESHOLD.match(rule["expr"])
    if match is None:
        raise ValueError(f"{rule['alert']}: the expression must end in `> N` or `< N`: {rule['expr']!r}")
    annotations = {name: text.replace("$value", "$values.A.Value") for name, text in rule["annotations"].items()}
    return {
        "uid": re.sub(r"(?<!^)(?=[A-Z])", "-", rule["alert"]).lower(), "title": rule["alert"], "condition": "C",
        "data": [
            {"refId": "A", "relativeTimeRange": {"from": 900, "to": 0}, "datasourceUid": DATASOURCE["uid"],
             "model": {"refId": "A", "expr": " ".join(match["query"].split()), "instant": True}},
            {"refId": "C", "relativeTimeRange": {"from": 0, "to": 0}, "datasourceUid": "__expr__",
             "model": {"refId": "C", "type": "threshold", "expression": "A", "conditions": [
                 {"evaluator": {"type": EVALUATORS[match["op"]], "params": [float(match["value"])]}}]}},
        ],
        "noDataState": "OK", "execErrState": "Error", "for": rule.get("for", "0s"),
        "labels": rule.get("labels", {}), "annotations": annotations,
    }


def alerting() -> dict:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return {"apiVersion": 1, "groups": [
        {"orgId": 1, "name": group["name"], "folder": "duban", "interval": "1m",
         "rules": [grafana_rule(rule) for rule in group["rules"]]} for group in groups]}


def rendered() -> dict[Path, str]:
    """Each file's text as this module writes it."""
    header = "# Written by deploy/grafana/build.py from deploy/prometheus/rules.yml: edit those, then run it.\n"
    return {DASHBOARD: json.dumps(dashboard(), ensure_ascii=False, indent=1) + "\n",
            ALERTING: header + yaml.safe_dump(alerting(), allow_unicode=True, sort_keys=False, width=120)}


if __name__ == "__main__":
    for path, text in rendered().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path)
