/* 督办 dashboard: plain JavaScript over /v1/reports, charts by Apache ECharts (vendor/echarts.min.js).
   Views, by the address's hash:
     #/region/CODE                city, county or township: figures, charts (the monthly trend loads after the
                                  rest), alert list, child regions, ranking, units, measures
     #/unit/REGION/UNIT           one unit's assignments
     #/measure/ID/REGION          one measure: its text, deadlines, assignments, reports with evidence
     #/inbox/REGION/UNIT          a unit's 待办: to sign for, to report on, returned to it
     #/queue/REGION               the region's 待核查: completion requests waiting, the oldest first
     #/timeline/REGION/ID/UNIT    督办事项时间线: one assignment's loop, reports, alerts, urges and lights, with who and when
     #/operations                 运行监控: the services' /metrics summed up by /v1/operations (districts' freshness,
                                  lag, throughput, errors, alerts), refreshed every OPERATIONS_REFRESH_MS
   Signing in: where the services have a clients file, every call carries the key typed into 访问密钥 (kept in
   sessionStorage, so it goes with the tab, and sent as `Authorization: Bearer`); the start region is the key's. */
"use strict";

let HOME = document.body.dataset.home;
const KEY_ITEM = "duban-key";
// completed: closed out (销号) only; a completion claimed but not verified is awaiting_verification.
const STATUS = {completed: "已完成", awaiting_verification: "已申请办结待核查", in_progress: "推进中",
                not_started: "未启动", blocked: "受阻"};
const COLORS = {completed: "#2e8b57", awaiting_verification: "#16a085", in_progress: "#3a7bd5",
                not_started: "#b0b7c3", blocked: "#e6a23c",
                overdue: "#c0392b", lagging: "#e67e22", silent: "#8e44ad"};
const FLAGS = {overdue: "逾期", lagging: "滞后", silent: "未按期报送"};  // the alerts service's flags, as counted
const KINDS = {...FLAGS, due_soon: "临期", unsigned: "未签收", awaiting_verification: "核查超时"};
const SEVERITY = {critical: "严重", warning: "预警", info: "提示"};
const LEVEL = {city: "市", county: "县(区)", township: "乡镇(街道)"};
const LIGHTS = {red: "红灯", yellow: "黄灯", green: "绿灯"};  // 亮灯, as the alerts service lights assignments
const LOOP = {assigned: "待签收", signed: "已签收", in_progress: "办理中", completion_requested: "已申请办结待核查",
              closed_out: "已销号"};
const view = document.getElementById("view");
const OPERATIONS_REFRESH_MS = 15000;  // as often as Prometheus scrapes
let refreshing = null;
// The route being drawn: a newer one aborts its loads, so a view that was slow to load never draws over the view
// asked for after it (a click while the start page still loads).
let routing = new AbortController();
const charts = [];
const names = {};  // region code -> name, from the trails and child regions seen
// China keeps UTC+8 all year (no daylight saving since 1991): every time is shown at that offset, as the
// services count days (shared/domain/calendar.py), whatever the browser's own time zone.
const CHINA_OFFSET_MS = 8 * 3600 * 1000;

// Every value printed goes through esc: null, undefined and NaN print as "—", never as words.
function esc(value) {
  const shown = value === null || value === undefined || Number.isNaN(value) ? "—" : value;
  return String(shown).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                                                          "'": "&#39;"}[c]));
}
function pct(value) { return value === null || value === undefined ? "—" : `${value}%`; }
// The average percent complete, which has no value (not 0) where there is no assignment.
function average(f) { return f.assignments ? f.average_percent_complete : null; }
/* An instant (ISO text, or seconds since the epoch) as China's "YYYY-MM-DD HH:MM[:SS]" (`length` 16 or 19) or day
   (`length` 10); "—" when there is none. */
function chinaTime(value, length = 16) {
  if (value === null || value === undefined || value === "") return "—";
  const instant = typeof value === "number" ? value * 1000 : Date.parse(value);
  if (Number.isNaN(instant)) return String(value);
  return new Date(instant + CHINA_OFFSET_MS).toISOString().slice(0, length).replace("T", " ");
}
/* The day the figures shown are for: the one chosen, else the day the service answered for (its today in China),
   shown in the date field but not sent back, so a page left open follows the days. */
