import FleetAudio
import FleetContracts
public import Hummingbird
import ServiceKit

/// GET / (the page), GET /api/voices and POST /api/run.
struct TestingUIController: Sendable {
    let runner: PipelineRunner
    let config: TestingUIConfig
    /// Rendered once: the page only varies with the configured text limit.
    let page: BinaryBody

    /// 500 characters of text are at most 2 KB of UTF-8; the rest is field names and ids.
    static let runBodyLimit = 16 * 1024

    init(runner: PipelineRunner, config: TestingUIConfig) {
        self.runner = runner
        self.config = config
        page = BinaryBody(Array(TestingUIPage.html(maxTextLength: config.maxTextLength).utf8),
                          contentType: MediaType.html, headers: [.cacheControl: "no-cache"])
    }

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.get("/", use: index)
        group.get("/api/voices", use: voices)
        group.post("/api/run", use: run)
    }

    func index(request: Request, context: FleetRequestContext) async throws -> BinaryBody {
        page
    }

    func voices(request: Request, context: FleetRequestContext) async throws -> VoiceCatalog {
        VoiceCatalog.current
    }

    /// Validation failures are 400s naming the field; a peer's failure passes through as the
    /// fleet's 502/504 error naming the peer.
    func run(request: Request, context: FleetRequestContext) async throws -> RunResult {
        let body = try await request.decodeJSON(RunRequest.self, limit: Self.runBodyLimit)
        let input = try ValidatedRun(body, maxTextLength: config.maxTextLength)
        return try await runner.run(input)
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
        voices: Voice.all.map { voice in
            let register = voice.basePitchHz < 150 ? "lower" : "higher"
            let timbre = voice.brightness >= 0.7 ? "bright" : voice.brightness <= 0.3 ? "soft" : "even"
            return VoiceInfo(id: voice.id, description: "\(register), \(timbre), \(Int(voice.basePitchHz)) Hz")
        },
        default: Voice.default.id,
        defaultReply: ValidatedRun.defaultReplyVoice.id)
}
