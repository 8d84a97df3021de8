extension VoicePage {
    /// The page as a Mustache template. A row is one line of HTML, written over several here
    /// (a `\` at a line's end joins it to the next).
    static let templateText = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>AudioFleet · voice channel</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1d1d1f; background: #fafafa; }
        h1 { font-size: 1.4rem; margin: 0 0 .3rem; } h2 { font-size: 1.1rem; margin: 1rem 0 .3rem; } .dim { color: #6e6e73; }
        table.channels { margin-bottom: 1rem; }
        ul.speakers { list-style: none; padding: 0; display: flex; gap: 1.5rem; flex-wrap: wrap; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; vertical-align: top; padding: .5rem; border-bottom: 1px solid #e5e5ea; }
        th { font-weight: 600; background: #f2f2f7; } audio { width: 220px; height: 32px; }
        .outcome { font-weight: 600; } .replied { color: #1a7f37; } .blocked { color: #b35900; }
        .error { color: #c62828; } .no_wake_phrase, .empty, .in_progress { color: #6e6e73; } .interrupted { color: #8e44ad; }
        form { margin: 1rem 0; display: flex; gap: .5rem; } input[type=text] { flex: 1; padding: .4rem; }
        code { font-size: 12px; }
        </style></head><body>
        <h1>Voice channels</h1>
        <div class=dim>Median end-to-end latency (end of speech to first reply audio): <b>{{median}}</b> ·
        <a href="/voice/status">status</a> · <a href="/voice/turns">turns JSON</a> · <a href="/">refresh</a></div>
        <h2>Speakers: {{speakerCount}}</h2>
        <table class=channels><tr><th>Guild</th><th>Channel</th><th>Speakers</th><th>Atlas spoke</th></tr>
        {{#channels}}<tr><td>{{guild}}</td><td>{{channelId}}</td><td>{{members}}</td><td>{{botSeconds}}</td></tr>
        {{/channels}}{{^channels}}<tr><td colspan=4 class=dim>No speakers: the bridge is idle (PUT /voice/load adds some).</td></tr>{{/channels}}
        </table>
        <ul class=speakers>{{#speakers}}<li><b>{{name}}</b> <span class=dim>{{voice}} · {{state}} · {{turnCount}} turns</span></li>{{/speakers}}</ul>
        <form id=speak><select name=speaker><option value="">any speaker</option>{{#speakers}}<option>{{name}}</option>{{/speakers}}</select>
        <input type=text name=text maxlength=300 placeholder="Hey Atlas, what time is it?" required>
        <button>Speak</button><span id=said class=dim></span></form>
        <table><tr><th>#</th><th>Speaker</th><th>Heard</th><th>Atlas</th><th>Latency</th><th>Listen</th></tr>
        {{#turns}}\
        <tr><td><a href="/voice/turns/{{id}}">{{id}}</a></td><td>{{speaker}}<br>\
        <span class=dim>turn {{turnNumber}}</span></td>\
        <td>{{#transcript}}{{.}}{{/transcript}}{{^transcript}}<span class=dim>{{phrase}}</span>{{/transcript}}</td>\
        <td><span class="outcome {{outcome}}">{{outcome}}</span><br>{{reply}}\
        {{#guardrailReason}} <span class=dim>({{.}})</span>{{/guardrailReason}}\
        {{#error}} <span class=error>{{.}}</span>{{/error}}</td>\
        <td>{{latency}}{{#traceId}}<br><code title="trace id">{{.}}</code>{{/traceId}}</td><td>\
        {{#hasInputAudio}}<div>said <audio controls preload=none src="/voice/turns/{{id}}/input.opus"></audio></div>{{/hasInputAudio}}\
        {{#hasReplyAudio}}<div>reply <audio controls preload=none src="/voice/turns/{{id}}/reply.opus"></audio></div>{{/hasReplyAudio}}\
        </td></tr>\
        {{/turns}}\
        {{^turns}}<tr><td colspan=6 class=dim>No turns yet. Speakers start talking a few seconds after the fleet is up, or use the form above.</td></tr>{{/turns}}
        </table>
        <script>
        document.getElementById('speak').addEventListener('submit', async (event) => {
          event.preventDefault();
          const form = new FormData(event.target);
          const body = { text: form.get('text') };
          if (form.get('speaker')) body.speaker = form.get('speaker');
          const response = await fetch('/voice/speak', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
          const answer = await response.json();
          document.getElementById('said').textContent = response.ok
            ? `turn ${answer.turn_id} queued for ${answer.speaker}; refresh in a few seconds`
            : answer.error.message;
        });
        </script>
        </body></html>
        """
}