function showAsOf(day) {
  const field = document.getElementById("as-of");
  if (!field.dataset.chosen) field.value = day;
}
function params() {
  const p = new URLSearchParams({cadence: document.getElementById("cadence").value});
  const field = document.getElementById("as-of");
  if (field.dataset.chosen && field.value) p.set("as_of", field.value);
  return p;
}
function authorization() {
  const key = sessionStorage.getItem(KEY_ITEM);
  return key ? {Authorization: `Bearer ${key}`} : {};
}
/* The response to a call with the key; an error naming why otherwise (401 opens the sign-in field). */
async function call(url, signal = routing.signal) {
  const response = await fetch(url, {headers: authorization(), signal});
  if (response.ok) return response;
  const problem = await response.json().catch(() => ({}));
  if (response.status === 401) {
    sessionStorage.removeItem(KEY_ITEM);  // none, or one that expired or was revoked: ask again
    showSignIn(true);
    throw new Error(`请输入访问密钥登录(${problem.detail || "需要访问密钥"})`);
  }
  throw new Error(`${url.split("?")[0]}: HTTP ${response.status}${problem.detail ? " " + problem.detail : ""}`);
}
async function get(path, extra) {
  const p = params();
  for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
  return (await call(`${path}?${p}`)).json();
}
/* The key field shows once a call asked for a key (an open service never does); 退出登录 while a key is kept. */
function showSignIn(asked) {
  const signedIn = Boolean(sessionStorage.getItem(KEY_ITEM));
  document.getElementById("sign-in").hidden = signedIn || !asked;
  document.getElementById("sign-out").hidden = !signedIn;
}
/* The key's region becomes the start region (a county's key starts at its county). */
async function signedInRegion() {
  if (!sessionStorage.getItem(KEY_ITEM)) return;
  try {
    const credential = await (await call("/v1/reports/credential", null)).json();
    if (credential.region_code) HOME = credential.region_code;
  } catch (error) { /* shown by the view's own call */ }
}
document.getElementById("sign-in").addEventListener("submit", async event => {
  event.preventDefault();
  const field = document.getElementById("key");
  if (!field.value.trim()) return;
  sessionStorage.setItem(KEY_ITEM, field.value.trim());
  field.value = "";
  showSignIn(false);
  await signedInRegion();
  if (location.hash && location.hash !== `#/region/${HOME}`) location.hash = `#/region/${HOME}`;
  else route();
});
document.getElementById("sign-out").addEventListener("click", () => {
  sessionStorage.removeItem(KEY_ITEM);
  location.hash = "";
  location.reload();
});
/* Downloads and the printable annual report need the key too: fetched with it, handed over as a blob. */
for (const id of ["export-xlsx", "export-csv", "annual-report"]) {
  document.getElementById(id).addEventListener("click", async event => {
    if (!sessionStorage.getItem(KEY_ITEM)) return;  // an open service: the plain link works
    event.preventDefault();
    try {
      const response = await call(event.currentTarget.href, null);  // a download outlives the view
      const url = URL.createObjectURL(await response.blob());
      if (id === "annual-report") window.open(url, "_blank");
      else {
        const link = document.createElement("a");
        const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
        link.href = url;
        link.download = named ? named[1] : "";
        link.click();
      }
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (error) {
      view.insertAdjacentHTML("afterbegin", `<p class="error">${esc(error.message)}</p>`);
    }
  });
}
function go(hash) { location.hash = hash; }
/* A chart, or, when `empty` (nothing to draw), its title over "暂无数据" in place of axes or slices. */
function chart(id, option, onClick, empty) {
  const element = document.getElementById(id);
  element.dataset.empty = empty ? "true" : "false";
  if (empty) {
    element.innerHTML = `<div class="empty"><b>${esc(option.title ? option.title.text : "")}</b>` +
      "<span>暂无数据</span></div>";
    return null;
  }
  option.tooltip = {...option.tooltip, valueFormatter: v => v === null || v === undefined ? "无数据" : v};
  const instance = echarts.init(element);
  instance.setOption(option);
  if (onClick) instance.on("click", onClick);
  charts.push(instance);
  return instance;
}
function clearCharts() { while (charts.length) charts.pop().dispose(); }
window.addEventListener("resize", () => charts.forEach(c => c.resize()));

// The light with its coloured dot; "—" when nothing beneath it is lit.
function light(value) {
  return LIGHTS[value] ? `<span class="light ${value}"><i></i>${LIGHTS[value]}</span>` : "—";
}
function cards(f) {
  const items = [["亮灯", light(f.light), "lit"], ["任务分解数", f.assignments], ["已完成(已销号)", f.completed],
                 ["已申请办结待核查", f.awaiting_verification], ["推进中", f.in_progress],
                 ["未启动", f.not_started], ["受阻", f.blocked], ["逾期", f.overdue, "alert"],
                 ["滞后", f.lagging, "alert"], ["未按期报送", f.silent, "alert"],
                 ["平均进度", pct(average(f))], ["完成率", pct(f.completion_rate)],
                 ["按期完成率", pct(f.on_time_rate)], ["报送率", pct(f.reporting_rate)]];
  return `<div class="cards" id="cards">${items.map(([label, value, cls]) =>
    `<div class="card ${cls || ""}">${label}<b>${cls === "lit" ? value : esc(value)}</b></div>`).join("")}</div>`;
}
function statusPie(id, f) {
  const total = Object.keys(STATUS).reduce((sum, k) => sum + (f[k] || 0), 0);
  chart(id, {
    title: {text: "落实状态", left: "center", top: 8, textStyle: {fontSize: 14}},
    tooltip: {trigger: "item", formatter: "{b}: {c} 项 ({d}%)"},
    legend: {bottom: 0},
    series: [{type: "pie", radius: ["40%", "65%"], label: {formatter: "{b}\n{c}"},
              data: Object.keys(STATUS).map(k => ({name: STATUS[k], value: f[k], itemStyle: {color: COLORS[k]}}))}],
  }, null, total === 0);
}
function figuresRow(r) {
  return `<td class="lit" title="红灯 ${esc(r.lights_red)} · 黄灯 ${esc(r.lights_yellow)} · 绿灯 ${esc(r.lights_green)}">` +
    `${light(r.light)}</td>` +
    ["assignments", "completed", "awaiting_verification", "in_progress", "not_started"]
      .map(k => `<td class="n">${esc(r[k])}</td>`).join("") +
    Object.keys(FLAGS).map(k => `<td class="n ${r[k] ? "overdue" : ""}">${esc(r[k])}</td>`).join("") +
    `<td class="n">${esc(average(r))}</td>` +
    `<td class="n">${pct(r.completion_rate)}</td><td class="n">${pct(r.reporting_rate)}</td>`;
}
const FIGURE_HEADERS = "<th>亮灯</th><th>任务分解数</th><th>已完成(已销号)</th><th>已申请办结待核查</th>" +
  "<th>推进中</th><th>未启动</th><th>逾期</th><th>滞后</th>" +
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
/* The breadcrumbs of a region from the service's trail (the registry's ancestors, named), from the home region
   down: right whichever level's address was opened first. */
function regionTrail(trail) {
  const home = trail.findIndex(r => r.region_code === HOME);
  trail.forEach(r => { names[r.region_code] = r.name || r.region_code; });
  return trail.slice(Math.max(home, 0)).map(r => [r.name || r.region_code, `#/region/${r.region_code}`]);
}
/* The home region's crumb by its name, asked for once where no view has named it yet (an address opened
   directly). */
async function homeCrumb() {
  if (!names[HOME]) regionTrail((await get(`/v1/reports/regions/${HOME}`)).trail);
  return [names[HOME] || HOME, `#/region/${HOME}`];
}
function exports(code) {
  const p = params();
  document.getElementById("export-xlsx").href = `/v1/reports/regions/${code}.xlsx?${p}`;
  document.getElementById("export-csv").href = `/v1/reports/regions/${code}.csv?${p}`;
  const year = document.getElementById("as-of").value.slice(0, 4);
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
  region.children.forEach(c => { names[c.region_code] = c.name || c.region_code; });
  crumbs(regionTrail(region.trail));
  showAsOf(region.as_of);
  exports(code);
  const children = region.children;
  view.innerHTML = `
    <h2 id="region-title">${esc(region.name)} <span class="muted">${esc(LEVEL[region.level] || "")} · ${esc(code)}
      · 截至 ${esc(region.as_of)} · 本期 ${esc(region.period.label)}</span>
      <a class="button" id="queue-link" href="#/queue/${esc(code)}">待核查队列</a></h2>
    ${cards(region)}
    <div class="charts">
      <div class="chart" id="chart-status"></div>
      <div class="chart" id="chart-children"></div>
      <div class="chart wide" id="chart-alerts"></div>
      <div class="chart wide" id="chart-trend"></div>
    </div>
    <div id="lights"></div>
    ${children.length ? `<h2>下级区域(点击下钻)</h2>
    <table id="children"><thead><tr><th>区域</th><th>层级</th>${FIGURE_HEADERS}</tr></thead><tbody>
    ${children.map(c => `<tr class="link" data-region="${esc(c.region_code)}"><td>${esc(c.name || c.region_code)}</td>
      <td>${esc(LEVEL[c.level] || c.level)}</td>${figuresRow(c)}</tr>`).join("")}</tbody></table>` : ""}
    <h2>横向排名(${ranking.of === "regions" ? "下级区域" : "责任单位"})</h2>
    <table id="ranking"><thead><tr><th>名次</th><th>${ranking.of === "regions" ? "区域" : "单位"}</th><th>亮灯</th>
      <th>综合得分</th><th>完成率</th><th>按期完成率</th><th>平均进度</th><th>报送率</th><th>指标达标率</th></tr></thead>
      <tbody>
    ${ranking.rows.map(r => `<tr><td class="n">${esc(r.rank)}</td><td>${esc(r.name || r.unit_name)}</td>
      <td class="lit">${light(r.figures.light)}</td><td class="n">${esc(r.score)}</td><td class="n">${pct(r.figures.completion_rate)}</td>
      <td class="n">${pct(r.figures.on_time_rate)}</td><td class="n">${esc(average(r.figures))}</td>
      <td class="n">${pct(r.figures.reporting_rate)}</td><td class="n">${pct(r.figures.attainment_rate)}</td></tr>`)
      .join("") || '<tr><td colspan="9" class="muted">暂无</td></tr>'}</tbody></table>
    ${alertList(alerts)}
    <h2>责任单位(点击查看任务)</h2>
    <table id="units"><thead><tr><th>单位</th><th>区划</th>${FIGURE_HEADERS}</tr></thead><tbody>
    ${units.map(u => `<tr class="link" data-unit="${esc(u.unit)}"><td>${esc(u.unit_name)}</td>
      <td>${esc(names[u.region_code] || u.region_code)}</td>${figuresRow(u)}</tr>`).join("")
      || `<tr><td colspan="14" class="muted">暂无</td></tr>`}</tbody></table>
    <h2>各项措施(点击查看详情)</h2>
    <table id="measures"><thead><tr><th>序号</th><th>措施</th>${FIGURE_HEADERS}</tr></thead><tbody>
    ${measures.rows.map(m => `<tr class="link" data-measure="${esc(m.measure_id)}"><td class="n">${esc(m.number)}</td>
      <td>${esc(m.title)}</td>${figuresRow(m)}</tr>`).join("")
      || `<tr><td colspan="14" class="muted">暂无</td></tr>`}</tbody></table>`;

  statusPie("chart-status", region);
  const parts = children.length ? children : units.slice(0, 30);
  const label = r => r.name || r.unit_name || r.region_code;
  const drill = params => {
    const part = parts[params.dataIndex];
    if (part && part.region_code && children.length) go(`#/region/${part.region_code}`);
    else if (part && part.unit) go(`#/unit/${code}/${encodeURIComponent(part.unit)}`);
  };
  const nothing = parts.length === 0 || !region.assignments;
  chart("chart-children", {
    title: {text: children.length ? "各下级区域落实情况(点击下钻)" : "各单位落实情况", left: "center", top: 8,
            textStyle: {fontSize: 14}},
    tooltip: {trigger: "axis"}, legend: {bottom: 0}, grid: {left: 50, right: 20, top: 45, bottom: 70},
    xAxis: {type: "category", data: parts.map(label), axisLabel: {rotate: 30, interval: 0, fontSize: 11}},
    yAxis: {type: "value", name: "项"},
    series: Object.keys(STATUS).map(k => ({
      name: STATUS[k], type: "bar", stack: "status", itemStyle: {color: COLORS[k]}, data: parts.map(p => p[k])})),
  }, drill, nothing);
  chart("chart-alerts", {
    title: {text: "预警:逾期、滞后、未按期报送与完成率", left: "center", top: 8, textStyle: {fontSize: 14}},
    tooltip: {trigger: "axis"}, legend: {bottom: 0}, grid: {left: 50, right: 50, top: 45, bottom: 70},
    xAxis: {type: "category", data: parts.map(label), axisLabel: {rotate: 30, interval: 0, fontSize: 11}},
    yAxis: [{type: "value", name: "任务(项)"}, {type: "value", name: "完成率(%)", max: 100}],
    series: [...Object.keys(FLAGS).map(k => ({name: FLAGS[k], type: "bar", itemStyle: {color: COLORS[k]},
                                              data: parts.map(p => p[k])})),
             {name: "完成率", type: "line", yAxisIndex: 1, data: parts.map(p => p.completion_rate)}],
  }, drill, nothing);

  trendChart(code);
  lightHistory(code);

  view.querySelectorAll("tr[data-region]").forEach(tr =>
    tr.addEventListener("click", () => go(`#/region/${tr.dataset.region}`)));
  view.querySelectorAll("tr[data-unit]").forEach(tr =>
    tr.addEventListener("click", () => go(`#/unit/${code}/${encodeURIComponent(tr.dataset.unit)}`)));
  view.querySelectorAll("tr[data-measure]").forEach(tr =>
    tr.addEventListener("click", () => go(`#/measure/${encodeURIComponent(tr.dataset.measure)}/${code}`)));
}

// A part loaded after its view was drawn fails quietly when the view was left: its load aborted by the next route.
function superseded(error, element) { return error.name === "AbortError" || !document.body.contains(element); }

// The monthly series is rebuilt from every report (slower than the rest): drawn when it arrives.
async function trendChart(code) {
  const element = document.getElementById("chart-trend");
  try {
    const {series} = await get(`/v1/reports/regions/${code}/history`);
    if (!document.body.contains(element)) return;  // the view changed meanwhile
    const months = series.map(s => s.as_of.slice(0, 7));
    // Months before any judgement carry null flags: no bar, and "无数据" in the tooltip, not 0.
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
    }, null, series.every(s => !s.assignments));
    element.dataset.ready = "true";
  } catch (error) {
    if (superseded(error, element)) return;
    element.innerHTML = `<p class="error">月度趋势加载失败:${esc(error.message)}</p>`;
  }
}

