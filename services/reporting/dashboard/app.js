/* 督办 dashboard: plain JavaScript over /v1/reports, charts by Apache ECharts (vendor/echarts.min.js).
   Views, by the address's hash:
     #/region/CODE                city, county or township: figures, charts (the monthly trend loads after the
                                  rest), alert list, child regions, ranking, units, measures
     #/unit/REGION/UNIT           one unit's assignments
     #/measure/ID/REGION          one measure: its text, deadlines, assignments, reports with evidence */
"use strict";

const HOME = document.body.dataset.home;
const STATUS = {completed: "已完成", in_progress: "推进中", not_started: "未启动", blocked: "受阻"};
const COLORS = {completed: "#2e8b57", in_progress: "#3a7bd5", not_started: "#b0b7c3", blocked: "#e6a23c",
                overdue: "#c0392b", lagging: "#e67e22", silent: "#8e44ad"};
const FLAGS = {overdue: "逾期", lagging: "滞后", silent: "未按期报送"};  // the alerts service's flags, as counted
const KINDS = {...FLAGS, due_soon: "临期"};
const SEVERITY = {critical: "严重", warning: "预警", info: "提示"};
const LEVEL = {city: "市", county: "县(区)", township: "乡镇(街道)"};
const view = document.getElementById("view");
const charts = [];
const names = {};  // region code -> name, for the breadcrumbs

function esc(value) {
  return String(value ?? "—").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                                                          "'": "&#39;"}[c]));
}
function pct(value) { return value === null || value === undefined ? "—" : `${value}%`; }
function params() {
  const p = new URLSearchParams({cadence: document.getElementById("cadence").value});
  const asOf = document.getElementById("as-of").value;
  if (asOf) p.set("as_of", asOf);
  return p;
}
async function get(path, extra) {
  const p = params();
  for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
  const response = await fetch(`${path}?${p}`);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}
function go(hash) { location.hash = hash; }
function chart(id, option, onClick) {
  const element = document.getElementById(id);
  const instance = echarts.init(element);
  instance.setOption(option);
  if (onClick) instance.on("click", onClick);
  charts.push(instance);
  return instance;
}
function clearCharts() { while (charts.length) charts.pop().dispose(); }
window.addEventListener("resize", () => charts.forEach(c => c.resize()));

function cards(f) {
  const items = [["任务分解数", f.assignments], ["已完成", f.completed], ["推进中", f.in_progress],
                 ["未启动", f.not_started], ["受阻", f.blocked], ["逾期", f.overdue, "alert"],
                 ["滞后", f.lagging, "alert"], ["未按期报送", f.silent, "alert"],
                 ["平均进度", pct(f.average_percent_complete)], ["完成率", pct(f.completion_rate)],
                 ["按期完成率", pct(f.on_time_rate)], ["报送率", pct(f.reporting_rate)]];
  return `<div class="cards" id="cards">${items.map(([label, value, cls]) =>
    `<div class="card ${cls || ""}">${label}<b>${esc(value)}</b></div>`).join("")}</div>`;
}
function statusPie(id, f) {
  chart(id, {
    title: {text: "落实状态", left: "center", top: 8, textStyle: {fontSize: 14}},
    tooltip: {trigger: "item", formatter: "{b}: {c} 项 ({d}%)"},
    legend: {bottom: 0},
    series: [{type: "pie", radius: ["40%", "65%"], label: {formatter: "{b}\n{c}"},
              data: Object.keys(STATUS).map(k => ({name: STATUS[k], value: f[k], itemStyle: {color: COLORS[k]}}))}],
  });
}
function figuresRow(r) {
  return `<td class="n">${r.assignments}</td><td class="n">${r.completed}</td><td class="n">${r.in_progress}</td>` +
    `<td class="n">${r.not_started}</td>` +
    Object.keys(FLAGS).map(k => `<td class="n ${r[k] ? "overdue" : ""}">${r[k]}</td>`).join("") +
    `<td class="n">${r.average_percent_complete}</td><td class="n">${pct(r.completion_rate)}</td>` +
    `<td class="n">${pct(r.reporting_rate)}</td>`;
}
const FIGURE_HEADERS = "<th>任务分解数</th><th>已完成</th><th>推进中</th><th>未启动</th><th>逾期</th><th>滞后</th>" +
  "<th>未按期报送</th>" +
  "<th>平均进度(%)</th><th>完成率</th><th>报送率</th>";

