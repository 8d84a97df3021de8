import FleetAudio
import FleetSpeech
import FleetContracts
import FleetPages
import Foundation
import Mustache
import ServiceKit
import Testing
@testable import TestingUIService

@Suite("testing-ui's page")
struct TestingUIPageTests {
    /// What the browser test and the page's script find on the page (the template's top comment).
    static let formElements = [
        #"<form id="run-form" class="card""#, #"<select id="phrase">"#, #"<select id="voice">"#,
        #"<select id="reply-voice">"#, #"<input id="session" type="text""#, #"<button id="new-session""#,
        #"<input id="audio-file" type="file" accept=".opus,.ogg,.wav"#, #"<button id="record" type="button""#,
        #"<button id="run-button" type="submit">Run</button>"#, #"id="run-status""#, #"id="run-error""#,
        #"<section id="run" class="card">"#, #"<section id="history" class="card" data-live>"#,
        // The script: text runs, uploads, the swap of the server-rendered result, the recorder.
        #"fetch("/api/run", "#, #"fetch("/api/run/audio?" + query"#, #"fleetPage.swapIn("/runs/" + json.id, ["run"])"#,
        "new MediaRecorder(stream)", "context.decodeAudioData(", #"new Blob([view], { type: "audio/wav" })"#,
    ]

    static let links = PageLinks(requestHost: "localhost:8080")

    static func model(maxTextLength: Int = 500, rows: [RunRecord] = []) -> TestingUIPage.PageModel {
        TestingUIPage.PageModel(
            maxTextLength: maxTextLength, maxUploadMiB: "8", maxAudioSeconds: 60, defaultText: "Hey Atlas, what time is it?",
            voices: TestingUIPage.VoiceOption.all(selected: .default),
            replyVoices: TestingUIPage.VoiceOption.all(selected: ValidatedRun.defaultReplyVoice),
            phraseGroups: TestingUIPage.PhraseGroup.all,
            history: .init(rows: rows.map { .init($0, links: links) }, keeps: 200, memoryNote: nil))
    }

    @Test("the templates parse")
    func templates() throws {
        for text in [TestingUIPage.templateText, TestingUIPage.runTemplateText, TestingUIPage.runPageTemplateText,
                     TestingUIPage.historyTemplateText, TestingUIPage.controlsTemplateText] {
            _ = try MustacheTemplate(string: text)
        }
    }