// 亮灯月度情况: the light at each month end of this year, of the region and each child region (loaded after the rest).
async function lightHistory(code) {
  const element = document.getElementById("lights");
  try {
    const history = await get(`/v1/reports/regions/${code}/lights`);
    if (!document.body.contains(element)) return;
    const row = (label, lights) => `<tr><td>${esc(label)}</td>${lights.map(m =>
      `<td class="lit" title="红灯 ${m.lights_red} · 黄灯 ${m.lights_yellow} · 绿灯 ${m.lights_green}">${light(m.light)}</td>`)
      .join("")}</tr>`;
    element.innerHTML = `<h2>亮灯月度情况(${history.year}年,各月末)</h2>
      <table id="light-history"><thead><tr><th>区域</th>${history.months.map(m => `<th>${esc(m.slice(5))}月</th>`)
        .join("")}</tr></thead><tbody>${row(history.name || code, history.lights)}
      ${history.children.map(c => row(c.name || c.region_code, c.lights)).join("")}</tbody></table>`;
    element.dataset.ready = "true";
  } catch (error) {
    if (superseded(error, element)) return;
    element.innerHTML = `<p class="error">亮灯情况加载失败:${esc(error.message)}</p>`;
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
      <td>${esc(chinaTime(a.opened_at))}</td></tr>`).join("")
      || '<tr><td colspan="7" class="muted">暂无预警</td></tr>'}</tbody></table>`;
}

function flagsCell(r) {
  return Object.keys(FLAGS).filter(k => r[k]).map(k => FLAGS[k]).join("、");
}

// Stored evidence files (intake's GET /v1/evidence/{id}): a download link each, and 预览 for images and PDF.
function evidenceLinks(files) {
  return (files || []).map(f => `<span class="evidence"><a href="${esc(f.download_url)}" download>${esc(f.name)}</a>`
    + (f.preview_url ? ` <a class="preview" href="${esc(f.preview_url)}" target="_blank" rel="noopener">预览</a>` : "")
    + "</span>").join("<br>");
}

// An assignment's timeline page, linked from every row naming an assignment (the row itself opens the measure).
function timelineHash(code, measure, unit) {
  return `#/timeline/${code}/${encodeURIComponent(measure)}/${encodeURIComponent(unit)}`;
}
function timelineLink(r) {
  return `<a class="timeline-link" href="${esc(timelineHash(r.region_code, r.measure_id, r.unit))}">时间线</a>`;
}

function assignmentTable(rows, showUnit, showEvidence = false) {
  return `<table id="assignments"><thead><tr><th>措施编号</th><th>措施</th>${showUnit ? "<th>责任单位</th><th>区域</th>" : ""}
    <th>亮灯</th><th>状态</th><th>进度(%)</th><th>预警</th><th>本期已报送</th>${showEvidence ? "<th>佐证材料</th>" : ""}
    <th>督办过程</th></tr></thead><tbody>
    ${rows.map(r => `<tr class="link" data-measure="${esc(r.measure_id)}"><td class="n">${esc(r.number)}</td>
      <td>${esc(r.title)}</td>${showUnit ? `<td>${esc(r.unit_name)}</td><td>${esc(r.region_name)}</td>` : ""}
      <td class="lit">${light(r.light)}</td><td>${esc(STATUS[r.status] || r.status)}</td><td class="n">${esc(r.percent_complete)}</td>
      <td class="overdue">${esc(flagsCell(r))}</td>
      <td>${r.reported_in_period ? "是" : "否"}</td>${showEvidence ? `<td>${evidenceLinks(r.evidence_files)}</td>` : ""}
      <td>${timelineLink(r)}</td></tr>`).join("")}</tbody></table>`;
}

async function unitView(code, unit) {
  const data = await get(`/v1/reports/regions/${code}/units/${encodeURIComponent(unit)}`);
  const name = data.rows.length ? data.rows[0].unit_name : unit;
  crumbs([...regionTrail(data.trail), [name, null]]);
  showAsOf(data.as_of);
  exports(code);
  view.innerHTML = `<h2 id="unit-title">${esc(name)} <span class="muted">截至 ${esc(data.as_of)}</span>
      <a class="button" id="inbox-link" href="#/inbox/${esc(code)}/${encodeURIComponent(unit)}">待办事项</a></h2>
    ${cards(data.figures)}<div class="charts"><div class="chart" id="chart-status"></div></div>
    <h2>承担的任务(点击查看措施,“时间线”查看督办过程)</h2>${assignmentTable(data.rows, false)}`;
  statusPie("chart-status", data.figures);
  linkRows(code);
}

// How a target is judged (its kind, read by the plan parser; none in measures published before kinds existed).
const TARGET_KINDS = {rate: "比率类,每次报送须达到", time_limit: "时限类,每次报送须达到",
                      count: "计数类,按序时累计", amount: "数量类,按序时累计"};

async function measureView(id, code) {
  const m = await get(`/v1/reports/measures/${encodeURIComponent(id)}`, {region_code: code});
  crumbs([...regionTrail(m.trail), [`措施 ${m.number ?? ""}`, null]]);
  showAsOf(m.as_of);
  exports(code);
  const deadlines = (m.deadlines || []).map(d => esc(d.text) + (d.date ? `(${esc(d.date)})` : "")).join(";");
  const targets = (m.targets || []).map(t => `${esc(t.indicator)} ${esc(t.comparator)} ${esc(t.value)}${esc(t.unit)}`
    + (TARGET_KINDS[t.kind] ? `(${TARGET_KINDS[t.kind]})` : "")).join(";");
  view.innerHTML = `<h2 id="measure-title">${esc(m.number)}. ${esc(m.title)}</h2>
    <p class="muted">${esc(m.chapter)} · 牵头单位:${esc((m.lead_units || []).join("、"))} · 时限:${deadlines || "—"}
      ${targets ? ` · 指标:${targets}` : ""}</p>
    ${m.text ? `<div class="measure-text">${esc(m.text)}</div>` : ""}
    ${cards(m.figures)}<div class="charts"><div class="chart" id="chart-status"></div></div>
    <h2>各责任单位落实情况(“时间线”查看督办过程)</h2>${assignmentTable(m.rows, true, true)}
    <h2>报送记录及佐证材料</h2>
    <table id="history"><thead><tr><th>报送时间</th><th>单位</th><th>周期</th><th>状态</th><th>进度(%)</th>
      <th>工作进展</th><th>佐证材料</th></tr></thead><tbody>
    ${m.history.map(r => `<tr><td>${esc(chinaTime(r.reported_at))}</td>
      <td>${esc(r.unit_name)}</td><td>${esc(r.period)}</td><td>${esc(STATUS[r.status] || r.status)}</td>
      <td class="n">${esc(r.percent_complete)}</td><td>${esc(r.narrative || "")}</td>
      <td>${[...(r.evidence || []).map(e => /^https?:\/\//.test(e) ? `<a href="${esc(e)}" target="_blank">${esc(e)}</a>`
        : esc(e)), evidenceLinks(r.evidence_files)].filter(Boolean).join("<br>")}</td></tr>`).join("")
      || '<tr><td colspan="7" class="muted">暂无报送</td></tr>'}
    </tbody></table>`;
  statusPie("chart-status", m.figures);
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.round(seconds);
  if (s < 120) return `${s} 秒`;
  if (s < 7200) return `${Math.round(s / 60)} 分钟`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} 小时`;
  return `${(s / 86400).toFixed(1)} 天`;
}
function count(value) { return value === null || value === undefined ? "—" : Math.round(value).toLocaleString(); }
function rows(items, render, columns) {
  return items.length ? items.map(render).join("") : `<tr><td colspan="${columns}" class="muted">暂无</td></tr>`;
}

async function operationsView() {
  const o = await (await call("/v1/operations")).json();
  crumbs([await homeCrumb(), ["运行监控"]]);
  const up = o.services.filter(s => s.up).length;
  const quiet = o.districts.filter(d => d.quiet).length;
  const lag = o.consumer_lag.reduce((sum, row) => sum + row.lag, 0);
  const alerts = o.open_alerts.reduce((sum, row) => sum + row.count, 0);
  const items = [["服务在线", `${up}/${o.services.length}`, up < o.services.length ? "alert" : ""],
                 ["静默区县", quiet, quiet ? "alert" : ""], ["消费积压", count(lag), lag > 1000 ? "alert" : ""],
                 ["死信", count(o.dead_letters), o.dead_letters ? "alert" : ""], ["未关闭预警", count(alerts)],
                 ["Webhook 待投递", count(o.webhook_deliveries.pending || 0)],
                 ["Webhook 失败", count(o.webhook_deliveries.failed || 0), o.webhook_deliveries.failed ? "alert" : ""],
                 ["报表快照时长", duration(o.read_model_age_seconds)]];
  clearCharts();
  view.innerHTML = `<h2 id="operations-title">运行监控 <span class="muted">截至
      ${esc(chinaTime(o.as_of, 19))} · 每 ${OPERATIONS_REFRESH_MS / 1000} 秒刷新 ·
      计数为各服务启动以来的累计</span></h2>
    <div class="cards" id="operations-cards">${items.map(([label, value, cls]) =>
      `<div class="card ${cls || ""}">${label}<b>${esc(value)}</b></div>`).join("")}</div>
    <h2>各区县距最近一次报送(超过 ${duration(o.quiet_after_seconds)} 为静默)</h2>
    <div class="chart wide" id="chart-freshness"></div>
    <table id="districts"><thead><tr><th>区县</th><th>区划代码</th><th>最近一次报送</th><th>距今</th><th>状态</th>
      </tr></thead><tbody>${rows(o.districts, d => `<tr class="${d.quiet ? "quiet" : ""}" data-district="${esc(d.region_code)}">
      <td>${esc(d.name || d.region_code)}</td><td>${esc(d.region_code)}</td>
      <td>${esc(chinaTime(d.last_event_at, 19))}</td><td class="n">${duration(d.age_seconds)}</td>
      <td>${d.quiet ? "静默" : "正常"}</td></tr>`, 5)}</tbody></table>
    <h2>服务</h2>
    <table id="services"><thead><tr><th>服务</th><th>状态</th><th>HTTP 请求</th><th>5xx 应答</th><th>平均耗时</th></tr>
      </thead><tbody>${rows(o.services, s => `<tr data-service="${esc(s.service)}"><td>${esc(s.service)}</td>
      <td class="${s.up ? "" : "overdue"}">${s.up ? "在线" : "无法访问:" + esc(s.error)}</td>
      <td class="n">${count(s.requests)}</td><td class="n">${count(s.server_errors)}</td>
      <td class="n">${s.mean_request_seconds === null ? "—" : (s.mean_request_seconds * 1000).toFixed(1) + " 毫秒"}</td>
      </tr>`, 5)}</tbody></table>
    <h2>事件(按主题)</h2>
    <table id="topics"><thead><tr><th>主题</th><th>已消费</th><th>已发布</th><th>处理出错</th><th>平均处理耗时</th></tr>
      </thead><tbody>${rows(o.topics, t => `<tr><td>${esc(t.topic)}</td><td class="n">${count(t.consumed)}</td>
      <td class="n">${count(t.published)}</td><td class="n">${count(t.errors)}</td>
      <td class="n">${t.mean_handler_seconds === null ? "—" : (t.mean_handler_seconds * 1000).toFixed(1) + " 毫秒"}</td>
      </tr>`, 5)}</tbody></table>
    <h2>消费积压(按分区)</h2>
    <table id="lag"><thead><tr><th>消费组</th><th>主题</th><th>分区</th><th>积压条数</th></tr></thead><tbody>
      ${rows(o.consumer_lag, r => `<tr><td>${esc(r.group)}</td><td>${esc(r.topic)}</td><td class="n">${esc(r.partition)}</td>
      <td class="n">${count(r.lag)}</td></tr>`, 4)}</tbody></table>
    <h2>未关闭的预警</h2>
    <table id="open-alerts"><thead><tr><th>类型</th><th>级别</th><th>数量</th></tr></thead><tbody>
      ${rows(o.open_alerts, a => `<tr><td>${esc(KINDS[a.kind] || a.kind)}</td>
      <td class="severity-${esc(a.severity)}">${esc(SEVERITY[a.severity] || a.severity)}</td>
      <td class="n">${count(a.count)}</td></tr>`, 3)}</tbody></table>`;
  chart("chart-freshness", {
    tooltip: {trigger: "axis"}, grid: {left: 60, right: 20, top: 20, bottom: 60},
    xAxis: {type: "category", data: o.districts.map(d => d.name || d.region_code), axisLabel: {rotate: 30}},
    yAxis: {type: "value", name: "小时"},
    series: [{type: "bar", data: o.districts.map(d => ({value: +(d.age_seconds / 3600).toFixed(2),
      itemStyle: {color: d.quiet ? COLORS.overdue : COLORS.completed}}))}],
  }, null, o.districts.length === 0);
}

// The loop's lists: a row per assignment, clicking opens its measure; its 时间线 link, the item's timeline.
function loopTable(id, rows, code, extra = [], showUnit = false) {
  return `<table id="${id}"><thead><tr><th>措施编号</th><th>措施</th>${showUnit ? "<th>责任单位</th><th>区域</th>" : ""}
    <th>亮灯</th><th>环节</th><th>进度(%)</th><th>逾期</th><th>本期已报送</th>${extra.map(([h]) => `<th>${h}</th>`).join("")}
    <th>督办过程</th></tr></thead><tbody>${rows.map(r => `<tr class="link" data-measure="${esc(r.measure_id)}">
      <td class="n">${esc(r.number)}</td><td>${esc(r.title)}</td>
      ${showUnit ? `<td>${esc(r.unit_name)}</td><td>${esc(r.region_name)}</td>` : ""}
      <td class="lit">${light(r.light)}</td><td>${esc(LOOP[r.loop_state] || r.loop_state)}</td>
      <td class="n">${esc(r.percent_complete)}</td><td class="overdue">${r.overdue ? "逾期" : ""}</td>
      <td>${r.reported_in_period ? "是" : "否"}</td>${extra.map(([, cell, cls]) => `<td class="${cls || ""}">${cell(r)}</td>`).join("")}
      <td>${timelineLink(r)}</td></tr>`)
      .join("") || `<tr><td colspan="${8 + extra.length + (showUnit ? 2 : 0)}" class="muted">暂无</td></tr>`}
    </tbody></table>`;
}
/* Rows naming a measure open it when clicked, except on a link of their own (时间线). */
function linkRows(code) {
  view.querySelectorAll("tr[data-measure]").forEach(tr => tr.addEventListener("click", event => {
    if (!event.target.closest("a")) go(`#/measure/${encodeURIComponent(tr.dataset.measure)}/${code}`);
  }));
}

