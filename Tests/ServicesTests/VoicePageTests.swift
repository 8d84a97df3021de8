import FleetPages
import Foundation
import Mustache
import Testing
@testable import DiscordService

@Suite("discord's voice page")
struct VoicePageTests {
    static let speakers = [
        SpeakerStatus(name: "Ava <script>alert(1)</script>", voice: "v2/en_speaker_1", replyVoice: "v2/en_speaker_6",
                      sessionId: "s-ava", state: .awaitingReply, turns: 3),
        SpeakerStatus(name: "Ben", voice: "v2/en_speaker_2", replyVoice: "v2/en_speaker_6", sessionId: "s-ben"),
    ]

    /// A finished turn with every part shown, one still in flight, and text that must be escaped.
    static var turns: [TurnRecord] {
        var blocked = TurnRecord(id: 7, speaker: "Ava <script>alert(1)</script>", sessionId: "s-ava", turnNumber: 2,
                                 phrase: "hey atlas, my email is a@b.c")
        blocked.transcript = "Hey Atlas, <script>steal()</script> & more"
        blocked.replyText = "I can't help with \"that\"."
        blocked.guardrailReason = "pii <email>"
        blocked.error = "tts <timeout>"
        blocked.outcome = .blocked
        blocked.latencies.endToEnd = 1.23456
        blocked.traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
        blocked.inputAudio = [1, 2, 3]
        blocked.replyAudio = [4, 5]
        let inFlight = TurnRecord(id: 8, speaker: "Ben", sessionId: "s-ben", turnNumber: 1, phrase: "hey atlas <what> time")
        return [blocked, inFlight]
    }

    @Test("the template parses")
    func template() throws {
        _ = try MustacheTemplate(string: VoicePage.templateText)
    }

    @Test("turns, speakers, players and the form are on the page, in the shared frame, every text escaped")
    func page() {
        let html = VoicePage.render(turns: Self.turns, speakers: Self.speakers, medianEndToEnd: 0.456,
                                    requestHost: "localhost:8009")
        for element in ["<title>Voice channels · AudioFleet</title>", #"<a href="http://localhost:8009" aria-current="page">Voice bridge</a>"#,
                        "<b>0.46 s</b>", "<form id=speak class=inline>", "<option>Ben</option>", "fetch('/voice/speak'",
                        #"<a href="/voice/turns/7">7</a>"#, "<span class=muted>turn 2</span>",
                        #"<audio controls preload=none src="/voice/turns/7/input.opus"></audio>"#,
                        #"<audio controls preload=none src="/voice/turns/7/reply.opus"></audio>"#,
                        #"<span class="badge blocked">blocked</span>"#, "<td>1.23 s<br>",
                        #"<a class=trace-link href="http://localhost:8501/traces/4bf92f3577b34da6a3ce929d0e0e4736"><code title="trace id">4bf92f3577b34da6a3ce929d0e0e4736</code></a>"#,
                        "<li><b>Ben</b> <span class=muted>v2/en_speaker_2 · idle · 0 turns</span></li>"] {
            #expect(html.contains(element), "the page lacks \(element)")
        }
        #expect(!html.contains("<script>alert"), "a speaker's name came out as markup")
        #expect(!html.contains("<script>steal"), "a transcript came out as markup")
        for escaped in ["Ava &lt;script&gt;alert(1)&lt;/script&gt;", "Hey Atlas, &lt;script&gt;steal()&lt;/script&gt; &amp; more",
                        "I can&#39;t help with &quot;that&quot;.", " <span class=muted>(pii &lt;email&gt;)</span>",
                        " <span class=error-text>tts &lt;timeout&gt;</span>", "awaiting_reply · 3 turns"] {
            #expect(html.contains(escaped), "the page lacks \(escaped)")
        }
    }

    @Test("with JAEGER_UI_URL set, a turn's trace links to Jaeger, and the header to Jaeger and Grafana")
    func jaegerLinks() {
        let settings = PageLinkSettings(portOffset: 0, jaeger: "http://jaeger.test:16686", grafana: "http://grafana.test:3000")
        let html = VoicePage.render(turns: Self.turns, speakers: [], medianEndToEnd: nil, pageLinks: settings, requestHost: "h")
        #expect(html.contains(#"<a class=trace-link href="http://jaeger.test:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736">"#))
        #expect(html.contains(#"<a href="http://grafana.test:3000" target="_blank" rel="noopener">Grafana</a>"#))
    }

