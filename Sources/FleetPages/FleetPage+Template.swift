extension FleetPage {
    /// The frame. `body` and `script` are inserted unescaped (`{{{ }}}`): the body is HTML the
    /// page's own template has already escaped, the script a constant. Everything else is escaped.
    static let templateText = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · AudioFleet</title>
<link rel="icon" href="data:,">
{{#apiToken}}<meta name="fleet-api-token" content="{{apiToken}}">{{/apiToken}}
<style>{{{style}}}</style>
</head>
<body>
<header class="top">
  <b class="brand">AudioFleet</b>
  <nav>{{#navigation}}<a href="{{url}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a>{{/navigation}}</nav>
  <nav class="external">{{#external}}<a href="{{url}}" target="_blank" rel="noopener">{{label}}</a>{{/external}}</nav>
</header>
<main>
<h1>{{title}}</h1>
{{{body}}}
</main>
<script>
// `fleetPage.swapIn(url, ids)` replaces this page's elements with those ids by the ones the server
// renders at `url` (a page's own script uses it too). A parsed document runs no script, and the
// server escaped every piece of text in it. Live parts: every [data-live] element with an id is
// swapped in from this same URL every refresh interval.
// With FLEET_API_TOKEN set (a service bound beyond loopback), the page carries the token and its own
// requests that change something send it (MutationGuard); a cross-site page cannot read it.
(function () {
  const token = document.querySelector('meta[name="fleet-api-token"]')?.content;
  if (!token) return;
  const plain = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    const method = String(init.method || "GET").toUpperCase();
    if (method === "GET" || method === "HEAD") return plain(input, init);
    const headers = new Headers(init.headers || {});
    headers.set("Authorization", "Bearer " + token);
    return plain(input, Object.assign({}, init, { headers }));
  };
})();
window.fleetPage = {
  async swapIn(url, ids, init = {}) {
    const answer = await fetch(url, Object.assign({ cache: "no-store" }, init));
    if (!answer.ok) throw new Error("HTTP " + answer.status + " from " + url);
    const fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
    for (const id of ids) {
      const element = document.getElementById(id), replacement = fresh.getElementById(id);
      if (element && replacement && !element.contains(document.activeElement)) {
        element.replaceWith(document.adoptNode(replacement));
      }
    }
  },
};
(function () {
  const every = {{refreshMilliseconds}};
  if (!every) return;
  async function refresh() {
    try {
      if (!document.hidden) {
        const live = Array.from(document.querySelectorAll("[data-live][id]"), (element) => element.id);
        // Marked as polling, so the server measures it but does not trace it.
        await fleetPage.swapIn(location.href, live, { headers: { "X-Fleet-Poll": "1" } });
        document.body.dataset.refreshed = new Date().toISOString();
      }
    } catch (error) { /* the service is restarting: try again next time */ }
    setTimeout(refresh, every);
  }
  setTimeout(refresh, every);
})();
</script>
{{#script}}<script>{{{script}}}</script>{{/script}}
</body>
</html>
"""#

    /// The one stylesheet of the three pages.
    static let style = """
:root { --bg:#f6f7f9; --card:#fff; --ink:#1d2330; --muted:#667085; --line:#e4e7ec; --accent:#1f5fbf;
        --ok:#12805c; --warn:#b54708; --bad:#c0262d; --unknown:#667085; --violet:#7a3db8; }
* { box-sizing:border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; background:var(--bg); color:var(--ink); }
header.top { padding:10px 24px; background:var(--card); border-bottom:1px solid var(--line); display:flex; gap:20px; align-items:center; flex-wrap:wrap; }
header.top nav { display:flex; gap:4px; }
header.top nav.external { margin-left:auto; }
header.top nav a { padding:4px 10px; border-radius:6px; text-decoration:none; color:var(--ink); }
header.top nav a[aria-current=page] { background:var(--ink); color:#fff; }
header.top nav a:hover { background:var(--line); }
main { padding:16px 24px 40px; display:grid; gap:18px; max-width:1280px; }
h1 { font-size:20px; margin:0; }
h2 { font-size:13px; margin:0 0 10px; color:var(--muted); font-weight:600; text-transform:uppercase; letter-spacing:.04em; }
a { color:var(--accent); }
.muted { color:var(--muted); }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:16px; overflow-x:auto; }
.grid { display:grid; grid-template-columns:repeat(auto-fit,minmax(240px,1fr)); gap:18px; }
.big { font-size:26px; font-weight:650; font-variant-numeric:tabular-nums; }
table { width:100%; border-collapse:collapse; }
th, td { text-align:left; padding:7px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-weight:600; color:var(--muted); font-size:12px; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
td.text { max-width:320px; overflow-wrap:anywhere; }
code, pre { font:12px ui-monospace,SFMono-Regular,Menlo,monospace; }
pre { white-space:pre-wrap; overflow-wrap:anywhere; margin:0; }
dl { display:grid; grid-template-columns:auto 1fr; gap:4px 12px; margin:0; }
dt { color:var(--muted); } dd { margin:0; overflow-wrap:anywhere; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; background:var(--unknown); }
.badge.ready, .badge.replied, .badge.ok, .badge.allowed { background:var(--ok); }
.badge.degraded, .badge.blocked, .badge.warn { background:var(--warn); }
.badge.not_ready, .badge.unreachable, .badge.error, .badge.failed { background:var(--bad); }
.badge.interrupted { background:var(--violet); }
.chip { display:inline-block; margin:0 4px 2px 0; padding:0 6px; border-radius:4px; font-size:12px; border:1px solid var(--line); }
.chip.down { border-color:var(--bad); color:var(--bad); }
.error-text { color:var(--bad); }
form.inline { display:flex; gap:8px; flex-wrap:wrap; align-items:center; }
input[type=text], input[type=number], select, textarea { font:inherit; padding:5px 8px; border:1px solid var(--line); border-radius:6px; background:#fff; }
textarea { width:100%; min-height:60px; }
button { font:inherit; padding:5px 14px; border:1px solid var(--ink); border-radius:6px; background:var(--ink); color:#fff; cursor:pointer; }
button.secondary { background:#fff; color:var(--ink); }
button:disabled { opacity:.5; cursor:wait; }
audio { width:240px; height:32px; vertical-align:middle; }
svg { display:block; }
svg.spark { width:100%; height:36px; }
svg.spark path.line { fill:none; stroke:var(--accent); stroke-width:1.5; }
svg.spark path.area { fill:var(--accent); opacity:.12; stroke:none; }
svg.spark.errors path.line { stroke:var(--bad); } svg.spark.errors path.area { fill:var(--bad); }
.bar { display:flex; height:18px; border-radius:4px; overflow:hidden; background:var(--line); min-width:120px; }
.bar > span { display:block; height:100%; min-width:2px; }
.stage-0 { background:#5b8def; } .stage-1 { background:#34a39a; } .stage-2 { background:#e0a33b; }
.stage-3 { background:#b65fc9; } .stage-4 { background:#e0663b; } .stage-5 { background:#7a8699; }
.legend span::before { content:""; display:inline-block; width:10px; height:10px; border-radius:2px; margin:0 4px 0 10px; background:inherit; }
/* monitoring dashboard: health matrix charts, service map, trace waterfall */
.small { font-size:12px; } h2.spaced { margin-top:18px; }
svg.spark path.line { vector-effect:non-scaling-stroke; }
table.matrix td.chart { min-width:130px; } td.chart .latest { display:block; font-size:12px; font-variant-numeric:tabular-nums; }
svg.service-map { width:100%; max-width:900px; height:auto; font-size:13px; }
.service-map .node rect { fill:#fff; stroke:var(--unknown); stroke-width:1.5; }
.service-map .node.ready rect { stroke:var(--ok); } .service-map .node.degraded rect { stroke:var(--warn); }
.service-map .node.not_ready rect, .service-map .node.unreachable rect, .service-map .node.error rect { stroke:var(--bad); fill:#fdf0f0; }
.service-map .node.aside rect { stroke-dasharray:4 3; } .service-map .node text { fill:var(--ink); font-weight:600; }
.service-map .edge line { stroke:#98a2b3; stroke-width:1.6; } .service-map .edge text { fill:var(--muted); font-size:12px; }
.service-map .edge.error line { stroke:var(--bad); } .service-map .edge.error text { fill:var(--bad); }
#map-arrow path { fill:#98a2b3; } #map-arrow-error path { fill:var(--bad); }
.svc-0 { background:#5b8def; } .svc-1 { background:#34a39a; } .svc-2 { background:#e0a33b; } .svc-3 { background:#b65fc9; }
.svc-4 { background:#e0663b; } .svc-5 { background:#3b9fe0; } .svc-6 { background:#8a6d3b; } .svc-7 { background:#d45087; }
.svc-8 { background:#6b7a2f; } .svc-9 { background:#7a8699; }
.chip[class*=svc-] { color:#fff; border-color:transparent; }
.waterfall-head, .span-row summary { display:grid; grid-template-columns:minmax(240px,36%) 1fr 76px; gap:8px; align-items:center; }
.waterfall-head { color:var(--muted); font-size:12px; font-weight:600; padding:0 4px 6px 20px; border-bottom:1px solid var(--line); }
.waterfall-scale { display:flex; justify-content:space-between; }
.span-row { border-bottom:1px solid var(--line); } .span-row summary { cursor:pointer; padding:3px 4px; }
.span-row summary:hover { background:var(--bg); } .span-row.error summary { background:#fdf0f0; }
.span-name { white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
.span-track { position:relative; height:14px; background:var(--bg); border-radius:3px; }
.span-bar { display:block; height:100%; min-width:2px; border-radius:3px; }
.span-row.error .span-bar { outline:2px solid var(--bad); }
.span-detail { padding:6px 12px 10px 28px; background:var(--bg); font-size:12px; }
.span-event { margin-top:4px; }
/* voice bridge: speakers and channels */
ul.speakers { list-style:none; padding:0; margin:10px 0; display:flex; gap:18px; flex-wrap:wrap; }
table.channels { margin-bottom:8px; } form#speak input[type=text] { flex:1; min-width:260px; }
/* testing-ui: the run form, a run's result, the controls */
.testing-top { grid-template-columns:repeat(auto-fit,minmax(420px,1fr)); align-items:start; }
#run-form label, .controls label { display:grid; gap:3px; color:var(--muted); font-size:12px; margin-top:8px; }
#run-form select { max-width:100%; } .row { display:flex; gap:14px; flex-wrap:wrap; align-items:end; margin-top:8px; }
.counter { font-size:12px; text-align:right; } .said { font-size:16px; margin:4px 0 8px; overflow-wrap:anywhere; }
#run h3 { font-size:14px; margin:12px 0 4px; } .typed { overflow-wrap:anywhere; }
.timing-legend { display:flex; flex-wrap:wrap; gap:4px 14px; margin:6px 0 10px; font-size:12px; }
.timing-legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px; }
.inline-error { color:var(--bad); font-size:12px; } tr.active td:first-child { border-left:3px solid var(--bad); }
#scenarios input[type=number] { width:90px; } #scenarios select { width:150px; }
"""
}