async function inboxView(code, unit) {
  const [region, inbox] = await Promise.all([get(`/v1/reports/regions/${code}`),
                                             get(`/v1/units/${encodeURIComponent(unit)}/inbox`)]);
  const name = [...inbox.to_sign, ...inbox.to_report, ...inbox.returned].map(r => r.unit_name)[0] || unit;
  crumbs([...regionTrail(region.trail), [name, `#/unit/${code}/${encodeURIComponent(unit)}`], ["待办事项", null]]);
  showAsOf(inbox.as_of);
  view.innerHTML = `<h2 id="inbox-title">${esc(name)} 待办事项 <span class="muted">截至 ${esc(inbox.as_of)}
      · 本期 ${esc(inbox.period.label)}</span></h2>
    <h2>待签收(${inbox.counts.to_sign} 项)</h2>${loopTable("to-sign", inbox.to_sign, code)}
    <h2>被退回(${inbox.counts.returned} 项)</h2>${loopTable("returned", inbox.returned, code,
      [["退回次数", r => esc(r.returned_count), "n"]])}
    <h2>待报送(${inbox.counts.to_report} 项,本期未报送的在前)</h2>${loopTable("to-report", inbox.to_report, code)}`;
  linkRows(code);
}

async function queueView(code) {
  const queue = await get(`/v1/regions/${code}/verification-queue`);
  crumbs([...regionTrail(queue.trail), ["待核查队列", null]]);
  showAsOf(queue.as_of);
  view.innerHTML = `<h2 id="queue-title">${esc(queue.name || code)} 待核查队列 <span class="muted">截至 ${esc(queue.as_of)}
      · 共 ${queue.total} 项,等待最久的在前</span></h2>
    ${loopTable("queue", queue.rows, code, [
      ["申请办结时间", r => esc(chinaTime(r.completion_requested_at))], ["已等待(天)", r => esc(r.days_waiting), "n"],
      ["牵头单位", r => esc(r.lead_units.map(u => u.unit_name).join("、"))]], true)}`;
  linkRows(code);
}

