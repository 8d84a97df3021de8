import FleetContracts
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
@testable import OrchestratorService

/// A turn orchestrator wired to in-memory fakes of its three peers and a store, as the service
/// wires it to HTTP clients and SQLite.
struct OrchestratorHarness {
    let guardrails: FakeGuardrails
    let model: FakeLanguageModel
    let speech: FakeSpeech
    let store: any ConversationStore
    let orchestrator: TurnOrchestrator

    init(guardrails: FakeGuardrails = FakeGuardrails(), model: FakeLanguageModel = FakeLanguageModel(),
         speech: FakeSpeech = FakeSpeech(), store: (any ConversationStore)? = nil,
         config: OrchestratorConfig = OrchestratorConfig(store: .memory)) {
        self.guardrails = guardrails
        self.model = model
        self.speech = speech
        let store = store ?? InMemoryConversationStore(maxMessagesPerSession: config.maxMessagesPerSession)
        self.store = store
        orchestrator = TurnOrchestrator(peers: .init(guardrails: guardrails, languageModel: model, speech: speech),
                                        store: store, config: config)
    }

    @discardableResult
    func say(_ text: String, session: String? = nil, includeAudio: Bool? = nil) async throws -> TurnOrchestrator.Result {
        try await orchestrator.handle(TurnInput(TranscriptRequest(transcript: text, sessionId: session,
                                                                  includeAudio: includeAudio)))
    }

    /// The orchestrator's routes behind the kit's error middleware, as the service mounts them.
    func application() -> some ApplicationProtocol {
        let router = Router(context: FleetRequestContext.self)
        let group = router.group().add(middleware: FleetHTTPMiddleware(service: "orchestrator"))
        OrchestratorController(orchestrator: orchestrator).addRoutes(to: group)
        return Application(router: router)
    }
}

/// What the orchestrator's tests share besides the harness.
enum OrchestratorFixture {
    static let json: HTTPFields = [.contentType: "application/json"]

    /// A fresh path under the temporary directory, not yet created.
    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("orchestrator-tests-\(UUID().uuidString)").path
    }

    /// A reply body read as the fleet's JSON, with the ISO 8601 dates the session route writes.
    static func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
        let decoder = JSONDecoder.fleet
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
    }

    /// The kit's error shape, `{"error": {"code": ..., "message": ...}}`.
    struct ErrorBody: Decodable {
        struct Detail: Decodable {
            let code: String
            let message: String
        }
        let error: Detail
    }
}
