import FleetAudio
import FleetContracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import ServiceKit
import Testing

@testable import AudioProcessorService
@testable import STTService

private enum STTFixture {
    static let phrase = "hey atlas, turn off the kitchen lights"
    static let rate = Double(AudioFormat.sampleRate)
    /// Nothing listens on the discard port: the audio processor is "down".
    static let unreachable = "http://127.0.0.1:9"

    static func speech(_ text: String = phrase, voice: Voice = .default) -> [Float] {
        let silence = [Float](repeating: 0, count: Int(0.5 * rate))
        return silence + SpeechSynthesizer(voice: voice).synthesize(text) + silence
    }

    static func ogg(_ samples: [Float], reference: String? = nil) throws -> [UInt8] {
        try OggOpus.encode(samples, comments: reference.map { [OpusComment.referenceTranscript: $0] } ?? [:])
    }

    static func app(_ environment: [String: String] = [:]) async throws -> FleetApplication.Built {
        let base = ["LATENCY_SCALE": "0.01", "AUDIO_PROCESSOR_URL": unreachable]
        let settings = try ServiceSettings.forTesting(member: .stt, environment: base.merging(environment) { $1 })
        let runtime = ServiceRuntime(member: .stt, settings: settings)
        return try await FleetApplication.build(STTService.self, runtime: runtime, registry: PrometheusCollectorRegistry())
    }

    /// A service's routes on a real socket (port 0: the kernel picks a free one), for client tests.
    static func live<T: FleetService>(_ service: T.Type, member: FleetMember, environment: [String: String] = [:],
                                      _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let settings = try ServiceSettings.forTesting(member: member, environment: ["LATENCY_SCALE": "0.01"].merging(environment) { $1 })
        let router = Router(context: BasicRequestContext.self)
        let routes = router.group().add(middleware: FleetHTTPMiddleware(service: member.name))
        _ = try await T.build(routes: routes, runtime: ServiceRuntime(member: member, settings: settings))
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(try #require(client.port)) }
    }

    static func result(_ response: TestResponse) throws -> TranscriptionResult {
        try JSONDecoder().decode(TranscriptionResult.self, from: Data(buffer: response.body))
    }

    static func errorCode(_ response: TestResponse) -> String? {
        struct Body: Decodable { struct Detail: Decodable { let code: String }; let error: Detail }
        return try? JSONDecoder().decode(Body.self, from: Data(buffer: response.body)).error.code
    }

    static func pipeline(enhancer: (any AudioProcessing)?) -> TranscriptionPipeline {
        TranscriptionPipeline(enhancer: enhancer,
                              latency: LatencySource(model: STTConfig().latency, seed: 42, stream: "test", scale: 0.001),
                              logger: Logger(label: "stt-test"))
    }

    static func upload(_ samples: [Float], reference: String? = nil) throws -> AudioUpload {
        try AudioUpload.decode(try ogg(samples, reference: reference), mediaType: "audio/ogg", maxSeconds: 600)
    }
}

/// An audio processor that hands the file back untouched and reports a fixed quality.
private struct EchoProcessor: AudioProcessing {
    let quality: Double
    func processSegment(_ oggOpus: [UInt8]) async throws -> ProcessedAudio { try await enhance(oggOpus) }
    func enhance(_ oggOpus: [UInt8]) async throws -> ProcessedAudio {
        ProcessedAudio(audio: oggOpus, metrics: QualityMetrics(qualityScore: quality, inputQualityScore: quality, rmsDBFS: -20,
                                                               peakDBFS: -3, clippingRatio: 0, speechSeconds: 1, durationSeconds: 1))
    }
}

/// The real enhancement, in process.
private struct InProcessProcessor: AudioProcessing {
    let pipeline = AudioPipeline(config: AudioProcessorConfig())
    func processSegment(_ oggOpus: [UInt8]) async throws -> ProcessedAudio { try await enhance(oggOpus) }
    func enhance(_ oggOpus: [UInt8]) async throws -> ProcessedAudio {
        let result = pipeline.enhance(try OggOpus.decode(oggOpus))
        return ProcessedAudio(audio: try OggOpus.encode(result.samples, comments: result.comments), metrics: result.metrics)
    }
}

/// An audio processor that is down.
private struct DownProcessor: AudioProcessing {
    func processSegment(_ oggOpus: [UInt8]) async throws -> ProcessedAudio { try await enhance(oggOpus) }
    func enhance(_ oggOpus: [UInt8]) async throws -> ProcessedAudio {
        throw FleetError.downstream("unavailable", peer: "audio-processor", "connection refused")
    }
}

@Suite("stt")
struct STTTests {
    // MARK: Domain