// The timeline's entries (GET /v1/measures/{id}/units/{unit}/timeline), in Chinese.
const STEPS = {"assigned": "交办", "assignment-signed": "签收", "progress-reported": "进展报送",
               "completion-requested": "办结申请", "completion-returned": "退回", "completion-verified": "核查销号",
               "assignment-reopened": "重新打开", "alert-raised": "预警", "alert-cleared": "预警消除",
               "urged": "督办催办", "light-changed": "亮灯变化"};
const VERIFIERS = {lead_unit: "牵头单位", supervising_office: "督查机构"};
const ROLES = {lead: "牵头单位", responsible: "责任单位"};
// Why a light is what it is: the alerts' kinds, and the loop's own reasons.
const LIGHT_REASONS = {...KINDS, returned_twice: "两次及以上被退回", closed_out: "已销号"};
// The alerts' reminders and urgings, as the supervision offices name them (临近提醒, 到期催办).
const ALERT_ACTS = {due_soon: "临期提醒", overdue: "逾期催办", unsigned: "催促签收", silent: "催促报送",
                    lagging: "滞后预警", awaiting_verification: "催促核查"};

function entryGroup(e) {
  if (e.type === "alert-cleared") return "alert cleared";
  if (e.type === "alert-raised") return "alert";
  if (e.type === "urged") return "urged";
  if (e.type === "light-changed") return `light ${e.light}`;
  if (e.type === "completion-returned" || e.type === "assignment-reopened") return "returned";
  if (e.type === "completion-verified") return "closed";
  return "step";
}
function who(e) {
  const checker = e.verifier ? `${VERIFIERS[e.verifier] || e.verifier} ${e.verifier_unit_name || e.verifier_unit}` : "";
  if (e.by && checker) return `${esc(e.by)}(${esc(checker)})`;
  return esc(e.by || checker || "");
}
function evidenceOf(e) {
  const named = (e.evidence || []).map(x => /^https?:\/\//.test(x)
    ? `<a href="${esc(x)}" target="_blank" rel="noopener">${esc(x)}</a>` : esc(x));
  const all = [...named, evidenceLinks(e.evidence_files)].filter(Boolean);
  return all.length ? `<div class="detail">佐证材料:${all.join("、")}</div>` : "";
}
function entryTitle(e, item) {
  switch (e.type) {
    case "assigned": return `交办:措施印发,${esc(item.unit_name)}为${esc(ROLES[item.role] || "承办单位")}`;
    case "progress-reported": return `进展报送:${esc(e.period)} ${esc(STATUS[e.status] || e.status)},进度 ${esc(e.percent_complete)}%`
      + (e.withdrawn ? `<span class="withdrawn">(已撤回${e.withdrawn_by ? "," + esc(e.withdrawn_by) : ""})</span>` : "");
    case "alert-raised": return `${esc(ALERT_ACTS[e.kind] || KINDS[e.kind] || e.kind)}`
      + (e.severity ? `<span class="severity severity-${esc(e.severity)}">${esc(SEVERITY[e.severity] || e.severity)}</span>` : "");
    case "alert-cleared": return `预警消除:${esc(KINDS[e.kind] || e.kind)}`;
    case "urged": return `督办催办(${esc(KINDS[e.kind] || e.kind)})`;
    case "light-changed": return `亮灯:${e.previous ? light(e.previous) + " → " : ""}${light(e.light)}`;
    default: return esc(STEPS[e.type] || e.type);
  }
}
function entryDetails(e) {
  const lines = [];
  if (e.narrative) lines.push(`<div class="detail">${e.type === "completion-requested" ? "办结说明" : "工作进展"}:${esc(e.narrative)}</div>`);
  if (e.reason) lines.push(`<div class="detail">${e.type.startsWith("alert") ? "原因" : "理由"}:${esc(e.reason)}</div>`);
  if (e.remark) lines.push(`<div class="detail">核查意见:${esc(e.remark)}</div>`);
  if (e.comment) lines.push(`<div class="detail">督办意见:${esc(e.comment)}</div>`);
  if (e.type === "urged") {  // where the urge went: the channels it was queued for, those that had reminded today
    const sent = [e.queued.length && `已推送 ${e.queued.length} 个通知渠道`,
                  e.already_notified.length && `${e.already_notified.length} 个渠道当日已提醒,不再重复推送`];
    lines.push(`<div class="detail">${sent.filter(Boolean).join(",") || "所在地区未配置通知渠道"}</div>`);
  }
  if (e.type === "light-changed" && e.reasons.length)
    lines.push(`<div class="detail">原因:${e.reasons.map(r => esc(LIGHT_REASONS[r] || r)).join("、")}</div>`);
  return lines.join("") + evidenceOf(e);
}

