extension DashboardPage {
    /// The page's body, inside FleetPage's frame. Each `data-live` element with an id is
    /// refetched by the frame every poll interval. A row is one line of HTML, written over several
    /// here (a `\` at a line's end joins it to the next).
    static let templateText = """
<p class="muted" id="poll-line" data-live>Polled every {{pollEvery}}, whether or not this page is open · last poll {{updated}}\
{{#prometheus}} · Prometheus <a href="{{prometheusURL}}">{{#prometheusReachable}}reachable{{/prometheusReachable}}\
{{^prometheusReachable}}<span class="error-text">not reachable</span>{{/prometheusReachable}}</a>{{/prometheus}}\
 · <a href="/api/status">status JSON</a> · <a href="/api/history">history JSON</a> · <a href="/traces">traces</a></p>

<section class="grid" id="headline" data-live>
  <div class="card"><h2>Load</h2><div id="load-speakers" class="big">{{speakers}}</div>
    <div class="muted" id="load-channels">{{channelsText}}</div></div>
  <div class="card"><h2>End-to-end reply latency</h2>
    <dl><dt>median</dt><dd id="e2e-p50" class="big">{{e2eMedian}}</dd><dt>p95</dt><dd id="e2e-p95">{{e2eP95}}</dd>\
<dt>turns measured</dt><dd id="e2e-count">{{e2eCount}}</dd></dl></div>
  <div class="card"><h2>Voice turns by outcome</h2><dl id="outcomes">{{#outcomes}}<dt>{{outcomeName}}</dt><dd>{{outcomeCount}}</dd>{{/outcomes}}\
{{^outcomes}}<dt class="muted">none yet</dt><dd></dd>{{/outcomes}}</dl></div>
  <div class="card"><h2>Time to first byte (median)</h2>
    <dl><dt>STT</dt><dd id="ttfb-stt">{{ttfbStt}}</dd><dt>LLM</dt><dd id="ttfb-llm">{{ttfbLlm}}</dd><dt>TTS</dt><dd id="ttfb-tts">{{ttfbTts}}</dd></dl></div>
  <div class="card"><h2>Audio quality (median)</h2><div id="quality" class="big">{{quality}}</div>
    <div class="muted">processed segments, 0 to 1</div></div>
</section>

<section class="card" id="health" data-live>
  <h2>Services · health and traffic over the last {{historyWindow}}</h2>
  <table class="matrix">
    <thead><tr><th>Service</th><th>Status</th><th class="num">Ready check</th><th>Dependencies</th><th>Polled</th>
      <th>Requests</th><th>Errors</th><th>Duration</th></tr></thead>
    <tbody id="services">
{{#healthRows}}
<tr data-service="{{name}}" data-status="{{status}}"><td><b title="{{url}}">{{name}}</b></td>\
<td><span class="badge {{status}}">{{statusText}}</span>{{#problem}}<div class="muted small">{{.}}</div>{{/problem}}</td>\
<td class="num">{{latency}}</td>\
<td>{{#chips}}<span class="chip{{#chipDown}} down{{/chipDown}}">{{chipName}}{{#chipDown}} ✕{{/chipDown}}</span>{{/chips}}\
{{#noDependencies}}<span class="muted">none</span>{{/noDependencies}}</td>\
<td class="muted">{{polled}}</td>\
{{#requests}}<td class="chart"><span class="latest">{{chartLatest}}</span><svg class="spark {{chartKind}}" viewBox="0 0 120 36" preserveAspectRatio="none" aria-label="peak {{chartPeak}}"><path class="area" d="{{chartArea}}"/><path class="line" d="{{chartLine}}"/></svg></td>{{/requests}}\
{{#errors}}<td class="chart"><span class="latest">{{chartLatest}}</span><svg class="spark {{chartKind}}" viewBox="0 0 120 36" preserveAspectRatio="none" aria-label="peak {{chartPeak}}"><path class="area" d="{{chartArea}}"/><path class="line" d="{{chartLine}}"/></svg></td>{{/errors}}\
{{#duration}}<td class="chart"><span class="latest">{{chartLatest}}</span><svg class="spark {{chartKind}}" viewBox="0 0 120 36" preserveAspectRatio="none" aria-label="peak {{chartPeak}}"><path class="area" d="{{chartArea}}"/><path class="line" d="{{chartLine}}"/></svg></td>{{/duration}}</tr>
{{/healthRows}}
    </tbody>
  </table>
  <p class="muted small">Charts: the last {{historyWindow}}, one point per poll; the number above each is the mean of the
    last minute. Requests and errors per second leave out health probes and /metrics; duration is the mean of the requests
    answered between two polls. The dashboard's own row is its in-process readiness.</p>
</section>

<section class="card" id="service-map" data-live>
  <h2>Service map · calls between services in the last 15 minutes, from the traces</h2>
{{#map}}
  <svg class="service-map" viewBox="0 0 {{width}} {{height}}" role="img" aria-label="Calls between the services">
    <defs>
      <marker id="map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0L10 5L0 10z"/></marker>
      <marker id="map-arrow-error" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0L10 5L0 10z"/></marker>
    </defs>
{{#edges}}
    <g class="edge{{#failed}} error{{/failed}}" data-edge="{{key}}"><title>{{caller}} → {{callee}}: {{calls}} calls, {{errors}} failed</title>\
<line x1="{{x1}}" y1="{{y1}}" x2="{{x2}}" y2="{{y2}}" marker-end="url(#map-arrow{{#failed}}-error{{/failed}})"/>\
<text x="{{labelX}}" y="{{labelY}}" text-anchor="middle">{{label}}</text></g>
{{/edges}}
{{#nodes}}
    <g class="node {{health}}{{#aside}} aside{{/aside}}" data-node="{{name}}"><title>{{name}}: {{health}}</title>\
<rect x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}" rx="6"/>\
<text x="{{textX}}" y="{{textY}}" text-anchor="middle">{{name}}</text></g>
{{/nodes}}
  </svg>
{{/map}}
{{#mapEmpty}}<p class="muted">No calls between services in the last 15 minutes: the map fills as traces arrive.</p>{{/mapEmpty}}
{{#mapError}}<p class="error-text">{{.}}</p>{{/mapError}}
  <p class="muted small">Embedded telemetry store: {{telemetryLine}}{{#telemetryError}} · <span class="error-text">{{.}}</span>{{/telemetryError}}</p>
</section>

<section class="card" id="turns" data-live>
  <h2>Latest voice turns</h2>
  <table>
    <thead><tr><th>Time</th><th>Speaker</th><th>Outcome</th><th class="num">Reply after</th><th>Said</th><th>Answered</th><th>Trace</th></tr></thead>
    <tbody id="turns-feed">
{{#turnRows}}
<tr><td>{{turnTime}}</td><td>{{speaker}}</td><td><span class="badge {{outcome}}">{{outcomeText}}</span></td>\
<td class="num">{{turnLatency}}</td><td class="text">{{transcript}}</td><td class="text">{{answer}}</td>\
<td>{{#hasTrace}}<a class="trace-link" href="{{turnWaterfall}}"><code>{{turnTraceId}}</code></a>\
{{#turnJaeger}} · <a href="{{.}}" target="_blank" rel="noopener">Jaeger</a>{{/turnJaeger}}{{/hasTrace}}</td></tr>
{{/turnRows}}
{{^turnRows}}<tr><td colspan="7" class="muted">No turns reported yet.</td></tr>{{/turnRows}}
    </tbody>
  </table>
  <h2 class="spaced">Recent traces across services</h2>
  <table>
    <thead><tr><th>Started</th><th>Root span</th><th class="num">Duration</th><th class="num">Spans</th><th class="num">Errors</th>\
<th class="num">Services</th><th>Trace</th></tr></thead>
    <tbody id="recent-traces">
{{#traceRows}}
<tr><td>{{traceStarted}}</td><td><span class="chip">{{traceRootService}}</span> {{traceRoot}}</td><td class="num">{{traceDuration}}</td>\
<td class="num">{{traceSpans}}</td><td class="num">{{#traceFailed}}<span class="error-text">{{traceErrors}}</span>{{/traceFailed}}\
{{^traceFailed}}0{{/traceFailed}}</td><td class="num">{{traceServices}}</td>\
<td><a class="trace-link" href="/traces/{{traceId}}"><code>{{traceId}}</code></a>\
{{#traceJaeger}} · <a href="{{.}}" target="_blank" rel="noopener">Jaeger</a>{{/traceJaeger}}</td></tr>
{{/traceRows}}
{{^traceRows}}<tr><td colspan="7" class="muted">No traces yet.</td></tr>{{/traceRows}}
    </tbody>
  </table>
{{#tracesError}}<p class="error-text">{{.}}</p>{{/tracesError}}
  <p class="muted small"><a href="/traces">All recent traces</a></p>
</section>

<section class="card" id="scenarios-card" data-live>
  <h2>Fault scenarios</h2>
  <table>
    <thead><tr><th>Scenario</th><th class="num">Severity</th><th>Affects</th><th>What it does</th></tr></thead>
    <tbody id="scenarios">
{{#scenarioRows}}
<tr><td><span class="badge error">{{scenarioKey}}</span></td><td class="num">{{scenarioValue}}</td><td>{{scenarioServices}}</td><td>{{scenarioText}}</td></tr>
{{/scenarioRows}}
{{^scenarioRows}}<tr><td colspan="4" class="muted">None: the fleet runs healthy. Switch one on from the testing-ui or with `audio-fleet scenario on &lt;key&gt;`.</td></tr>{{/scenarioRows}}
    </tbody>
  </table>
  <div class="muted" id="scenario-source">{{scenarioSummary}} · <a href="/api/scenarios">as JSON</a></div>
</section>

{{#quantilesFromPrometheus}}
<p class="muted">Quantiles come from Prometheus (histogram_quantile over the last 5 minutes); while it does
  not answer they are estimated from each service's histogram buckets since it started, as
  histogram_quantile does. This poll's come from {{quantileSourceNow}}.</p>
{{/quantilesFromPrometheus}}
{{^quantilesFromPrometheus}}
<p class="muted">Quantiles are estimated from each service's histogram buckets since it started, as PromQL's
  histogram_quantile does.</p>
{{/quantilesFromPrometheus}}
"""
}
