extension DashboardPage {
    /// The page as a Mustache template. Everything that changes while it is open is drawn by its
    /// script from api/status, text with `textContent`; the template only says what the
    /// configuration decides.
    static let templateText = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AudioFleet monitoring</title>
<style>
  :root { --bg:#f6f7f9; --card:#fff; --ink:#1d2330; --muted:#667085; --line:#e4e7ec;
          --ok:#12805c; --warn:#b54708; --bad:#c0262d; --unknown:#667085; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; background:var(--bg); color:var(--ink); }
  header { padding:16px 24px; background:var(--card); border-bottom:1px solid var(--line); display:flex; gap:16px; align-items:baseline; flex-wrap:wrap; }
  h1 { font-size:18px; margin:0; }
  h2 { font-size:14px; margin:0 0 10px; color:var(--muted); font-weight:600; text-transform:uppercase; letter-spacing:.04em; }
  main { padding:20px 24px; display:grid; gap:20px; max-width:1200px; }
  .muted { color:var(--muted); }
  .card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:16px; }
  table { width:100%; border-collapse:collapse; }
  th, td { text-align:left; padding:7px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
  th { font-weight:600; color:var(--muted); font-size:12px; }
  td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
  .badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; background:var(--unknown); }
  .ready { background:var(--ok); } .degraded { background:var(--warn); }
  .not_ready, .unreachable, .error { background:var(--bad); }
  .chip { display:inline-block; margin:0 4px 2px 0; padding:0 6px; border-radius:4px; font-size:12px; border:1px solid var(--line); }
  code { font:12px ui-monospace,SFMono-Regular,Menlo,monospace; }
  td.text { max-width:260px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
  .chip.down { border-color:var(--bad); color:var(--bad); }
  .grid { display:grid; grid-template-columns:repeat(auto-fit,minmax(220px,1fr)); gap:20px; }
  .big { font-size:26px; font-weight:650; font-variant-numeric:tabular-nums; }
  dl { display:grid; grid-template-columns:auto 1fr; gap:4px 12px; margin:0; }
  dt { color:var(--muted); } dd { margin:0; text-align:right; font-variant-numeric:tabular-nums; }
  #stale { color:var(--bad); font-weight:600; }
  a { color:#1f5fbf; }
</style>
</head>
<body>
<header>
  <h1>AudioFleet monitoring</h1>
  <span class="muted">updated <span id="updated">never</span></span>
  <span id="stale"></span>
  <span id="prometheus" class="muted"></span>
</header>
<main>
  <section class="card">
    <h2>Services</h2>
    <table>
      <thead><tr><th>Service</th><th>Status</th><th class="num">Ready check</th><th>Dependencies</th>
        <th class="num">Requests/s</th><th class="num">Errors</th></tr></thead>
      <tbody id="services"><tr><td colspan="6" class="muted">Waiting for the first poll…</td></tr></tbody>
    </table>
  </section>
  <section class="card" id="scenarios-card">
    <h2>Fault scenarios</h2>
    <table>
      <thead><tr><th>Scenario</th><th class="num">Severity</th><th>Affects</th><th>What it does</th></tr></thead>
      <tbody id="scenarios"><tr><td colspan="4" class="muted">Reading the flags…</td></tr></tbody>
    </table>
    <div class="muted" id="scenario-source"></div>
  </section>
  <section class="grid">
    <div class="card"><h2>Load</h2><div id="load-speakers" class="big">–</div>
      <div class="muted" id="load-channels">simulated speakers</div></div>
    <div class="card"><h2>End-to-end reply latency</h2>
      <dl><dt>median</dt><dd id="e2e-p50" class="big">–</dd><dt>p95</dt><dd id="e2e-p95">–</dd><dt>turns measured</dt><dd id="e2e-count">–</dd></dl></div>
    <div class="card"><h2>Voice turns by outcome</h2><dl id="turns"><dt class="muted">none yet</dt><dd></dd></dl></div>
    <div class="card"><h2>Time to first byte (median)</h2>
      <dl><dt>STT</dt><dd id="ttfb-stt">–</dd><dt>LLM</dt><dd id="ttfb-llm">–</dd><dt>TTS</dt><dd id="ttfb-tts">–</dd></dl></div>
    <div class="card"><h2>Audio quality (median)</h2><div id="quality" class="big">–</div>
      <div class="muted">processed segments, 0 to 1</div></div>
  </section>
  <section class="card">
    <h2>Recent voice turns</h2>
    <table>
      <thead><tr><th>Time</th><th>Speaker</th><th>Outcome</th><th class="num">Reply after</th><th>Said</th><th>Answered</th><th>Trace</th></tr></thead>
      <tbody id="turns-feed"><tr><td colspan="7" class="muted">No turns reported yet.</td></tr></tbody>
    </table>
  </section>
{{#quantilesFromPrometheus}}
  <p class="muted">Quantiles come from Prometheus (histogram_quantile over the last 5 minutes); while it does
    not answer they are estimated from each service's histogram buckets since it started, as
    histogram_quantile does. Requests/s leave out health probes and /metrics.</p>
{{/quantilesFromPrometheus}}
{{^quantilesFromPrometheus}}
  <p class="muted">Quantiles are estimated from each service's histogram buckets since it started, as PromQL's
    histogram_quantile does. Requests/s leave out health probes and /metrics.</p>
{{/quantilesFromPrometheus}}
</main>
<script>
"use strict";
let refreshMs = 5000;
const $ = (id) => document.getElementById(id);
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
const seconds = (s) => s == null ? "–" : (s < 1 ? Math.round(s * 1000) + " ms" : s.toFixed(2) + " s");
const number = (n, digits) => n == null ? "–" : n.toFixed(digits);

function drawServices(status) {
  const body = $("services");
  body.replaceChildren();
  for (const svc of status.services) {
    const row = document.createElement("tr");
    const name = el("td"); const link = el("a", svc.name); link.href = svc.url; name.append(link); row.append(name);
    const state = el("td"); state.append(el("span", svc.status.replace("_", " "), "badge " + svc.status));
    if (svc.error) state.append(el("div", svc.error, "muted"));
    row.append(state);
    row.append(el("td", svc.latency_ms == null ? "–" : svc.latency_ms.toFixed(0) + " ms", "num"));
    const deps = el("td");
    const names = Object.keys(svc.dependencies).sort();
    if (names.length === 0) deps.append(el("span", "none", "muted"));
    for (const dep of names) {
      const healthy = svc.dependencies[dep] === "healthy";
      deps.append(el("span", dep + (healthy ? "" : " ✕"), healthy ? "chip" : "chip down"));
    }
    row.append(deps);
    row.append(el("td", number(status.metrics.requests_per_second[svc.name], 2), "num"));
    row.append(el("td", number(status.metrics.errors_total[svc.name], 0), "num"));
    body.append(row);
  }
}

function drawMetrics(m) {
  $("e2e-p50").textContent = seconds(m.end_to_end_seconds.p50);
  $("e2e-p95").textContent = seconds(m.end_to_end_seconds.p95);
  $("e2e-count").textContent = number(m.end_to_end_seconds.count, 0);
  const turns = $("turns");
  turns.replaceChildren();
  const outcomes = Object.keys(m.turns_by_outcome).sort();
  if (outcomes.length === 0) { turns.append(el("dt", "none yet", "muted"), el("dd", "")); }
  for (const outcome of outcomes) { turns.append(el("dt", outcome.replaceAll("_", " ")), el("dd", number(m.turns_by_outcome[outcome], 0))); }
  for (const stage of ["stt", "llm", "tts"]) { $("ttfb-" + stage).textContent = seconds(m.stage_ttfb_median_seconds[stage]); }
  $("quality").textContent = number(m.audio_quality_median, 2);
}

function drawTurns(turns) {
  const body = $("turns-feed");
  if (!turns || turns.length === 0) return;
  body.replaceChildren();
  for (const turn of turns) {
    const row = document.createElement("tr");
    row.append(el("td", new Date(turn.finished_at * 1000).toLocaleTimeString()));
    row.append(el("td", turn.speaker));
    const outcome = el("td"); outcome.append(el("span", turn.outcome.replaceAll("_", " "), "badge " + (turn.outcome === "replied" ? "ready" : turn.outcome === "error" ? "error" : "")));
    row.append(outcome);
    row.append(el("td", seconds(turn.end_to_end_seconds), "num"));
    const said = el("td", turn.transcript || "", "text"); said.title = turn.transcript || ""; row.append(said);
    const answered = el("td", turn.response || "", "text"); answered.title = turn.response || ""; row.append(answered);
    const trace = el("td"); if (turn.trace_id) trace.append(el("code", turn.trace_id)); row.append(trace);
    body.append(row);
  }
}

function drawLoad(m) {
  $("load-speakers").textContent = number(m.active_speakers, 0);
  $("load-channels").textContent = m.active_speakers == null ? "simulated speakers (voice bridge not read yet)"
    : "simulated speakers in " + number(m.voice_channels, 0) + (m.voice_channels === 1 ? " voice channel" : " voice channels");
}

function drawScenarios(list) {
  const body = $("scenarios");
  body.replaceChildren();
  const active = list.scenarios.filter((s) => s.active);
  if (active.length === 0) {
    const cell = el("td", "None: the fleet runs healthy. Switch one on from the testing-ui or with `audio-fleet scenario on <key>`.", "muted");
    cell.colSpan = 4;
    const row = document.createElement("tr"); row.append(cell); body.append(row);
  }
  for (const scenario of active) {
    const row = document.createElement("tr");
    const name = el("td"); name.append(el("span", scenario.key, "badge error")); row.append(name);
    const value = scenario.value;
    row.append(el("td", typeof value === "number" ? value + " " + scenario.unit : typeof value === "boolean" ? "on" : String(value), "num"));
    row.append(el("td", scenario.services.join(", ")));
    row.append(el("td", scenario.summary));
    body.append(row);
  }
  $("scenario-source").textContent = active.length + " of " + list.scenarios.length + " on · flags from " + list.source;
}

async function refreshScenarios() {
  try {
    const response = await fetch("api/scenarios", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    drawScenarios(await response.json());
  } catch (error) {
    $("scenario-source").textContent = "could not read the scenarios (" + error.message + ")";
  } finally {
    // Every 2 s, apart from the fleet poll: the dashboard's own flags, so a switch shows at once.
    setTimeout(refreshScenarios, 2000);
  }
}

function drawPrometheus(p) {
  const span = $("prometheus");
  span.replaceChildren();
  if (!p) return;
  span.append("Prometheus: ");
  const link = el("a", p.reachable ? "reachable" : "not reachable"); link.href = p.url;
  if (!p.reachable) link.style.color = "var(--bad)";
  span.append(link);
}

async function refresh() {
  try {
    const response = await fetch("api/status", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    const status = await response.json();
    refreshMs = Math.max(1000, (status.poll_interval_seconds || 5) * 1000);
    $("updated").textContent = status.updated_at ? new Date(status.updated_at).toLocaleTimeString() : "never";
    $("stale").textContent = "";
    drawServices(status);
    drawMetrics(status.metrics);
    drawLoad(status.metrics);
    drawPrometheus(status.prometheus);
    drawTurns(status.recent_turns);
  } catch (error) {
    $("stale").textContent = "dashboard unreachable (" + error.message + "); showing the last numbers";
  } finally {
    setTimeout(refresh, refreshMs);
  }
}
refresh();
refreshScenarios();
</script>
</body>
</html>
"""#
}
