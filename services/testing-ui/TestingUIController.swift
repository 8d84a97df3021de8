import FleetAudio
import FleetContracts
import Hummingbird
import ServiceKit

/// GET / (the page), GET /api/voices and POST /api/run.
struct TestingUIController: Sendable {
    let runner: PipelineRunner
    let config: TestingUIConfig
    /// Rendered once: the page only varies with the configured text limit.
    let page: [UInt8]

    /// 500 characters of text are at most 2 KB of UTF-8; the rest is field names and ids.
    static let runBodyLimit = 16 * 1024

    init(runner: PipelineRunner, config: TestingUIConfig) {
        self.runner = runner
        self.config = config
        page = Array(TestingUIPage.html(maxTextLength: config.maxTextLength).utf8)
    }

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("/", use: index)
        group.get("/api/voices", use: voices)
        group.post("/api/run", use: run)
    }

    func index(request: Request, context: BasicRequestContext) async throws -> Response {
        Response.bytes(page, contentType: "text/html; charset=utf-8",
                       headers: [.cacheControl: "no-cache"])
    }

    func voices(request: Request, context: BasicRequestContext) async throws -> Response {
        try Response.json(VoiceCatalog.current)
    }

    /// Validation failures are 400s naming the field; a peer's failure passes through as the
    /// fleet's 502/504 error naming the peer.
    func run(request: Request, context: BasicRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(RunRequest.self, limit: Self.runBodyLimit)
        let input = try ValidatedRun(body, maxTextLength: config.maxTextLength)
        return try Response.json(try await runner.run(input))
    }
}

/// GET /api/voices: every synthesizer voice with a short description, and the two defaults.
struct VoiceCatalog: Codable, Sendable, Equatable {
    var voices: [VoiceInfo]
    var defaultVoice: String
    var defaultReplyVoice: String

    enum CodingKeys: String, CodingKey {
        case voices
        case defaultVoice = "default"
        case defaultReplyVoice = "default_reply"
    }

    static let current = VoiceCatalog(
        voices: Voice.all.map { voice in
            let register = voice.basePitchHz < 150 ? "lower" : "higher"
            let timbre = voice.brightness >= 0.7 ? "bright" : voice.brightness <= 0.3 ? "soft" : "even"
            return VoiceInfo(id: voice.id, description: "\(register), \(timbre), \(Int(voice.basePitchHz)) Hz")
        },
        defaultVoice: Voice.default.id,
        defaultReplyVoice: ValidatedRun.defaultReplyVoice.id)
}