    @Test("a reference transcript in the Ogg comments is the transcript")
    func referenceTranscript() async throws {
        let outcome = try await STTFixture.pipeline(enhancer: EchoProcessor(quality: 0.9))
            .transcribe(try STTFixture.upload(STTFixture.speech(), reference: STTFixture.phrase), options: .init())
        #expect(outcome.recognition.text == STTFixture.phrase)
        #expect(outcome.recognition.source == .reference)
        #expect(outcome.enhancement == .applied)
        // Confidence follows the enhanced audio's quality score: 0.80 + 0.18 x 0.9.
        #expect(outcome.recognition.confidence == 0.962)
    }

    @Test("without a reference the transcript comes from the audio, the same every time")
    func acousticIsDeterministic() async throws {
        let pipeline = STTFixture.pipeline(enhancer: nil)
        let upload = try STTFixture.upload(STTFixture.speech())
        let first = try await pipeline.transcribe(upload, options: .init()).recognition
        let second = try await pipeline.transcribe(try STTFixture.upload(STTFixture.speech()), options: .init()).recognition
        #expect(first.source == .acoustic)
        #expect(!first.text.isEmpty)
        #expect(first.text == second.text)
        #expect(first.words.count >= 3)
        #expect(first.confidence > 0 && first.confidence < 0.75)

        let other = try await pipeline.transcribe(
            try STTFixture.upload(STTFixture.speech("please remind me about the meeting tomorrow at nine", voice: Voice.all[3])),
            options: .init()).recognition
        #expect(other.text != first.text)
    }

    @Test("silence transcribes to nothing, with confidence 0")
    func silence() async throws {
        let outcome = try await STTFixture.pipeline(enhancer: nil)
            .transcribe(try STTFixture.upload([Float](repeating: 0, count: 96_000)), options: .init())
        #expect(outcome.recognition.text == "")
        #expect(outcome.recognition.source == .none)
        #expect(outcome.recognition.confidence == 0)
        #expect(outcome.recognition.segments(wordLevel: true).isEmpty)
    }

    @Test("an unreachable audio processor degrades the transcription, it does not fail it")
    func degraded() async throws {
        let outcome = try await STTFixture.pipeline(enhancer: DownProcessor())
            .transcribe(try STTFixture.upload(STTFixture.speech(), reference: STTFixture.phrase), options: .init())
        #expect(outcome.enhancement == .unavailable)
        #expect(outcome.recognition.text == STTFixture.phrase)
        #expect(outcome.recognition.confidence > 0.8)
    }

    @Test("an acoustic transcript does not depend on the audio processor being up; its confidence does")
    func acousticIndependentOfEnhancement() async throws {
        var noise = SeededGenerator(seed: 3)
        let noisy = STTFixture.speech().map { $0 + Float.random(in: -0.01...0.01, using: &noise) }
        let upload = try STTFixture.upload(noisy)
        let enhanced = try await STTFixture.pipeline(enhancer: InProcessProcessor()).transcribe(upload, options: .init())
        let degraded = try await STTFixture.pipeline(enhancer: DownProcessor()).transcribe(upload, options: .init())
        #expect(enhanced.enhancement == .applied && degraded.enhancement == .unavailable)
        #expect(enhanced.recognition.source == .acoustic)
        #expect(enhanced.recognition.text == degraded.recognition.text)
        // The gate and normaliser make the audio cleaner, and the model surer of it.
        #expect(enhanced.recognition.confidence > degraded.recognition.confidence)
    }

    @Test("model time grows with the audio: the latency model's quantiles per audio second")
    func latencyGrowsWithAudio() async throws {
        let model = STTConfig().latency
        #expect(abs(model.quantile(0.5) - 0.25) < 1e-9)
        #expect(abs(model.quantile(0.5, units: 10) - (0.25 + 1.2)) < 1e-9)
        #expect(model.quantile(0.99, units: 10) > model.quantile(0.5, units: 10) * 2.4)
        #expect(model.quantile(0.5, units: 30) > model.quantile(0.5, units: 3))

        // The pipeline charges the model for the whole clip, or only the speech with vad_filter.
        let pipeline = STTFixture.pipeline(enhancer: nil)
        let upload = try STTFixture.upload(STTFixture.speech() + [Float](repeating: 0, count: 3 * 48_000))
        let plain = try await pipeline.transcribe(upload, options: .init())
        var filtered = TranscriptionOptions()
        filtered.vadFilter = true
        let vad = try await pipeline.transcribe(upload, options: filtered)
        #expect(abs(plain.modelAudioSeconds - upload.audio.duration) < 1e-9)
        #expect(vad.modelAudioSeconds < plain.modelAudioSeconds - 3)
        #expect(TranscriptionPipeline.beamCost(5) == 1)
        #expect(TranscriptionPipeline.beamCost(10) > TranscriptionPipeline.beamCost(1))
    }