    @Test("the page carries the load control (0 to 500) and the scenario panel, with the calls behind them")
    func controls() {
        let html = TestingUIPage.html(Self.model(), links: Self.links)
        for element in [#"<section class="card controls" id="load-card">"#,
                        #"<input id="load-range" type="range" min="0" max="500""#,
                        #"<input id="load-number" type="number" min="0" max="500""#,
                        #"<button id="load-apply" type="button">Apply</button>"#, #"id="load-now""#, #"id="load-error""#,
                        #"<section class="card controls" id="scenarios-card">"#, #"<tbody id="scenarios">"#,
                        #"<button id="scenarios-reset""#, #"id="scenario-error""#,
                        #"call("PUT", "load""#, #"call("GET", "load")"#, #"call("GET", "scenarios")"#,
                        #"call("PUT", "scenarios/" + encodeURIComponent(scenario.key)"#,
                        #"call("POST", "scenarios/reset")"#, "setInterval(refreshScenarios, 2000)",
                        #"toggle.type = "checkbox""#, "scenario.unit", "scenario.summary", "row.error.textContent = error.message"] {
            #expect(html.contains(element), "the page lacks \(element)")
        }
        // The controls sit inside the page's main column.
        let controls = html.range(of: #"id="scenarios-card""#), main = html.range(of: "</main>")
        #expect(controls != nil && main != nil && controls!.upperBound < main!.lowerBound)
    }

    @Test("the form: the text limit, every voice, the phrase menu by kind, and the ids the browser test uses")
    func form() {
        let html = TestingUIPage.html(Self.model(maxTextLength: 123), links: Self.links)
        for element in Self.formElements + [
            #"<textarea id="text" name="text" maxlength="123">Hey Atlas, what time is it?</textarea>"#,
            #"<span id="count">0</span> / 123"#,
            #"<option value="v2/en_speaker_0" selected>"#, #"<optgroup label="Prompt injections (input guardrail)">"#,
            #"<option value="Did anyone see the game last night?">"#,
            "up to 8 MiB and 60 s", "No runs yet.",
        ] {
            #expect(html.contains(element), "the page lacks \(element)")
        }
        #expect(html.components(separatedBy: "<option value=\"v2/en_speaker_").count - 1 == 2 * Voice.all.count)
        let phrases = FleetPhrases.requests + FleetPhrases.chatter + FleetPhrases.injections + FleetPhrases.personalData
            + FleetPhrases.followUps + FleetPhrases.interjections
        #expect(phrases.allSatisfy { html.contains("<option value=\"\($0.replacingOccurrences(of: "'", with: "&#39;"))\">") })
        #expect(!html.contains("{{"), "a template tag was left in the page")
        #expect(html.hasPrefix("<!doctype html>") && html.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</html>"))
    }

    @Test("a run: transcript, verdict, reply, a four-stage timing bar with its legend, both players, the trace link")
    func run() throws {
        let record = Self.record(id: 7, kind: .text, outcome: "replied")
        let html = TestingUIPage.runHTML(.init(record, links: Self.links), links: Self.links)
        for element in [
            #"<section id="run" class="card" data-run-id="7" data-outcome="replied">"#,
            #"<p class="said transcript">hey atlas</p>"#, #"<span class="verdict badge allowed">allowed</span>"#,
            #"<p class="said reply">You said: hey atlas</p>"#,
            #"<audio class="input-audio" controls preload="metadata" src="/runs/7/input.ogg"></audio>"#,
            #"<audio class="reply-audio" controls preload="metadata" src="/runs/7/reply.ogg"></audio>"#,
            #"<div class="bar timing-bar"><span class="stage-0" style="width:10.0%" title="synthesize: 10.0 ms"></span>"#,
            #"<span class="stage-3" style="width:50.0%" title="orchestrate: 50.0 ms"></span></div>"#,
            #"<span><i class="stage-1"></i>process 20.0 ms</span>"#,
            #"<a class="trace-link" href="http://localhost:8501/traces/0af7651916cd43dd8448eb211c80319c""#,
        ] {
            #expect(html.contains(element), "the run lacks \(element)")
        }
        // With Jaeger configured, the trace opens there.
        let jaeger = PageLinks(requestHost: "localhost:8080", jaeger: "http://localhost:16686/")
        let withJaeger = TestingUIPage.runHTML(.init(record, links: jaeger), links: jaeger)
        #expect(withJaeger.contains(#"href="http://localhost:16686/trace/0af7651916cd43dd8448eb211c80319c""#))
        #expect(withJaeger.contains(#"<a href="http://localhost:16686/" target="_blank" rel="noopener">Jaeger</a>"#))
    }

    @Test("an uploaded run's first stage is the upload; a failed one shows its error and no reply player")
    func uploadAndFailure() throws {
        let upload = TestingUIPage.runHTML(.init(Self.record(id: 3, kind: .file, outcome: "replied"), links: Self.links),
                                           links: Self.links)
        #expect(upload.contains(#"title="upload: 10.0 ms""#) && upload.contains("uploaded WAV file"))
        var failed = Self.record(id: 4, kind: .microphone, outcome: "failed")
        failed.error = "stt: connection refused"
        failed.errorStatus = 502
        failed.replyAudioUrl = nil
        failed.response = nil
        let html = TestingUIPage.runHTML(.init(failed, links: Self.links), links: Self.links)
        #expect(html.contains(#"<p class="error-text run-error">HTTP 502: stt: connection refused</p>"#))
        #expect(html.contains(#"<span class="verdict badge failed">failed</span>"#) && html.contains("microphone recording"))
        #expect(!html.contains("reply-audio") && html.contains("no reply audio"))
    }

    /// A stored run as the history gives it back.
    static func record(id: Int, kind: InputKind, outcome: String) -> RunRecord {
        let json = """
            {"id": \(id), "created_at": "2025-01-02T03:04:05.678Z", "input_kind": "\(kind.rawValue)",
             "input_format": "\(kind == .text ? "synthesized" : "wav")", "text": \(kind == .text ? "\"hey atlas\"" : "null"),
             "voice": "v2/en_speaker_0", "reply_voice": "v2/en_speaker_1", "session_id": "s-1", "turn": 1,
             "outcome": "\(outcome)", "error": null, "error_status": null, "transcript": "hey atlas",
             "transcript_source": "reference", "response": "You said: hey atlas", "allowed": true, "guardrail_reason": null,
             "quality_score": 0.9, "input_audio_seconds": 1.5, "reply_audio_seconds": 2.0,
             "timings_ms": {"synthesize": \(kind == .text ? 10 : 0), "upload": \(kind == .text ? 0 : 10), "process": 20,
                            "transcribe": 20, "orchestrate": 50, "total": 100},
             "trace_id": "0af7651916cd43dd8448eb211c80319c", "page_url": "/runs/\(id)",
             "input_audio_url": "/runs/\(id)/input.ogg", "reply_audio_url": "/runs/\(id)/reply.ogg"}
            """
        return try! JSONDecoder.fleet.decode(RunRecord.self, from: Data(json.utf8))
    }
}
