import FleetAudio
import FleetSpeech
import FleetTelemetry
import Foundation
import OrchestratorService
import ServiceKit
import Testing

/// Starts the real binary as nine processes exporting OTLP to a receiver in this test, lets the
/// discord bridge's simulated speakers talk, and checks the traces, the reply audio and /metrics.
@Suite("Voice turn, end to end", .serialized)
struct VoiceTurnEndToEndTests {
    /// The stage spans a replied voice turn must contain (besides HTTP server and client spans).
    static let stageSpans = [StageSpan.turn, StageSpan.encode, StageSpan.processSegment, StageSpan.enhance,
                             StageSpan.transcribe, StageSpan.wakeDetection, StageSpan.orchestrate,
                             StageSpan.guardrailsInput, StageSpan.guardrailsOutput, StageSpan.chat(model: "flan-t5-large"),
                             StageSpan.generate, StageSpan.synthesize, StageSpan.playback]

    /// Metrics that must have a non-zero value on each service once turns have flowed.
    static let expectedMetrics: [FleetMember: [String]] = [
        .discord: ["end_to_end_response_duration_seconds", "wake_detection_duration_seconds", "voice_turns_total",
                   "stt_requests_total", "stt_latency_seconds", "pre_stt_encode_seconds", "voice_stage_ttfb_seconds",
                   "end_of_utterance_delay_seconds", "playback_jitter_seconds", "http_client_request_duration_seconds"],
        .audioProcessor: ["audio_processing_duration_seconds", "audio_quality_score", "audio_chunks_processed_total"],
        .stt: ["stt_transcriptions_total", "stt_transcription_duration_seconds", "stt_audio_seconds_total",
               "http_client_request_duration_seconds"],
        .orchestrator: ["orchestrator_turns_total", "orchestrator_turn_duration_seconds", "conversation_sessions",
                        "voice_stage_ttfb_seconds"],
        .guardrails: ["guardrails_checks_total", "guardrails_toxicity_score"],
        .llm: ["llm_time_to_first_token_seconds", "llm_request_duration_seconds", "llm_tokens_total",
               "llm_output_tokens_per_second"],
        .tts: ["tts_synthesis_duration_seconds", "tts_characters_total", "tts_audio_seconds_total"],
        .testingUI: ["testing_ui_runs_total"],
        .monitoringDashboard: ["dashboard_scrapes_total"],
    ]
    static let everyService = ["http_server_request_duration_seconds", "service_health_status",
                               "health_check_duration_seconds", "process_resident_memory_bytes", "process_cpu_seconds_total"]