async function timelineView(measure, unit) {
  const item = await get(`/v1/measures/${encodeURIComponent(measure)}/units/${encodeURIComponent(unit)}/timeline`);
  const unitHash = `#/unit/${item.region_code}/${encodeURIComponent(unit)}`;
  crumbs([...regionTrail(item.trail), [item.unit_name, unitHash], [`措施 ${item.number ?? ""} 时间线`, null]]);
  showAsOf(item.as_of);
  exports(item.region_code);
  const steps = item.entries.filter(e => !["alert-raised", "alert-cleared", "urged", "light-changed"].includes(e.type));
  const alerts = item.entries.filter(e => e.type === "alert-raised");
  const urges = item.entries.filter(e => e.type === "urged");
  const head = [["亮灯", light(item.light), "lit"], ["当前环节", esc(LOOP[item.loop_state] || item.loop_state)],
                ["落实状态", esc(STATUS[item.standing] || item.standing)], ["进度", pct(item.percent_complete)],
                ["退回次数", esc(item.returned_count), item.returned_count ? "alert" : ""],
                ["逾期", item.overdue ? "是" : "否", item.overdue ? "alert" : ""],
                ["签收时间", esc(chinaTime(item.signed_at)), "time"],
                ["申请办结时间", esc(chinaTime(item.completion_requested_at)), "time"],
                ["销号时间", esc(chinaTime(item.closed_out_at)), "time"]];
  view.innerHTML = `<h2 id="timeline-title">${esc(item.unit_name)} · 措施 ${esc(item.number)}. ${esc(item.title)}
      <span class="muted">督办事项时间线 · ${esc(item.region_name)} · 截至 ${esc(item.as_of)}</span>
      <a class="button" id="measure-link" href="#/measure/${encodeURIComponent(measure)}/${esc(item.region_code)}">查看措施</a>
      <a class="button" id="timeline-inbox-link" href="#/inbox/${esc(item.region_code)}/${encodeURIComponent(unit)}">待办事项</a></h2>
    <p class="muted">牵头单位:${esc(item.lead_units.map(u => u.unit_name).join("、") || "—")} ·
      办理环节 ${steps.length} 条 · 预警催办 ${alerts.length} 次 · 督办催办 ${urges.length} 次 · 时间为北京时间</p>
    <div class="cards" id="timeline-cards">${head.map(([label, value, cls]) =>
      `<div class="card ${cls || ""}">${label}<b>${value}</b></div>`).join("")}</div>
    <h2>督办过程(按时间先后)</h2>
    <ol class="timeline" id="timeline">${item.entries.map(e => `<li class="${entryGroup(e)}" data-type="${esc(e.type)}">
      <time>${esc(chinaTime(e.at))}</time><div class="what"><b>${entryTitle(e, item)}</b>
      ${who(e) ? `<span class="who">${e.type.startsWith("completion-") && e.verifier ? "核查:"
        : e.type === "urged" ? "督办:" : "经办:"}${who(e)}</span>` : ""}
      ${entryDetails(e)}</div></li>`).join("") || '<li class="muted">暂无记录</li>'}</ol>`;
}

