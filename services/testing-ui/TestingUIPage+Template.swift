extension TestingUIPage {
    /// The page's body (inside FleetPage's frame); the comment at its top lists the ids it keeps.
    static let templateText = #"""
{{!
  Ids and classes the script and the browser test rely on (keep them stable):
    form#run-form        the run form; submitting it runs a turn
    textarea#text        what the user says (typed, or filled from #phrase); span#count its length
    select#phrase        the fleet's phrases (FleetPhrases), by kind; picking one fills #text
    select#voice         the speaker's voice; select#reply-voice the reply's voice
    input#session        the conversation to continue (blank: a new one); button#new-session clears it
    input#audio-file     an .opus/.ogg/.wav file; when one is chosen, Run uploads it instead of #text
    button#record        records from the microphone; the clip is sent by the next Run
    button#run-button    Run; #run-status and #run-error say what is happening or went wrong
    section#run          the result (data-run-id), swapped in from /runs/{id}; inside it .transcript,
                         .reply, .verdict, .timing-bar (span.stage-N each), audio.input-audio,
                         audio.reply-audio, a.trace-link (partial "run")
    section#history      recent runs (data-live: refreshed from the server); tr[data-run-id]
    #load-card, #scenarios-card   the fleet's controls (partial "controls")
}}
<div class="grid testing-top">
<form id="run-form" class="card" autocomplete="off">
  <h2>Run a turn</h2>
  <label for="phrase">A phrase the simulated speakers say</label>
  <select id="phrase">
    <option value="">— pick one, or type below —</option>
    {{#phraseGroups}}<optgroup label="{{label}}">{{#phrases}}<option value="{{.}}">{{.}}</option>{{/phrases}}</optgroup>
    {{/phraseGroups}}
  </select>
  <label for="text">What the user says</label>
  <textarea id="text" name="text" maxlength="{{maxTextLength}}">{{defaultText}}</textarea>
  <div class="counter muted"><span id="count">0</span> / {{maxTextLength}}</div>
  <div class="row">
    <label>Speaker voice <select id="voice">{{#voices}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{id}} — {{description}}</option>{{/voices}}</select></label>
    <label>Reply voice <select id="reply-voice">{{#replyVoices}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{id}} — {{description}}</option>{{/replyVoices}}</select></label>
  </div>
  <div class="row">
    <label>Or send audio: .opus, .ogg or .wav, up to {{maxUploadMiB}} MiB and {{maxAudioSeconds}} s
      <input id="audio-file" type="file" accept=".opus,.ogg,.wav,audio/ogg,audio/opus,audio/wav"></label>
    <button id="record" type="button" class="secondary">Record</button>
    <span id="recording" class="muted"></span>
  </div>
  <div class="row">
    <label>Conversation <input id="session" type="text" maxlength="128" placeholder="new"></label>
    <button id="new-session" type="button" class="secondary">New conversation</button>
    <button id="run-button" type="submit">Run</button>
  </div>
  <div id="run-status" class="muted"></div>
  <div id="run-error" class="error-text"></div>
</form>
<section id="run" class="card"><h2>Result</h2>
  <p class="muted">Run a turn: its transcript, the guardrails' verdict, the reply, the time each stage took, both
  recordings and a link to its trace appear here.</p></section>
</div>
{{#history}}{{> history}}{{/history}}
{{> controls}}
"""#

    /// One run (`#run`): on its own page, and swapped into the main page after a run.
    static let runTemplateText = #"""
<section id="run" class="card" data-run-id="{{id}}" data-outcome="{{outcome}}">
  <h2><a href="{{pageURL}}">Run #{{id}}</a> · <time datetime="{{isoTime}}">{{time}}</time> · {{kindLabel}}</h2>
  {{#error}}<p class="error-text run-error">{{.}}</p>{{/error}}
  <div class="grid">
    <div>
      <h3>Heard <span class="muted">{{#transcriptSource}}({{.}}){{/transcriptSource}}</span></h3>
      <p class="said transcript">{{transcript}}</p>
      <audio class="input-audio" controls preload="metadata" src="{{inputAudioURL}}"></audio>
      <div class="muted">{{input}}</div>
    </div>
    <div>
      <h3>Reply <span class="verdict badge {{verdict}}">{{verdict}}</span>{{#reason}} <span class="muted reason">{{.}}</span>{{/reason}}</h3>
      <p class="said reply">{{response}}</p>
      {{#replyAudioURL}}<audio class="reply-audio" controls preload="metadata" src="{{.}}"></audio>{{/replyAudioURL}}
      {{^replyAudioURL}}<div class="muted">no reply audio</div>{{/replyAudioURL}}
      <div class="muted">{{replyVoice}}{{#replySeconds}}, {{.}}{{/replySeconds}}</div>
    </div>
  </div>
  <h3>Stages <span class="muted">total {{totalMs}} ms</span></h3>
  <div class="bar timing-bar">{{#stages}}<span class="stage-{{index}}" style="width:{{percent}}%" title="{{name}}: {{ms}} ms"></span>{{/stages}}</div>
  <div class="timing-legend">{{#stages}}<span><i class="stage-{{index}}"></i>{{name}} {{ms}} ms</span>{{/stages}}</div>
  <dl class="run-details">
    {{#text}}<dt>Typed</dt><dd class="typed">{{.}}</dd>{{/text}}
    <dt>Voices</dt><dd>{{voice}} → {{replyVoice}}</dd>
    <dt>Conversation</dt><dd class="session">{{sessionId}}{{#turn}}, turn {{.}}{{/turn}}</dd>
    <dt>Trace</dt><dd>{{#traceURL}}<a class="trace-link" href="{{.}}" target="_blank" rel="noopener">{{traceId}}</a>{{/traceURL}}{{^traceURL}}<span class="muted">none (tracing is off)</span>{{/traceURL}}</dd>
  </dl>
</section>
"""#

    /// GET /runs/{id}'s body: the run, and the way back.
    static let runPageTemplateText = #"""
{{> run}}
<p><a href="/">Back to the testing UI</a></p>
"""#

    /// The history table (`#history`), refreshed live by the frame.
    static let historyTemplateText = #"""
<section id="history" class="card" data-live>
  <h2>History <span class="muted">· newest first, {{keeps}} kept{{#memoryNote}} · {{.}}{{/memoryNote}}</span></h2>
  <table>
    <thead><tr><th>Run</th><th>Time</th><th>Input</th><th>Heard</th><th>Outcome</th><th class="num">Total</th><th>Trace</th></tr></thead>
    <tbody>
    {{#rows}}<tr data-run-id="{{id}}"><td><a href="{{page}}">#{{id}}</a></td><td><time datetime="{{isoTime}}">{{time}}</time></td>
      <td class="text">{{kind}}{{#text}}<div class="typed">{{.}}</div>{{/text}}</td><td class="text">{{transcript}}</td>
      <td><span class="badge {{outcome}}">{{outcome}}</span></td><td class="num">{{totalMs}} ms</td>
      <td>{{#traceURL}}<a href="{{.}}" target="_blank" rel="noopener">trace</a>{{/traceURL}}</td></tr>
    {{/rows}}
    {{^rows}}<tr><td colspan="7" class="muted">No runs yet.</td></tr>{{/rows}}
    </tbody>
  </table>
</section>
"""#
}