    @Test("nine processes, one connected trace per turn, spoken replies, metrics everywhere",
          .enabled(if: FileManager.default.isExecutableFile(atPath: FleetProcess.binary.path),
                   "build the binary first: swift build --build-tests"))
    func voiceTurnsFlowThroughTheFleet() async throws {
        let store = OTLPStore()
        let (receiverPort, receiver) = try await OTLPReceiver.start(store: store)
        defer { receiver.cancel() }
        let fleet = try FleetProcess(portOffset: 20_000, environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(receiverPort)",
            "FLEET_OTLP_EMBEDDED_BACKEND": "true",
            "OTEL_BSP_SCHEDULE_DELAY": "500",
            "OTEL_METRIC_EXPORT_INTERVAL": "2000",
            "OTEL_ENABLED": "true",
            "LATENCY_SCALE": "0.5",
            "DISCORD_SPEAKERS": "3",
            "MONITOR_POLL_INTERVAL": "1",
        ])
        do {
            try await fleet.waitUntilReady(timeout: .seconds(120))
            try await checkTurnsAndAudio(fleet: fleet, store: store)
            try await checkMetrics(fleet: fleet)
        } catch {
            _ = await fleet.stop()
            throw error
        }
        let shutdown = await fleet.stop()
        // Nine services stopping in parallel, each bounded by its own 4 s shutdown budget.
        #expect(shutdown < .seconds(10), "the fleet took \(shutdown) to stop")
    }

    func checkTurnsAndAudio(fleet: FleetProcess, store: OTLPStore) async throws {
        // One testing-ui run too, so its metrics and trace exist.
        let run = await TestHTTP.postJSON(fleet.url(.testingUI) + "/api/run", #"{"text": "hey atlas, tell me a joke"}"#)
        #expect(run.status == 200, "testing-ui run failed: \(String(decoding: run.body, as: UTF8.self))")

        // Wait for replied turns and for their spans to be exported.
        let deadline = ContinuousClock.now + .seconds(150)
        var replied: [[String: Any]] = []
        var turnTrace: [ExportedSpan] = []
        while ContinuousClock.now < deadline {
            replied = try await repliedTurns(fleet)
            turnTrace = Self.completeTurnTrace(in: await store.spans)
            if replied.count >= 2, !turnTrace.isEmpty { break }
            try await Task.sleep(for: .seconds(1))
        }
        try #require(replied.count >= 2, "fewer than 2 replied turns:\n\(fleet.logs())")
        let spanCount = await store.spans.count
        try #require(!turnTrace.isEmpty, "no complete voice-turn trace among \(spanCount) spans")

        // One trace, many services, every parent present, every stage there.
        let services = Set(turnTrace.map(\.service))
        #expect(services.count >= 8, "the turn trace covers only \(services.sorted())")
        let ids = Set(turnTrace.map(\.spanID))
        for span in turnTrace {
            if let parent = span.parentSpanID { #expect(ids.contains(parent), "\(span.service)/\(span.name) has no parent in the trace") }
        }
        #expect(turnTrace.filter { $0.parentSpanID == nil }.map(\.name) == [StageSpan.turn])
        let names = Set(turnTrace.map(\.name))
        for stage in Self.stageSpans { #expect(names.contains(stage), "missing stage span \(stage)") }
        let root = try #require(turnTrace.first { $0.name == StageSpan.turn })
        #expect(root.service == "discord")
        for key in ["conversation.id", "voice.speaker", "voice.turn.number"] {
            #expect(root.attributes[key] != nil, "turn span lacks \(key)")
        }
        let chat = try #require(turnTrace.first { $0.name == StageSpan.chat(model: "flan-t5-large") })
        for key in ["gen_ai.request.model", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens"] {
            #expect(chat.attributes[key] != nil, "LLM span lacks \(key)")
        }
        let events = Set(turnTrace.flatMap(\.events))
        for event in [StageSpan.wakeDetectedEvent, StageSpan.firstTokenEvent, StageSpan.firstAudioEvent] {
            #expect(events.contains(event), "no \(event) event in the turn")
        }

        try await checkLogsJoinTheTrace(turnTrace, store: store)
        let metricServices = await store.metricServices
        #expect(metricServices.count == 9, "OTLP metrics came from \(metricServices.sorted())")

        // The reply a person would hear is valid Ogg Opus: flite speaking the reply's text in the
        // voice named in its comments, sentence by sentence as the orchestrator streamed it
        // (synthesis is deterministic, so it lasts what local ones of the same sentences do).
        let turn = replied[0]
        let id = try #require(turn["id"].map { "\($0)" })
        let replyText = try #require(turn["reply_text"] as? String)
        let audio = await TestHTTP.get(fleet.url(.discord) + "/voice/turns/\(id)/reply.opus")
        #expect(audio.status == 200)
        let decoded = try OggOpus.decode(audio.body)
        let voice = try #require(decoded.comments[OpusComment.voice].flatMap(Voice.named))
        let synthesizer = SpeechSynthesizer(voice: voice)
        let expected = SentenceSplitter.split(replyText)
            .reduce(0.0) { $0 + Double(synthesizer.synthesize($1).count) / Double(AudioFormat.sampleRate) }
        #expect(expected > 0 && abs(decoded.duration - expected) <= max(0.05 * expected, 0.1),
                "reply audio lasts \(decoded.duration) s; its text needs \(expected) s")
        let input = await TestHTTP.get(fleet.url(.discord) + "/voice/turns/\(id)/input.opus")
        #expect(try OggOpus.decode(input.body).comments[OpusComment.referenceTranscript] != nil)
    }

    /// The turn's log lines carry its trace id and the id of the span they were logged in, so a
    /// log line opens its span in Jaeger and a span finds its lines in Loki. Lines are exported on
    /// their own schedule, so this waits for them a little after the spans.
    func checkLogsJoinTheTrace(_ turnTrace: [ExportedSpan], store: OTLPStore) async throws {
        let traceID = try #require(turnTrace.first?.traceID)
        let spanIDs = Set(turnTrace.map(\.spanID))
        var lines: [ExportedLogRecord] = []
        let deadline = ContinuousClock.now + .seconds(15)
        // The bridge's turn line, stt's transcription line, the orchestrator's turn line.
        let expected: Set = ["discord", "stt", "orchestrator"]
        while ContinuousClock.now < deadline {
            lines = await store.logRecords.filter { $0.traceID == traceID }
            if expected.isSubset(of: lines.map(\.service)) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let all = await store.logRecords
        #expect(expected.isSubset(of: lines.map(\.service)),
                "the turn's log lines came from \(Set(lines.map(\.service)).sorted()) of \(all.count) records")
        for line in lines {
            #expect(spanIDs.contains(line.spanID),
                    "\(line.service)'s line \"\(line.body)\" names span \(line.spanID), not one of its turn's spans")
            let span = turnTrace.first { $0.spanID == line.spanID }
            #expect(span?.service == line.service, "\(line.service)'s line was logged in \(span?.service ?? "no")'s span")
        }
        // Every log record in a trace names a span: no line is half-correlated.
        let halfCorrelated = all.filter { $0.traceID.isEmpty != $0.spanID.isEmpty }
        #expect(halfCorrelated.isEmpty, "log records with only one of trace and span id: \(halfCorrelated.prefix(3))")
    }

    /// Turns the bridge reports as replied, newest first.
    func repliedTurns(_ fleet: FleetProcess) async throws -> [[String: Any]] {
        let reply = await TestHTTP.get(fleet.url(.discord) + "/voice/turns")
        let json = try? JSONSerialization.jsonObject(with: Data(reply.body))
        let turns = (json as? [[String: Any]]) ?? ((json as? [String: Any])?["turns"] as? [[String: Any]]) ?? []
        return turns.filter { ($0["outcome"] as? String) == "replied" }
    }

    /// The spans of the first trace rooted in a voice turn that has every stage span.
    static func completeTurnTrace(in spans: [ExportedSpan]) -> [ExportedSpan] {
        let byTrace = Dictionary(grouping: spans, by: \.traceID)
        for root in spans where root.name == StageSpan.turn {
            let trace = byTrace[root.traceID] ?? []
            let names = Set(trace.map(\.name))
            if stageSpans.allSatisfy(names.contains) { return trace }
        }
        return []
    }

    func checkMetrics(fleet: FleetProcess) async throws {
        for member in FleetMember.allCases {
            let reply = await TestHTTP.get(fleet.url(member) + "/metrics")
            #expect(reply.status == 200)
            let samples = PrometheusText.parse(String(decoding: reply.body, as: UTF8.self))
            if let lint = Promtool.checkMetrics(reply.body) {
                #expect(lint.isEmpty, "promtool check metrics on \(member.name): \(lint)")
            }
            for name in Self.everyService + (Self.expectedMetrics[member] ?? []) {
                let definition = try #require(MetricCatalog.definition(named: name))
                #expect(definition.emittedBy.includes(member.name), "\(name) is not catalogued for \(member.name)")
                let series = definition.kind == .histogram ? name + "_count" : name
                #expect(samples[series, default: []].contains { $0 > 0 }, "\(member.name): \(series) has no non-zero value")
            }
            for name in Set(samples.keys) {
                let base = ["_bucket", "_count", "_sum"].reduce(name) { $0.hasSuffix($1) ? String($0.dropLast($1.count)) : $0 }
                #expect(MetricCatalog.definition(named: base) != nil, "\(member.name) serves uncatalogued \(name)")
            }
        }
    }
}

/// `promtool check metrics`, the Prometheus project's own linter for exposition text.
enum Promtool {
    static let path = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// What promtool objects to (empty when clean), or nil when promtool is not installed.
    static func checkMetrics(_ exposition: [UInt8]) -> String? {
        guard let path else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        do { try process.run() } catch { return "could not run promtool: \(error)" }
        input.fileHandleForWriting.write(Data(exposition))
        try? input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 ? "" : text
    }
}

/// Just enough of the Prometheus text format to read sample values by metric name.
enum PrometheusText {
    static func parse(_ text: String) -> [String: [Double]] {
        var samples: [String: [Double]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let name = line.prefix { $0 != "{" && $0 != " " }
            guard let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            samples[String(name), default: []].append(value)
        }
        return samples
    }
}
