"""The annual report dataset as a printable page (Chinese, A4 print CSS): the browser's 打印 / 另存为 PDF
gives the PDF. Pure: takes domain/annual.py's dataset, returns HTML; every value is escaped."""

from html import escape

from services.reporting.domain.documents.scores import REGION_HEADERS, UNIT_HEADERS, method, region_rows, unit_rows
from services.reporting.domain.exports import FIGURES, LEVELS, STATUS_NAMES

STYLE = """
body { font-family: "Noto Serif CJK SC", "SimSun", "Songti SC", serif; color: #111;
       margin: 2rem auto; max-width: 60rem; }
h1 { text-align: center; font-size: 1.6rem; } h2 { font-size: 1.2rem; border-bottom: 2px solid #1f4e79; }
.meta { text-align: center; color: #555; }
table { border-collapse: collapse; width: 100%; font-size: .8rem; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid #888; padding: .2rem .35rem; vertical-align: top; }
th { background: #1f4e79; color: #fff; } td.n { text-align: right; }
.narrative { font-size: .75rem; color: #333; } .overdue { color: #b00; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { margin: 0; max-width: none; } h2 { break-after: avoid; } tr { break-inside: avoid; }
  thead { display: table-header-group; } .noprint { display: none; }
}
"""
SUMMARY = ["assignments", "completed", "completed_on_time", "awaiting_verification", "in_progress", "not_started",
           "overdue", "lagging", "silent",
           "average_percent_complete", "completion_rate", "on_time_rate", "reporting_rate", "attainment_rate"]
HEADERS = {column.key: column.header for column in FIGURES}


def _cells(row: dict, keys) -> str:
    return "".join(f'<td class="n">{escape(_text(row.get(key)))}</td>' for key in keys)


def _text(value) -> str:
    return "—" if value is None else str(value)


def annual_page(report: dict) -> str:
    name, year, figures = report["name"] or report["region_code"], report["year"], report["figures"]
    region_rows = [figures, *figures["children"]]
    regions = "".join(
        f"<tr><td>{escape(_text(r.get('name')))}</td><td>{escape(LEVELS.get(r.get('level'), ''))}</td>"
        f"{_cells(r, SUMMARY)}</tr>" for r in region_rows)
    measures = []
    for m in report["measures"]:
        narratives = "".join(
            f"<div>{escape(r['unit_name'])}({escape(_text(r['reported_on']))}):{escape(r['narrative'])}</div>"
            for r in m["reports"] if r["narrative"])
        evidence = "<br>".join(escape(item) for item in m["evidence"])
        measures.append(
            f"<tr><td>{escape(_text(m['number']))}</td><td>{escape(_text(m['title']))}"
            f"<div class='narrative'>{narratives}</div></td><td>{escape('、'.join(m['lead_units']))}</td>"
            f"<td>{escape(m['status_name'])}</td>{_cells(m, ['assignments', 'completed', 'overdue'])}"
            f"<td class='n'>{m['average_percent_complete']}</td><td>{evidence}</td></tr>")
    overdue = "".join(
        f"<tr class='overdue'><td>{escape(_text(o['number']))}</td><td>{escape(_text(o['title']))}</td>"
        f"<td>{escape(o['unit_name'])}</td><td>{escape(_text(o['region_name']))}</td>"
        f"<td>{escape(STATUS_NAMES.get(o['status'], o['status']))}</td><td class='n'>{o['percent_complete']}</td>"
        f"<td>{o['due']}</td><td class='n'>{o['days_overdue']}</td></tr>" for o in report["overdue"])
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>{escape(name)}{year}年度法治政府建设情况</title>
<style>{STYLE}</style></head><body>
<h1>{escape(name)}{year}年度法治政府建设实施方案落实情况</h1>
<p class="meta">统计截至 {report['as_of']} · 区划代码 {escape(report['region_code'])}
<span class="noprint"> ·
<a href="/v1/reports/annual.xlsx?region_code={escape(report['region_code'])}&year={year}">下载 Excel</a>
 · <a href="javascript:print()">打印</a></span></p>
<h2>一、总体情况</h2>
<p>共分解任务 {figures['assignments']} 项,已完成(经核查销号) {figures['completed']} 项
(按期完成 {figures['completed_on_time']} 项),
已申请办结待核查 {figures['awaiting_verification']} 项,
推进中 {figures['in_progress']} 项,未启动 {figures['not_started']} 项,逾期 {figures['overdue']} 项,
进度滞后 {figures['lagging']} 项,未按期报送 {figures['silent']} 项;
平均完成进度 {figures['average_percent_complete']}%,年度报送率 {_text(figures['reporting_rate'])}%。</p>
<h2>二、各区域落实情况</h2>
<table><thead><tr><th>区域</th><th>层级</th>{''.join(f'<th>{HEADERS[k]}</th>' for k in SUMMARY)}</tr></thead>
<tbody>{regions}</tbody></table>
<h2>三、各项措施落实情况及佐证材料</h2>
<table><thead><tr><th>序号</th><th>措施及本年度工作进展</th><th>牵头单位</th><th>状态</th><th>任务分解数</th>
<th>已完成</th><th>逾期</th><th>平均进度(%)</th><th>佐证材料</th></tr></thead><tbody>{''.join(measures)}</tbody></table>
{_scores(report.get("scores"))}
<h2>{'五' if report.get('scores') else '四'}、逾期事项({len(report['overdue'])} 项)</h2>
<table><thead><tr><th>序号</th><th>措施</th><th>责任单位</th><th>所属区域</th><th>当前状态</th><th>进度(%)</th>
<th>应完成日期</th><th>逾期天数</th></tr></thead><tbody>{overdue}</tbody></table>
</body></html>"""


def _table(headers: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(_text(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _scores(scores: dict | None) -> str:
    """四、考核得分排名 (documents/scores.py's tables), before the overdue items; nothing without scores."""
    if not scores:
        return ""
    regions = _table(REGION_HEADERS, region_rows(scores)) if scores["regions"] else ""
    return (f"<h2>四、考核得分排名</h2><p>{escape(method(scores))}</p>{regions}"
            f"{_table(UNIT_HEADERS, unit_rows(scores))}")