    @Test("hostile text in a transcript, a reply, a speaker's name and a phrase comes back escaped")
    func hostileText() {
        let hostile = #"<script>alert(1)</script>"><img src=x onerror=alert(1)>"#
        var turn = TurnRecord(id: 3, speaker: hostile, sessionId: "s", turnNumber: 1, phrase: hostile)
        turn.transcript = hostile
        turn.replyText = hostile
        turn.guardrailReason = hostile
        let pending = TurnRecord(id: 4, speaker: "Ben", sessionId: "s", turnNumber: 2, phrase: hostile)
        let speaker = SpeakerStatus(name: hostile, voice: hostile, replyVoice: "v", sessionId: "s")
        let html = VoicePage.render(turns: [turn, pending], speakers: [speaker],
                                    channels: [ChannelView(guild: hostile, id: hostile, speakers: [hostile],
                                                           botVoice: .init(frames: 0, seconds: 0, opusBytes: 0))],
                                    medianEndToEnd: nil)
        #expect(!html.contains("<script>alert(1)"))
        #expect(!html.contains("<img"))
        #expect(!html.contains(#""><img"#))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
    }

    @Test("a turn in flight shows the phrase dimmed, no latency and no players")
    func turnInFlight() throws {
        let html = VoicePage.render(turns: [Self.turns[1]], speakers: [], medianEndToEnd: nil)
        let row = try #require(html.split(separator: "\n").first { $0.contains(#"href="/voice/turns/8""#) })
        #expect(row.contains("<td class=text><span class=muted>hey atlas &lt;what&gt; time</span></td>"))
        #expect(row.contains(#"<span class="badge in_progress">in_progress</span><br></td><td>–</td><td></td></tr>"#))
        #expect(html.contains("<b>no replies yet</b>"))
        #expect(html.contains("<ul class=speakers></ul>"))
    }

    @Test("channels are listed with their guild, speakers and what Atlas said there; none means idle")
    func channels() {
        let voice = StatusView.BotVoice(frames: 150, seconds: 3, opusBytes: 1200)
        let html = VoicePage.render(turns: [], speakers: Self.speakers, channels: [
            ChannelView(guild: "guild-1", id: "voice-1", speakers: ["Ava <b>", "Ben"], botVoice: voice),
            ChannelView(guild: "guild-2", id: "voice-6", speakers: [], botVoice: voice),
        ], medianEndToEnd: nil)
        #expect(html.contains("<h2>Speakers: 2</h2>"))
        #expect(html.contains("<tr><td>guild-1</td><td>voice-1</td><td>Ava &lt;b&gt;, Ben</td><td>3.0 s</td></tr>"))
        #expect(html.contains("<tr><td>guild-2</td><td>voice-6</td><td>nobody</td><td>3.0 s</td></tr>"))
        #expect(!html.contains("the bridge is idle"))
        let idle = VoicePage.render(turns: [], speakers: [], channels: [], medianEndToEnd: nil)
        #expect(idle.contains("No speakers: the bridge is idle"))
        #expect(idle.contains("<h2>Speakers: 0</h2>"))
    }

    @Test("an interrupted turn is shown as such")
    func interruptedTurn() {
        var turn = TurnRecord(id: 9, speaker: "Ben", sessionId: "s-ben", turnNumber: 3, phrase: "hey atlas, a story")
        turn.outcome = .interrupted
        let html = VoicePage.render(turns: [turn], speakers: [], medianEndToEnd: nil)
        #expect(html.contains(#"<span class="badge interrupted">interrupted</span>"#))
    }

    @Test("no turns: the table says how to get some")
    func empty() {
        let html = VoicePage.render(turns: [], speakers: Self.speakers, medianEndToEnd: nil)
        #expect(html.contains("<tr><td colspan=6 class=muted>No turns yet."))
        #expect(!html.contains("{{"), "a template tag was left in the page")
    }
}