    @Test("word timestamps time each reference word inside the audio")
    func wordTimestamps() async throws {
        let upload = try STTFixture.upload(STTFixture.speech(), reference: STTFixture.phrase)
        let recognition = try await STTFixture.pipeline(enhancer: nil).transcribe(upload, options: .init()).recognition
        let words = recognition.segments(wordLevel: true)
        #expect(words.map(\.text) == STTFixture.phrase.split(separator: " ").map(String.init))
        #expect(words.first.map { $0.start >= 0.3 } == true)  // after the leading half second of silence
        #expect(words.last.map { $0.end <= upload.audio.duration } == true)
        #expect(zip(words, words.dropFirst()).allSatisfy { $0.end <= $1.start + 1e-9 })
        let phrases = recognition.segments(wordLevel: false)
        #expect(!phrases.isEmpty && phrases.count < words.count)
        #expect(phrases.map(\.text).joined(separator: " ") == STTFixture.phrase)
    }

    @Test("query options are validated")
    func options() throws {
        let query = { (values: [String: String]) in try TranscriptionOptions { values[$0] } }
        let parsed = try query(["language": "EN", "beam_size": "3", "task": "translate", "word_timestamps": "true",
                                "vad_filter": "1", "initial_prompt": "Atlas", "correlation_id": "abc-1"])
        #expect(parsed.language == "en" && parsed.beamSize == 3 && parsed.task == .translate)
        #expect(parsed.wordTimestamps && parsed.vadFilter && parsed.initialPrompt == "Atlas" && parsed.correlationID == "abc-1")
        for bad in [["beam_size": "0"], ["beam_size": "five"], ["task": "summarise"], ["word_timestamps": "maybe"],
                    ["language": "english"], ["correlation_id": "has space"]] {
            #expect(throws: FleetError.self, "\(bad)") { try query(bad) }
        }
    }

    // MARK: HTTP

    @Test("POST /asr with Ogg Opus answers the reference transcript even with the audio processor down")
    func asrDegraded() async throws {
        let body = try STTFixture.ogg(STTFixture.speech(), reference: STTFixture.phrase)
        let built = try await STTFixture.app()
        try await built.application.test(.router) { client in
            try await client.execute(uri: "/asr?correlation_id=turn-7&word_timestamps=true", method: .post,
                                     headers: [.contentType: "audio/ogg"], body: ByteBuffer(bytes: body)) { response in
                #expect(response.status == .ok)
                let result = try STTFixture.result(response)
                #expect(result.text == STTFixture.phrase)
                #expect(result.source == "reference")
                #expect(result.correlationId == "turn-7")
                #expect(result.inputBytes == body.count)
                #expect(result.model == "faster-whisper-medium.en-int8 (stub)")
                #expect(result.device == "cpu")
                #expect(result.language == "en")
                #expect(result.segments?.count == STTFixture.phrase.split(separator: " ").count)
                #expect(result.totalMs >= result.processingMs)
                #expect(response.headers[HTTPField.Name("X-Processing-Time-ms")!] != nil)
            }
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder().decode(HealthMonitor.Report.self, from: Data(buffer: response.body))
                #expect(report.status == "degraded")
                #expect(report.dependencies["audio-processor"]?.required == false)
            }
        }
    }

    @Test("POST /asr accepts WAV, sniffs untyped bodies, and is deterministic")
    func asrFormats() async throws {
        let samples = STTFixture.speech()
        let wav = WAV.encode(Resampler.resample(samples, from: 48_000, to: 16_000), sampleRate: 16_000)
        try await STTFixture.app().application.test(.router) { client in
            var texts: [String] = []
            for contentType in ["audio/wav", "application/octet-stream", "audio/x-wav"] {
                try await client.execute(uri: "/asr", method: .post, headers: [.contentType: contentType],
                                         body: ByteBuffer(bytes: wav)) { response in
                    #expect(response.status == .ok, "\(contentType)")
                    let result = try STTFixture.result(response)
                    #expect(result.source == "acoustic")
                    #expect(abs(result.duration - Double(samples.count) / 48_000) < 0.01)
                    texts.append(result.text)
                }
            }
            #expect(Set(texts).count == 1)
            #expect(texts.first?.isEmpty == false)
        }
    }