async function route() {
  routing.abort();
  const mine = routing = new AbortController();
  clearCharts();
  clearInterval(refreshing);
  refreshing = null;
  const [kind, a, b, c] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  try {
    if (kind === "timeline" && a && b && c) await timelineView(b, c);  // the region (a) is the unit's, kept for the address to read like the others
    else if (kind === "unit" && a && b) await unitView(a, b);
    else if (kind === "inbox" && a && b) await inboxView(a, b);
    else if (kind === "queue" && a) await queueView(a);
    else if (kind === "measure" && a) await measureView(a, b || HOME);
    else if (kind === "operations") {
      await operationsView();
      refreshing = setInterval(() => operationsView().catch(error => {
        if (!mine.signal.aborted) view.insertAdjacentHTML("afterbegin", `<p class="error">刷新失败:${esc(error.message)}</p>`);
      }), OPERATIONS_REFRESH_MS);
    }
    else await regionView(kind === "region" && a ? a : HOME);
    if (mine.signal.aborted) return;  // a later route draws the page
    document.body.dataset.view = kind || "region";
    document.body.dataset.ready = location.hash || "#/region/" + HOME;
  } catch (error) {
    if (mine.signal.aborted) return;
    view.innerHTML = `<p class="error">加载失败:${esc(error.message)}</p>`;
    const home = await homeCrumb().catch(() => [HOME, `#/region/${HOME}`]);
    if (mine.signal.aborted) return;
    crumbs([home, ["加载失败"]]);  // not the last page's
    document.body.dataset.ready = "error";
  }
}
window.addEventListener("hashchange", route);
document.getElementById("as-of").addEventListener("change", event => {
  // A day chosen is kept (and sent) until the field is cleared, which goes back to the service's today.
  if (event.target.value) event.target.dataset.chosen = "true";
  else delete event.target.dataset.chosen;
  route();
});
document.getElementById("cadence").addEventListener("change", route);
showSignIn(false);
signedInRegion().then(route);
