import FleetContracts
import FleetPages
import FleetSpeech
import Foundation
public import Hummingbird
import Logging
import ServiceKit

/// GET / (the page), GET /api/voices, POST /api/run (typed text) and POST /api/run/audio (an
/// uploaded or recorded file). Every run that had speech to send is kept in the history, failed
/// ones too, and the answer carries its id (its page is /runs/{id}).
struct TestingUIController: Sendable {
    let runner: PipelineRunner
    let history: RunHistory
    let config: TestingUIConfig
    let logger: Logger

    /// 500 characters of text are at most 2 KB of UTF-8; the rest is field names and ids.
    static let runBodyLimit = 16 * 1024
    /// How many runs the page's history table shows (GET /api/runs has them all).
    static let pageHistoryRows = 50

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.get("/", use: index)
        group.get("/api/voices", use: voices)
        group.post("/api/run", use: run)
        group.post("/api/run/audio", use: runAudio)
    }

    func index(request: Request, context: FleetRequestContext) async throws -> BinaryBody {
        let links = Self.links(for: request, config)
        let model = TestingUIPage.PageModel(
            maxTextLength: config.maxTextLength,
            maxUploadMiB: String(format: "%g", (Double(config.maxUploadBytes) / 1_048_576 * 10).rounded() / 10),
            maxAudioSeconds: Int(config.maxAudioSeconds), defaultText: FleetPhrases.requests[0],
            voices: TestingUIPage.VoiceOption.all(selected: .default),
            replyVoices: TestingUIPage.VoiceOption.all(selected: ValidatedRun.defaultReplyVoice),
            phraseGroups: TestingUIPage.PhraseGroup.all, history: await historyView(links: links))
        return BinaryBody(Array(TestingUIPage.html(model, links: links).utf8), contentType: MediaType.html,
                          headers: [.cacheControl: "no-store"])
    }

    func voices(request: Request, context: FleetRequestContext) async throws -> VoiceCatalog {
        VoiceCatalog.current
    }

    /// Validation failures are 400s naming the field; a peer's failure passes through as the
    /// fleet's 502/504 error naming the peer.
    func run(request: Request, context: FleetRequestContext) async throws -> RunResult {
        let body = try await request.decodeJSON(RunRequest.self, limit: Self.runBodyLimit)
        let input = try ValidatedRun(body, maxTextLength: config.maxTextLength)
        return try await perform(input)
    }

    /// The body is the audio (audio/ogg, audio/opus, audio/wav, audio/x-wav; untyped: its bytes
    /// decide); options in the query: voice, reply_voice, session_id, origin (file|microphone).
    /// Larger than TESTING_UI_MAX_UPLOAD_BYTES or longer than TESTING_UI_MAX_AUDIO_SECONDS is a
    /// 413, another type a 415, bytes that do not decode a 400.
    func runAudio(request: Request, context: FleetRequestContext) async throws -> RunResult {
        let query = request.uri.queryParameters
        let origin = try Self.origin(query.get("origin"))
        var input = try ValidatedRun(audio: AudioInput(bytes: [], mediaType: nil), voice: query.get("voice"),
                                     replyVoice: query.get("reply_voice"), sessionId: query.get("session_id"))
        let bytes = try await request.collectBody(limit: config.maxUploadBytes)
        input.source = .audio(AudioInput(bytes: bytes, mediaType: request.mediaType, origin: origin,
                                         maxSeconds: config.maxAudioSeconds))
        return try await perform(input)
    }

    /// Runs the turn, keeps it, and answers its result or its error.
    private func perform(_ input: ValidatedRun) async throws -> RunResult {
        let attempt = await runner.attempt(input)
        var id: Int?
        if attempt.isRecordable {
            do {
                id = try await history.insert(attempt)
            } catch {
                // The run itself worked; say so, and that its page will be missing.
                logger.error("a run could not be kept in the history", metadata: [
                    "store": "\(history.location)", "error": "\(error)",
                ])
            }
        }
        var result = try attempt.outcome.get()
        result.id = id
        return result
    }

    /// The history table; a store that cannot be read shows as a note, not a broken page.
    private func historyView(links: PageLinks) async -> TestingUIPage.HistoryView {
        let memoryNote = history.isInMemory ? "in memory only: the history file could not be opened (see the log)" : nil
        do {
            let records = try await history.recent(limit: Self.pageHistoryRows)
            return .init(rows: records.map { .init($0, links: links) }, keeps: history.keep, memoryNote: memoryNote)
        } catch {
            logger.error("the run history could not be read", metadata: ["error": "\(error)"])
            return .init(rows: [], keeps: history.keep, memoryNote: "the history could not be read: \(error)")
        }
    }

    static func origin(_ value: String?) throws -> InputKind {
        switch value {
        case nil, "", "file": return .file
        case "microphone": return .microphone
        case let other?: throw FleetError.badRequest("'origin' is '\(other)'; it is 'file' or 'microphone'.")
        }
    }

    /// Links for a page served to this request's browser (its Host header), shifted as this
    /// process's port is, with Jaeger and Grafana when configured.
    static func links(for request: Request, _ config: TestingUIConfig) -> PageLinks {
        config.pageLinks.links(requestHost: request.head.authority)
    }
}

extension RunResult: ResponseEncodable {}

/// GET /api/voices: every synthesizer voice with a short description, and the two defaults.
struct VoiceCatalog: Codable, Sendable, Equatable, ResponseEncodable {
    var voices: [VoiceInfo]
    /// The speaker's default voice; named as on the wire (`default`, `default_reply`).
    var `default`: String
    /// The reply's default voice.
    var defaultReply: String

    static let current = VoiceCatalog(
        voices: Voice.all.map { VoiceInfo(id: $0.id, description: $0.summary) },
        default: Voice.default.id,
        defaultReply: ValidatedRun.defaultReplyVoice.id)
}