    @Test("POST /transcribe takes a multipart form with a file field")
    func multipart() async throws {
        let audio = try STTFixture.ogg(STTFixture.speech(), reference: STTFixture.phrase)
        let boundary = "----fleet-boundary-42"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n".utf8)
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"turn.opus\"\r\nContent-Type: audio/ogg\r\n\r\n".utf8)
        body += audio
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        let form = body
        try await STTFixture.app().application.test(.router) { client in
            try await client.execute(uri: "/transcribe?language=en&beam_size=5", method: .post,
                                     headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                                     body: ByteBuffer(bytes: form)) { response in
                #expect(response.status == .ok)
                let result = try STTFixture.result(response)
                #expect(result.text == STTFixture.phrase)
            }
            let noFile = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--\(boundary)--\r\n".utf8)
            try await client.execute(uri: "/transcribe", method: .post,
                                     headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                                     body: ByteBuffer(bytes: noFile)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/transcribe", method: .post, headers: [.contentType: "audio/ogg"],
                                     body: ByteBuffer(bytes: audio)) { response in
                #expect(response.status == .unsupportedMediaType)
            }
        }
    }

    @Test("bad requests get clear 4xx errors")
    func errors() async throws {
        let audio = try STTFixture.ogg(STTFixture.speech(), reference: STTFixture.phrase)
        try await STTFixture.app(["STT_MAX_BODY_BYTES": "4096"]).application.test(.router) { client in
            try await client.execute(uri: "/asr", method: .post, headers: [.contentType: "audio/ogg"]) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/asr", method: .post, headers: [.contentType: "text/plain"],
                                     body: ByteBuffer(string: "hey atlas")) { response in
                #expect(response.status == .unsupportedMediaType)
                #expect(STTFixture.errorCode(response) == "unsupported_media_type")
            }
            try await client.execute(uri: "/asr", method: .post, headers: [.contentType: "audio/ogg"],
                                     body: ByteBuffer(bytes: Array("ID3 an mp3, not an Ogg stream".utf8))) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("not_ogg_opus"))
            }
            try await client.execute(uri: "/asr", method: .post, headers: [.contentType: "application/octet-stream"],
                                     body: ByteBuffer(string: "plain bytes, no magic")) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/asr?beam_size=99", method: .post, headers: [.contentType: "audio/ogg"],
                                     body: ByteBuffer(bytes: Array(audio.prefix(1000)))) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("beam_size"))
            }
            #expect(audio.count > 4096)
            try await client.execute(uri: "/asr", method: .post, headers: [.contentType: "audio/ogg"],
                                     body: ByteBuffer(bytes: audio)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(STTFixture.errorCode(response) == "payload_too_large")
            }
        }
    }

    // MARK: Across processes' worth of HTTP

    @Test("with a live audio processor the audio is enhanced, and both clients speak the wire format")
    func liveEnhancementAndClients() async throws {
        let speech = STTFixture.speech()
        let audio = try STTFixture.ogg(speech, reference: STTFixture.phrase)
        try await STTFixture.live(AudioProcessorService.self, member: .audioProcessor) { processorPort in
            let processorURL = "http://127.0.0.1:\(processorPort)"
            // AudioProcessingClient against the real service: measurements parsed from the headers.
            let processor = AudioProcessingClient(DownstreamClient(peer: "audio-processor", baseURL: processorURL, http: .fleet))
            let segment = try await processor.processSegment(audio)
            #expect(try OggOpus.decode(segment.audio).comments[OpusComment.referenceTranscript] == STTFixture.phrase)
            #expect(segment.metrics.durationSeconds < Double(speech.count) / STTFixture.rate - 0.5)
            #expect(abs(segment.metrics.rmsDBFS - -20) < 1)
            let enhanced = try await processor.enhance(audio)
            #expect(abs(enhanced.metrics.durationSeconds - Double(speech.count) / STTFixture.rate) < 0.01)

            // stt using that processor, reached through TranscriberClient.
            try await STTFixture.live(STTService.self, member: .stt, environment: ["AUDIO_PROCESSOR_URL": processorURL]) { sttPort in
                let stt = TranscriberClient(DownstreamClient(peer: "stt", baseURL: "http://127.0.0.1:\(sttPort)", http: .fleet))
                let result = try await stt.transcribe(audio, contentType: "audio/ogg", correlationID: "turn-9&x=1")
                #expect(result.text == STTFixture.phrase)
                #expect(result.correlationId == "turn-9&x=1")
                // Confidence comes from the enhanced audio's quality score, which the processor measured.
                #expect(result.confidence == SpeechRecognizer.confidence(.reference, quality: enhanced.metrics.qualityScore))
                do {
                    _ = try await stt.transcribe(Array("not audio".utf8), contentType: "text/plain", correlationID: nil)
                    Issue.record("a text body was transcribed")
                } catch let error as FleetError {
                    #expect(error.code == "bad_response")
                    #expect(error.message.contains("415") && error.message.contains("unsupported_media_type"))
                }
            }
        }
    }
}