function crumbs(trail) {
  document.getElementById("crumbs").innerHTML = trail.map(([label, hash]) =>
    hash ? `<a data-hash="${esc(hash)}">${esc(label)}</a>` : `<span>${esc(label)}</span>`).join('<span class="sep">›</span>');
}
document.getElementById("crumbs").addEventListener("click", event => {
  const hash = event.target.dataset && event.target.dataset.hash;
  if (hash) go(hash);
});
function regionTrail(code) {
  const codes = [];
  if (code.length === 9) codes.push(code.slice(0, 6));
  if (code.slice(4, 6) !== "00" && code.slice(0, 6) !== HOME) codes.unshift(code.slice(0, 4) + "00");
  return [...codes.filter(c => c !== code && c.startsWith(HOME.replace(/0+$/, "")) ), code]
    .map(c => [names[c] || c, `#/region/${c}`]);
}
function exports(code) {
  const p = params();
  document.getElementById("export-xlsx").href = `/v1/reports/regions/${code}.xlsx?${p}`;
  document.getElementById("export-csv").href = `/v1/reports/regions/${code}.csv?${p}`;
  const year = (document.getElementById("as-of").value || new Date().toISOString()).slice(0, 4);
  document.getElementById("annual-report").href = `/reports/annual/${code}/${year}`;
}

