extension VoicePage {
    /// The page's body, inside FleetPage's frame. A row is one line of HTML, written over several
    /// here (a `\` at a line's end joins it to the next).
    static let templateText = """
        <p class="muted">Median end-to-end latency (end of speech to first reply audio): <b>{{median}}</b> ·
        mean word error rate of what stt heard: <b>{{meanWordErrorRate}}</b> ·
        <a href="/voice/status">status</a> · <a href="/voice/turns">turns JSON</a> · <a href="/">refresh</a></p>
        <section class="card"><h2>Speakers: {{speakerCount}}</h2>
        <table class="channels"><tr><th>Guild</th><th>Channel</th><th>Speakers</th><th>Atlas spoke</th></tr>
        {{#channels}}<tr><td>{{guild}}</td><td>{{channelId}}</td><td>{{members}}</td><td>{{botSeconds}}</td></tr>
        {{/channels}}{{^channels}}<tr><td colspan=4 class=muted>No speakers: the bridge is idle (PUT /voice/load adds some).</td></tr>{{/channels}}
        </table>
        <ul class=speakers>{{#speakers}}<li><b>{{name}}</b> <span class=muted>{{voice}} · {{state}} · {{turnCount}} turns</span></li>{{/speakers}}</ul>
        <form id=speak class=inline><select name=speaker><option value="">any speaker</option>{{#speakers}}<option>{{name}}</option>{{/speakers}}</select>
        <input type=text name=text maxlength=300 placeholder="Hey Atlas, what time is it?" required>
        <button>Speak</button><span id=said class=muted></span></form></section>
        <section class="card"><h2>Turns</h2>
        <table class=turns><tr><th>#</th><th>Speaker</th><th>Heard</th><th>Atlas</th><th>Latency</th><th>Listen</th></tr>
        {{#turns}}\
        <tr><td><a href="/voice/turns/{{id}}">{{id}}</a></td><td>{{speaker}}<br>\
        <span class=muted>turn {{turnNumber}}</span></td>\
        <td class=text>{{#transcript}}{{.}}{{/transcript}}{{^transcript}}<span class=muted>{{phrase}}</span>{{/transcript}}\
        {{#wordErrorRate}}<br><span class=muted title="word error rate against what was said">WER {{.}}</span>{{/wordErrorRate}}\
        {{#misheardPhrase}} <span class=muted>· said: {{.}}</span>{{/misheardPhrase}}</td>\
        <td class=text><span class="badge {{outcome}}">{{outcome}}</span><br>{{reply}}\
        {{#guardrailReason}} <span class=muted>({{.}})</span>{{/guardrailReason}}\
        {{#error}} <span class=error-text>{{.}}</span>{{/error}}</td>\
        <td>{{latency}}{{#traceId}}<br><a class=trace-link href="{{traceLink}}"><code title="trace id">{{.}}</code></a>{{/traceId}}</td><td>\
        {{#hasInputAudio}}<div>said <audio controls preload=none src="/voice/turns/{{id}}/input.opus"></audio></div>{{/hasInputAudio}}\
        {{#hasReplyAudio}}<div>reply <audio controls preload=none src="/voice/turns/{{id}}/reply.opus"></audio></div>{{/hasReplyAudio}}\
        </td></tr>\
        {{/turns}}\
        {{^turns}}<tr><td colspan=6 class=muted>No turns yet. Speakers start talking a few seconds after the fleet is up, or use the form above.</td></tr>{{/turns}}
        </table></section>
        """

    /// The speak form's handler: a constant, so the frame can put it in a `<script>` as it is.
    static let script = """
        document.getElementById('speak').addEventListener('submit', async (event) => {
          event.preventDefault();
          const form = new FormData(event.target);
          const body = { text: form.get('text') };
          if (form.get('speaker')) body.speaker = form.get('speaker');
          const said = document.getElementById('said');
          try {
            const response = await fetch('/voice/speak', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
            const answer = await response.json();
            said.textContent = response.ok
              ? `turn ${answer.turn_id} queued for ${answer.speaker}; refresh in a few seconds`
              : answer.error.message;
          } catch (error) {
            said.textContent = `the bridge did not answer (${error.message})`;
          }
        });
        """
}
