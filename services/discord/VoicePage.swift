import Foundation

/// GET /: one self-contained page (no external assets) listing recent voice turns with players
/// for what the speaker said and what Atlas answered, and a form to make someone speak.
enum VoicePage {
    static func render(turns: [TurnRecord], speakers: [SpeakerStatus], medianEndToEnd: Double?) -> String {
        let median = medianEndToEnd.map { String(format: "%.2f s", $0) } ?? "no replies yet"
        let speakerList = speakers.map { speaker in
            "<li><b>\(escape(speaker.name))</b> <span class=dim>\(escape(speaker.voice)) · \(speaker.state.rawValue) · \(speaker.turns) turns</span></li>"
        }.joined()
        let options = speakers.map { "<option>\(escape($0.name))</option>" }.joined()
        let rows = turns.isEmpty
            ? "<tr><td colspan=6 class=dim>No turns yet. Speakers start talking a few seconds after the fleet is up, or use the form above.</td></tr>"
            : turns.map(row).joined()
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>AudioFleet · voice channel</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1d1d1f; background: #fafafa; }
        h1 { font-size: 1.4rem; margin: 0 0 .3rem; } .dim { color: #6e6e73; }
        ul.speakers { list-style: none; padding: 0; display: flex; gap: 1.5rem; flex-wrap: wrap; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; vertical-align: top; padding: .5rem; border-bottom: 1px solid #e5e5ea; }
        th { font-weight: 600; background: #f2f2f7; } audio { width: 220px; height: 32px; }
        .outcome { font-weight: 600; } .replied { color: #1a7f37; } .blocked { color: #b35900; }
        .error { color: #c62828; } .no_wake_phrase, .empty, .in_progress { color: #6e6e73; }
        form { margin: 1rem 0; display: flex; gap: .5rem; } input[type=text] { flex: 1; padding: .4rem; }
        code { font-size: 12px; }
        </style></head><body>
        <h1>Voice channel</h1>
        <div class=dim>Median end-to-end latency (end of speech to first reply audio): <b>\(median)</b> ·
        <a href="/voice/status">status</a> · <a href="/voice/turns">turns JSON</a> · <a href="/">refresh</a></div>
        <ul class=speakers>\(speakerList)</ul>
        <form id=speak><select name=speaker><option value="">any speaker</option>\(options)</select>
        <input type=text name=text maxlength=300 placeholder="Hey Atlas, what time is it?" required>
        <button>Speak</button><span id=said class=dim></span></form>
        <table><tr><th>#</th><th>Speaker</th><th>Heard</th><th>Atlas</th><th>Latency</th><th>Listen</th></tr>
        \(rows)
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

    static func row(_ turn: TurnRecord) -> String {
        let outcome = turn.outcome?.rawValue ?? "in_progress"
        let heard = turn.transcript.map { escape($0) } ?? "<span class=dim>\(escape(turn.phrase))</span>"
        var atlas = turn.replyText.map { escape($0) } ?? ""
        if let reason = turn.guardrailReason { atlas += " <span class=dim>(\(escape(reason)))</span>" }
        if let error = turn.error { atlas += " <span class=error>\(escape(error))</span>" }
        let latency = turn.latencies.endToEnd.map { String(format: "%.2f s", $0) } ?? "–"
        var players = ""
        if !turn.inputAudio.isEmpty {
            players += "<div>said <audio controls preload=none src=\"/voice/turns/\(turn.id)/input.opus\"></audio></div>"
        }
        if turn.replyAudio != nil {
            players += "<div>reply <audio controls preload=none src=\"/voice/turns/\(turn.id)/reply.opus\"></audio></div>"
        }
        let trace = turn.traceId.map { "<br><code title=\"trace id\">\($0)</code>" } ?? ""
        return """
        <tr><td><a href="/voice/turns/\(turn.id)">\(turn.id)</a></td><td>\(escape(turn.speaker))<br>\
        <span class=dim>turn \(turn.turnNumber)</span></td><td>\(heard)</td>\
        <td><span class="outcome \(outcome)">\(outcome)</span><br>\(atlas)</td><td>\(latency)\(trace)</td><td>\(players)</td></tr>
        """
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