async function regionView(code) {
  const [region, ranking, units, measures, alerts] = await Promise.all([
    get(`/v1/reports/regions/${code}`),
    get(`/v1/reports/regions/${code}/ranking`, {of: code.length === 9 ? "units" : "regions"}),
    get(`/v1/reports/regions/${code}/units`),
    get(`/v1/reports/regions/${code}/measures`),
    get(`/v1/reports/regions/${code}/alerts`, {limit: 20}),
  ]);
  names[code] = region.name || code;
  region.children.forEach(c => { names[c.region_code] = c.name || c.region_code; });
  crumbs(regionTrail(code));
  exports(code);
  const children = region.children;
  view.innerHTML = `
    <h2 id="region-title">${esc(region.name)} <span class="muted">${esc(LEVEL[region.level] || "")} · ${esc(code)}
      · 截至 ${esc(region.as_of)} · 本期 ${esc(region.period.label)}</span></h2>
    ${cards(region)}
    <div class="charts">
      <div class="chart" id="chart-status"></div>
      <div class="chart" id="chart-children"></div>
      <div class="chart wide" id="chart-alerts"></div>
      <div class="chart wide" id="chart-trend"></div>
    </div>
    ${children.length ? `<h2>下级区域(点击下钻)</h2>
    <table id="children"><thead><tr><th>区域</th><th>层级</th>${FIGURE_HEADERS}</tr></thead><tbody>
    ${children.map(c => `<tr class="link" data-region="${esc(c.region_code)}"><td>${esc(c.name || c.region_code)}</td>
      <td>${esc(LEVEL[c.level] || c.level)}</td>${figuresRow(c)}</tr>`).join("")}</tbody></table>` : ""}
    <h2>横向排名(${ranking.of === "regions" ? "下级区域" : "责任单位"})</h2>
    <table id="ranking"><thead><tr><th>名次</th><th>${ranking.of === "regions" ? "区域" : "单位"}</th><th>综合得分</th>
      <th>完成率</th><th>按期完成率</th><th>平均进度</th><th>报送率</th><th>指标达标率</th></tr></thead><tbody>
    ${ranking.rows.map(r => `<tr><td class="n">${r.rank}</td><td>${esc(r.name || r.unit_name)}</td>
      <td class="n">${esc(r.score)}</td><td class="n">${pct(r.figures.completion_rate)}</td>
      <td class="n">${pct(r.figures.on_time_rate)}</td><td class="n">${esc(r.figures.average_percent_complete)}</td>
      <td class="n">${pct(r.figures.reporting_rate)}</td><td class="n">${pct(r.figures.attainment_rate)}</td></tr>`)
      .join("")}</tbody></table>
    ${alertList(alerts)}
    <h2>责任单位(点击查看任务)</h2>
    <table id="units"><thead><tr><th>单位</th><th>区划</th>${FIGURE_HEADERS}</tr></thead><tbody>
    ${units.map(u => `<tr class="link" data-unit="${esc(u.unit)}"><td>${esc(u.unit_name)}</td>
      <td>${esc(names[u.region_code] || u.region_code)}</td>${figuresRow(u)}</tr>`).join("")}</tbody></table>
    <h2>各项措施(点击查看详情)</h2>
    <table id="measures"><thead><tr><th>序号</th><th>措施</th>${FIGURE_HEADERS}</tr></thead><tbody>
    ${measures.rows.map(m => `<tr class="link" data-measure="${esc(m.measure_id)}"><td class="n">${esc(m.number)}</td>
      <td>${esc(m.title)}</td>${figuresRow(m)}</tr>`).join("")}</tbody></table>`;

  statusPie("chart-status", region);
  const parts = children.length ? children : units.slice(0, 30);
  const label = r => r.name || r.unit_name || r.region_code;
  const drill = params => {
    const part = parts[params.dataIndex];
    if (part && part.region_code && children.length) go(`#/region/${part.region_code}`);
    else if (part && part.unit) go(`#/unit/${code}/${encodeURIComponent(part.unit)}`);
  };
  chart("chart-children", {
    title: {text: children.length ? "各下级区域落实情况(点击下钻)" : "各单位落实情况", left: "center", top: 8,
            textStyle: {fontSize: 14}},
    tooltip: {trigger: "axis"}, legend: {bottom: 0}, grid: {left: 50, right: 20, top: 45, bottom: 70},
    xAxis: {type: "category", data: parts.map(label), axisLabel: {rotate: 30, interval: 0, fontSize: 11}},
    yAxis: {type: "value", name: "项"},
    series: ["completed", "in_progress", "not_started", "blocked"].map(k => ({
      name: STATUS[k], type: "bar", stack: "status", itemStyle: {color: COLORS[k]}, data: parts.map(p => p[k])})),
  }, drill);
  chart("chart-alerts", {
    title: {text: "预警:逾期、滞后、未按期报送与完成率", left: "center", top: 8, textStyle: {fontSize: 14}},
    tooltip: {trigger: "axis"}, legend: {bottom: 0}, grid: {left: 50, right: 50, top: 45, bottom: 70},
    xAxis: {type: "category", data: parts.map(label), axisLabel: {rotate: 30, interval: 0, fontSize: 11}},
    yAxis: [{type: "value", name: "任务(项)"}, {type: "value", name: "完成率(%)", max: 100}],
    series: [...Object.keys(FLAGS).map(k => ({name: FLAGS[k], type: "bar", itemStyle: {color: COLORS[k]},
                                              data: parts.map(p => p[k])})),
             {name: "完成率", type: "line", yAxisIndex: 1, data: parts.map(p => p.completion_rate)}],
  }, drill);

  trendChart(code);

  view.querySelectorAll("tr[data-region]").forEach(tr =>
    tr.addEventListener("click", () => go(`#/region/${tr.dataset.region}`)));
  view.querySelectorAll("tr[data-unit]").forEach(tr =>
    tr.addEventListener("click", () => go(`#/unit/${code}/${encodeURIComponent(tr.dataset.unit)}`)));
  view.querySelectorAll("tr[data-measure]").forEach(tr =>
    tr.addEventListener("click", () => go(`#/measure/${encodeURIComponent(tr.dataset.measure)}/${code}`)));
}

