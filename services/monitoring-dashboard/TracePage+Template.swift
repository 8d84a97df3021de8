extension TracePage {
    /// The waterfall's body, inside FleetPage's frame. A row is one line of HTML, written over
    /// several here (a `\` at a line's end joins it to the next).
    static let templateText = """
<section class="card trace-summary">
  <dl>
    <dt>Trace</dt><dd><code>{{traceId}}</code>{{#jaegerLink}} · <a href="{{.}}" target="_blank" rel="noopener">open in Jaeger</a>{{/jaegerLink}}\
 · <a href="/api/traces/{{traceId}}">as JSON</a> · <a href="/traces">recent traces</a></dd>
    <dt>Root span</dt><dd>{{rootLabel}}</dd>
    <dt>Started</dt><dd>{{started}}, lasted {{totalDuration}}</dd>
    <dt>Spans</dt><dd>{{spanCount}} · {{errorCount}} with an error · <span id="orphans">{{orphanCount}}</span> orphans</dd>
    <dt>Services</dt><dd>{{serviceCount}}: {{#serviceChips}}<span class="chip svc-{{chipColour}}">{{chipService}}</span>{{/serviceChips}}</dd>
  </dl>
{{#hasOrphans}}
  <p class="error-text">{{orphanCount}} spans name a parent that is not in this trace (a broken context propagation, or a part
    that has not arrived yet): they are drawn at the top level and marked orphan.</p>
{{/hasOrphans}}
</section>

<section class="card waterfall">
  <div class="waterfall-head"><span>Span</span><span class="waterfall-scale">{{#scale}}<span>{{.}}</span>{{/scale}}</span><span class="num">Duration</span></div>
{{#rows}}
<div class="span-row{{#spanFailed}} error{{/spanFailed}}{{#orphan}} orphan{{/orphan}}" id="span-{{spanId}}" data-service="{{service}}" \
data-span-id="{{spanId}}" data-parent-id="{{parentId}}" data-depth="{{depth}}"><details><summary>\
<span class="span-name" style="padding-left:{{indent}}px"><span class="chip svc-{{colour}}">{{service}}</span> {{spanName}}\
{{#spanFailed}} <span class="badge error">error</span>{{/spanFailed}}{{#orphan}} <span class="badge warn">orphan</span>{{/orphan}}</span>\
<span class="span-track"><span class="span-bar svc-{{colour}}" style="margin-left:{{offsetPercent}}%;width:{{widthPercent}}%"></span></span>\
<span class="num">{{spanDuration}}</span></summary>\
<div class="span-detail"><dl><dt>span id</dt><dd><code>{{spanId}}</code></dd>\
<dt>parent</dt><dd>{{#hasParent}}<code>{{parentId}}</code>{{/hasParent}}{{^hasParent}}none (a root){{/hasParent}}</dd>\
<dt>kind</dt><dd>{{kind}}</dd><dt>status</dt><dd>{{statusText}}</dd><dt>starts</dt><dd>{{spanStart}} after the trace</dd>\
{{#attributes}}<dt>{{pairKey}}</dt><dd>{{pairValue}}</dd>{{/attributes}}</dl>\
{{#events}}<div class="span-event"><b>{{eventName}}</b> <span class="muted">{{eventOffset}} into the span</span>\
{{#eventAttributes}} <span class="chip">{{pairKey}}={{pairValue}}</span>{{/eventAttributes}}</div>{{/events}}\
</div></details></div>
{{/rows}}
{{^rows}}<p class="muted">This trace has no spans.</p>{{/rows}}
</section>

<section class="card" id="trace-logs">
  <h2>Log records with this trace id</h2>
  <table>
    <thead><tr><th class="num">At</th><th>Service</th><th>Severity</th><th>Message</th><th>Span</th></tr></thead>
    <tbody>
{{#logRows}}
<tr class="log-row"><td class="num">{{logOffset}}</td><td><span class="chip svc-{{logColour}}">{{logService}}</span></td>\
<td><span class="badge {{severity}}">{{severity}}</span></td><td class="text"><pre>{{logBody}}</pre>\
{{#logAttributes}}<span class="chip">{{pairKey}}={{pairValue}}</span>{{/logAttributes}}</td>\
<td>{{#logSpanKnown}}<a href="#span-{{logSpan}}"><code>{{logSpan}}</code></a>{{/logSpanKnown}}\
{{^logSpanKnown}}<code>{{logSpan}}</code>{{/logSpanKnown}}</td></tr>
{{/logRows}}
{{^logRows}}<tr><td colspan="5" class="muted">No log record carries this trace id.</td></tr>{{/logRows}}
    </tbody>
  </table>
</section>
"""
}