// The monthly series is rebuilt from every report (slower than the rest): drawn when it arrives.
async function trendChart(code) {
  const element = document.getElementById("chart-trend");
  try {
    const {series} = await get(`/v1/reports/regions/${code}/history`);
    if (!document.body.contains(element)) return;  // the view changed meanwhile
    const months = series.map(s => s.as_of.slice(0, 7));
    chart("chart-trend", {
      title: {text: "月度趋势(各月末状态)", left: "center", top: 8, textStyle: {fontSize: 14}},
      tooltip: {trigger: "axis"}, legend: {bottom: 0}, grid: {left: 50, right: 50, top: 45, bottom: 50},
      xAxis: {type: "category", data: months},
      yAxis: [{type: "value", name: "%", max: 100}, {type: "value", name: "任务(项)"}],
      series: [
        {name: "完成率", type: "line", data: series.map(s => s.completion_rate)},
        {name: "平均进度", type: "line", data: series.map(s => s.average_percent_complete)},
        {name: "报送率", type: "line", data: series.map(s => s.reporting_rate)},
        ...Object.keys(FLAGS).map(k => ({name: FLAGS[k], type: "bar", yAxisIndex: 1, itemStyle: {color: COLORS[k]},
                                         data: series.map(s => s[k])})),
      ],
    });
    element.dataset.ready = "true";
  } catch (error) {
    element.innerHTML = `<p class="error">月度趋势加载失败:${esc(error.message)}</p>`;
  }
}

function alertList(page) {
  const counts = Object.entries(page.counts).map(([kind, bySeverity]) =>
    `${KINDS[kind] || kind} ${Object.values(bySeverity).reduce((a, b) => a + b, 0)}`).join(" · ");
  return `<h2>预警清单(当前未消除 ${page.total} 条${counts ? ":" + esc(counts) : ""}${page.total > page.rows.length
      ? `,列出最严重的 ${page.rows.length} 条` : ""})</h2>
    <table id="alerts"><thead><tr><th>程度</th><th>类型</th><th>责任单位</th><th>区域</th><th>措施</th><th>原因</th>
      <th>发出时间</th></tr></thead><tbody>
    ${page.rows.map(a => `<tr class="link" data-measure="${esc(a.measure_id)}">
      <td class="severity-${esc(a.severity)}">${esc(SEVERITY[a.severity] || a.severity)}</td>
      <td>${esc(KINDS[a.kind] || a.kind)}</td><td>${esc(a.unit_name)}</td><td>${esc(a.region_name)}</td>
      <td>${esc(a.number)}. ${esc(a.title)}</td><td>${esc(a.reason)}</td>
      <td>${esc((a.opened_at || "").slice(0, 10))}</td></tr>`).join("")
      || '<tr><td colspan="7" class="muted">暂无预警</td></tr>'}</tbody></table>`;
}

function flagsCell(r) {
  return Object.keys(FLAGS).filter(k => r[k]).map(k => FLAGS[k]).join("、");
}

function assignmentTable(rows, showUnit) {
  return `<table id="assignments"><thead><tr><th>序号</th><th>措施</th>${showUnit ? "<th>责任单位</th><th>区域</th>" : ""}
    <th>状态</th><th>进度(%)</th><th>预警</th><th>本期已报送</th></tr></thead><tbody>
    ${rows.map(r => `<tr class="link" data-measure="${esc(r.measure_id)}"><td class="n">${esc(r.number)}</td>
      <td>${esc(r.title)}</td>${showUnit ? `<td>${esc(r.unit_name)}</td><td>${esc(r.region_name)}</td>` : ""}
      <td>${esc(STATUS[r.status] || r.status)}</td><td class="n">${esc(r.percent_complete)}</td>
      <td class="overdue">${esc(flagsCell(r))}</td>
      <td>${r.reported_in_period ? "是" : "否"}</td></tr>`).join("")}</tbody></table>`;
}

async function unitView(code, unit) {
  const data = await get(`/v1/reports/regions/${code}/units/${encodeURIComponent(unit)}`);
  const name = data.rows.length ? data.rows[0].unit_name : unit;
  crumbs([...regionTrail(code), [name, null]]);
  exports(code);
  view.innerHTML = `<h2 id="unit-title">${esc(name)} <span class="muted">截至 ${esc(data.as_of)}</span></h2>
    ${cards(data.figures)}<div class="charts"><div class="chart" id="chart-status"></div></div>
    <h2>承担的任务(点击查看措施)</h2>${assignmentTable(data.rows, false)}`;
  statusPie("chart-status", data.figures);
  view.querySelectorAll("tr[data-measure]").forEach(tr =>
    tr.addEventListener("click", () => go(`#/measure/${encodeURIComponent(tr.dataset.measure)}/${code}`)));
}

async function measureView(id, code) {
  const m = await get(`/v1/reports/measures/${encodeURIComponent(id)}`, {region_code: code});
  crumbs([...regionTrail(code), [`措施 ${m.number ?? ""}`, null]]);
  exports(code);
  const deadlines = (m.deadlines || []).map(d => esc(d.text) + (d.date ? `(${esc(d.date)})` : "")).join(";");
  const targets = (m.targets || []).map(t => `${esc(t.indicator)} ${esc(t.comparator)} ${esc(t.value)}${esc(t.unit)}`)
    .join(";");
  view.innerHTML = `<h2 id="measure-title">${esc(m.number)}. ${esc(m.title)}</h2>
    <p class="muted">${esc(m.chapter)} · 牵头单位:${esc((m.lead_units || []).join("、"))} · 时限:${deadlines || "—"}
      ${targets ? ` · 指标:${targets}` : ""}</p>
    ${m.text ? `<div class="measure-text">${esc(m.text)}</div>` : ""}
    ${cards(m.figures)}<div class="charts"><div class="chart" id="chart-status"></div></div>
    <h2>各责任单位落实情况</h2>${assignmentTable(m.rows, true)}
    <h2>报送记录及佐证材料</h2>
    <table id="history"><thead><tr><th>报送时间</th><th>单位</th><th>周期</th><th>状态</th><th>进度(%)</th>
      <th>工作进展</th><th>佐证材料</th></tr></thead><tbody>
    ${m.history.map(r => `<tr><td>${esc((r.reported_at || "").slice(0, 16).replace("T", " "))}</td>
      <td>${esc(r.unit_name)}</td><td>${esc(r.period)}</td><td>${esc(STATUS[r.status] || r.status)}</td>
      <td class="n">${esc(r.percent_complete)}</td><td>${esc(r.narrative || "")}</td>
      <td>${(r.evidence || []).map(e => /^https?:\/\//.test(e) ? `<a href="${esc(e)}" target="_blank">${esc(e)}</a>`
        : esc(e)).join("<br>")}</td></tr>`).join("") || '<tr><td colspan="7" class="muted">暂无报送</td></tr>'}
    </tbody></table>`;
  statusPie("chart-status", m.figures);
}

async function route() {
  clearCharts();
  const [kind, a, b] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  try {
    if (kind === "unit" && a && b) await unitView(a, b);
    else if (kind === "measure" && a) await measureView(a, b || HOME);
    else await regionView(kind === "region" && a ? a : HOME);
    document.body.dataset.view = kind || "region";
    document.body.dataset.ready = location.hash || "#/region/" + HOME;
  } catch (error) {
    view.innerHTML = `<p class="error">加载失败:${esc(error.message)}</p>`;
    document.body.dataset.ready = "error";
  }
}
window.addEventListener("hashchange", route);
document.getElementById("as-of").addEventListener("change", route);
document.getElementById("cadence").addEventListener("change", route);
route();
